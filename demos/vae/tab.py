"""VAE lab tab: handlers, then layout, then wiring; the maths lives in core.py, views.py and
compression.py, the pictures in figures.py.

API (the settings are the fields of ``core.VaeSettings``, in order; the session's run and the
encoded input are held by the server):
- ``/vae_start``  (settings…): a fresh run trained for ``iterations`` while streaming (status,
  curves, latent map, KL per dimension, decoded manifold — the data plane for 2D sets —, prior
  against aggregate posterior), until done or paused.
- ``/vae_pause`` (), ``/vae_resume`` (iterations), ``/vae_step`` (settings…), ``/vae_reset``
  (settings…): as in every live lab (``components.live``).
- ``/vae_encode`` (index, eps_seed): held-out row ``index`` through z = μ + σ ⊙ ε; answers
  (reparameterisation figure, its table, latent map with the input on it).
- ``/vae_encode_drawing`` (sketch, eps_seed): the same for a drawing (digits).
- ``/vae_resample`` (eps_seed): the encoded input again with ε from ``eps_seed + 1``; answers
  (the new seed, figure, table, latent map).
- ``/vae_generate`` (seed): decoded samples of the prior (digits).
- ``/vae_interpolate`` (a, b, steps): linear and spherical paths between two held-out rows.
- ``/vae_compress`` (): the run as a codec against PCA, and its point on the rate–distortion plane.
- ``/vae_sweep`` (settings…): one model per β, streamed point by point onto the rate–distortion
  curve (note, figure).
- ``/vae_compare_start``, ``_pause``, ``_resume``, ``_step``, ``_reset`` (settings…): an
  autoencoder (β = 0) and a VAE (β = 1) from the same seed trained side by side; they answer
  (status, comparison figure).
- ``/vae_export`` (): the run's settings and numbers as JSON, its curves as CSV.
"""

from __future__ import annotations

import dataclasses

import gradio as gr
import torch

from components import controls, exports, links_ui, live, live_ui
from components.handlers import handler
from components.i18n import InputError, translate
from components.queueing import queue
from components.settings import check_value
from components.settings import controls as setting_controls
from components.sketch import ink_mask
from components.ui import I18N, explanation, export_panel
from components.validation import as_int
from demos.vae import compression, core, data, figures, views

S = core.VaeSettings
ITERATIONS = setting_controls(S)["iterations"]


@dataclasses.dataclass
class Probe:
    """The input the reparameterisation panel shows, per session (``gr.State``): the live views
    read it on every frame, so the encoded input stays on the latent map while the model trains."""
    x: torch.Tensor | None = None   # (D,) a held-out row or a drawing
    seed: int = 0                   # the seed of its ε


@dataclasses.dataclass
class Sweep:
    """The β sweep's points so far, per session, for the latent size they were trained with."""
    latent_dim: int = 0
    points: list = dataclasses.field(default_factory=list)   # compression.RatePoint


# ---------------------------------------------------------------------------------------------
# handlers: the live run


def _encoded(run: core.VaeRun, probe: Probe | None) -> views.ReparamView | None:
    """The probe through the run's encoder, when it fits the run's data."""
    if probe is None or probe.x is None or probe.x.shape[0] != run.data.dim:
        return None
    return views.reparam_view(run, probe.x, probe.seed)


# While a run trains, the two heatmaps (the decoded manifold or data plane, and the density;
# ~95 KB of a ~130 KB frame) are redrawn at most this often; status, curves, latent map and KL
# bars come with every frame.
HEATMAPS_EVERY_S = 1.0


def live_views(run: core.VaeRun, note: str, lang: str, probe: Probe | None = None, heatmaps: bool = True) -> tuple:
    """(status, curves, latent map, KL per dimension, manifold or data plane, density) now; the
    heatmaps left as the page has them unless ``heatmaps``."""
    snap = views.snapshot(run, heatmaps)
    cheap = (figures.status_md(run, note, lang), figures.curves_figure(run, lang),
             figures.latent_figure(snap.latent, lang, _encoded(run, probe)), figures.kl_bars_figure(snap.latent, lang))
    if not heatmaps:
        return *cheap, gr.skip(), gr.skip()
    decoded = (figures.manifold_figure(snap.manifold, run.settings.latent_dim, lang) if snap.plane is None
               else figures.plane_figure(snap.plane, lang))
    return *cheap, decoded, figures.density_figure(snap.density, lang)


