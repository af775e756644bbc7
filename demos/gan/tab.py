"""GAN lab tab: components and event wiring only; the maths lives in core.py.

API (every handler answers ``(status markdown, main plot, curves plot)``):
- ``/gan_start``  (settings…, sketch, iterations): a fresh run from the settings, trained for
  ``iterations`` while streaming about 10 updates a second, until done or paused.
- ``/gan_pause``  (): asks this session's training to stop after the current iteration.
- ``/gan_resume`` (iterations): continues this session's run, streaming, to its target (or
  ``iterations`` further once the target was reached).
- ``/gan_step``   (settings…, sketch, mode): one iteration of "d", "g" or "both"; a fresh run
  from the settings when there is none yet.
- ``/gan_reset``  (settings…, sketch): a fresh run at iteration 0, shown but not trained.
Settings, in order: dataset, loss, optimizer, lr_g, lr_d, d_steps, batch, width, depth,
noise_dim, arch, seed.
"""

from __future__ import annotations

import copy
import threading

import gradio as gr

from components.errors import request_language, user_errors
from components.i18n import InputError, translate
from components.sketch import ink_mask
from components.threads import one_thread, take_for
from components.ui import I18N, explanation
from components.validation import as_int
from demos.gan import core, figures, losses
from demos.gan.data import NAMES as DATASETS
from demos.gan.data import make_dataset

L = core.LIMITS
SETTINGS = ("dataset", "loss", "optimizer", "lr_g", "lr_d", "d_steps", "batch", "width", "depth", "noise_dim",
            "arch", "seed")
DEFAULTS = {field: getattr(core.GanConfig(), field) for field in SETTINGS} | {"iterations": L.default_iterations}
# Classroom presets: control values over the defaults. "saturating" vs "nonsaturating" differ only
# in the loss: with SGD (which, unlike Adam, does not rescale small gradients) and a D that takes
# five steps at a high rate, D rejects the fakes confidently, D(G(z)) -> 0, and the minimax loss
# log(1 - D(G(z))) gives G almost no gradient (Goodfellow et al. 2014, section 3); the
# non-saturating loss does (tests/test_gan_core.py checks both).
SATURATING = {"optimizer": "sgd", "d_steps": 5, "lr_d": 0.1, "lr_g": 0.005, "iterations": 2000}
PRESETS = {
    "gan_preset_default": {},
    "gan_preset_saturating": SATURATING | {"loss": "minimax"},
    "gan_preset_nonsaturating": SATURATING | {"loss": "nonsaturating"},
    # WGAN-GP: five critic steps per G step (Gulrajani et al. 2017 used five); slower, smoother
    "gan_preset_wgan_gp": {"loss": "wgan_gp", "d_steps": 5, "lr_g": 1e-3, "lr_d": 1e-3},
    "gan_preset_grid": {"dataset": "grid", "width": 128, "iterations": 10_000},
    # five times the default rates: with seed 0, G settles on 4 of the 8 modes, with sharp samples
    "gan_preset_collapse": {"lr_g": 1e-2, "lr_d": 1e-2, "iterations": 3000},
    "gan_preset_hinge": {"dataset": "spiral", "loss": "hinge", "width": 128, "depth": 3, "iterations": 5000},
    "gan_preset_digits": {"dataset": "digits", "arch": "conv", "width": 64, "noise_dim": 16, "lr_g": 1e-3,
                          "lr_d": 1e-3, "batch": 64, "iterations": 3000},
}


class Session:
    """One browser session's lab: its current run and the flags its buttons set. Created per
    session by gr.State (which deep-copies the initial value), so sessions share nothing."""

    def __init__(self):
        self.run: core.GanRun | None = None
        self.active: core.GanRun | None = None   # the run a Start/Resume stream is training
        self.pause_requested = False
        # one update of the run at a time: two optimiser steps on the same networks at once corrupt
        # them (a double-clicked Step raised "modified by an inplace operation" and Adam KeyErrors)
        self.lock = threading.Lock()

    def __deepcopy__(self, memo) -> Session:
        """gr.State deep-copies the initial value per session; a lock cannot be copied, so the
        copy gets its own."""
        clone = Session()
        clone.run = copy.deepcopy(self.run, memo)
        return clone


