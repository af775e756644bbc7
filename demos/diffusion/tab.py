"""Diffusion lab tab: handlers, then layout, then wiring; the maths lives in core.py, forward.py
and toy2d.py, the pictures in images.py and figures.py.

API (settings first: the fields of the settings dataclass named, in order):
- ``/diffusion_sample``  (``core.SampleSettings``…): the reverse process, every step recorded;
  answers (notes, step slider, x_t, x̂0, caption, time grid, curves, GIF file).
- ``/diffusion_step``    (step): x_t and x̂0 after one step of this session's last sample.
- ``/diffusion_play``    (step): streams the steps from ``step`` to the last.
- ``/diffusion_forward`` (``forward.ForwardSettings``…): x_0, x_t, caption, strip, schedules.
- ``/diffusion_compare`` (``core.CompareSettings``…, schedulers): the same x_T through 2–4 schedulers.
- ``/diffusion_2d_start``, ``_pause``, ``_resume``, ``_step``, ``_reset`` (``toy2d.Toy2DSettings``…,
  sketch): the 2D model trained live (``components.live``); they answer (status, loss plot, step
  slider, particles plot). A run that rests (done, paused, stepped, reset) is sampled: 1,000
  particles denoised by its ε_θ.
- ``/diffusion_2d_sample`` (sampler): samples this session's run again, with ``sampler``, even
  while it trains; answers (status, step slider, particles plot).
- ``/diffusion_2d_view`` (step, show_field): the last sampled particles at one denoising step.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
import time
from pathlib import Path

import gradio as gr

from components import controls, live, live_ui, models
from components.digits import classify
from components.handlers import handler
from components.i18n import InputError, translate
from components.model_picker import model_picker
from components.queueing import queue
from components.settings import check_value, defaults
from components.settings import controls as setting_controls
from components.sketch import ink_mask
from components.threads import one_thread
from components.ui import I18N, explanation
from demos.diffusion import core, figures, forward, toy2d
from demos.diffusion import images as pictures

FRAMES_PER_SECOND = 10                  # Play's pace through the recorded steps
GIF_DIR = Path(tempfile.gettempdir()) / "aigc-playground-gifs"
GIF_MAX_AGE_S = 3600
TRAIN_STEPS = setting_controls(toy2d.Toy2DSettings)["train_steps"]
SAMPLER_2D = setting_controls(toy2d.Toy2DSettings)["sampler"]


# ---------------------------------------------------------------------------------------------
# reverse process


def _gif_file(trajectory: core.Trajectory) -> str:
    """The trajectory GIF in a file named by its content; files older than an hour are removed."""
    data = pictures.trajectory_gif(trajectory.x_t, trajectory.pred_x0)
    GIF_DIR.mkdir(exist_ok=True)
    now = time.time()
    for old in GIF_DIR.glob("*.gif"):
        with contextlib.suppress(FileNotFoundError):   # another request may have removed it
            if now - old.stat().st_mtime > GIF_MAX_AGE_S:
                old.unlink()
    path = GIF_DIR / f"trajectory-{hashlib.sha1(data).hexdigest()[:16]}.gif"
    path.write_bytes(data)
    return str(path)


def _classifier_reading(final) -> str | None:
    """What the bundled digit classifier sees in 16×16 one-channel samples (None for other models)."""
    if final.shape[1:] != (1, 16, 16):
        return None
    digit, confidence = classify(final)
    return ", ".join(f"{d} ({c:.0%})" for d, c in zip(digit.tolist(), confidence.tolist()))


def _step_views(trajectory: core.Trajectory | None, step, lang: str) -> tuple:
    """(x_t grid, x̂0 grid, caption, step number) after ``step`` (from 1) of the session's last sample."""
    if trajectory is None:
        raise InputError("dif_err_no_run")
    number = trajectory.step_number(step)
    columns = pictures.grid_columns(trajectory.x_t.shape[1])
    scale = pictures.scale_for(trajectory.x_t.shape[-1])
    caption = translate("dif_note_step", lang, step=number, total=len(trajectory.x_t),
                        t=f"{trajectory.timesteps[number - 1]:g}", after=f"{trajectory.timesteps_after[number - 1]:g}")
    return (pictures.tile(trajectory.x_t[number - 1], columns, scale),
            pictures.tile(trajectory.pred_x0[number - 1], columns, scale), caption, number)


