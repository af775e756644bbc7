"""Diffusion lab tab: components and event wiring only; the maths lives in core.py, forward.py and
toy2d.py, the pictures in images.py and figures.py."""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
import time
from pathlib import Path

import gradio as gr
import numpy as np
import torch

from components import models
from components.digits import classify
from components.errors import request_language, user_errors
from components.i18n import InputError, translate
from components.model_picker import model_picker
from components.sketch import ink_mask
from components.threads import one_thread, take_for
from components.ui import I18N, explanation
from components.validation import as_int
from demos.diffusion import core, figures, forward, toy2d
from demos.diffusion import images as pictures

L = core.LIMITS
L2 = toy2d.LIMITS_2D
SOURCES = ("digit", "index", "photo")
STRIP_TIMESTEPS = [0, 50, 100, 200, 300, 400, 500, 600, 700, 800, 999]
# Steps each scheduler gets by default in a comparison: what it typically needs for a clean digit.
COMPARE_STEPS = {"ddpm": 100, "ddim": 25, "dpmpp": 10, "euler": 25, "euler_a": 50}
COMPARE_DEFAULT = ["ddpm", "ddim", "dpmpp"]
FRAMES_PER_SECOND = 10                  # streaming updates (play, live training) per second
GIF_DIR = Path(tempfile.gettempdir()) / "aigc-playground-gifs"
GIF_MAX_AGE_S = 3600


def _digit_choices():
    return [(I18N("dif_digit_any"), "any")] + [(str(d), str(d)) for d in range(10)]


def _scheduler_name(name: str, lang: str) -> str:
    return translate(f"dif_sched_{name}", lang)


def _gif_file(x_t: np.ndarray, pred_x0: np.ndarray) -> str:
    """The trajectory GIF in a file named by its content; files older than an hour are removed."""
    data = pictures.trajectory_gif(x_t, pred_x0)
    GIF_DIR.mkdir(exist_ok=True)
    now = time.time()
    for old in GIF_DIR.glob("*.gif"):
        with contextlib.suppress(FileNotFoundError):   # another request may have removed it
            if now - old.stat().st_mtime > GIF_MAX_AGE_S:
                old.unlink()
    path = GIF_DIR / f"trajectory-{hashlib.sha1(data).hexdigest()[:16]}.gif"
    path.write_bytes(data)
    return str(path)


def _classifier_reading(final: torch.Tensor) -> str | None:
    """What the bundled digit classifier sees in 16×16 one-channel samples (None for other models)."""
    if final.shape[1:] != (1, 16, 16):
        return None
    digit, confidence = classify(final)
    return ", ".join(f"{d} ({c:.0%})" for d, c in zip(digit.tolist(), confidence.tolist()))


def _step_pictures(state: dict, step) -> tuple[np.ndarray, np.ndarray, int]:
    """x_t and x̂0 grids after ``step`` (1-based) of the session's last run."""
    if not state:
        raise InputError("dif_err_no_run")
    x_t, pred_x0 = state["x_t"], state["pred_x0"]
    step = as_int("dif_step_view", step, 1, len(x_t))
    columns = pictures.grid_columns(x_t.shape[1])
    scale = pictures.scale_for(x_t.shape[-1])
    return pictures.tile(x_t[step - 1], columns, scale), pictures.tile(pred_x0[step - 1], columns, scale), step


def _step_caption(state: dict, step: int, lang: str) -> str:
    before, after = state["timesteps"][step - 1], state["timesteps_after"][step - 1]
    return translate("dif_note_step", lang, step=step, total=len(state["x_t"]), t=f"{before:g}", after=f"{after:g}")


def _limits_for(model_id) -> core.SamplingLimits:
    """The bundled digits model's bounds, or the tighter ones of a (much larger) hub model."""
    return core.LIMITS if models.get_spec(model_id, models.DDPM).bundled else core.HUB_LIMITS


