"""Text-to-image lab tab: handlers, then layout, then wiring; the maths lives in core.py, the
pictures in figures.py, the model in pipeline.py.

API (the settings are the fields of ``core.GenerateSettings``, in order: model, prompt, scheduler,
steps, guidance, seed; the session's last record is held by the server; the guidance step view
uses the record's model):
- ``/text2image_generate`` (settings…): one image, every step recorded; answers (notes, denoising
  step slider, denoising figure, attention step slider, layer menu, attention figure, guidance step
  slider, guidance figure, tokens figure, word map, GIF file).
- ``/text2image_step`` (step): the denoising figure at one step of the last record.
- ``/text2image_play`` (step): streams the denoising figure from ``step`` to the last step.
- ``/text2image_attention`` (step, layer): the words' cross-attention maps (step 0: summed).
- ``/text2image_guidance`` (step): ε_u, ε_c, their difference and ε̂ at one step.
- ``/text2image_sweep`` (settings…): the same seed at several guidance scales.
- ``/text2image_edit`` (settings…, edited_prompt): both prompts from the same starting noise.
- ``/text2image_vae`` (source, colour, shape, size, position, scene_seed, image, model): the VAE round trip.
- ``/text2image_judge`` (settings…, count): ``count`` images, read by the judge.
- ``/text2image_export`` (): the last record's settings and numbers as JSON.
- ``/text2image_model`` (model): the scheduler, steps and guidance a model starts with.

A hub model (``AIGC_ENABLE_HUB=1``) runs through the same handlers; what only the shapes world
has (the judge, the caption words, the pixel-space UNet) gives way to a note saying so.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path

import gradio as gr
import numpy as np

from components import controls, exports, links_ui, live, live_ui, models
from components.handlers import handler
from components.i18n import InputError, translate
from components.model_picker import model_picker
from components.queueing import queue
from components.settings import check_value
from components.settings import controls as setting_controls
from components.threads import one_thread
from components.ui import I18N, explanation, export_panel
from components.validation import as_int, as_text
from demos.text2image import core, figures, judge, pipeline, scenes

G = core.GenerateSettings
FRAMES_PER_SECOND = 10                  # Play's pace through the recorded steps
GIF_DIR = Path(tempfile.gettempdir()) / "aigc-playground-gifs"
GIF_MAX_AGE_S = 3600
EDITED = setting_controls(core.EditSettings)["edited_prompt"]
COUNT = setting_controls(core.JudgeSettings)["count"]
STEPS = setting_controls(G)["steps"]

# Plotly draws a plot that was hidden at the width it had then; a sub-tab shown asks every plot to
# fit its container again.
RESIZE_JS = "() => { setTimeout(() => window.dispatchEvent(new Event('resize')), 50); }"
CSS = """
#text2image_controls textarea { font-size: 1.05rem; }
#text2image_image { max-width: 340px; }
"""


# ---------------------------------------------------------------------------------------------
# handlers: one image, recorded


def _record_of(record) -> core.Record:
    if not isinstance(record, core.Record):
        raise InputError("t2i_err_no_record")
    return record


def _gif_file(record: core.Record) -> str:
    """The denoising GIF in a file named by its content; files older than an hour are removed."""
    data = figures.gif_bytes(record)
    return exports.content_named_file(GIF_DIR, "text2image", ".gif", data, GIF_MAX_AGE_S)


def prompt_notices(prompt: core.Prompt, limit: int, lang: str) -> list[str]:
    """What the learner should know about how the prompt was read: empty, cut, unknown words."""
    notes = []
    if prompt.empty:
        notes.append(translate("t2i_note_empty", lang))
    if prompt.dropped:
        dropped = prompt.dropped if len(prompt.dropped) <= 80 else prompt.dropped[:79] + "…"
        notes.append(translate("t2i_note_truncated", lang, limit=limit, dropped=dropped))
    if prompt.unknown:
        words = ", ".join(f"“{w}”" for w in prompt.unknown[:12]) + (" …" if len(prompt.unknown) > 12 else "")
        notes.append(translate("t2i_note_unknown", lang, words=words))
    return notes


def shapes_only_note(model: pipeline.Loaded, lang: str) -> str:
    return translate("t2i_note_shapes_only", lang, model=model.model_id)


def generate_notes(record: core.Record, model: pipeline.Loaded, lang: str) -> str:
    s = record.settings
    limit = model.pipe.tokenizer.model_max_length
    summary = translate("t2i_note_summary", lang, scheduler=translate(f"t2i_sched_{s.scheduler}", lang),
                        steps=s.steps, s=f"{s.guidance:g}", calls=2 * s.steps, seconds=record.seconds)
    if record.reading is None:
        hub = translate("t2i_note_hub", lang, model=model.model_id, side=model.side)
        return "\n\n".join([summary, hub, shapes_only_note(model, lang), *prompt_notices(record.prompt, limit, lang)])
    wanted = scenes.prompt_attributes(s.prompt)
    agree = judge.agreement(record.reading, wanted)
    marks = {a: "·" if agree[a] is None else "✓" if agree[a] else "✗" for a in judge.ATTRIBUTES}
    reading = translate("t2i_note_reading", lang, reading=figures.reading_text(record.reading, lang), **marks)
    return "\n\n".join([summary, reading, *prompt_notices(record.prompt, limit, lang)])


def _layer_menu(record: core.Record, lang: str) -> gr.Dropdown:
    choices = [(translate("t2i_layer_mean", lang), "mean")]
    choices += [(core.layer_label(name, maps.shape[1]), name) for name, maps in record.attention.items()]
    return gr.Dropdown(choices=choices, value="mean")


def _text_views(model: pipeline.Loaded, prompt: core.Prompt, lang: str) -> tuple:
    embeddings = core.text_embeddings(model.pipe, [prompt])[0, :prompt.length].numpy()   # (T, d)
    words = (figures.word_map_figure(model.words, prompt, lang) if model.words is not None
             else figures.note_figure(shapes_only_note(model, lang)))
    return figures.tokens_figure(prompt, embeddings, lang), words


@handler(G)
def generate(settings, lang: str):
    """One image for the settings, every step recorded; the record becomes the session's state,
    which the step sliders, the layer menu and Play read."""
    core.check_steps(settings.scheduler, settings.steps)
    model = pipeline.load(settings.model)
    # heavy work queues with the live runs for a turn, which is one core
    with live.CPU.turn(), one_thread():
        record = core.denoise(model.pipe, settings, judged=model.shapes_world)
        steps = record.steps
        parts = core.guidance_parts(model.pipe, record, 1)
        return (generate_notes(record, model, lang), record,
                gr.Slider(maximum=steps, value=steps), figures.denoise_figure(record, steps, lang),
                gr.Slider(maximum=steps, value=0), _layer_menu(record, lang),
                figures.attention_figure(record, 0, "mean", lang),
                gr.Slider(maximum=steps, value=1), figures.guidance_figure(parts, lang),
                *_text_views(model, record.prompt, lang), _gif_file(record))


@handler()
def show_step(record, step, lang: str):
    """The denoising figure at one step of the session's last record."""
    record = _record_of(record)
    return figures.denoise_figure(record, record.step_number(step), lang)