def renderer(lang: str, probe: Probe | None = None):
    clocks = {}   # one per language: a change of language (links_ui.noted) draws the heatmaps at once

    def render(run, note: str, now: str) -> tuple:
        due = clocks.setdefault(now, live.slow_views_clock(now, HEATMAPS_EVERY_S))
        return live_views(run, note, now, probe, due(note))

    return links_ui.noted(render, lang)


@handler(S)
def start(settings, probe, session, lang: str):
    """A fresh run from the settings, trained for ``settings.iterations`` while streaming."""
    yield from live.start(live.session_of(session), core.VaeRun(settings), settings.iterations,
                          renderer(lang, probe), lang)


@handler()
def resume(iterations, probe, session, lang: str):
    """Continue this session's run (to its target, or ``iterations`` further once reached)."""
    more = check_value(ITERATIONS, iterations)
    yield from live.resume(live.session_of(session), more, renderer(lang, probe), lang)


@handler(S)
def step(settings, probe, session, lang: str):
    """One iteration; a fresh run from the settings when there is none yet."""
    return live.step(live.session_of(session), lambda: core.VaeRun(settings), renderer(lang, probe), lang)


@handler(S)
def reset(settings, probe, session, lang: str):
    """A fresh run from the settings at iteration 0 (any training stream of this session stops)."""
    return live.reset(live.session_of(session), core.VaeRun(settings), renderer(lang, probe), lang)


def _keep(session, name: str, value) -> None:
    """What a panel drew from the session's run, kept with the session: a change of language
    draws it again (``redraw``) without computing it again."""
    if isinstance(session, live.LiveSession):
        vars(session).setdefault("shown", {})[name] = value


def _run_of(session) -> core.VaeRun:
    run = getattr(session, "run", None)
    if run is None:
        raise InputError("vae_err_no_run")
    return run


# ---------------------------------------------------------------------------------------------
# handlers: one input through the encoder


def _probe_views(session, probe: Probe, lang: str) -> tuple:
    """(reparameterisation figure, its table, latent map with the input) of the session's run."""
    run = _run_of(session)
    with live.CPU.turn(), session.lock:   # a run that trains takes the same lock between slices
        view = views.reparam_view(run, probe.x, probe.seed)
        latent = views.latent_view(run, *core.encode(run, run.data.held_out))
    return (figures.reparam_figure(view, lang), figures.reparam_table_md(view, lang),
            figures.latent_figure(latent, lang, view))


def _eps_seed(value) -> int:
    return as_int("vae_eps_seed", value, 0, core.MAX_SEED)


@handler()
def encode(index, eps_seed, probe, session, lang: str):
    """Held-out row ``index`` through z = μ + σ ⊙ ε, ε from ``eps_seed``."""
    row, _label = views.held_out_row(_run_of(session), index)
    probe.x, probe.seed = row, _eps_seed(eps_seed)
    return _probe_views(session, probe, lang)


@handler()
def encode_drawing(sketch, eps_seed, probe, session, lang: str):
    """A sketch-pad drawing, rasterised like the scanned digits, through the encoder."""
    row = views.drawn_row(_run_of(session), ink_mask(sketch))
    probe.x, probe.seed = row, _eps_seed(eps_seed)
    return _probe_views(session, probe, lang)


@handler()
def resample(eps_seed, probe, session, lang: str):
    """The encoded input again, with a new ε (the next seed)."""
    if probe is None or probe.x is None:
        raise InputError("vae_err_no_probe")
    probe.seed = (_eps_seed(eps_seed) + 1) % (core.MAX_SEED + 1)
    return probe.seed, *_probe_views(session, probe, lang)


# ---------------------------------------------------------------------------------------------
# handlers: generation, compression, comparison


@handler()
def generate(seed, session, lang: str):
    """Decoded samples of the prior, z from ``seed``."""
    run = _run_of(session)
    if not run.data.is_digits:
        raise InputError("vae_err_generate_digits")
    with live.CPU.turn(), session.lock:
        samples = views.prior_samples(run, seed)
    _keep(session, "samples", samples)
    return figures.samples_figure(samples, lang)


