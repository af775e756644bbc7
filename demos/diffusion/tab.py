"""Diffusion lab tab: handlers, then layout, then wiring; the maths lives in core.py, forward.py
and toy2d.py, the pictures in images.py and figures.py.

API (settings first: the fields of the settings dataclass named, in order):
- ``/diffusion_sample``  (``core.SampleSettings``…): the reverse process, every step recorded;
  streams x_t and x̂0 as it goes, and answers last (notes, step slider, x_t, x̂0, caption, time
  grid, curves, GIF file).
- ``/diffusion_step``    (step): x_t and x̂0 after one step of this session's last sample.
- ``/diffusion_play``    (step): streams the steps from ``step`` to the last.
- ``/diffusion_forward`` (``forward.ForwardSettings``…): x_0, x_t, caption, strip, schedules.
- ``/diffusion_compare`` (``core.CompareSettings``…, schedulers): the same x_T through 2–4 schedulers;
  streams its progress, and answers last (comparison plot, determinism note).
- ``/diffusion_2d_start``, ``_pause``, ``_resume``, ``_step``, ``_reset`` (``toy2d.Toy2DSettings``…,
  sketch): the 2D model trained live (``components.live``); they answer (status, loss plot, step
  slider, particles plot). A run that rests (done, paused, stepped, reset) is sampled: 1,000
  particles denoised by its ε_θ.
- ``/diffusion_2d_sample`` (sampler): samples this session's run again, with ``sampler``, even
  while it trains; answers (status, step slider, particles plot).
- ``/diffusion_2d_view`` (step, show_field, show_paths): the last sampled particles at one
  denoising step.
- ``/diffusion_2d_play`` (step, show_field, show_paths): streams the denoising steps from ``step``
  to the last.
- ``/diffusion_export`` (): this session's last sample (settings, final images, the numbers behind
  the curves, the classifier's reading) and 2D run (settings, losses, particles) as JSON, and the
  2D run's losses as CSV.
A shareable link sets ``core.SampleSettings`` (``?lab=diffusion&scheduler=dpmpp&steps=20&seed=3&digit=7``)
and presses Denoise.
"""

from __future__ import annotations

import dataclasses
import itertools
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import gradio as gr

from components import controls, exports, links_ui, live, live_ui, models
from components.digits import classify
from components.handlers import handler
from components.i18n import InputError, translate
from components.model_picker import model_picker
from components.queueing import queue
from components.settings import check_value, defaults
from components.settings import controls as setting_controls
from components.sketch import ink_mask
from components.threads import one_thread
from components.ui import I18N, explanation, export_panel
from demos.diffusion import core, figures, forward, toy2d
from demos.diffusion import images as pictures

FRAMES_PER_SECOND = 10                  # Play's pace through the recorded steps
# A sample under way shows its step after the first turn, then at most this often: each view is
# two PNG pictures for the page, and the learner needs progress, not every step.
PREVIEW_INTERVAL_S = 0.5
GIF_DIR = Path(tempfile.gettempdir()) / "aigc-playground-gifs"
GIF_MAX_AGE_S = 3600
TRAIN_STEPS = setting_controls(toy2d.Toy2DSettings)["train_steps"]
SAMPLER_2D = setting_controls(toy2d.Toy2DSettings)["sampler"]


# ---------------------------------------------------------------------------------------------
# reverse process


def _gif_file(trajectory: core.Trajectory) -> str:
    """The trajectory GIF in a file named by its content; files older than an hour are removed."""
    data = pictures.trajectory_gif(trajectory.x_t, trajectory.pred_x0)
    return exports.content_named_file(GIF_DIR, "trajectory", ".gif", data, GIF_MAX_AGE_S)


def _classifier_reading(final) -> tuple[list[int], list[float]] | None:
    """What the bundled digit classifier sees in 16×16 one-channel samples: (digit, confidence)
    per sample; None for other models."""
    if final.shape[1:] != (1, 16, 16):
        return None
    digit, confidence = classify(final)
    return digit.tolist(), confidence.tolist()