@handler()
def play(record, step, lang: str):
    """Walk the step slider from where it is (from the start when at the end) to the last step."""
    record = _record_of(record)
    current = record.step_number(step)
    for number in range(1 if current >= record.steps else current, record.steps + 1):
        yield number, figures.denoise_figure(record, number, lang)
        time.sleep(1 / FRAMES_PER_SECOND)


@handler()
def attention_view(record, step, layer, lang: str):
    """Each word's cross-attention map: at one step (0: summed over steps), one layer or all."""
    record = _record_of(record)
    number = as_int("t2i_attn_step_view", step, 0, record.steps)
    return figures.attention_figure(record, number, as_text("t2i_layer", layer, 200), lang)


@handler()
def guidance_view(record, step, lang: str):
    """ε_u, ε_c, ε_c − ε_u and ε̂ at one step, and the x̂0 each implies."""
    record = _record_of(record)
    number = record.step_number(step)
    model = pipeline.load(record.settings.model)
    with one_thread():   # three decodes (32×32 on the bundled model)
        return figures.guidance_figure(core.guidance_parts(model.pipe, record, number), lang)


# ---------------------------------------------------------------------------------------------
# handlers: guidance scales, prompt edits, the judge in batch


# Each button's view below is drawn from what its work computed (``kept``), so a change of language
# draws it again from there (``redraw``); the page's events (``*_kept``) also keep it in a state.