@handler()
def interpolate(a, b, steps, session, lang: str):
    """Linear and spherical paths between the codes of held-out rows ``a`` and ``b``."""
    run = _run_of(session)
    with live.CPU.turn(), session.lock:
        path = views.interpolate(run, a, b, steps)
    _keep(session, "interpolation", path)
    return figures.interpolation_figure(path, lang)


def _rd_figure(sweep: Sweep, latent_dim: int, dataset: str, current, lang: str):
    points = sweep.points if sweep.latent_dim == latent_dim else []
    return figures.rate_distortion_figure(points, compression.pca_mse(dataset, latent_dim), latent_dim, lang,
                                          current)


@handler()
def compress(sweep, session, lang: str):
    """The run as a codec on the held-out digits against PCA, and its rate–distortion point."""
    run = _run_of(session)
    with live.CPU.turn(), session.lock:
        codec = compression.compression(run)
    sweep = sweep if isinstance(sweep, Sweep) else Sweep()
    _keep(session, "codec", codec)
    _keep(session, "rate_distortion", (codec.latent_dim, run.settings.dataset, codec))
    return (figures.compression_figure(codec, lang),
            _rd_figure(sweep, codec.latent_dim, run.settings.dataset, codec, lang))


@handler(S)
def sweep_beta(settings, sweep, session, lang: str):
    """One model per β (``VaeSettings.sweep_betas``), each trained in its own CPU turn and drawn
    as soon as it is done; the session's run, when it is a digits run of the same size, as a star."""
    if settings.dataset != data.DIGITS:
        raise InputError("vae_err_digits_only")
    sweep = sweep if isinstance(sweep, Sweep) else Sweep()
    sweep.latent_dim, sweep.points = settings.latent_dim, []
    run = getattr(session, "run", None)
    current = None
    if run is not None and run.data.is_digits and run.settings.latent_dim == settings.latent_dim:
        with live.CPU.turn(), session.lock:
            current = compression.compression(run)
    betas, n = S.sweep_betas, len(S.sweep_betas)
    _keep(session, "rate_distortion", (settings.latent_dim, settings.dataset, current))
    points = compression.rate_distortion(settings, betas, S.sweep_iterations)
    for i, beta in enumerate(betas, start=1):
        note = translate("vae_sweep_progress", lang, beta=f"{beta:g}", i=i, n=n, iterations=S.sweep_iterations)
        yield note, _rd_figure(sweep, settings.latent_dim, settings.dataset, current, lang), sweep
        with live.CPU.turn():   # a whole model's training: queue with the live runs for a core
            sweep.points.append(next(points))
    yield (translate("vae_sweep_done", lang, n=n), _rd_figure(sweep, settings.latent_dim, settings.dataset, current,
                                                               lang), sweep)


def new_pair(settings: core.VaeSettings) -> compression.PairRun:
    if settings.dataset != data.DIGITS:
        raise InputError("vae_err_compare_digits")
    return compression.PairRun(settings)


def pair_views(pair: compression.PairRun, note: str, lang: str) -> tuple:
    """(status, comparison figure): the same prior samples (the run's seed) decoded by both."""
    autoencoder, vae = compression.pair_sides(pair, pair.vae.settings.seed)
    status = f"{translate('vae_status_iter', lang, iteration=pair.iteration)} · {note}"
    return status, figures.comparison_figure(autoencoder, vae, lang)


def pair_renderer(lang: str):
    return links_ui.noted(pair_views, lang)


@handler(S)
def compare_start(settings, session, lang: str):
    """A fresh autoencoder and VAE, trained side by side for ``settings.iterations``."""
    yield from live.start(live.session_of(session), new_pair(settings), settings.iterations, pair_renderer(lang), lang)


@handler()
def compare_resume(iterations, session, lang: str):
    more = check_value(ITERATIONS, iterations)
    yield from live.resume(live.session_of(session), more, pair_renderer(lang), lang)


@handler(S)
def compare_step(settings, session, lang: str):
    return live.step(live.session_of(session), lambda: new_pair(settings), pair_renderer(lang), lang)


@handler(S)
def compare_reset(settings, session, lang: str):
    return live.reset(live.session_of(session), new_pair(settings), pair_renderer(lang), lang)