def _step_views(trajectory: core.Trajectory | None, step, lang: str) -> tuple:
    """(x_t grid, x̂0 grid, caption, step number) after ``step`` (from 1) of the session's last sample."""
    if trajectory is None:
        raise InputError("dif_err_no_run")
    number = trajectory.step_number(step)
    columns = pictures.shown_columns(trajectory.x_t.shape[1])
    scale = pictures.scale_for(trajectory.x_t.shape[-1], pictures.DIGIT_PX)
    caption = translate("dif_note_step", lang, step=number, total=len(trajectory.x_t),
                        t=f"{trajectory.timesteps[number - 1]:g}", after=f"{trajectory.timesteps_after[number - 1]:g}")
    return (pictures.tile(trajectory.x_t[number - 1], columns, scale),
            pictures.tile(trajectory.pred_x0[number - 1], columns, scale), caption, number)


def _sample_notes(settings: core.SampleSettings, unet, reading, steps_calls: int, seconds: float, lang: str) -> str:
    notes = [translate("dif_note_summary", lang, scheduler=translate(f"dif_sched_{settings.scheduler}", lang),
                       steps=settings.steps, calls=steps_calls, seconds=seconds)]
    if unet.config.num_class_embeds is None:
        notes.append(translate("dif_note_unconditional", lang))
    elif settings.digit_class is None:
        notes.append(translate("dif_note_any", lang))
    if reading:
        shown = ", ".join(f"{d} ({c:.0%})" for d, c in zip(*reading))
        notes.append(translate("dif_note_classifier", lang, reading=shown))
    return "\n\n".join(notes)


def _sample_views(settings: core.SampleSettings, unet, trajectory: core.Trajectory, final, seconds: float,
                  lang: str) -> tuple:
    """Everything the Denoise button shows once the sample is done (``denoise``'s outputs)."""
    calls = settings.steps * core.model_calls_per_step(core.class_labels(unet, settings), settings.effective_guidance)
    xt, x0, caption, total = _step_views(trajectory, len(trajectory.x_t), lang)
    reading = _classifier_reading(final)
    curves = core.step_curves(trajectory)
    record = {"settings": dataclasses.asdict(settings),
              "data": {"timesteps": trajectory.timesteps, "final_images": final, "x_t_std": curves.std,
                       "pred_x0_rms_to_final": curves.distance, "model_calls_per_image": calls,
                       "classifier": reading and {"digit": reading[0], "confidence": reading[1]}}}
    record["seconds"] = seconds   # for the notes drawn again in another language (not exported)
    return (_sample_notes(settings, unet, reading, calls, seconds, lang), trajectory,
            gr.Slider(maximum=total, value=total), xt, x0, caption, figures.time_grid_figure(trajectory, lang),
            figures.step_curves_figure(trajectory, lang), _gif_file(trajectory), record)


def _partial_views(step: core.DenoisedStep, first: bool, lang: str) -> tuple:
    """What a sample under way shows (``denoise``'s outputs): x_t and x̂0 of its last step and a
    caption saying it goes on. The first such view empties the views drawn from a whole
    trajectory (notes, time grid, curves, GIF), so nothing of the last sample stays beside this
    one; later ones leave them (gr.skip()). The step slider and the states keep the last sample
    until this one is done, so scrubbing meanwhile still reads a whole trajectory."""
    columns = pictures.shown_columns(len(step.x_t))
    scale = pictures.scale_for(step.x_t.shape[-1], pictures.DIGIT_PX)
    caption = translate("dif_note_running", lang, step=step.number, total=step.total)
    emptied = ("", None, None, None) if first else (gr.skip(),) * 4
    notes, time_grid, curves, gif = emptied
    return (notes, gr.skip(), gr.skip(), pictures.tile(step.x_t, columns, scale),
            pictures.tile(step.pred_x0, columns, scale), caption, time_grid, curves, gif, gr.skip())


def _slice_of(work: Iterator, is_last: Callable[[object], bool]) -> list:
    """The next items of ``work`` computed for about one live slice (at least one, and none past
    the one ``is_last`` marks): the work of one CPU turn, which the caller holds."""
    deadline = time.perf_counter() + live.LIMITS.slice_s
    chunk = [next(work)]
    while not is_last(chunk[-1]) and time.perf_counter() < deadline:
        chunk.append(next(work))
    return chunk


