"""GAN lab tab: handlers, then layout, then wiring; the maths lives in core.py.

API (the live-training handlers answer ``(status markdown, main plot, curves plot)``, through
``components.live``):
- ``/gan_start``  (settings…, sketch): a fresh run from the settings, trained for ``iterations``
  while streaming, until done or paused.
- ``/gan_pause``  (): this session's training stops within one slice.
- ``/gan_resume`` (iterations): continues this session's run to its target (or ``iterations``
  further once the target was reached).
- ``/gan_step``   (settings…, sketch, mode): one iteration of "d", "g" or "both"; a fresh run
  from the settings when there is none yet.
- ``/gan_reset``  (settings…, sketch): a fresh run at iteration 0, shown but not trained.
The settings are the fields of ``core.GanSettings``, in order.
"""

from __future__ import annotations

import gradio as gr

from components import controls, exports, links_ui, live, live_ui
from components.handlers import handler
from components.queueing import queue
from components.i18n import InputError, translate
from components.settings import controls as setting_controls
from components.settings import check_value
from components.sketch import ink_mask
from components.ui import I18N, explanation, export_panel
from demos.gan import core, figures
from demos.gan.data import make_dataset

# Classroom presets: changes over the defaults of core.GanSettings. "saturating" vs
# "nonsaturating" differ only in the loss. With SGD (which, unlike Adam, does not rescale small
# gradients) D soon rejects G's first samples near the origin, D(G(z)) -> 0, and the minimax loss
# log(1 - D(G(z))) gives G almost no gradient (Goodfellow et al. 2014, section 3); the
# non-saturating loss does. The numbers keep both halves true (measured with seed 0). The minimax
# G creeps out faster the larger lr_g is against D's steps (d_steps * lr_d): here 0.0025 against
# 2 x 0.05, it still has 0 of 8 modes at radius 0.31 (the ring's is 2) after 3,000 iterations, and
# ||grad G|| has a median of 0.006 after iteration 500 (1.9 with the non-saturating loss); with
# lr_g 0.003 it escapes near iteration 2,500, with 0.005 near 500. A much stronger D (five steps
# at 0.1, the old preset) made the non-saturating G chase it onto 1 or 2 modes instead. A batch
# of 256 steadies SGD (128: 3 modes): the non-saturating run covers 8 of 8 modes from iteration
# 1,700 and ends at 8 of 8 with 33% high-quality samples (the same on torch's AVX2 and plain CPU
# kernels; other seeds end at 3 to 8: plain SGD GANs are fragile). tests/test_gan_core.py checks
# both presets.
SATURATING = {"optimizer": "sgd", "d_steps": 2, "lr_d": 0.05, "lr_g": 0.0025, "batch": 256, "iterations": 3000}
PRESETS = {
    "gan_preset_default": {},
    "gan_preset_saturating": SATURATING | {"loss": "minimax"},
    "gan_preset_nonsaturating": SATURATING | {"loss": "nonsaturating"},
    # WGAN-GP: five critic steps per G step (Gulrajani et al. 2017 used five); slower, smoother
    "gan_preset_wgan_gp": {"loss": "wgan_gp", "d_steps": 5, "lr_g": 1e-3, "lr_d": 1e-3},
    # seed 0 ends at 20 of 25 modes with 90% high-quality samples (23 on torch's plain CPU kernel)
    "gan_preset_grid": {"dataset": "grid", "width": 128, "iterations": 10_000},
    # five times the default rates: with seed 0, G covers all 8 modes near iteration 700, then
    # settles on 5 of them (4 on torch's plain CPU kernel) with 80% high-quality samples
    "gan_preset_collapse": {"lr_g": 1e-2, "lr_d": 1e-2, "iterations": 3000},
    "gan_preset_hinge": {"dataset": "spiral", "loss": "hinge", "width": 128, "depth": 3, "iterations": 5000},
    "gan_preset_digits": {"dataset": "digits", "arch": "conv", "width": 64, "noise_dim": 16, "lr_g": 1e-3,
                          "lr_d": 1e-3, "batch": 64, "iterations": 3000},
}
ITERATIONS = setting_controls(core.GanSettings)["iterations"]


# ---------------------------------------------------------------------------------------------
# handlers