def run_reverse(model_id, scheduler, steps, images, digit, guidance, eta, seed, lang):
    """Everything the Denoise button shows, and the session state the step slider reads."""
    limits = _limits_for(model_id)
    unet, config = models.load_ddpm(model_id)
    conditional = unet.config.num_class_embeds is not None
    request = core.validated(scheduler, steps, images, digit, guidance, eta, seed, conditional=conditional,
                             limits=limits)
    start = time.perf_counter()
    final, trajectory = core.run(unet, config, request)
    seconds = time.perf_counter() - start
    calls = core.model_calls_per_step(core.class_labels(unet, request), request.effective_guidance)
    notes = [translate("dif_note_summary", lang, scheduler=_scheduler_name(request.scheduler, lang),
                       steps=request.steps, calls=request.steps * calls, seconds=seconds)]
    if not conditional:
        notes.append(translate("dif_note_unconditional", lang))
    elif request.digit is None:
        notes.append(translate("dif_note_any", lang))
    reading = _classifier_reading(final)
    if reading:
        notes.append(translate("dif_note_classifier", lang, reading=reading))
    state = {"x_t": trajectory.x_t, "pred_x0": trajectory.pred_x0, "timesteps": trajectory.timesteps,
             "timesteps_after": trajectory.timesteps_after}
    return (
        "\n\n".join(notes),
        state,
        figures.time_grid_figure(trajectory, lang),
        figures.step_curves_figure(trajectory, lang),
        _gif_file(trajectory.x_t, trajectory.pred_x0),
    )


def forward_views(source, digit, index, photo, schedule_name, t, seed, lang):
    """The forward-process tab: x0, x_t at the chosen t, the strip across t, the schedules."""
    if source not in SOURCES:
        raise InputError("dif_err_source", value=str(source)[:40], allowed=", ".join(SOURCES))
    t = as_int("dif_t", t, 0, forward.T - 1)
    seed = as_int("seed", seed, 0, L.max_seed)
    chosen = forward.schedule(schedule_name)
    if source == "photo":
        x0 = forward.photo(photo)
    elif source == "index":
        x0 = forward.digit_image(index=index)
    else:
        x0 = forward.digit_image(digit=digit)
    x_t = forward.strip(x0, schedule_name, [t], seed)[0]
    scale = pictures.scale_for(x0.shape[-1], 192)
    alpha_bar = float(chosen.alpha_bar[t])
    caption = translate("dif_fwd_caption", lang, t=t, alpha_bar=alpha_bar, signal=alpha_bar**0.5,
                        noise=(1 - alpha_bar) ** 0.5, snr=float(chosen.snr[t]))
    return (
        pictures.tile(x0.numpy()[None], 1, scale),
        pictures.tile(x_t[None], 1, scale),
        caption,
        figures.strip_figure(forward.strip(x0, schedule_name, STRIP_TIMESTEPS, seed), STRIP_TIMESTEPS, lang),
        figures.schedule_figure([forward.schedule(n) for n in forward.SCHEDULES], t, lang),
    )


def run_compare(model_id, names, step_values, images, digit, guidance, seed, lang):
    """The same x_T through 2-4 schedulers, and the DDIM-determinism check."""
    unknown = [n for n in (names or []) if n not in core.SAMPLERS]
    if unknown:
        raise InputError("dif_err_scheduler", value=str(unknown[0])[:40], allowed=", ".join(core.SAMPLERS))
    names = [n for n in core.SAMPLERS if n in (names or [])]
    if not 2 <= len(names) <= L.max_compared:
        raise InputError("dif_err_compare_count", low=2, high=L.max_compared, count=len(names))
    limits = _limits_for(model_id)
    unet, config = models.load_ddpm(model_id)
    steps = {name: as_int(f"dif_sched_{name}", value, 1, limits.max_steps)
             for name, value in zip(core.SAMPLERS, step_values)}
    base = core.validated("ddim", steps["ddim"], images, digit, guidance, 0.0, seed,
                          conditional=unet.config.num_class_embeds is not None, limits=limits)
    results = core.compare(unet, config, [(n, steps[n]) for n in names], base)
    panels = [(translate("dif_panel_title", lang, scheduler=_scheduler_name(r.scheduler, lang), steps=r.steps,
                         calls=r.model_calls, seconds=r.seconds), r.images) for r in results]
    gaps = core.determinism_gaps(unet, config, base)
    return figures.compare_figure(panels, lang), translate("dif_note_determinism", lang, **gaps)


def _plot_limit(data: np.ndarray) -> float:
    """Half-width of the 2D view: the data and the N(0, I) start (±3σ) both fit."""
    return float(max(3.2, 1.15 * np.abs(data).max()))