def _due(shown_at: float | None) -> bool:
    """Whether a streamed one-shot view is due: the first at once, then at most every
    ``PREVIEW_INTERVAL_S`` (longer when many runs stream, ``live.CPU.frame_interval``)."""
    return shown_at is None or time.monotonic() - shown_at >= max(PREVIEW_INTERVAL_S, live.CPU.frame_interval())


@handler(core.SampleSettings)
def denoise(settings, lang: str):
    """Sample with the chosen scheduler, recording x_t and x̂0 at every step, in turns at the CPU
    (components/live.py): each turn computes steps for one live slice (one step of the defaults),
    on one thread, and never spans a yield. A first view comes after the first turn (x_t and x̂0
    of that step, "Step k of N, denoising…"), then at most every ``PREVIEW_INTERVAL_S``; the last
    is the whole sample's. Its trajectory becomes the session's state, which the step slider and
    Play read, and the settings and numbers behind the views a second state, which Export reads."""
    unet, config = models.load_ddpm(settings.model)
    steps = core.run_steps(unet, config, settings)
    done: list[core.DenoisedStep] = []
    seconds, shown_at = 0.0, None
    while not done or done[-1].number < done[-1].total:
        # one thread per turn, a turn being one core: on two threads, two turns oversubscribe the
        # cores (a busy machine took 100–120 s for 20 steps of 8 digits, one thread 15–26 s)
        with live.CPU.turn(first=shown_at is None), one_thread():
            start = time.perf_counter()
            done += _slice_of(steps, lambda step: step.number == step.total)
            seconds += time.perf_counter() - start
            frame = None
            if done[-1].number == done[-1].total:
                final, trajectory = core.collect(done)
                frame = _sample_views(settings, unet, trajectory, final, seconds, lang)
            elif _due(shown_at):
                frame = _partial_views(done[-1], shown_at is None, lang)
        if frame is not None:
            shown_at = time.monotonic()
            yield frame


@handler()
def show_step(trajectory, step, lang: str):
    """x_t and x̂0 after one step of the session's last sample."""
    return _step_views(trajectory, step, lang)[:3]


@handler()
def reverse_redraw(notes, trajectory, step, record, lang: str) -> tuple:
    """The last sample's notes, caption, time grid and curves again in the page's language (a
    change of language, components.links_ui), from its kept trajectory and record: no model
    call. Nothing before a sample was drawn, nor while one is under way (its first view emptied
    the notes; its next views come in the language it started in)."""
    if not notes or trajectory is None or not record or "seconds" not in record:
        return (gr.skip(),) * 4
    settings = core.SampleSettings(**record["settings"])
    unet, _ = models.load_ddpm(settings.model)   # cached: its config says whether it takes a digit
    reading = record["data"]["classifier"]
    reading = reading and (reading["digit"], reading["confidence"])
    calls = record["data"]["model_calls_per_image"]
    return (_sample_notes(settings, unet, reading, calls, record["seconds"], lang), _step_views(trajectory, step, lang)[2],
            figures.time_grid_figure(trajectory, lang), figures.step_curves_figure(trajectory, lang))


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


@handler(forward.ForwardSettings)
def forward_redraw(settings, lang: str) -> tuple:
    """``forward_views`` for a change of language (components.links_ui): its caption and plots
    in the page's language; the two pictures have no words and stay as they are."""
    _, _, *worded = forward_views.__wrapped__(settings, lang)
    return gr.skip(), gr.skip(), *worded


def _compare_figure(results: list[core.ComparedRun], lang: str) -> dict:
    panels = [(translate("dif_panel_title", lang, scheduler=translate(f"dif_sched_{r.scheduler}", lang), steps=r.steps,
                         calls=r.model_calls, seconds=r.seconds), r.images) for r in results]
    return figures.compare_figure(panels, lang)