def _sweep_kept(settings: core.GenerateSettings) -> tuple:
    core.check_steps(settings.scheduler, settings.steps)
    model = pipeline.load(settings.model)
    with live.CPU.turn(), one_thread():
        return core.guidance_sweep(model.pipe, settings), settings.prompt, model.shapes_world


def _sweep_view(kept: tuple, lang: str):
    results, prompt, judged = kept
    return figures.sweep_figure(results, prompt, lang, judged=judged)


@handler(G)
def sweep(settings, lang: str):
    """The same prompt and seed at several guidance scales, side by side."""
    return _sweep_view(_sweep_kept(settings), lang)


@handler(G)
def sweep_kept(settings, lang: str):
    """``sweep`` for the page, which also keeps what it drew."""
    kept = _sweep_kept(settings)
    return _sweep_view(kept, lang), kept


def _edit_kept(settings: core.GenerateSettings, edited_prompt) -> tuple:
    core.check_steps(settings.scheduler, settings.steps)
    edited = check_value(EDITED, edited_prompt)
    model = pipeline.load(settings.model)
    with live.CPU.turn(), one_thread():
        first = core.denoise(model.pipe, settings, judged=model.shapes_world)
        second = core.denoise(model.pipe, dataclasses.replace(settings, prompt=edited), judged=model.shapes_world)
    return (settings.prompt, edited, first, second, float(np.abs(first.image - second.image).max()),
            model.pipe.tokenizer.model_max_length, model.shapes_world)


def _edit_views(kept: tuple, lang: str) -> tuple:
    prompt, edited, first, second, difference, limit, shapes_world = kept
    notices = prompt_notices(second.prompt, limit, lang)
    if not shapes_world:
        note = translate("t2i_note_edit_plain", lang, a=prompt or "∅", b=edited or "∅", diff=difference)
        return figures.edit_figure(first, second, lang), "\n\n".join([note, *notices])
    note = translate("t2i_note_edit", lang, a=prompt or "∅", b=edited or "∅",
                     reading_a=figures.reading_text(first.reading, lang),
                     reading_b=figures.reading_text(second.reading, lang),
                     marks_a=figures.marks(first.reading, scenes.prompt_attributes(prompt)),
                     marks_b=figures.marks(second.reading, scenes.prompt_attributes(edited)), diff=difference)
    return figures.edit_figure(first, second, lang), "\n\n".join([note, *notices])


@handler(G)
def edit(settings, edited_prompt, lang: str):
    """The prompt and the edited prompt denoised from the same starting noise."""
    return _edit_views(_edit_kept(settings, edited_prompt), lang)


@handler(G)
def edit_kept(settings, edited_prompt, lang: str):
    """``edit`` for the page, which also keeps what it drew."""
    kept = _edit_kept(settings, edited_prompt)
    return *_edit_views(kept, lang), kept


def _wanted_text(wanted: dict, lang: str) -> str:
    parts = [translate(f"t2i_{a}_{v}", lang) for a, v in
             (("size", wanted["size"]), ("colour", wanted["colour"]), ("shape", wanted["shape"]),
              ("position", wanted["position"])) if v is not None]
    return ", ".join(parts)


def _judge_kept(settings: core.GenerateSettings, count) -> tuple:
    """(model, batch, seconds); no batch for a model outside the shapes world."""
    core.check_steps(settings.scheduler, settings.steps)
    n = check_value(COUNT, count)
    model = pipeline.load(settings.model)
    if not model.shapes_world:
        return model, None, 0.0
    with live.CPU.turn(), one_thread():
        start = time.perf_counter()
        batch = core.judge_batch(model.pipe, settings, n)
        return model, batch, time.perf_counter() - start


def _judge_views(kept: tuple, lang: str) -> tuple:
    model, batch, seconds = kept
    if batch is None:
        return figures.note_figure(shapes_only_note(model, lang)), shapes_only_note(model, lang)
    wanted = _wanted_text(batch.wanted, lang)
    note = (translate("t2i_note_judge", lang, wanted=wanted, first=batch.seeds[0], last=batch.seeds[-1],
                      seconds=seconds) if wanted else translate("t2i_note_nothing_asked", lang))
    return figures.judge_figure(batch, lang), note