def particles_view(state: dict, step, show_field: bool, lang: str) -> dict:
    if not state:
        raise InputError("dif_err_no_2d")
    paths = state["paths"]
    index = as_int("dif_2d_step", step, 0, len(paths) - 1)
    timestep = state["timesteps"][index]
    field = None
    if show_field:
        # after the last step the particles are at t = 0: show the field there
        field = toy2d.score_field(toy2d.load_model(state["model"]), max(timestep, 0), state["limit"])
    return figures.particles_figure(state["data"], paths, index, timestep, field, L2.drawn_paths, state["limit"], lang)


def build_tab(blocks: gr.Blocks) -> None:
    """The lab's components and events. The forward process (no model) is drawn on page load;
    sampling and training wait for a button, so a classroom opening the page at once does not
    queue behind them."""
    gr.Markdown(I18N("dif_intro"))
    with gr.Tabs():
        with gr.Tab(I18N("dif_reverse")):
            _reverse_tab()
        with gr.Tab(I18N("dif_forward")):
            _forward_tab(blocks)
        with gr.Tab(I18N("dif_compare")):
            _compare_tab()
        with gr.Tab(I18N("dif_2d")):
            _toy_tab()
        with gr.Tab(I18N("dif_explain")):
            explanation("dif_explain_md")


def _sampling_controls():
    with gr.Row():
        model_id = model_picker(models.DDPM)
        digit = gr.Dropdown(_digit_choices(), value="3", label=I18N("dif_digit"))
        guidance = gr.Slider(0, L.max_guidance, value=L.default_guidance, step=0.1, label=I18N("dif_guidance"),
                             info=I18N("dif_guidance_info"))
    with gr.Row():
        images = gr.Slider(1, L.max_images, value=L.default_images, step=1, label=I18N("dif_images"))
        seed = gr.Number(value=0, precision=0, minimum=0, maximum=L.max_seed, label=I18N("seed"))
    return model_id, digit, guidance, images, seed


def _reverse_tab():
    model_id, digit, guidance, images, seed = _sampling_controls()
    with gr.Row():
        scheduler = gr.Dropdown([(I18N(f"dif_sched_{n}"), n) for n in core.SAMPLERS], value="ddim",
                                label=I18N("dif_scheduler"))
        steps = gr.Slider(1, L.max_steps, value=L.default_steps, step=1, label=I18N("dif_steps"))
        eta = gr.Slider(0, L.max_eta, value=0.0, step=0.05, label=I18N("dif_eta"), info=I18N("dif_eta_info"))
    run = gr.Button(I18N("dif_sample"), variant="primary")
    notes = gr.Markdown()
    state = gr.State()
    with gr.Row():
        step = gr.Slider(1, L.default_steps, value=L.default_steps, step=1, label=I18N("dif_step_view"), scale=5)
        play = gr.Button(I18N("dif_play"), scale=1)
    caption = gr.Markdown()
    with gr.Row():
        xt_image = gr.Image(label=I18N("dif_xt"), interactive=False, height=420, format="png", elem_id="dif-xt")
        x0_image = gr.Image(label=I18N("dif_x0"), interactive=False, height=420, format="png")
    time_grid = gr.Plot(show_label=False)
    curves = gr.Plot(show_label=False)
    gif = gr.File(label=I18N("dif_gif"), interactive=False)

    @user_errors
    def denoise(model_value, scheduler_value, steps_value, images_value, digit_value, guidance_value, eta_value,
                seed_value, request: gr.Request):
        """Sample digits with the chosen scheduler, recording x_t and x̂0 at every step."""
        lang = request_language(request)
        note, session, grid_fig, curves_fig, gif_path = run_reverse(
            model_value, scheduler_value, steps_value, images_value, digit_value, guidance_value, eta_value,
            seed_value, lang)
        total = len(session["x_t"])
        xt, x0, _ = _step_pictures(session, total)
        return (note, session, gr.Slider(maximum=total, value=total), xt, x0, _step_caption(session, total, lang),
                grid_fig, curves_fig, gif_path)

    @user_errors
    def show_step(session, step_value, request: gr.Request):
        """x_t and x̂0 after one step of the session's last run."""
        xt, x0, step_number = _step_pictures(session, step_value)
        return xt, x0, _step_caption(session, step_number, request_language(request))

    @user_errors
    def play_steps(session, step_value, request: gr.Request):
        """Walk the step slider from where it is (from the start when at the end) to the last step."""
        lang = request_language(request)
        _, _, current = _step_pictures(session, step_value)
        total = len(session["x_t"])
        first = 1 if current >= total else current
        for number in range(first, total + 1):
            xt, x0, _ = _step_pictures(session, number)
            yield number, xt, x0, _step_caption(session, number, lang)
            time.sleep(1 / FRAMES_PER_SECOND)

    run.click(denoise, [model_id, scheduler, steps, images, digit, guidance, eta, seed],
              [notes, state, step, xt_image, x0_image, caption, time_grid, curves, gif],
              api_name="diffusion_sample", concurrency_id="diffusion")
    step.input(show_step, [state, step], [xt_image, x0_image, caption], api_name="diffusion_step",
               trigger_mode="always_last")
    play.click(play_steps, [state, step], [step, xt_image, x0_image, caption], api_name="diffusion_play")