def _comparison(settings: core.CompareSettings, schedulers, lang: str):
    """(plot, note, kept) frames: the same starting noise through each chosen scheduler with its own step count, then the
    DDIM-determinism check, in turns at the CPU as ``denoise`` computes them: a first view after
    the first turn (the progress; the last comparison's panels emptied), then at most every
    ``PREVIEW_INTERVAL_S`` (the progress, and the panels of the runs done when one was added);
    the last has every panel and the check, and ``kept`` (results, gaps) — ``gr.skip()`` before."""
    names = core.compared_schedulers(schedulers)
    unet, config = models.load_ddpm(settings.model)
    base = settings.base()
    runs = [(n, settings.steps_of(n)) for n in names]
    total = sum(steps for _, steps in runs) + 4 * base.steps   # the check: DDIM and DDPM twice each
    work = itertools.chain(core.compare_steps(unet, config, runs, base), core.determinism_steps(unet, config, base))
    results: list[core.ComparedRun] = []
    steps_done, shown_at, shown_runs, gaps = 0, None, 0, None
    while gaps is None:
        with live.CPU.turn(first=shown_at is None), one_thread():
            chunk = _slice_of(work, lambda item: isinstance(item, dict))
            steps_done += sum(item is None for item in chunk)
            results += [item for item in chunk if isinstance(item, core.ComparedRun)]
            frame = None
            if isinstance(chunk[-1], dict):
                gaps = chunk[-1]
                frame = (_compare_figure(results, lang), translate("dif_note_determinism", lang, **gaps),
                         (results, gaps))
            elif _due(shown_at):
                if len(results) > shown_runs:
                    plot = _compare_figure(results, lang)
                else:
                    plot = None if shown_at is None else gr.skip()
                frame = plot, translate("dif_cmp_running", lang, done=steps_done, total=total), gr.skip()
                shown_runs = len(results)
        if frame is not None:
            shown_at = time.monotonic()
            yield frame


@handler(core.CompareSettings)
def compare(settings, schedulers, lang: str):
    """The comparison's frames, (plot, note): see ``_comparison``."""
    for plot, note, _ in _comparison(settings, schedulers, lang):
        yield plot, note


@handler(core.CompareSettings)
def compare_kept(settings, schedulers, lang: str):
    """``compare`` for the page: its last frame also keeps the comparison (results, determinism
    gaps) in the session's state, which a change of language draws again (``compare_redraw``)."""
    yield from _comparison(settings, schedulers, lang)


@handler()
def compare_redraw(kept, lang: str) -> tuple:
    """The last comparison's panels and determinism note again in the page's language, from what
    was kept (no sampling); nothing before a comparison was done."""
    if not kept:
        return gr.skip(), gr.skip()
    results, gaps = kept
    return _compare_figure(results, lang), translate("dif_note_determinism", lang, **gaps)


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


def particles_figure(run: toy2d.Toy2DRun, step: int, show_field: bool, lang: str, show_paths: bool = True) -> dict:
    """The run's last sampled particles after ``step`` denoising steps (with the learned field and
    the first particles' paths when asked); the data alone before the run was first sampled."""
    sampled, limit = run.sampled, run.limit
    if sampled is None:
        return figures.particles_figure(run.shown_data, limit, lang)
    timestep = sampled.particles.timesteps[step]
    field = None
    if show_field:
        # after the last step the particles are at t = 0: show the field there
        field = toy2d.score_field(toy2d.load_model(sampled.weights), max(timestep, 0), limit)
    return figures.particles_figure(run.shown_data, limit, lang, sampled.particles.paths, step, timestep, field,
                                    toy2d.LIMITS_2D.drawn_paths if show_paths else 0)


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
    return status_text(run, note, lang), loss_view(run, lang), slider, particles


def loss_view(run: toy2d.Toy2DRun, lang: str) -> dict:
    return figures.loss_figure(toy2d.loss_curve(run.losses), planned_steps(run), lang)


def resting_views(run: toy2d.Toy2DRun, note: str, lang: str) -> tuple:
    """The views of a run that has just come to rest, before its particles are sampled (shown at
    once on Pause; ``views`` then samples them: components.live.stream's ``quick_rest``)."""
    status = status_text(run, note, lang) + "\n\n" + translate("dif_2d_status_sampling", lang, step=run.iteration)
    return status, loss_view(run, lang), gr.skip(), gr.skip()


def renderer(session: live.LiveSession, lang: str):
    return links_ui.noted(lambda run, note, now: views(session, run, note, now), lang)


def resting_renderer(lang: str):
    return links_ui.noted(resting_views, lang)