@handler(G)
def judge_images(settings, count, lang: str):
    """``count`` images for the prompt (seeds seed, seed + 1, …), read by the judge."""
    return _judge_views(_judge_kept(settings, count), lang)


@handler(G)
def judge_images_kept(settings, count, lang: str):
    """``judge_images`` for the page, which also keeps what it drew (the model left out)."""
    model, batch, seconds = _judge_kept(settings, count)
    return *_judge_views((model, batch, seconds), lang), (_Named(model.model_id), batch, seconds)


# ---------------------------------------------------------------------------------------------
# handlers: the VAE, export


@dataclasses.dataclass(frozen=True)
class _Named:
    """A model by its id, as ``shapes_only_note`` reads it (a state keeps no pipeline)."""
    model_id: str


def _editor_image(value):
    """The composite of an image editor's value (drawn strokes over an uploaded background)."""
    if isinstance(value, dict):
        return value.get("composite")
    return value


def _vae_kept(settings: core.VaeSettings, image, record, model: str) -> tuple:
    """(trip, cost, resized, size, shapes_world, the model by id) of the VAE round trip."""
    model = pipeline.load(as_text("model", model, 200))
    size = model.side
    resized = None
    if settings.source == "scene":
        pixels = core.scene_image(settings)
    elif settings.source == "generated":
        if not isinstance(record, core.Record):
            raise InputError("t2i_err_no_generated")
        pixels = record.image
    else:
        pixels, resized = core.prepare_image(_editor_image(image), size)
    if pixels.shape[0] != size:   # a scene, or an image another model drew, at another size
        pixels, resized = core.prepare_image(core.to_uint8(pixels), size)
    with live.CPU.turn(), one_thread():
        trip = core.vae_round_trip(model.pipe, pixels, resized, judged=model.shapes_world)
        # a hub model's UNet call takes seconds: timed once
        cost = core.step_cost(model.pipe, model.pixel_unet, runs=core.LIMITS.cost_runs if model.shapes_world else 1)
    return trip, cost, resized, size, model.shapes_world, _Named(model.model_id)


def _vae_views(kept: tuple, lang: str) -> tuple:
    trip, cost, resized, size, shapes_world, model = kept
    if shapes_world:
        notes = [translate("t2i_note_vae", lang, psnr=trip.psnr_db,
                           original=figures.reading_text(trip.original_reading, lang),
                           reconstruction=figures.reading_text(trip.reconstruction_reading, lang))]
    else:
        notes = [translate("t2i_note_vae_plain", lang, psnr=trip.psnr_db), shapes_only_note(model, lang)]
    if resized:
        notes.append(translate("t2i_note_resized", lang, height=resized[0], width=resized[1], size=size))
    latent, pixels_shape = cost.latent_shape, cost.pixel_shape
    shapes = dict(latent="×".join(map(str, latent[1:] + latent[:1])),
                  pixels="×".join(map(str, pixels_shape[1:] + pixels_shape[:1])),
                  ratio=np.prod(pixels_shape) / np.prod(latent), latent_ms=cost.latent_s * 1000)
    if cost.pixel_s is None:
        positions = pixels_shape[1] * pixels_shape[2]
        notes.append(translate("t2i_note_cost_latent", lang, positions=positions, gigabytes=positions**2 * 4 / 1e9,
                               **shapes))
    else:
        notes.append(translate("t2i_note_cost", lang, pixel_ms=cost.pixel_s * 1000,
                               speedup=cost.pixel_s / cost.latent_s, **shapes))
    return figures.vae_figure(trip, lang), "\n\n".join(notes)


@handler(core.VaeSettings)
def vae(settings, image, record, lang: str, model: str = pipeline.MODEL_ID):
    """The chosen image encoded to the latent by ``model``'s VAE and decoded back, with the judge's
    readings (the shapes world) and the cost of a denoising step in latent space against pixels."""
    return _vae_views(_vae_kept(settings, image, record, model), lang)


@handler(core.VaeSettings)
def vae_kept(settings, image, record, lang: str, model: str = pipeline.MODEL_ID):
    """``vae`` for the page, which also keeps what it drew."""
    kept = _vae_kept(settings, image, record, model)
    return *_vae_views(kept, lang), kept