def new_run(settings: core.GanSettings, sketch) -> core.GanRun:
    ink = ink_mask(sketch) if settings.dataset == "sketch" else None
    return core.GanRun(settings, make_dataset(settings.dataset, ink))


def status_text(run: core.GanRun, snap: core.Snapshot, note: str, lang: str) -> str:
    """Two lines (three with a warning), one line break apart, so the plots below them stay on a
    projector's first screen: where the run is, then how good its samples are."""
    tr = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    quality = []
    if snap.modes is not None:
        quality.append(tr("gan_status_modes", covered=snap.modes.modes_covered, total=snap.modes.n_modes,
                          hq=f"{snap.modes.hq_share:.0%}"))
    if snap.plane is not None:
        quality.append(tr("gan_status_div", kl=f"{snap.kl:.2f}", js=f"{snap.js:.2f}"))
    if snap.digits is not None:
        quality.append(tr("gan_status_digits", seen=snap.digits.digits_seen,
                          share=f"{snap.digits.confident_share:.0%}"))
    lines = [f"{tr('gan_status_iter', iteration=run.iteration)} · {note}", " · ".join(quality)]
    collapse = core.collapse_warning(run)
    if collapse:
        lines.append(tr("gan_warn_collapse", now=collapse[0], best=collapse[1], at=collapse[2]))
    elif snap.modes is not None and core.missing_modes(snap.modes):
        lines.append(tr("gan_warn_missing", hq=f"{snap.modes.hq_share:.0%}", covered=snap.modes.modes_covered,
                        total=snap.modes.n_modes))
    return "\n".join(line for line in lines if line)   # the status Markdown keeps single line breaks


def views(run: core.GanRun, note: str, lang: str) -> tuple:
    """(status, main plot, curves) of the run now."""
    snap = core.snapshot(run)
    if snap.plane is not None:
        main = figures.plane_figure(snap, translate(f"gan_loss_{run.config.loss}", lang), lang)
    else:
        main = figures.digits_figure(snap, lang)
    return status_text(run, snap, note, lang), main, figures.curves_figure(run, lang)


def renderer(lang: str):
    return links_ui.noted(views, lang)


@handler(core.GanSettings)
def start(settings, sketch, session, lang: str):
    """A fresh run from the settings, trained for ``settings.iterations`` while streaming."""
    yield from live.start(live.session_of(session), new_run(settings, sketch), settings.iterations,
                          renderer(lang), lang)


@handler()
def resume(iterations, session, lang: str):
    """Continue this session's run (to its target, or ``iterations`` further once reached)."""
    more = check_value(ITERATIONS, iterations)
    yield from live.resume(live.session_of(session), more, renderer(lang), lang)


@handler(core.GanSettings)
def step(settings, sketch, mode, session, lang: str):
    """One iteration: "d" (D's d_steps updates), "g" (one G update) or "both"."""
    core.check_step_mode(mode)
    return live.step(live.session_of(session), lambda: new_run(settings, sketch), renderer(lang), lang,
                     train_step=lambda run: run.train_step(mode))


@handler(core.GanSettings)
def reset(settings, sketch, session, lang: str):
    """A fresh run from the settings at iteration 0 (any training stream of this session stops)."""
    return live.reset(live.session_of(session), new_run(settings, sketch), renderer(lang), lang)


@handler()
def export(session, lang: str):
    """The run's settings, curves, metrics and current samples as JSON, and its curves as CSV."""
    run = getattr(session, "run", None)
    if run is None:
        raise InputError("export_nothing")
    with session.lock:
        snap = core.snapshot(run)
        data = {"iteration": run.iteration, "curves": run.history, "metrics": run.metric_history,
                "real_samples": run.shown_real, "generated_samples": snap.plane.fake if snap.plane else None,
                "digit_grid": snap.digit_grid, "kl_bits": snap.kl, "js_bits": snap.js}
        files = [exports.result_json("gan", run.config, data), exports.curves_csv("gan", run.history)]
    return files


@handler()
def redraw(session, lang: str):
    """The run's views again in the page's language (a change of language, components.links_ui):
    a run at rest only, as it stands (nothing trains); one training now sends its next frame in
    the new language (``links_ui.at_rest`` tells it), and a session with no run has nothing drawn."""
    rest = links_ui.at_rest(session, lang)
    if rest is None:
        return gr.skip(), gr.skip(), gr.skip()
    run, note = rest
    with session.lock:
        return views(run, note, lang)