@handler(toy2d.Toy2DSettings)
def start_2d(settings, sketch, session, lang: str):
    """A fresh run from the settings, trained ``settings.train_steps`` while streaming, then sampled."""
    session = live.session_of(session)
    yield from live.start(session, new_run(settings, sketch), settings.train_steps, renderer(session, lang), lang,
                          resting_renderer(lang))


@handler()
def resume_2d(train_steps, session, lang: str):
    """Continue this session's run (to its target, or ``train_steps`` further once reached)."""
    more = check_value(TRAIN_STEPS, train_steps)
    session = live.session_of(session)
    yield from live.resume(session, more, renderer(session, lang), lang, resting_renderer(lang))


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
        run.shown_note = (note, lang)   # a change of language says it again (``redraw_2d``)
        return (status_text(run, note, lang),
                gr.Slider(maximum=last_step, value=last_step), particles_figure(run, last_step, True, lang))


def _sampled_run(session) -> toy2d.Toy2DRun:
    run = session.run if isinstance(session, live.LiveSession) else None
    if run is None or run.sampled is None:
        raise InputError("dif_err_no_2d")
    return run


@handler(toy2d.ParticleView)
def particles_view(settings, session, lang: str):
    """The last sampled particles, their paths and the learned score field at one denoising step."""
    with one_thread():   # the field: a tiny MLP on a grid (components/threads.py)
        return particles_figure(_sampled_run(session), settings.step, settings.show_field, lang, settings.show_paths)


@handler(toy2d.ParticleView)
def play_2d(settings, session, lang: str):
    """Walk the denoising step from where it is (from 0 when at the end) to the last, as the
    digits' Play does; Pause cancels it."""
    run = _sampled_run(session)
    last = toy2d.LIMITS_2D.timesteps
    for step in range(0 if settings.step >= last else settings.step, last + 1):
        with one_thread():   # a with block never spans a yield
            figure = particles_figure(run, step, settings.show_field, lang, settings.show_paths)
        yield step, figure
        time.sleep(1 / FRAMES_PER_SECOND)


@handler(toy2d.ParticleView)
def redraw_2d(settings, session, lang: str) -> tuple:
    """The 2D run's status, loss plot and particles (at the step, field and paths shown) again in
    the page's language (a change of language, components.links_ui): a run at rest, with the
    particles last sampled from it (never sampled again, never trained); a run training now
    sends its next frame in the new language, and a session without a run has nothing drawn."""
    rest = links_ui.at_rest(session, lang, notes=("dif_2d_note_sampled",))
    if rest is None:
        return gr.skip(), gr.skip(), gr.skip()
    run, note = rest
    with session.lock, one_thread():   # the field: a tiny MLP on a grid
        particles = (particles_figure(run, settings.step, settings.show_field, lang, settings.show_paths)
                     if run.sampled is not None else particles_figure(run, 0, False, lang))
        return status_text(run, note, lang), loss_view(run, lang), particles


@handler()
def export(record, session, lang: str):
    """This session's last sample and 2D run as JSON (settings and the numbers behind the views),
    and the 2D run's losses as CSV."""
    run = getattr(session, "run", None)
    if record is None and run is None:
        raise InputError("export_nothing")
    toy = None
    files = []
    if run is not None:
        with session.lock:
            toy = {"settings": run.settings, "iteration": run.iteration, "losses": list(run.losses),
                   "sampler": run.sampled and run.sampled.sampler,
                   "particles": run.sampled and run.sampled.particles.paths[-1]}
            if run.losses:
                files.append(exports.curves_csv("diffusion", {"loss": toy["losses"]}, index_name="step"))
    settings = record["settings"] if record else toy["settings"]
    data = {"sample": record and record["data"], "toy2d": toy}
    return [exports.result_json("diffusion", settings, data), *files]


# ---------------------------------------------------------------------------------------------
# layout