@handler()
def redraw(notes, record, step, attention_step, layer, guidance_step, swept, edited, encoded, judged,
           lang: str) -> tuple:
    """What the lab drew, again in the page's language (a change of language, components.links_ui),
    each part only once drawn: from the last record (notes, denoising, attention and its layer menu,
    guidance at the steps shown — three decodes of the record's latents —, tokens and word map)
    and from what each button kept (guidance sweep, prompt edit, VAE round trip, judge). No image
    is denoised again."""
    skip = gr.skip()
    drawn = (skip,) * 7
    if notes and isinstance(record, core.Record):
        model = pipeline.load(record.settings.model)   # cached
        menu = _layer_menu(record, lang)
        chosen = layer if layer in [value for _, value in menu.choices] else "mean"
        drawn = (generate_notes(record, model, lang), figures.denoise_figure(record, record.step_number(step), lang),
                 gr.Dropdown(choices=menu.choices, value=chosen),
                 figures.attention_figure(record, as_int("t2i_attn_step_view", attention_step, 0, record.steps),
                                          chosen, lang),
                 guidance_view.__wrapped__(record, guidance_step, lang), *_text_views(model, record.prompt, lang))
    return (*drawn, _sweep_view(swept, lang) if swept else skip, *(_edit_views(edited, lang) if edited else (skip, skip)),
            *(_vae_views(encoded, lang) if encoded else (skip, skip)),
            *(_judge_views(judged, lang) if judged else (skip, skip)))


@handler()
def export(record, lang: str):
    """The last record's settings and the numbers behind its views, as JSON."""
    if not isinstance(record, core.Record):
        raise InputError("export_nothing")
    p = record.prompt
    data = {"tokens": p.tokens, "ids": p.ids[:p.length], "labels": p.labels, "truncated_text": p.dropped,
            "unknown_words": p.unknown, "timesteps": record.timesteps, "seconds": record.seconds,
            "judge_reading": None if record.reading is None else record.reading.as_dict(), "image": record.image.round(4),
            "latents": record.latents.round(4), "pred_x0_latents": record.pred_latents.round(4),
            "eps_uncond": record.eps_uncond.round(4), "eps_cond": record.eps_cond.round(4),
            "cross_attention": {name: maps.round(4) for name, maps in record.attention.items()},
            "cross_attention_layout": "steps × rows × columns × tokens"}
    return [exports.result_json("text2image", record.settings, data)]


# ---------------------------------------------------------------------------------------------
# layout


@handler()
def model_start(model):
    """The scheduler, steps and guidance a model starts with; a hub model's steps slider ends at
    its bound."""
    spec = models.get_spec(as_text("model", model, 200), models.TEXT_TO_IMAGE)
    start = core.suggested(spec.model_id)
    high = STEPS.high if spec.bundled else core.LIMITS.hub_max_steps
    return start["scheduler"], gr.Slider(maximum=high, value=start["steps"]), start["guidance"]


def _controls() -> dict:
    c = {"model": model_picker(models.TEXT_TO_IMAGE)}
    if models.hub_enabled():
        c["hub_note"] = gr.Markdown(I18N("t2i_hub_md"), elem_id="text2image_hub_note")
    c |= controls.build(G, "text2image", ["prompt"], prompt={"lines": 2})
    c["run"] = gr.Button(I18N("t2i_generate"), variant="primary", elem_id="text2image_generate")
    c |= controls.build(G, "text2image", ["scheduler", "steps", "guidance", "seed"])
    c["notes"] = gr.Markdown(elem_id="text2image_notes")
    with gr.Row():
        c["copy_link"] = links_ui.copy_link("text2image")
        c["export"], c["export_files"] = export_panel("text2image")
    return c


def _denoise_view() -> dict:
    c = {"figure": gr.Plot(show_label=False, elem_id="text2image_denoise")}
    with gr.Row(equal_height=True):
        default = G.steps
        c["step"] = gr.Slider(1, default, value=default, step=1, label=I18N("t2i_step_view"), scale=5,
                              elem_id="text2image_step")
        c["play"] = gr.Button(I18N("t2i_play"), scale=1, min_width=80, elem_id="text2image_play")
    explanation("t2i_denoise_md")
    c["gif"] = gr.File(label=I18N("t2i_gif"), interactive=False, height=60)
    return c