def _forward_tab(blocks: gr.Blocks):
    with gr.Row():
        source = gr.Radio([(I18N(f"dif_src_{s}"), s) for s in SOURCES], value="digit", label=I18N("dif_fwd_source"))
        digit = gr.Dropdown([str(d) for d in range(10)], value="3", label=I18N("dif_digit"))
        # no maximum here: it would load the data set while the app is built; the server's check
        # answers an index past the end in the user's language
        index = gr.Number(value=0, precision=0, minimum=0, label=I18N("dif_index"))
        photo = gr.Dropdown([(I18N(f"dif_photo_{p}"), p) for p in forward.PHOTOS], value="china", label=I18N("dif_photo"))
    with gr.Row():
        schedule = gr.Radio([(I18N(f"dif_schedule_{s}"), s) for s in forward.SCHEDULES], value="cosine",
                            label=I18N("dif_schedule"))
        t = gr.Slider(0, forward.T - 1, value=300, step=1, label=I18N("dif_t"), scale=2)
        seed = gr.Number(value=0, precision=0, minimum=0, maximum=L.max_seed, label=I18N("seed"))
    with gr.Row():
        with gr.Column(scale=1):
            x0_image = gr.Image(label=I18N("dif_fwd_x0"), interactive=False, height=230, format="png")
        with gr.Column(scale=1):
            xt_image = gr.Image(label=I18N("dif_fwd_xt"), interactive=False, height=230, format="png")
        with gr.Column(scale=2):
            caption = gr.Markdown()
            explanation("dif_fwd_formula_md")
    strip_plot = gr.Plot(show_label=False)
    schedule_plot = gr.Plot(show_label=False)

    @user_errors
    def show(source_value, digit_value, index_value, photo_value, schedule_value, t_value, seed_value,
             request: gr.Request):
        """x_t = √ᾱ_t x0 + √(1−ᾱ_t) ε for the chosen image, schedule and t."""
        return forward_views(source_value, digit_value, index_value, photo_value, schedule_value, t_value, seed_value,
                             request_language(request))

    inputs = [source, digit, index, photo, schedule, t, seed]
    outputs = [x0_image, xt_image, caption, strip_plot, schedule_plot]
    gr.on([c.input for c in inputs], show, inputs, outputs, api_name="diffusion_forward", trigger_mode="always_last")
    blocks.load(show, inputs, outputs, api_visibility="private")


def _compare_tab():
    model_id, digit, guidance, images, seed = _sampling_controls()
    names = gr.CheckboxGroup([(I18N(f"dif_sched_{n}"), n) for n in core.SAMPLERS], value=COMPARE_DEFAULT,
                             label=I18N("dif_cmp_schedulers"))
    with gr.Accordion(I18N("dif_cmp_steps"), open=True), gr.Row():
        step_sliders = [gr.Slider(1, L.max_steps, value=COMPARE_STEPS[n], step=1, label=I18N(f"dif_sched_{n}"),
                                  min_width=140) for n in core.SAMPLERS]
    run = gr.Button(I18N("dif_cmp_run"), variant="primary")
    plot = gr.Plot(show_label=False)
    note = gr.Markdown()

    @user_errors
    def compare(model_value, names_value, ddpm_steps, ddim_steps, dpmpp_steps, euler_steps, euler_a_steps,
                images_value, digit_value, guidance_value, seed_value, request: gr.Request):
        """The same starting noise through each chosen scheduler with its own step count."""
        step_values = [ddpm_steps, ddim_steps, dpmpp_steps, euler_steps, euler_a_steps]
        return run_compare(model_value, names_value, step_values, images_value, digit_value, guidance_value,
                           seed_value, request_language(request))

    run.click(compare, [model_id, names, *step_sliders, images, digit, guidance, seed], [plot, note],
              api_name="diffusion_compare", concurrency_id="diffusion")