@handler()
def redraw(session, probe, sweep, lang: str) -> tuple:
    """What the lab drew, again in the page's language (a change of language, components.links_ui),
    each part only once drawn and never trained or computed again: the run at rest as it stands
    (a run training now sends its next frame in the new language), the encoded input (one pass
    of the encoder), and the samples, interpolation, codec, rate–distortion figure and finished
    sweep that were kept when drawn. Answers the live views, the reparameterisation figure and
    table, samples, interpolation, codec, rate–distortion figure and the sweep's note."""
    skip = gr.skip()
    main, reparam = (skip,) * 6, (skip, skip)
    rest = links_ui.at_rest(session, lang)
    run = getattr(session, "run", None)
    if run is not None:
        with session.lock:
            if rest is not None:
                main = live_views(rest[0], rest[1], lang, probe)
            view = _encoded(run, probe)
        if view is not None:
            reparam = (figures.reparam_figure(view, lang), figures.reparam_table_md(view, lang))
    shown = vars(session).get("shown", {}) if isinstance(session, live.LiveSession) else {}
    samples = figures.samples_figure(shown["samples"], lang) if "samples" in shown else skip
    path = figures.interpolation_figure(shown["interpolation"], lang) if "interpolation" in shown else skip
    codec = figures.compression_figure(shown["codec"], lang) if "codec" in shown else skip
    sweep = sweep if isinstance(sweep, Sweep) else Sweep()
    done = bool(sweep.points) and len(sweep.points) == len(S.sweep_betas)
    note = translate("vae_sweep_done", lang, n=len(S.sweep_betas)) if done else skip
    rate_distortion = skip
    if "rate_distortion" in shown and (done or not sweep.points):   # not while a sweep streams its own
        rate_distortion = _rd_figure(sweep, *shown["rate_distortion"], lang)
    return (*main, *reparam, samples, path, codec, rate_distortion, note)


@handler()
def compare_redraw(session, lang: str) -> tuple:
    """The pair's status and figure again in the page's language, at rest only (nothing trains)."""
    rest = links_ui.at_rest(session, lang)
    if rest is None:
        return gr.skip(), gr.skip()
    with session.lock:
        return pair_views(*rest, lang)


@handler()
def export(session, lang: str):
    """The run's settings, curves, held-out records and latent space as JSON (with the codec's
    figures for digits), and its training curves as CSV."""
    run = getattr(session, "run", None)
    if run is None:
        raise InputError("export_nothing")
    with session.lock:
        snap = views.snapshot(run)
        data = {"iteration": run.iteration, "curves": run.history, "held_out": run.held_out,
                "latent": {"axes": snap.latent.axes, "held_out_mu": snap.latent.points, "labels": snap.latent.labels,
                           "kl_per_dim": snap.latent.kl_per_dim, "activity": snap.latent.activity,
                           "knn_accuracy": snap.latent.knn_accuracy, "active_units": snap.latent.active_units},
                "holes": {"edges": snap.density.hole_edges, "holes": snap.density.holes,
                          "prior_mass_in_holes": snap.density.hole_mass},
                "compression": compression.compression(run) if run.data.is_digits else None}
        curves = {"neg_elbo": [r + k for r, k in zip(run.history["recon"], run.history["kl"])], **run.history}
        return [exports.result_json("vae", run.settings, data), exports.curves_csv("vae", curves)]


# ---------------------------------------------------------------------------------------------
# layout

# the reparameterisation table keeps each number on one line and, on a phone, scrolls sideways
# in its box: at 390 px its seven columns broke "0.986" into a digit a line
CSS = """
#vae_reparam_table { overflow-x: auto; }
#vae_reparam_table th, #vae_reparam_table td { white-space: nowrap; }
"""


def _settings_column() -> dict:
    c = controls.build(S, "vae", ["dataset", "likelihood", "latent_dim", "beta"])
    with gr.Row():
        # the batch slider's header holds its label beside a number box and a reset button: under
        # ~200 px its label broke a character a line (a phone, Chinese)
        c |= controls.build(S, "vae", ["lr", "batch"], lr={"min_width": 120}, batch={"min_width": 200})
    with gr.Accordion(I18N("vae_networks"), open=False):
        c |= controls.build(S, "vae", ["width", "depth"])
    with gr.Row():
        c |= controls.build(S, "vae", ["seed", "iterations"], seed={"min_width": 100}, iterations={"min_width": 120})
    return c