def _attention_view() -> dict:
    c = {"figure": gr.Plot(show_label=False, elem_id="text2image_attention")}
    with gr.Row(equal_height=True):
        # a slider's header holds its label beside a number box: under ~200 px the label broke a
        # character a line (a phone, Chinese); the row wraps instead
        c["step"] = gr.Slider(0, G.steps, value=0, step=1, label=I18N("t2i_attn_step_view"), scale=3,
                              min_width=200, elem_id="text2image_attn_step")
        c["layer"] = gr.Dropdown([(I18N("t2i_layer_mean"), "mean")], value="mean", label=I18N("t2i_layer"),
                                 scale=2, min_width=160, elem_id="text2image_layer")
    explanation("t2i_attention_md")
    return c


def _guidance_view() -> dict:
    c = {"figure": gr.Plot(show_label=False, elem_id="text2image_guidance_figure")}
    c["step"] = gr.Slider(1, G.steps, value=1, step=1, label=I18N("t2i_guidance_step"), elem_id="text2image_guidance_step")
    explanation("t2i_guidance_md")
    c["sweep"] = gr.Button(I18N("t2i_sweep"), elem_id="text2image_sweep")
    c["sweep_figure"] = gr.Plot(show_label=False, elem_id="text2image_sweep_figure")
    return c


def _edit_view() -> dict:
    c = {}
    with gr.Row(equal_height=True):
        c |= controls.build(core.EditSettings, "text2image", edited_prompt={"scale": 4, "lines": 1})
        c["run"] = gr.Button(I18N("t2i_edit"), scale=1, min_width=100, elem_id="text2image_edit")
    c["figure"] = gr.Plot(show_label=False, elem_id="text2image_edit_figure")
    c["notes"] = gr.Markdown(elem_id="text2image_edit_notes")
    explanation("t2i_edit_md")
    return c


def _text_view() -> dict:
    c = {"tokens": gr.Plot(show_label=False, elem_id="text2image_tokens")}
    explanation("t2i_text_md")
    c["words"] = gr.Plot(show_label=False, elem_id="text2image_words")
    return c


def _vae_view() -> dict:
    c = {}
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            c |= controls.build(core.VaeSettings, "text2image_vae", ["source"])
            with gr.Row():
                c |= controls.build(core.VaeSettings, "text2image_vae", ["colour", "shape", "size", "position"],
                                    **{n: {"min_width": 110} for n in ("colour", "shape", "size", "position")})
            c |= controls.build(core.VaeSettings, "text2image_vae", ["scene_seed"])
            c["run"] = gr.Button(I18N("t2i_encode"), variant="primary", elem_id="text2image_vae_run")
        with gr.Column(scale=2, min_width=280):
            c["figure"] = gr.Plot(show_label=False, elem_id="text2image_vae")
            c["notes"] = gr.Markdown(elem_id="text2image_vae_notes")
    c["image"] = gr.ImageEditor(type="numpy", image_mode="RGBA", label=I18N("t2i_image"), canvas_size=(256, 256),
                                height=340, sources=("upload", "clipboard"), layers=False, transforms=(),
                                brush=gr.Brush(default_size=28, colors=[f"#{r:02x}{g:02x}{b:02x}" for r, g, b in
                                                                       scenes.PALETTE.values()],
                                               color_mode="fixed"), elem_id="text2image_image")
    explanation("t2i_vae_md")
    return c


def _judge_view() -> dict:
    c = {}
    with gr.Row(equal_height=True):
        # a narrower slider broke its label a character a line (a phone, Chinese)
        c |= controls.build(core.JudgeSettings, "text2image", count={"scale": 3, "min_width": 200})
        c["run"] = gr.Button(I18N("t2i_judge"), scale=1, min_width=120, elem_id="text2image_judge")
    c["figure"] = gr.Plot(show_label=False, elem_id="text2image_judge_figure")
    c["notes"] = gr.Markdown(elem_id="text2image_judge_notes")
    explanation("t2i_judge_md")
    return c