def _sample_notes(settings: core.SampleSettings, unet, final, steps_calls: int, seconds: float, lang: str) -> str:
    notes = [translate("dif_note_summary", lang, scheduler=translate(f"dif_sched_{settings.scheduler}", lang),
                       steps=settings.steps, calls=steps_calls, seconds=seconds)]
    if unet.config.num_class_embeds is None:
        notes.append(translate("dif_note_unconditional", lang))
    elif settings.digit_class is None:
        notes.append(translate("dif_note_any", lang))
    reading = _classifier_reading(final)
    if reading:
        notes.append(translate("dif_note_classifier", lang, reading=reading))
    return "\n\n".join(notes)


@handler(core.SampleSettings)
def denoise(settings, lang: str):
    """Sample with the chosen scheduler, recording x_t and x̂0 at every step; the trajectory
    becomes the session's state, which the step slider and Play read."""
    unet, config = models.load_ddpm(settings.model)
    with live.CPU.turn():   # one-shot heavy work queues with the live runs for the cores
        start = time.perf_counter()
        final, trajectory = core.run(unet, config, settings)
        seconds = time.perf_counter() - start
        calls = settings.steps * core.model_calls_per_step(core.class_labels(unet, settings),
                                                           settings.effective_guidance)
        xt, x0, caption, total = _step_views(trajectory, len(trajectory.x_t), lang)
        return (_sample_notes(settings, unet, final, calls, seconds, lang), trajectory,
                gr.Slider(maximum=total, value=total), xt, x0, caption, figures.time_grid_figure(trajectory, lang),
                figures.step_curves_figure(trajectory, lang), _gif_file(trajectory))


@handler()
def show_step(trajectory, step, lang: str):
    """x_t and x̂0 after one step of the session's last sample."""
    return _step_views(trajectory, step, lang)[:3]


@handler()
def play(trajectory, step, lang: str):
    """Walk the step slider from where it is (from the start when at the end) to the last step."""
    current = _step_views(trajectory, step, lang)[3]
    total = len(trajectory.x_t)
    for number in range(1 if current >= total else current, total + 1):
        xt, x0, caption, _ = _step_views(trajectory, number, lang)
        yield number, xt, x0, caption
        time.sleep(1 / FRAMES_PER_SECOND)


# ---------------------------------------------------------------------------------------------
# forward process and scheduler comparison


@handler(forward.ForwardSettings)
def forward_views(settings, lang: str):
    """x_t = √ᾱ_t x0 + √(1−ᾱ_t) ε for the chosen image, schedule and t: x_0, x_t, the caption,
    the strip across t and the schedules."""
    x0 = forward.source_image(settings)
    x_t = forward.strip(x0, settings.schedule, [settings.t], settings.seed)[0]
    weights = forward.coefficients(settings.schedule, settings.t)
    scale = pictures.scale_for(x0.shape[-1], 192)
    caption = translate("dif_fwd_caption", lang, t=settings.t, alpha_bar=weights.alpha_bar, signal=weights.signal,
                        noise=weights.noise, snr=weights.snr)
    strip = forward.strip(x0, settings.schedule, list(forward.STRIP_TIMESTEPS), settings.seed)
    return (
        pictures.tile(x0.numpy()[None], 1, scale),
        pictures.tile(x_t[None], 1, scale),
        caption,
        figures.strip_figure(strip, list(forward.STRIP_TIMESTEPS), lang),
        figures.schedule_figure([forward.schedule(n) for n in forward.SCHEDULES], settings.t, lang),
    )


@handler(core.CompareSettings)
def compare(settings, schedulers, lang: str):
    """The same starting noise through each chosen scheduler with its own step count, and the
    DDIM-determinism check."""
    names = core.compared_schedulers(schedulers)
    unet, config = models.load_ddpm(settings.model)
    base = settings.base()
    with live.CPU.turn():
        results = core.compare(unet, config, [(n, settings.steps_of(n)) for n in names], base)
        panels = [(translate("dif_panel_title", lang, scheduler=translate(f"dif_sched_{r.scheduler}", lang),
                             steps=r.steps, calls=r.model_calls, seconds=r.seconds), r.images) for r in results]
        gaps = core.determinism_gaps(unet, config, base)
        return figures.compare_figure(panels, lang), translate("dif_note_determinism", lang, **gaps)


# ---------------------------------------------------------------------------------------------
# 2D diffusion, trained live


def new_run(settings: toy2d.Toy2DSettings, sketch) -> toy2d.Toy2DRun:
    ink = ink_mask(sketch) if settings.dataset == "sketch" else None
    return toy2d.Toy2DRun(settings, toy2d.make_data(settings.dataset, settings.seed, sketch=ink))