# Every sub-tab puts its controls in a side column beside its pictures, so a projector (1280×720)
# shows the samples without scrolling; on a phone the column stacks above them. Samples are
# upscaled nearest-neighbour (images.py); the browser keeps them crisp when it scales them too.
# The 2D lab's live buttons sit three to a row in the side column, with narrow padding: at
# 1280×720 "▶ Start" broke over two lines.
CSS = """
#diffusion_intro p { margin: 0; }
.diffusion-pixels img { image-rendering: pixelated; }
#diffusion_2d_start, #diffusion_2d_pause, #diffusion_2d_resume, #diffusion_2d_step, #diffusion_2d_reset {
  white-space: nowrap; padding-left: 6px !important; padding-right: 6px !important; }
"""


def _side_column():
    return gr.Column(scale=1, min_width=280)


def _main_column():
    return gr.Column(scale=3, min_width=300)


def _sampling_controls(settings_cls, prefix: str) -> dict:
    """Model, digit, guidance, images and seed: the controls sampling and comparing share."""
    c = {"model": model_picker(models.DDPM)}
    return c | controls.build(settings_cls, prefix, ["digit", "guidance", "images", "seed"])


def _reverse_layout() -> dict:
    prefix = "diffusion_sample"
    with gr.Row(equal_height=False):
        with _side_column():
            c = _sampling_controls(core.SampleSettings, prefix)
            c |= controls.build(core.SampleSettings, prefix, ["scheduler", "steps", "eta"])
            c["run"] = gr.Button(I18N("dif_sample"), variant="primary", elem_id="diffusion_sample")
            c["notes"] = gr.Markdown(elem_id="diffusion_notes")
        with _main_column():
            c["trajectory"] = gr.State(time_to_live=live_ui.SESSION_TTL_S)
            c["record"] = gr.State(time_to_live=live_ui.SESSION_TTL_S)
            with gr.Row():
                pixels = dict(interactive=False, format="png", elem_classes="diffusion-pixels", min_width=280,
                              buttons=["download"])
                c["xt"] = gr.Image(label=I18N("dif_xt"), elem_id="diffusion_xt", **pixels)
                c["x0"] = gr.Image(label=I18N("dif_x0"), elem_id="diffusion_x0", **pixels)
            c["caption"] = gr.Markdown(elem_id="diffusion_caption")
            with gr.Row(equal_height=True):
                default_steps = defaults(core.SampleSettings)["steps"]
                c["step"] = gr.Slider(1, default_steps, value=default_steps, step=1, label=I18N("dif_step_view"),
                                      scale=4, min_width=200, elem_id="diffusion_step")
                c["play"] = gr.Button(I18N("dif_play"), scale=1, min_width=80, elem_id="diffusion_play")
                c["pause"] = gr.Button(I18N("dif_pause"), scale=1, min_width=80, elem_id="diffusion_pause")
            c["time_grid"] = gr.Plot(show_label=False, elem_id="diffusion_time_grid")
            c["curves"] = gr.Plot(show_label=False, elem_id="diffusion_curves")
            c["gif"] = gr.File(label=I18N("dif_gif"), interactive=False)
    return c


def _forward_layout() -> dict:
    settings, prefix = forward.ForwardSettings, "diffusion_forward"
    source = defaults(settings)["source"]
    with gr.Row(equal_height=False):
        with _side_column():
            # only the control of the chosen source shows (``source_controls``)
            c = controls.build(settings, prefix, ["source", "digit", "index", "photo"],
                               **{name: {"visible": name == source} for name in ("digit", "index", "photo")})
            c |= controls.build(settings, prefix, ["schedule", "t", "seed"])
        with _main_column():
            with gr.Row():
                pixels = dict(interactive=False, format="png", elem_classes="diffusion-pixels", min_width=160)
                c["x0"] = gr.Image(label=I18N("dif_fwd_x0"), elem_id="diffusion_forward_x0", **pixels)
                c["xt"] = gr.Image(label=I18N("dif_fwd_xt"), elem_id="diffusion_forward_xt", **pixels)
                with gr.Column(scale=2, min_width=240):
                    c["caption"] = gr.Markdown()
                    explanation("dif_fwd_formula_md")
            c["strip"] = gr.Plot(show_label=False, elem_id="diffusion_strip")
            c["schedules"] = gr.Plot(show_label=False, elem_id="diffusion_schedules")
    return c


