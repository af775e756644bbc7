"""The text-to-image lab through its API, on the bundled pipeline: one image recorded and its views
(steps, Play, cross-attention, guidance), the guidance sweep, prompt edits, the VAE, the judge in
batch, export, determinism, and bad input answered in the caller's language."""

import json

import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from components.settings import defaults
from demos.text2image import core, figures, pipeline, scenes

SETTINGS = defaults(core.GenerateSettings)


def settings(**change) -> list:
    """/text2image_generate's parameters: core.GenerateSettings' fields, in order."""
    values = SETTINGS | change
    return [values[f] for f in SETTINGS]


def fresh(server_url, lang=None) -> Client:
    """A client of its own (a session of its own); patient, as a loaded 2-core machine serves the
    page's config slowly."""
    headers = {"Accept-Language": lang} if lang else None
    return Client(server_url, verbose=False, headers=headers, httpx_kwargs={"timeout": 300})


def plot(value) -> dict:
    return json.loads(value["plot"])


def title(value) -> str:
    return plot(value)["layout"]["title"]["text"]


def pictures(value) -> list[str]:
    return [t["source"] for t in plot(value)["data"] if t["type"] == "image"]


@pytest.fixture(scope="module")
def generated(server_url):
    """A client whose session holds the record of the default prompt, and what Generate answered."""
    client = fresh(server_url)
    return client, client.predict(*settings(), api_name="/text2image_generate")


def expected_reading(**change) -> str:
    """What the judge reads in the image the lab's loop draws for these settings, run here."""
    record = core.denoise(pipeline.load().pipe, core.GenerateSettings(**(SETTINGS | change)))
    return figures.reading_text(record.reading, "en")


def test_generate_draws_the_prompt_and_answers_every_view(generated):
    _, (notes, step, denoise, attn_step, layer, attention, guidance_step, guidance, tokens, words, gif) = generated
    assert "DDIM, 25 steps, guidance 3: 50 UNet evaluations" in notes
    assert f"**The judge reads:** {expected_reading()} · colour" in notes
    assert step["value"] == step["maximum"] == 25 and attn_step["value"] == 0 and guidance_step["value"] == 1
    assert "Step 25 of 25" in title(denoise) and "summed over all steps" in title(attention)
    assert layer["value"] == "mean" and len(layer["choices"]) == 8           # the mean and 7 layers
    assert "ε̂ = ε_u + s (ε_c − ε_u) with s = 3" in title(guidance)
    assert plot(tokens)["layout"]["yaxis"]["ticktext"][:4] == ["0 <start> · 0", "1 a · 3", "2 large · 22", "3 red · 11"]
    assert "Word embeddings" in title(words)
    assert Image.open(gif).n_frames == 25


def test_same_seed_same_image_other_seed_other_image(server_url):
    client = fresh(server_url)
    first = client.predict(*settings(seed=5, steps=10), api_name="/text2image_generate")[2]
    again = client.predict(*settings(seed=5, steps=10), api_name="/text2image_generate")[2]
    other = client.predict(*settings(seed=6, steps=10), api_name="/text2image_generate")[2]
    assert pictures(first) == pictures(again) and pictures(first) != pictures(other)


def test_the_views_redraw_from_the_sessions_record(generated):
    client, _ = generated
    early = client.predict(2, api_name="/text2image_step")
    assert "Step 2 of 25" in title(early)
    *_, last = client.predict(23, api_name="/text2image_play")
    assert "Step 25 of 25" in title(last)
    layer = "down_blocks.0.attentions.0.transformer_blocks.0.attn2"
    attention = client.predict(3, layer, api_name="/text2image_attention")
    assert "step 3 of 25, down 8×8" in title(attention)
    assert "Step 10" in title(client.predict(10, api_name="/text2image_guidance"))
    [exported] = client.predict(api_name="/text2image_export")
    document = json.loads(open(exported, encoding="utf-8").read())
    assert document["settings"] == SETTINGS and len(document["data"]["timesteps"]) == 25
    assert np.array(document["data"]["cross_attention"][layer]).shape == (25, 8, 8, 32)