def _toy_tab():
    with gr.Row():
        with gr.Column(scale=1):
            dataset = gr.Radio([(I18N(f"dif_ds_{d}"), d) for d in toy2d.DATASETS], value="swiss_roll",
                               label=I18N("dif_2d_dataset"))
            train_steps = gr.Slider(100, L2.max_train_steps, value=L2.default_train_steps, step=100,
                                    label=I18N("dif_train_steps"))
            sampler = gr.Radio([(I18N(f"dif_2d_sampler_{s}"), s) for s in toy2d.SAMPLERS_2D], value="ddim",
                               label=I18N("dif_2d_sampler"))
            seed = gr.Number(value=0, precision=0, minimum=0, maximum=L2.max_seed, label=I18N("seed"))
            train = gr.Button(I18N("dif_2d_train"), variant="primary")
        with gr.Column(scale=1):
            sketch = gr.Sketchpad(label=I18N("dif_2d_sketch"), type="numpy", image_mode="RGBA",
                                  canvas_size=(360, 360), height=330)
    note = gr.Markdown()
    loss_plot = gr.Plot(show_label=False)
    state = gr.State()
    with gr.Row():
        step = gr.Slider(0, L2.timesteps, value=L2.timesteps, step=1, label=I18N("dif_2d_step"), scale=4)
        show_field = gr.Checkbox(value=True, label=I18N("dif_2d_show_field"), scale=1)
    particles_plot = gr.Plot(show_label=False)

    @user_errors
    def train_and_sample(dataset_value, sketch_value, steps_value, sampler_value, seed_value, request: gr.Request):
        """Train the 2D noise predictor, streaming the loss curve (about 10 updates a second), then
        denoise 1,000 particles."""
        lang = request_language(request)
        seed_number = as_int("seed", seed_value, 0, L2.max_seed)
        total = as_int("dif_train_steps", steps_value, 1, L2.max_train_steps)
        ink = ink_mask(sketch_value) if dataset_value == "sketch" else None
        toy2d.check_sampler(sampler_value)
        data = toy2d.make_data(dataset_value, seed_number, sketch=ink)
        model = toy2d.new_model(seed_number)
        losses: list[float] = []
        start = time.perf_counter()
        steps = toy2d.training(model, data, total, seed_number)
        while chunk := take_for(steps, 1 / FRAMES_PER_SECOND):
            diverged = [number for number, loss in chunk if not np.isfinite(loss)]
            if diverged:
                raise InputError("dif_err_diverged", step=diverged[0] + 1)
            losses += [loss for _, loss in chunk]
            if len(losses) < total:
                yield (translate("dif_2d_note_training", lang, step=len(losses), total=total),
                       figures.loss_figure(losses, total, lang), gr.skip(), gr.skip(), gr.skip())
        seconds = time.perf_counter() - start
        with one_thread():
            particles = toy2d.denoise(model, seed_number, sampler=sampler_value)
        session = {"model": model.state_dict(), "data": data, "paths": particles.paths,
                   "timesteps": particles.timesteps, "limit": _plot_limit(data)}
        final_step = len(particles.paths) - 1
        done = translate("dif_2d_note_done", lang, steps=total, seconds=seconds, loss=float(np.mean(losses[-50:])))
        yield (done, figures.loss_figure(losses, total, lang), session, gr.Slider(maximum=final_step, value=final_step),
               particles_view(session, final_step, True, lang))

    @user_errors
    def view(session, step_value, field_value, request: gr.Request):
        """The particles, their paths and the learned score field at one denoising step."""
        return particles_view(session, step_value, bool(field_value), request_language(request))

    train.click(train_and_sample, [dataset, sketch, train_steps, sampler, seed], [note, loss_plot, state, step, particles_plot],
                api_name="diffusion_2d_train", concurrency_id="diffusion_2d")
    gr.on([step.input, show_field.input], view, [state, step, show_field], [particles_plot],
          api_name="diffusion_2d_view", trigger_mode="always_last")