def planned_steps(run: toy2d.Toy2DRun) -> int:
    """The step axis of the loss plot: the target, or the settings' steps before any Start."""
    return max(run.target, run.iteration, run.settings.train_steps)


def status_text(run: toy2d.Toy2DRun, note: str, lang: str) -> str:
    lines = [translate("dif_2d_status", lang, step=run.iteration, note=note)]
    if run.losses:
        window = toy2d.LIMITS_2D.loss_window
        lines.append(translate("dif_2d_status_loss", lang, n=min(window, len(run.losses)),
                               loss=sum(run.losses[-window:]) / len(run.losses[-window:])))
    if run.sampled is not None:
        sampler = translate(f"dif_2d_sampler_{run.sampled.sampler}", lang)
        lines.append(translate("dif_2d_status_sampled", lang, sampler=sampler, step=run.sampled.iteration))
    return "\n\n".join(lines)


def particles_figure(run: toy2d.Toy2DRun, step: int, show_field: bool, lang: str) -> dict:
    """The run's last sampled particles after ``step`` denoising steps; the data alone before
    the run was first sampled."""
    sampled, limit = run.sampled, run.limit
    if sampled is None:
        return figures.particles_figure(run.shown_data, limit, lang)
    timestep = sampled.particles.timesteps[step]
    field = None
    if show_field:
        # after the last step the particles are at t = 0: show the field there
        field = toy2d.score_field(toy2d.load_model(sampled.weights), max(timestep, 0), limit)
    return figures.particles_figure(run.shown_data, limit, lang, sampled.particles.paths, step, timestep, field,
                                    toy2d.LIMITS_2D.drawn_paths)


def views(session: live.LiveSession, run: toy2d.Toy2DRun, note: str, lang: str) -> tuple:
    """(status, loss plot, step slider, particles) of the run now. A run that rests is sampled
    first; while it trains the particles shown stay those last sampled from it (the data alone
    before its first sample), and are not redrawn."""
    last_step = toy2d.LIMITS_2D.timesteps
    if session.active is not run:   # resting: components.live clears ``active`` before a stream's last view
        toy2d.sample(run)
        slider, particles = gr.Slider(maximum=last_step, value=last_step), particles_figure(run, last_step, True, lang)
    elif run.sampled is None:
        slider, particles = gr.skip(), particles_figure(run, 0, False, lang)
    else:
        slider, particles = gr.skip(), gr.skip()
    return (status_text(run, note, lang), figures.loss_figure(toy2d.loss_curve(run.losses), planned_steps(run), lang),
            slider, particles)


def renderer(session: live.LiveSession, lang: str):
    return lambda run, note: views(session, run, note, lang)


@handler(toy2d.Toy2DSettings)
def start_2d(settings, sketch, session, lang: str):
    """A fresh run from the settings, trained ``settings.train_steps`` while streaming, then sampled."""
    session = live.session_of(session)
    yield from live.start(session, new_run(settings, sketch), settings.train_steps, renderer(session, lang), lang)


@handler()
def resume_2d(train_steps, session, lang: str):
    """Continue this session's run (to its target, or ``train_steps`` further once reached)."""
    more = check_value(TRAIN_STEPS, train_steps)
    session = live.session_of(session)
    yield from live.resume(session, more, renderer(session, lang), lang)


@handler(toy2d.Toy2DSettings)
def step_2d(settings, sketch, session, lang: str):
    """One training step (of a fresh run from the settings when there is none yet), then sampled."""
    session = live.session_of(session)
    return live.step(session, lambda: new_run(settings, sketch), renderer(session, lang), lang)


@handler(toy2d.Toy2DSettings)
def reset_2d(settings, sketch, session, lang: str):
    """A fresh run from the settings at step 0, sampled untrained (any training stream of this session stops)."""
    session = live.session_of(session)
    with live.CPU.turn():   # its view samples the fresh run
        return live.reset(session, new_run(settings, sketch), renderer(session, lang), lang)


@handler()
def sample_2d(sampler, session, lang: str):
    """This session's run sampled now with ``sampler`` (while it trains too: between two steps)."""
    chosen = check_value(SAMPLER_2D, sampler)
    session = live.session_of(session)
    run = session.run
    if run is None:
        raise InputError("dif_err_no_2d")
    last_step = toy2d.LIMITS_2D.timesteps
    with live.CPU.turn(), session.lock, one_thread():   # a tiny MLP: one thread (components/threads.py)
        run.sampler = chosen
        toy2d.sample(run)
        note = translate("live_running" if session.active is run else "dif_2d_note_sampled", lang)
        return (status_text(run, note, lang),
                gr.Slider(maximum=last_step, value=last_step), particles_figure(run, last_step, True, lang))