def test_guidance_sweep_edit_judge_and_vae(server_url):
    client = fresh(server_url)
    sweep = client.predict(*settings(steps=10), api_name="/text2image_sweep")
    assert [a["text"].split("<br>")[0] for a in plot(sweep)["layout"]["annotations"]] == \
        [f"s = {s:g}" for s in core.LIMITS.guidance_scales]
    figure, note = client.predict(*settings(steps=10), "a large blue circle at the top left", api_name="/text2image_edit")
    assert "**B:** a large blue circle at the top left" in note and len(pictures(figure)) == 2 * core.LIMITS.edit_columns
    figure, note = client.predict(*settings(steps=10), 8, api_name="/text2image_judge")
    assert "8 images, judged" in title(figure) and "Seeds 0 to 7" in note
    figure, note = client.predict("scene", "green", "square", "large", "bottom_right", 3, None,
                                  api_name="/text2image_vae")
    assert "reconstruction as **large green square, bottom right**" in note
    assert "fewer numbers than 32×32×3 pixels" in note


def test_a_drawing_is_encoded(server_url, tmp_path):
    client = fresh(server_url)
    drawing = np.zeros((256, 256, 4), np.uint8)
    drawing[80:176, 80:176] = (*scenes.PALETTE["orange"], 255)
    path = tmp_path / "drawing.png"
    Image.fromarray(drawing).save(path)
    editor = {"background": None, "layers": [], "composite": handle_file(str(path))}
    _, note = client.predict("image", "red", "circle", "small", "center", 0, editor, api_name="/text2image_vae")
    assert "the image as **large orange square, center**" in note and "resized to 32×32" in note


@pytest.mark.parametrize("lang, change, message", [
    ("en", {"steps": 0}, "Denoising steps must be between 1 and 200, got 0"),
    ("zh", {"steps": 10_000}, "去噪步数 必须在 1 到 200 之间，收到的是 10000"),
    ("en", {"guidance": 21}, "Guidance scale s must be between 0 and 20, got 21"),
    ("zh", {"prompt": "x" * 301}, "提示词"),
    ("en", {"scheduler": "lms"}, "Scheduler must be one of: ddim, ddpm, dpmpp, euler, euler_a"),
    ("en", {"model": "sd-xl"}, "Unknown model 'sd-xl'. Choose one of: shapes-sd."),
    ("zh", {"model": "../assets"}, "未知模型“../assets”。可选：shapes-sd。"),
])
def test_bad_input_is_explained_in_the_callers_language(server_url, lang, change, message):
    with pytest.raises(AppError, match=message):
        fresh(server_url, lang).predict(*settings(**change), api_name="/text2image_generate")


def test_notices_and_views_before_any_image(server_url):
    client = fresh(server_url, "zh-CN")
    notes = client.predict(*settings(prompt="", steps=5), api_name="/text2image_generate")[0]
    assert "**无条件**图像" in notes
    notes = client.predict(*settings(prompt="a purple unicorn " + "on the left " * 12, steps=5),
                           api_name="/text2image_generate")[0]
    assert "不在本模型词表中的词" in notes and "“unicorn”" in notes and "被截掉" in notes
    with pytest.raises(AppError, match="请先按“生成”"):
        fresh(server_url, "zh-CN").predict(3, api_name="/text2image_step")
    with pytest.raises(AppError, match="There is no generated image yet"):
        fresh(server_url).predict("generated", "red", "circle", "small", "center", 0, None, api_name="/text2image_vae")
    with pytest.raises(AppError, match="nothing was drawn or uploaded"):
        fresh(server_url).predict("image", "red", "circle", "small", "center", 0, None, api_name="/text2image_vae")