def _reparam_panel() -> dict:
    c = {}
    gr.Markdown(I18N("vae_reparam_info"))
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            with gr.Row():
                c["digit"] = gr.Number(0, precision=0, label=I18N("vae_digit_index"), min_width=120,
                                       elem_id="vae_digit")
                c["eps_seed"] = gr.Number(0, precision=0, label=I18N("vae_eps_seed"), min_width=100,
                                          elem_id="vae_eps_seed")
            with gr.Row():
                c["encode"] = gr.Button(I18N("vae_encode_digit"), variant="primary", min_width=120,
                                        elem_id="vae_encode")
                c["resample"] = gr.Button(I18N("vae_resample"), min_width=100, elem_id="vae_resample")
            c["sketch"] = gr.Sketchpad(type="numpy", canvas_size=(240, 240), label=I18N("vae_sketch"),
                                       brush=gr.Brush(default_size=16, colors=["#000000"], color_mode="fixed"),
                                       layers=False, transforms=(), height=300, elem_id="vae_sketch")
            gr.Markdown(I18N("vae_sketch_info"))
            c["encode_drawing"] = gr.Button(I18N("vae_encode_drawing"), elem_id="vae_encode_drawing")
        with gr.Column(scale=2, min_width=300):
            c["reparam"] = gr.Plot(show_label=False, elem_id="vae_reparam")
            c["reparam_table"] = gr.Markdown(elem_id="vae_reparam_table")
    return c


def _generate_panel() -> dict:
    c = {}
    low, default_steps, high = S.interp_steps
    with gr.Row(equal_height=True):
        c["samples_seed"] = gr.Number(0, precision=0, label=I18N("vae_samples_seed"), min_width=120)
        c["generate"] = gr.Button(I18N("vae_generate"), variant="primary", min_width=120, elem_id="vae_generate")
    c["samples"] = gr.Plot(show_label=False, elem_id="vae_samples")
    with gr.Row(equal_height=True):
        c["interp_from"] = gr.Number(0, precision=0, label=I18N("vae_interp_from"), min_width=120)
        c["interp_to"] = gr.Number(1, precision=0, label=I18N("vae_interp_to"), min_width=120)
        c["interp_steps"] = gr.Slider(low, high, value=default_steps, step=1, label=I18N("vae_interp_steps"),
                                      min_width=160)
        c["interpolate"] = gr.Button(I18N("vae_interpolate"), min_width=120, elem_id="vae_interpolate")
    c["interpolation"] = gr.Plot(show_label=False, elem_id="vae_interpolation")
    return c


def _compression_panel() -> dict:
    c = {"sweep": gr.State(Sweep(), time_to_live=live_ui.SESSION_TTL_S)}
    with gr.Row():
        c["compress"] = gr.Button(I18N("vae_compress"), variant="primary", min_width=120, elem_id="vae_compress")
        c["sweep_button"] = gr.Button(I18N("vae_sweep_button"), min_width=120, elem_id="vae_sweep")
    gr.Markdown(I18N("vae_sweep_info"))
    c["sweep_note"] = gr.Markdown(elem_id="vae_sweep_note")
    with gr.Row():
        c["codec"] = gr.Plot(show_label=False, min_width=300, elem_id="vae_codec")
        c["rate_distortion"] = gr.Plot(show_label=False, min_width=300, elem_id="vae_rate_distortion")
    return c


def _compare_panel() -> dict:
    c = {"session": live_ui.session_state()}
    gr.Markdown(I18N("vae_compare_info"))
    c["panel"] = live_ui.buttons("vae_compare")
    c["status"] = gr.Markdown(elem_id="vae_compare_status")
    c["plot"] = gr.Plot(show_label=False, elem_id="vae_compare_plot")
    return c