def _compare_layout() -> dict:
    prefix = "diffusion_compare"
    with gr.Row(equal_height=False):
        with _side_column():
            c = _sampling_controls(core.CompareSettings, prefix)
            c["schedulers"] = gr.CheckboxGroup([(I18N(f"dif_sched_{n}"), n) for n in core.SAMPLERS],
                                               value=list(core.COMPARE_DEFAULT), label=I18N("dif_cmp_schedulers"),
                                               elem_id="diffusion_compare_schedulers")
            with gr.Accordion(I18N("dif_cmp_steps"), open=False):
                c |= controls.build(core.CompareSettings, prefix, [f"steps_{n}" for n in core.SAMPLERS])
            c["run"] = gr.Button(I18N("dif_cmp_run"), variant="primary", elem_id="diffusion_compare")
        with _main_column():
            c["plot"] = gr.Plot(show_label=False, elem_id="diffusion_compare_plot")
            c["note"] = gr.Markdown(elem_id="diffusion_compare_note")
            c["kept"] = gr.State(time_to_live=live_ui.SESSION_TTL_S)   # the last comparison, for a change of language
    return c


def _toy_layout() -> dict:
    settings, prefix = toy2d.Toy2DSettings, "diffusion_2d"
    c: dict = {"session": live_ui.session_state()}
    with gr.Row(equal_height=False):
        with _side_column():
            c |= controls.build(settings, prefix, ["dataset", "train_steps", "seed"])
            with gr.Accordion(I18N("dif_2d_sketch"), open=False) as c["sketch_box"]:
                c["sketch"] = gr.Sketchpad(label=I18N("dif_2d_sketch"), type="numpy", image_mode="RGBA",
                                           canvas_size=(360, 360), height=330, elem_id="diffusion_2d_sketch")
            c["panel"] = live_ui.buttons(prefix)
            c["status"] = gr.Markdown(elem_id="diffusion_2d_status")
            c |= controls.build(settings, prefix, ["sampler"])
            c["sample"] = gr.Button(I18N("dif_2d_sample"), elem_id="diffusion_2d_sample")
        with _main_column():
            c["particles"] = gr.Plot(show_label=False, elem_id="diffusion_2d_particles")
            with gr.Row(equal_height=True):
                c |= controls.build(toy2d.ParticleView, f"{prefix}_view", ["step"], step={"scale": 4, "min_width": 200})
                c["play"] = gr.Button(I18N("dif_play"), scale=1, min_width=80, elem_id="diffusion_2d_play")
                c["pause"] = gr.Button(I18N("dif_pause"), scale=1, min_width=80, elem_id="diffusion_2d_play_pause")
            with gr.Row():
                c |= controls.build(toy2d.ParticleView, f"{prefix}_view", ["show_field", "show_paths"])
            c["loss"] = gr.Plot(show_label=False, elem_id="diffusion_2d_loss")
    return c


def layout() -> dict:
    """The lab's components by sub-tab. The forward process (no model) is drawn on page load;
    sampling and training wait for a button, so a classroom opening the page at once does not
    queue behind them."""
    gr.Markdown(I18N("dif_intro"), elem_id="diffusion_intro")
    with gr.Tabs(elem_id="diffusion_views"):
        with gr.Tab(I18N("dif_reverse"), id="reverse"):
            reverse = _reverse_layout()
        with gr.Tab(I18N("dif_forward"), id="forward"):
            forward_view = _forward_layout()
        with gr.Tab(I18N("dif_compare"), id="compare"):
            comparison = _compare_layout()
        with gr.Tab(I18N("dif_2d"), id="toy"):
            toy = _toy_layout()
        with gr.Tab(I18N("dif_explain"), id="explain"):
            explanation("dif_explain_md")
    with gr.Row():
        copy_link = links_ui.copy_link("diffusion")
        export_button, export_files = export_panel("diffusion")
    return {"reverse": reverse, "forward": forward_view, "compare": comparison, "toy": toy, "copy_link": copy_link,
            "export": export_button, "export_files": export_files}


def source_controls(source: str) -> tuple:
    """The forward view's image controls: only the chosen source's shows."""
    return tuple(gr.update(visible=name == source) for name in ("digit", "index", "photo"))


# ---------------------------------------------------------------------------------------------
# wiring