def apply_preset(name) -> list:
    """Every setting's value under the preset ``name`` (the defaults when unknown)."""
    return controls.preset_values(core.GanSettings, PRESETS.get(name, {}))


# ---------------------------------------------------------------------------------------------
# layout


def layout() -> dict:
    """The lab's components, by name. Nothing trains on page load. Only the buttons and a two-line
    status sit above the plots (the step mode is with the settings), so a projected page at
    1280×720 shows most of the main plot without scrolling."""
    gr.Markdown(I18N("gan_intro"))
    c: dict = {"session": live_ui.session_state()}
    settings = core.GanSettings
    with gr.Row():
        with gr.Column(scale=1, min_width=320):
            c["preset"] = gr.Dropdown([(I18N(k), k) for k in PRESETS], value=None, label=I18N("gan_preset"),
                                      info=I18N("gan_preset_info"))
            c["step_mode"] = gr.Radio([(I18N(f"gan_step_{m}"), m) for m in core.STEP_MODES], value="both",
                                      label=I18N("gan_step_mode"), elem_id="gan_step_mode")
            c |= controls.build(settings, "gan", ["dataset"])
            with gr.Accordion(I18N("gan_sketch"), open=False) as c["sketch_box"]:
                c["sketch"] = gr.Sketchpad(type="numpy", canvas_size=(240, 240), label=I18N("gan_sketch"),
                                           brush=gr.Brush(default_size=6, colors=["#000000"], color_mode="fixed"),
                                           layers=False, transforms=(), height=300, elem_id="gan_sketch")
                gr.Markdown(I18N("gan_sketch_info"))
            c |= controls.build(settings, "gan", ["loss", "optimizer"])
            with gr.Row():
                c |= controls.build(settings, "gan", ["lr_g", "lr_d"], lr_g={"min_width": 120},
                                    lr_d={"min_width": 120})
            # one a line: side by side, their Chinese labels broke a character a line on a phone
            c |= controls.build(settings, "gan", ["d_steps", "batch"])
            with gr.Accordion(I18N("gan_networks"), open=False):
                c |= controls.build(settings, "gan", ["width", "depth", "noise_dim", "arch"])
            with gr.Row():
                c |= controls.build(settings, "gan", ["seed", "iterations"], seed={"min_width": 100},
                                    iterations={"min_width": 120})
            gr.Markdown(I18N("gan_settings_info"))
        with gr.Column(scale=3):
            c["panel"] = live_ui.buttons("gan")
            c["status"] = gr.Markdown(elem_id="gan_status", line_breaks=True)
            with gr.Row():
                c["main"] = gr.Plot(show_label=False, scale=1, min_width=420, elem_id="gan_main")
                c["curves"] = gr.Plot(show_label=False, scale=1, min_width=420, elem_id="gan_curves")
    with gr.Row():
        c["copy_link"] = links_ui.copy_link("gan")
        c["export"], c["export_files"] = export_panel("gan")
    with gr.Accordion(I18N("gan_explain"), open=False):
        explanation("gan_explain_md")
    return c


# ---------------------------------------------------------------------------------------------
# wiring


def build_tab(blocks: gr.Blocks) -> links_ui.Linkable:
    c = layout()
    settings = controls.inputs(core.GanSettings, c)
    live_ui.wire("gan", c["panel"], c["session"], [c["status"], c["main"], c["curves"]],
                 start=start, start_inputs=[*settings, c["sketch"]],
                 resume=resume, resume_inputs=[c["iterations"]],
                 step=step, step_inputs=[*settings, c["sketch"], c["step_mode"]],
                 reset=reset, reset_inputs=[*settings, c["sketch"]])
    c["export"].click(export, [c["session"]], [c["export_files"]], api_name="gan_export", **queue("step"))
    c["preset"].input(apply_preset, [c["preset"]], settings, api_visibility="private")
    c["dataset"].change(lambda d: gr.Accordion(open=d == "sketch"), [c["dataset"]], [c["sketch_box"]],
                        api_visibility="private")
    again = links_ui.Redraw(redraw, [c["session"]], [c["status"], c["main"], c["curves"]])
    return links_ui.Linkable((core.GanSettings,), c, c["panel"].start, c["copy_link"], (again,))