def layout() -> dict:
    """The lab's components by name (each view's under "views"). Nothing runs on page load:
    a classroom opening the page at once does not queue behind the model."""
    gr.Markdown(I18N("t2i_intro"))
    c: dict = {"record": gr.State(time_to_live=live_ui.SESSION_TTL_S), "tabs": [], "views": {},
               # what each button's view was drawn from, for a change of language (``redraw``)
               "kept": {k: gr.State(time_to_live=live_ui.SESSION_TTL_S) for k in ("sweep", "edit", "vae", "judge")}}
    with gr.Row():
        with gr.Column(scale=1, min_width=280, elem_id="text2image_controls"):
            c |= _controls()
        with gr.Column(scale=3, min_width=300):
            with gr.Tabs():
                for key, build in (("denoise", _denoise_view), ("attention", _attention_view),
                                   ("guidance", _guidance_view), ("edit", _edit_view), ("text", _text_view),
                                   ("vae", _vae_view), ("judge", _judge_view)):
                    with gr.Tab(I18N(f"t2i_view_{key}"), elem_id=f"text2image_view_{key}") as tab:
                        c["views"][key] = build()
                    c["tabs"].append(tab)
                with gr.Tab(I18N("t2i_view_explain")):
                    explanation("t2i_explain_md")
    return c


# ---------------------------------------------------------------------------------------------
# wiring


def build_tab(blocks: gr.Blocks) -> links_ui.Linkable:
    c = layout()
    settings, record = controls.inputs(G, c), c["record"]
    d, a, g, e, t, v, j = (c["views"][k] for k in ("denoise", "attention", "guidance", "edit", "text", "vae", "judge"))
    c["run"].click(generate, settings, [c["notes"], record, d["step"], d["figure"], a["step"], a["layer"], a["figure"],
                                        g["step"], g["figure"], t["tokens"], t["words"], d["gif"]],
                   api_name="text2image_generate", **queue("heavy"))
    d["step"].input(show_step, [record, d["step"]], [d["figure"]], api_name="text2image_step",
                    trigger_mode="always_last", **queue("control"))
    d["play"].click(play, [record, d["step"]], [d["step"], d["figure"]], api_name="text2image_play", **queue("control"))
    gr.on([a["step"].input, a["layer"].input], attention_view, [record, a["step"], a["layer"]], [a["figure"]],
          api_name="text2image_attention", trigger_mode="always_last", **queue("control"))
    g["step"].input(guidance_view, [record, g["step"]], [g["figure"]], api_name="text2image_guidance",
                    trigger_mode="always_last", **queue("control"))
    # the buttons' events keep what they drew (``*_kept``), for a change of language
    g["sweep"].click(sweep_kept, settings, [g["sweep_figure"], c["kept"]["sweep"]], api_name="text2image_sweep",
                     **queue("heavy"))
    e["run"].click(edit_kept, [*settings, e["edited_prompt"]], [e["figure"], e["notes"], c["kept"]["edit"]],
                   api_name="text2image_edit", **queue("heavy"))
    v["run"].click(vae_kept, [*controls.inputs(core.VaeSettings, v), v["image"], record, c["model"]],
                   [v["figure"], v["notes"], c["kept"]["vae"]], api_name="text2image_vae", **queue("heavy"))
    c["model"].input(model_start, [c["model"]], [c["scheduler"], c["steps"], c["guidance"]], api_name="text2image_model",
                     **queue("control"))
    j["run"].click(judge_images_kept, [*settings, j["count"]], [j["figure"], j["notes"], c["kept"]["judge"]],
                   api_name="text2image_judge", **queue("heavy"))
    c["export"].click(export, [record], [c["export_files"]], api_name="text2image_export", **queue("step"))
    for tab in c["tabs"]:
        tab.select(None, None, None, js=RESIZE_JS)
    again = links_ui.Redraw(redraw, [c["notes"], record, d["step"], a["step"], a["layer"], g["step"],
                                     *(c["kept"][k] for k in ("sweep", "edit", "vae", "judge"))],
                            [c["notes"], d["figure"], a["layer"], a["figure"], g["figure"], t["tokens"], t["words"],
                             g["sweep_figure"], e["figure"], e["notes"], v["figure"], v["notes"], j["figure"],
                             j["notes"]])
    return links_ui.Linkable((G,), c, c["run"], c["copy_link"], (again,))