@handler(toy2d.ParticleView)
def particles_view(settings, session, lang: str):
    """The last sampled particles, their paths and the learned score field at one denoising step."""
    run = session.run if isinstance(session, live.LiveSession) else None
    if run is None or run.sampled is None:
        raise InputError("dif_err_no_2d")
    return particles_figure(run, settings.step, settings.show_field, lang)


# ---------------------------------------------------------------------------------------------
# layout


def _sampling_controls(settings_cls, prefix: str) -> dict:
    """Model, digit, guidance, images and seed: the controls sampling and comparing share."""
    c = {}
    with gr.Row():
        c["model"] = model_picker(models.DDPM)
        c |= controls.build(settings_cls, prefix, ["digit", "guidance"])
    with gr.Row():
        c |= controls.build(settings_cls, prefix, ["images", "seed"])
    return c


def _reverse_layout() -> dict:
    c = _sampling_controls(core.SampleSettings, "diffusion_sample")
    with gr.Row():
        c |= controls.build(core.SampleSettings, "diffusion_sample", ["scheduler", "steps", "eta"])
    c["run"] = gr.Button(I18N("dif_sample"), variant="primary", elem_id="diffusion_sample")
    c["notes"] = gr.Markdown()
    c["trajectory"] = gr.State(time_to_live=live_ui.SESSION_TTL_S)
    with gr.Row():
        default_steps = defaults(core.SampleSettings)["steps"]
        c["step"] = gr.Slider(1, default_steps, value=default_steps, step=1, label=I18N("dif_step_view"), scale=5)
        c["play"] = gr.Button(I18N("dif_play"), scale=1)
    c["caption"] = gr.Markdown()
    with gr.Row():
        c["xt"] = gr.Image(label=I18N("dif_xt"), interactive=False, height=420, format="png", elem_id="dif-xt")
        c["x0"] = gr.Image(label=I18N("dif_x0"), interactive=False, height=420, format="png")
    c["time_grid"] = gr.Plot(show_label=False)
    c["curves"] = gr.Plot(show_label=False)
    c["gif"] = gr.File(label=I18N("dif_gif"), interactive=False)
    return c


def _forward_layout() -> dict:
    settings, prefix = forward.ForwardSettings, "diffusion_forward"
    c = {}
    with gr.Row():
        c |= controls.build(settings, prefix, ["source", "digit", "index", "photo"])
    with gr.Row():
        c |= controls.build(settings, prefix, ["schedule", "t", "seed"], t={"scale": 2})
    with gr.Row():
        with gr.Column(scale=1):
            c["x0"] = gr.Image(label=I18N("dif_fwd_x0"), interactive=False, height=230, format="png")
        with gr.Column(scale=1):
            c["xt"] = gr.Image(label=I18N("dif_fwd_xt"), interactive=False, height=230, format="png")
        with gr.Column(scale=2):
            c["caption"] = gr.Markdown()
            explanation("dif_fwd_formula_md")
    c["strip"] = gr.Plot(show_label=False)
    c["schedules"] = gr.Plot(show_label=False)
    return c


def _compare_layout() -> dict:
    c = _sampling_controls(core.CompareSettings, "diffusion_compare")
    c["schedulers"] = gr.CheckboxGroup([(I18N(f"dif_sched_{n}"), n) for n in core.SAMPLERS],
                                       value=list(core.COMPARE_DEFAULT), label=I18N("dif_cmp_schedulers"))
    with gr.Accordion(I18N("dif_cmp_steps"), open=True), gr.Row():
        names = [f"steps_{n}" for n in core.SAMPLERS]
        c |= controls.build(core.CompareSettings, "diffusion_compare", names, **{n: {"min_width": 140} for n in names})
    c["run"] = gr.Button(I18N("dif_cmp_run"), variant="primary", elem_id="diffusion_compare")
    c["plot"] = gr.Plot(show_label=False)
    c["note"] = gr.Markdown()
    return c