def build_tab(blocks: gr.Blocks) -> links_ui.Linkable:
    """A link sets the reverse process's settings and presses Denoise."""
    c = layout()
    r, f, cmp, toy = c["reverse"], c["forward"], c["compare"], c["toy"]
    pictures_out = [r["xt"], r["x0"], r["caption"]]
    r["run"].click(denoise, controls.inputs(core.SampleSettings, r),
                   [r["notes"], r["trajectory"], r["step"], *pictures_out, r["time_grid"], r["curves"], r["gif"],
                    r["record"]], api_name="diffusion_sample", **queue("live"))   # streamed in turns at live.CPU
    r["step"].input(show_step, [r["trajectory"], r["step"]], pictures_out, api_name="diffusion_step",
                    trigger_mode="always_last", **queue("control"))
    playing = r["play"].click(play, [r["trajectory"], r["step"]], [r["step"], *pictures_out],
                              api_name="diffusion_play", **queue("control"))
    r["pause"].click(None, cancels=[playing], api_visibility="private")

    forward_in = controls.inputs(forward.ForwardSettings, f)
    forward_out = [f["x0"], f["xt"], f["caption"], f["strip"], f["schedules"]]
    gr.on([x.input for x in forward_in], forward_views, forward_in, forward_out, api_name="diffusion_forward",
          trigger_mode="always_last", **queue("control"))
    f["source"].change(source_controls, [f["source"]], [f["digit"], f["index"], f["photo"]], api_visibility="private",
                       queue=False)
    blocks.load(forward_views, forward_in, forward_out, api_visibility="private", **queue("control"))

    cmp["run"].click(compare_kept, [*controls.inputs(core.CompareSettings, cmp), cmp["schedulers"]],
                     [cmp["plot"], cmp["note"], cmp["kept"]], api_name="diffusion_compare",
                     **queue("live"))   # streamed in turns at live.CPU

    settings_2d = [*controls.inputs(toy2d.Toy2DSettings, toy), toy["sketch"]]
    live_ui.wire("diffusion_2d", toy["panel"], toy["session"],
                 [toy["status"], toy["loss"], toy["step"], toy["particles"]],
                 start=start_2d, start_inputs=settings_2d, resume=resume_2d, resume_inputs=[toy["train_steps"]],
                 step=step_2d, step_inputs=settings_2d, reset=reset_2d, reset_inputs=settings_2d)
    toy["sample"].click(sample_2d, [toy["sampler"], toy["session"]], [toy["status"], toy["step"], toy["particles"]],
                        api_name="diffusion_2d_sample", **queue("step"))
    view_in = [*controls.inputs(toy2d.ParticleView, toy), toy["session"]]
    gr.on([toy["step"].input, toy["show_field"].input, toy["show_paths"].input], particles_view, view_in,
          [toy["particles"]], api_name="diffusion_2d_view", trigger_mode="always_last", **queue("control"))
    playing_2d = toy["play"].click(play_2d, view_in, [toy["step"], toy["particles"]], api_name="diffusion_2d_play",
                                   **queue("control"))
    toy["pause"].click(None, cancels=[playing_2d], api_visibility="private")
    toy["dataset"].change(lambda d: gr.Accordion(open=d == "sketch"), [toy["dataset"]], [toy["sketch_box"]],
                          api_visibility="private", queue=False)

    c["export"].click(export, [r["record"], toy["session"]], [c["export_files"]], api_name="diffusion_export",
                      **queue("step"))
    # a change of language draws again what is drawn (components.links_ui), from what was kept
    redraws = (
        links_ui.Redraw(reverse_redraw, [r["notes"], r["trajectory"], r["step"], r["record"]],
                        [r["notes"], r["caption"], r["time_grid"], r["curves"]]),
        links_ui.Redraw(forward_redraw, forward_in, forward_out),   # no model: drawn again from the controls
        links_ui.Redraw(compare_redraw, [cmp["kept"]], [cmp["plot"], cmp["note"]]),
        links_ui.Redraw(redraw_2d, view_in, [toy["status"], toy["loss"], toy["particles"]]),
    )
    return links_ui.Linkable((core.SampleSettings,), r, r["run"], c["copy_link"], redraws)