def new_run(values: tuple, sketch) -> core.GanRun:
    config = core.validated_config(*values)
    ink = ink_mask(sketch) if config.dataset == "sketch" else None
    return core.GanRun(config, make_dataset(config.dataset, ink))


def status_text(run: core.GanRun, snap: core.Snapshot, note: str, lang: str) -> str:
    tr = lambda key, **v: translate(key, lang, **v)
    lines = [f"{tr('gan_status_iter', iteration=run.iteration)} · {note}"]
    if snap.modes is not None:
        lines.append(tr("gan_status_modes", covered=snap.modes.modes_covered, total=snap.modes.n_modes,
                        hq=f"{snap.modes.hq_share:.0%}"))
    if snap.plane is not None:
        lines.append(tr("gan_status_div", kl=f"{snap.kl:.2f}", js=f"{snap.js:.2f}"))
    if snap.digits is not None:
        lines.append(tr("gan_status_digits", seen=snap.digits.digits_seen, share=f"{snap.digits.confident_share:.0%}"))
    collapse = core.collapse_warning(run)
    if collapse:
        lines.append(tr("gan_warn_collapse", now=collapse[0], best=collapse[1], at=collapse[2]))
    elif snap.modes is not None and core.missing_modes(snap.modes):
        lines.append(tr("gan_warn_missing", hq=f"{snap.modes.hq_share:.0%}", covered=snap.modes.modes_covered,
                        total=snap.modes.n_modes))
    return "\n\n".join(lines)


def views(run: core.GanRun, note: str, lang: str) -> tuple:
    """(status, main plot, curves) of the run now."""
    snap = core.snapshot(run)
    if snap.plane is not None:
        main = figures.plane_figure(snap, translate(f"gan_loss_{run.config.loss}", lang), lang)
    else:
        main = figures.digits_figure(snap, lang)
    return status_text(run, snap, note, lang), main, figures.curves_figure(run, lang)


def stream(session: Session, run: core.GanRun, lang: str):
    """Train ``run`` to its target, yielding (session, status, main, curves) at most every
    ``stream_interval_s`` seconds, however fast it trains. Stops early when paused, when the
    session moved on to another run (Start, Reset), or when training diverges."""
    session.active, session.pause_requested = run, False

    def stop() -> bool:
        return session.pause_requested or session.run is not run

    note = None
    steps = core.training_steps(run, stop)
    interval = 0.0  # the first view comes after one iteration
    try:
        while True:
            with session.lock:
                take_for(steps, interval)
                if run.iteration >= run.target or stop():
                    break
                shown = views(run, translate("gan_status_running", lang), lang)
            yield session, *shown
            interval = L.stream_interval_s
    except core.Diverged as exc:
        note = translate("gan_diverged", lang, iteration=exc.iteration, network=exc.network)
    finally:
        if session.active is run:
            session.active = None
    if session.run is run:  # a Reset or a new Start has taken over: its outputs stand
        if note is None:
            note = translate("gan_status_done" if run.iteration >= run.target else "gan_status_paused", lang)
        yield session, *views(run, note, lang)


def _session(value) -> Session:
    return value if isinstance(value, Session) else Session()


def _not_busy(session: Session) -> None:
    if session.active is not None:
        raise InputError("gan_err_busy")