def _toy_layout() -> dict:
    settings, prefix = toy2d.Toy2DSettings, "diffusion_2d"
    c: dict = {"session": live_ui.session_state()}
    with gr.Row():
        with gr.Column(scale=1):
            c |= controls.build(settings, prefix, ["dataset", "train_steps", "seed"])
        with gr.Column(scale=1):
            c["sketch"] = gr.Sketchpad(label=I18N("dif_2d_sketch"), type="numpy", image_mode="RGBA",
                                       canvas_size=(360, 360), height=330, elem_id="diffusion_2d_sketch")
    c["panel"] = live_ui.buttons(prefix)
    c["status"] = gr.Markdown(elem_id="diffusion_2d_status")
    c["loss"] = gr.Plot(show_label=False, elem_id="diffusion_2d_loss")
    with gr.Row(equal_height=True):
        c |= controls.build(settings, prefix, ["sampler"], sampler={"scale": 2})
        c["sample"] = gr.Button(I18N("dif_2d_sample"), scale=1, elem_id="diffusion_2d_sample")
    with gr.Row():
        c |= controls.build(toy2d.ParticleView, f"{prefix}_view", ["step", "show_field"], step={"scale": 4},
                            show_field={"scale": 1})
    c["particles"] = gr.Plot(show_label=False, elem_id="diffusion_2d_particles")
    return c


def layout() -> dict:
    """The lab's components by sub-tab. The forward process (no model) is drawn on page load;
    sampling and training wait for a button, so a classroom opening the page at once does not
    queue behind them."""
    gr.Markdown(I18N("dif_intro"))
    with gr.Tabs():
        with gr.Tab(I18N("dif_reverse")):
            reverse = _reverse_layout()
        with gr.Tab(I18N("dif_forward")):
            forward_view = _forward_layout()
        with gr.Tab(I18N("dif_compare")):
            comparison = _compare_layout()
        with gr.Tab(I18N("dif_2d")):
            toy = _toy_layout()
        with gr.Tab(I18N("dif_explain")):
            explanation("dif_explain_md")
    return {"reverse": reverse, "forward": forward_view, "compare": comparison, "toy": toy}


# ---------------------------------------------------------------------------------------------
# wiring


def build_tab(blocks: gr.Blocks) -> None:
    c = layout()
    r, f, cmp, toy = c["reverse"], c["forward"], c["compare"], c["toy"]
    pictures_out = [r["xt"], r["x0"], r["caption"]]
    r["run"].click(denoise, controls.inputs(core.SampleSettings, r),
                   [r["notes"], r["trajectory"], r["step"], *pictures_out, r["time_grid"], r["curves"], r["gif"]],
                   api_name="diffusion_sample", **queue("heavy"))
    r["step"].input(show_step, [r["trajectory"], r["step"]], pictures_out, api_name="diffusion_step",
                    trigger_mode="always_last", **queue("control"))
    r["play"].click(play, [r["trajectory"], r["step"]], [r["step"], *pictures_out], api_name="diffusion_play",
                    **queue("control"))

    forward_in = controls.inputs(forward.ForwardSettings, f)
    forward_out = [f["x0"], f["xt"], f["caption"], f["strip"], f["schedules"]]
    gr.on([x.input for x in forward_in], forward_views, forward_in, forward_out, api_name="diffusion_forward",
          trigger_mode="always_last", **queue("control"))
    blocks.load(forward_views, forward_in, forward_out, api_visibility="private", **queue("control"))

    cmp["run"].click(compare, [*controls.inputs(core.CompareSettings, cmp), cmp["schedulers"]],
                     [cmp["plot"], cmp["note"]], api_name="diffusion_compare", **queue("heavy"))

    settings_2d = [*controls.inputs(toy2d.Toy2DSettings, toy), toy["sketch"]]
    live_ui.wire("diffusion_2d", toy["panel"], toy["session"],
                 [toy["status"], toy["loss"], toy["step"], toy["particles"]],
                 start=start_2d, start_inputs=settings_2d, resume=resume_2d, resume_inputs=[toy["train_steps"]],
                 step=step_2d, step_inputs=settings_2d, reset=reset_2d, reset_inputs=settings_2d)
    toy["sample"].click(sample_2d, [toy["sampler"], toy["session"]], [toy["status"], toy["step"], toy["particles"]],
                        api_name="diffusion_2d_sample", **queue("step"))
    gr.on([toy["step"].input, toy["show_field"].input], particles_view,
          [toy["step"], toy["show_field"], toy["session"]], [toy["particles"]], api_name="diffusion_2d_view",
          trigger_mode="always_last", **queue("control"))