def layout() -> dict:
    """The lab's components, by name (the panels' under their own names). Nothing trains on
    page load. The curves and the latent map sit beside the controls, at the top, so a projected
    page shows them without scrolling."""
    gr.Markdown(I18N("vae_intro"))
    c: dict = {"session": live_ui.session_state(), "probe": gr.State(Probe(), time_to_live=live_ui.SESSION_TTL_S)}
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            c |= _settings_column()
        with gr.Column(scale=3, min_width=300):
            c["panel"] = live_ui.buttons("vae")
            c["status"] = gr.Markdown(elem_id="vae_status")
            with gr.Row():
                c["curves"] = gr.Plot(show_label=False, min_width=300, elem_id="vae_curves")
                with gr.Column(min_width=300):
                    c["latent"] = gr.Plot(show_label=False, elem_id="vae_latent")
                    c["kl_bars"] = gr.Plot(show_label=False, elem_id="vae_kl_bars")
    with gr.Row():
        c["decoded"] = gr.Plot(show_label=False, min_width=300, elem_id="vae_decoded")
        c["density"] = gr.Plot(show_label=False, min_width=300, elem_id="vae_density")
    with gr.Row():
        c["copy_link"] = links_ui.copy_link("vae")
        c["export"], c["export_files"] = export_panel("vae")
    with gr.Accordion(I18N("vae_panel_reparam"), open=True):
        c["reparam"] = _reparam_panel()
    with gr.Accordion(I18N("vae_panel_generate"), open=True):
        c["generate"] = _generate_panel()
    with gr.Accordion(I18N("vae_panel_compression"), open=True):
        c["compression"] = _compression_panel()
    with gr.Accordion(I18N("vae_panel_compare"), open=True):
        c["compare"] = _compare_panel()
    with gr.Accordion(I18N("vae_explain"), open=False):
        explanation("vae_explain_md")
    return c


# ---------------------------------------------------------------------------------------------
# wiring


def build_tab(blocks: gr.Blocks) -> links_ui.Linkable:
    c = layout()
    settings, session, probe = controls.inputs(S, c), c["session"], c["probe"]
    r, g, z, pair = c["reparam"], c["generate"], c["compression"], c["compare"]
    live_ui.wire("vae", c["panel"], session, [c["status"], c["curves"], c["latent"], c["kl_bars"], c["decoded"],
                                              c["density"]],
                 start=start, start_inputs=[*settings, probe], resume=resume, resume_inputs=[c["iterations"], probe],
                 step=step, step_inputs=[*settings, probe], reset=reset, reset_inputs=[*settings, probe])
    shown = [r["reparam"], r["reparam_table"], c["latent"]]
    r["encode"].click(encode, [r["digit"], r["eps_seed"], probe, session], shown, api_name="vae_encode",
                      **queue("heavy"))
    r["encode_drawing"].click(encode_drawing, [r["sketch"], r["eps_seed"], probe, session], shown,
                              api_name="vae_encode_drawing", **queue("heavy"))
    r["resample"].click(resample, [r["eps_seed"], probe, session], [r["eps_seed"], *shown], api_name="vae_resample",
                        **queue("heavy"))
    g["generate"].click(generate, [g["samples_seed"], session], [g["samples"]], api_name="vae_generate",
                        **queue("heavy"))
    g["interpolate"].click(interpolate, [g["interp_from"], g["interp_to"], g["interp_steps"], session],
                           [g["interpolation"]], api_name="vae_interpolate", **queue("heavy"))
    z["compress"].click(compress, [z["sweep"], session], [z["codec"], z["rate_distortion"]], api_name="vae_compress",
                        **queue("heavy"))
    z["sweep_button"].click(sweep_beta, [*settings, z["sweep"], session],
                            [z["sweep_note"], z["rate_distortion"], z["sweep"]], api_name="vae_sweep",
                            **queue("live"))   # a long stream that shares the cores through live.CPU
    live_ui.wire("vae_compare", pair["panel"], pair["session"], [pair["status"], pair["plot"]],
                 start=compare_start, start_inputs=settings, resume=compare_resume, resume_inputs=[c["iterations"]],
                 step=compare_step, step_inputs=settings, reset=compare_reset, reset_inputs=settings)
    c["export"].click(export, [session], [c["export_files"]], api_name="vae_export", **queue("step"))
    # a change of language draws again what is drawn (components.links_ui)
    again = links_ui.Redraw(redraw, [session, probe, z["sweep"]],
                            [c["status"], c["curves"], c["latent"], c["kl_bars"], c["decoded"], c["density"],
                             r["reparam"], r["reparam_table"], g["samples"], g["interpolation"], z["codec"],
                             z["rate_distortion"], z["sweep_note"]])
    again_pair = links_ui.Redraw(compare_redraw, [pair["session"]], [pair["status"], pair["plot"]])
    return links_ui.Linkable((S,), c, c["panel"].start, c["copy_link"], (again, again_pair))