def build_tab(blocks: gr.Blocks) -> None:
    """The lab's components and events. Nothing trains on page load."""
    gr.Markdown(I18N("gan_intro"))
    session_state = gr.State(Session())
    with gr.Row():
        with gr.Column(scale=1, min_width=320):
            preset = gr.Dropdown([(I18N(k), k) for k in PRESETS], value=None, label=I18N("gan_preset"),
                                 info=I18N("gan_preset_info"))
            dataset = gr.Dropdown([(I18N(f"gan_dataset_{d}"), d) for d in DATASETS], value=DEFAULTS["dataset"],
                                  label=I18N("gan_dataset"), allow_custom_value=True)
            with gr.Accordion(I18N("gan_sketch"), open=False) as sketch_box:
                sketch = gr.Sketchpad(type="numpy", canvas_size=(240, 240), label=I18N("gan_sketch"),
                                      brush=gr.Brush(default_size=6, colors=["#000000"], color_mode="fixed"),
                                      layers=False, transforms=(), height=300, elem_id="gan_sketch")
                gr.Markdown(I18N("gan_sketch_info"))
            loss = gr.Dropdown([(I18N(f"gan_loss_{n}"), n) for n in losses.NAMES], value=DEFAULTS["loss"],
                               label=I18N("gan_loss"), allow_custom_value=True)
            optimizer = gr.Radio([(I18N(f"gan_opt_{o}"), o) for o in core.OPTIMIZERS], value=DEFAULTS["optimizer"],
                                 label=I18N("gan_optimizer"))
            with gr.Row():
                lr_g = gr.Number(value=DEFAULTS["lr_g"], step=1e-4,
                                 label=I18N("gan_lr_g"), min_width=120)
                lr_d = gr.Number(value=DEFAULTS["lr_d"], step=1e-4,
                                 label=I18N("gan_lr_d"), min_width=120)
            with gr.Row():
                d_steps = gr.Slider(1, L.max_d_steps, value=DEFAULTS["d_steps"], step=1, label=I18N("gan_d_steps"))
                batch = gr.Slider(1, L.max_batch, value=DEFAULTS["batch"], step=1, label=I18N("gan_batch"))
            with gr.Accordion(I18N("gan_networks"), open=False):
                width = gr.Slider(L.min_width, L.max_width, value=DEFAULTS["width"], step=4, label=I18N("gan_width"))
                depth = gr.Slider(1, L.max_depth, value=DEFAULTS["depth"], step=1, label=I18N("gan_depth"))
                noise_dim = gr.Slider(1, L.max_noise_dim, value=DEFAULTS["noise_dim"], step=1,
                                      label=I18N("gan_noise_dim"))
                arch = gr.Radio([(I18N(f"gan_arch_{a}"), a) for a in core.ARCHITECTURES], value=DEFAULTS["arch"],
                                label=I18N("gan_arch"))
            with gr.Row():
                seed = gr.Number(value=DEFAULTS["seed"], precision=0,
                                 label=I18N("seed"), min_width=100)
                iterations = gr.Number(value=L.default_iterations, precision=0, label=I18N("gan_iterations"), min_width=120)
            gr.Markdown(I18N("gan_settings_info"))
        with gr.Column(scale=3):
            with gr.Row():
                start = gr.Button(I18N("gan_start"), variant="primary", min_width=90, elem_id="gan_start")
                pause = gr.Button(I18N("gan_pause"), min_width=90, elem_id="gan_pause")
                resume = gr.Button(I18N("gan_resume"), min_width=90, elem_id="gan_resume")
                reset = gr.Button(I18N("gan_reset"), min_width=90)
            with gr.Row():
                step_mode = gr.Radio([(I18N(f"gan_step_{m}"), m) for m in core.STEP_MODES], value="both",
                                     label=I18N("gan_step_mode"), scale=3)
                step = gr.Button(I18N("gan_step"), scale=1, min_width=90, elem_id="gan_step")
            status = gr.Markdown(elem_id="gan_status")
            with gr.Row():
                main_plot = gr.Plot(show_label=False, scale=1, min_width=420, elem_id="gan_main")
                curves_plot = gr.Plot(show_label=False, scale=1, min_width=420, elem_id="gan_curves")
    with gr.Accordion(I18N("gan_explain"), open=False):
        explanation("gan_explain_md")

    # the Numbers carry no minimum/maximum and the dropdowns allow any value: gradio's own checks
    # answer in English only, while the handlers' (core.validated_config) answer in the learner's
    # language and name what is allowed
    settings = [dataset, loss, optimizer, lr_g, lr_d, d_steps, batch, width, depth, noise_dim, arch, seed]
    outputs = [session_state, status, main_plot, curves_plot]

    @user_errors
    def start_training(dataset_v, loss_v, optimizer_v, lr_g_v, lr_d_v, d_steps_v, batch_v, width_v, depth_v,
                       noise_dim_v, arch_v, seed_v, sketch_v, iterations_v, session, request: gr.Request):
        """A fresh run from the settings, trained for ``iterations`` while streaming ~10 updates/s."""
        lang = request_language(request)
        session = _session(session)
        target = as_int("gan_iterations", iterations_v, 1, L.max_iterations)
        run = new_run((dataset_v, loss_v, optimizer_v, lr_g_v, lr_d_v, d_steps_v, batch_v, width_v, depth_v,
                       noise_dim_v, arch_v, seed_v), sketch_v)
        run.target = target
        session.run = run
        yield from stream(session, run, lang)

    @user_errors
    def resume_training(iterations_v, session, request: gr.Request):
        """Continue this session's run (to its target, or ``iterations`` further once reached)."""
        lang = request_language(request)
        session = _session(session)
        more = as_int("gan_iterations", iterations_v, 1, L.max_iterations)
        if session.run is None:
            raise InputError("gan_err_no_run")
        _not_busy(session)
        run = session.run
        if run.iteration >= run.target:
            run.target = run.iteration + more
        yield from stream(session, run, lang)

    def pause_training(session):
        """Ask this session's training to stop; the stream then shows the paused state."""
        if isinstance(session, Session):
            session.pause_requested = True

    @user_errors
    def step_once(dataset_v, loss_v, optimizer_v, lr_g_v, lr_d_v, d_steps_v, batch_v, width_v, depth_v,
                  noise_dim_v, arch_v, seed_v, sketch_v, mode_v, session, request: gr.Request):
        """One iteration: "d" (D's d_steps updates), "g" (one G update) or "both"."""
        lang = request_language(request)
        session = _session(session)
        core.check_step_mode(mode_v)
        _not_busy(session)
        with session.lock:   # the view shows this step's result, even when Steps arrive together
            if session.run is None:
                session.run = new_run((dataset_v, loss_v, optimizer_v, lr_g_v, lr_d_v, d_steps_v, batch_v, width_v,
                                       depth_v, noise_dim_v, arch_v, seed_v), sketch_v)
            run = session.run
            try:
                with one_thread():
                    core.train_step(run, mode_v)
                note = translate("gan_status_paused", lang)
            except core.Diverged as exc:
                note = translate("gan_diverged", lang, iteration=exc.iteration, network=exc.network)
            return session, *views(run, note, lang)

    @user_errors
    def reset_run(dataset_v, loss_v, optimizer_v, lr_g_v, lr_d_v, d_steps_v, batch_v, width_v, depth_v,
                  noise_dim_v, arch_v, seed_v, sketch_v, session, request: gr.Request):
        """A fresh run from the settings at iteration 0 (any training stream of this session stops)."""
        lang = request_language(request)
        session = _session(session)
        run = new_run((dataset_v, loss_v, optimizer_v, lr_g_v, lr_d_v, d_steps_v, batch_v, width_v, depth_v,
                       noise_dim_v, arch_v, seed_v), sketch_v)
        session.run, session.pause_requested = run, False
        return session, *views(run, translate("gan_status_ready", lang), lang)

    controls = [*settings, iterations]
    control_names = [*SETTINGS, "iterations"]

    def apply_preset(name):
        values = DEFAULTS | PRESETS.get(name, {})
        return [values[field] for field in control_names]

    start.click(start_training, [*settings, sketch, iterations, session_state], outputs, api_name="gan_start",
                concurrency_id="gan_train")
    resume.click(resume_training, [iterations, session_state], outputs, api_name="gan_resume",
                 concurrency_id="gan_train")
    pause.click(pause_training, [session_state], None, api_name="gan_pause", concurrency_limit=None)
    step.click(step_once, [*settings, sketch, step_mode, session_state], outputs, api_name="gan_step",
               concurrency_id="gan_step")
    reset.click(reset_run, [*settings, sketch, session_state], outputs, api_name="gan_reset",
                concurrency_id="gan_step")
    preset.input(apply_preset, [preset], controls, api_visibility="private")
    dataset.change(lambda d: gr.Accordion(open=d == "sketch"), [dataset], [sketch_box], api_visibility="private")
