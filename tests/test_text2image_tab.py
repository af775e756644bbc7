"""The text-to-image lab's handlers, imported and called without a server on a tiny untrained
pipeline of the bundled architecture: what each answers, the notices about how a prompt was read,
and the messages, in English and Chinese, for input that cannot be used."""

import json
import math

import gradio as gr
import numpy as np
import pytest
import torch
from PIL import Image

from components.i18n import InputError, translate
from components.seeding import global_rng_seeded
from components.settings import defaults, parse
from components.threads import one_thread
from demos.text2image import core, pipeline, tab
from training.train_shapes_sd import (QUICK, build_text_encoder, build_tokenizer, build_unet, build_vae,
                                      make_pipeline)

SETTINGS = defaults(core.GenerateSettings)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    out = tmp_path_factory.mktemp("t2i-quick")
    torch.set_num_threads(1)
    tokenizer = build_tokenizer(QUICK.max_length)
    with global_rng_seeded(0):
        make_pipeline(build_vae(QUICK), build_text_encoder(QUICK, len(tokenizer)), tokenizer, build_unet(QUICK),
                      QUICK).save_pretrained(out, safe_serialization=True)
    return pipeline.from_folder(out)


@pytest.fixture(autouse=True)
def quick_model(model, monkeypatch):
    monkeypatch.setattr(pipeline, "load", lambda model_id=pipeline.MODEL_ID: model)


def settings(**change) -> core.GenerateSettings:
    return core.GenerateSettings(**(SETTINGS | {"steps": 4} | change))


def messages(call) -> dict[str, str]:
    """The InputError ``call`` raises, in English and Chinese."""
    with pytest.raises(InputError) as caught:
        call()
    return {lang: translate(caught.value.key, lang, **caught.value.values) for lang in ("en", "zh")}


def title(figure) -> str:
    return figure["layout"]["title"]["text"]


def test_generate_answers_every_view_of_one_record():
    (notes, record, step, denoise, attn_step, layer, attention, guidance_step, guidance, tokens, words,
     gif) = tab.generate.__wrapped__(settings(prompt="a big red circle on the left"), "en")
    assert isinstance(record, core.Record) and record.steps == 4
    assert "DDIM, 4 steps, guidance 3: 8 UNet evaluations" in notes and "The judge reads:" in notes
    assert step.maximum == step.value == 4 and attn_step.value == 0 and guidance_step.value == 1
    assert "Step 4 of 4" in title(denoise) and "summed over all steps" in title(attention)
    assert [v for _, v in layer.choices] == ["mean", *record.attention]
    assert len([t for t in attention["data"] if t["type"] == "heatmap"]) == record.prompt.length
    assert "Step 1 (t = " in title(guidance) and "s = 3" in title(guidance)
    assert tokens["layout"]["yaxis"]["ticktext"][3] == "3 red · " + str(record.prompt.ids[3])
    assert {"red", "红色"} <= {w for t in words["data"] for w in t["hovertext"]}
    frames = Image.open(gif)
    assert frames.n_frames == 4 and frames.size[0] > 192
    # the record's image is the loop's own, run again (on one thread, as the handler runs it: two
    # threads may round differently)
    with one_thread():
        again = core.denoise(pipeline.load().pipe, record.settings, record=False)
    np.testing.assert_array_equal(record.image, again)


def test_views_redraw_from_the_record_and_check_their_step():
    record = tab.generate.__wrapped__(settings(), "zh")[1]
    assert "第 2 步，共 4 步" in title(tab.show_step.__wrapped__(record, 2, "zh"))
    frames = list(tab.play.__wrapped__(record, 3, "en"))
    assert [n for n, _ in frames] == [3, 4]
    assert [n for n, _ in tab.play.__wrapped__(record, 4, "en")] == [1, 2, 3, 4]      # from the end: again from 1
    layer = list(record.attention)[0]
    assert "step 2 of 4, down 8×8" in title(tab.attention_view.__wrapped__(record, 2, layer, "en"))
    assert "第 3 步" in title(tab.guidance_view.__wrapped__(record, 3, "zh"))
    for bad in (0, 5, 2.5, float("nan")):
        text = messages(lambda: tab.show_step.__wrapped__(record, bad, "en"))
        assert text["en"].startswith("Step must be") and text["zh"].startswith("步 必须")
    text = messages(lambda: tab.attention_view.__wrapped__(record, 1, "up_blocks.7", "en"))
    assert "Cross-attention layer must be one of: mean, down_blocks" in text["en"] and "交叉注意力层" in text["zh"]
    for handler, args in ((tab.show_step, (3,)), (tab.play, (3,)), (tab.guidance_view, (1,)),
                          (tab.attention_view, (0, "mean")), (tab.export, ())):
        text = messages(lambda: list(handler.__wrapped__(None, *args, "en")) if handler is tab.play
                        else handler.__wrapped__(None, *args, "en"))
        assert "Generate" in text["en"] or "run the lab first" in text["en"]


@pytest.mark.parametrize("prompt, english, chinese", [
    ("", "the **unconditional** image", "**无条件**图像"),
    ("a red circle " + "on the left " * 12 + "at the very end", "**cut off and not used:** “on the left",
     "**被截掉、没有使用的部分：**“on the left"),
    ("a magenta star 粉色", "Not in this model's vocabulary (read as `<|unk|>`, the image ignores them): “magenta”, "
     "“star”, “粉”, “色”.", "不在本模型词表中的词"),
])
def test_notices_say_how_the_prompt_was_read(prompt, english, chinese):
    assert english in tab.generate.__wrapped__(settings(prompt=prompt), "en")[0]
    assert chinese in tab.generate.__wrapped__(settings(prompt=prompt), "zh")[0]


@pytest.mark.parametrize("change, english, chinese", [
    ({"guidance": math.nan}, "Guidance scale s must be a number, got nan.", "引导强度 s"),
    ({"guidance": "inf"}, "Guidance scale s must be a number", "引导强度 s"),
    ({"guidance": 25}, "Guidance scale s must be between 0 and 20, got 25.", "引导强度 s"),
    ({"steps": 0}, "Denoising steps must be between 1 and 200, got 0.", "去噪步数"),
    ({"steps": 10_000}, "Denoising steps must be between 1 and 200, got 10000.", "去噪步数"),
    ({"prompt": "x" * 301}, "Prompt is too long: 301 characters, at most 300 are accepted.", "提示词"),
    ({"prompt": None}, "Prompt must be text", "提示词"),
    ({"scheduler": "lms"}, "Scheduler must be one of: ddim, ddpm, dpmpp, euler, euler_a", "调度器"),
    ({"seed": -1}, "Seed must be between 0 and", "随机种子"),
])
def test_bad_settings_are_refused_naming_the_control(change, english, chinese):
    text = messages(lambda: parse(core.GenerateSettings, SETTINGS | change))
    assert english in text["en"] and chinese in text["zh"]


def test_the_decorated_handler_answers_with_a_gr_error():
    with pytest.raises(gr.Error, match="Denoising steps must be between 1 and 200, got 10000"):
        tab.generate(**(SETTINGS | {"steps": 10_000}))
    with pytest.raises(gr.Error, match="Denoising steps must be between 2 and 200, got 1"):
        tab.generate(**(SETTINGS | {"scheduler": "dpmpp", "steps": 1}))


def test_guidance_sweep_edit_and_judge():
    sweep = tab.sweep.__wrapped__(settings(), "en")
    assert [a["text"].split("<br>")[0] for a in sweep["layout"]["annotations"]] == \
        [f"s = {s:g}" for s in core.LIMITS.guidance_scales]
    figure, note = tab.edit.__wrapped__(settings(prompt="a red circle"), "a blue circle", "en")
    assert "**A:** a red circle" in note and "**B:** a blue circle" in note and "The same z_T" in note
    assert len([t for t in figure["data"] if t["type"] == "image"]) == 2 * 4      # x̂0 of both at each of the 4 steps
    figure, note = tab.judge_images.__wrapped__(settings(prompt="a small green square at the top"), 3, "en")
    assert "Prompt read as: small, green, square, top. Seeds 0 to 2" in note
    assert "3 images, judged" in title(figure)
    _, note = tab.judge_images.__wrapped__(settings(prompt="hello"), 2, "zh")
    assert "没有提到" in note
    text = messages(lambda: tab.judge_images.__wrapped__(settings(), 65, "en"))
    assert "Images to judge must be between 1 and 64, got 65." == text["en"] and "要评判的图像数" in text["zh"]
    text = messages(lambda: tab.edit.__wrapped__(settings(), "y" * 301, "en"))
    assert "Edited prompt (change one word) is too long" in text["en"]


def test_the_vae_view_encodes_scenes_generated_and_drawn_images():
    vae = core.VaeSettings(colour="blue", shape="square", size="large", position="left")
    figure, note = tab.vae.__wrapped__(vae, None, None, "en")
    assert "PSNR" in title(figure) and "the image as **large blue square, left**" in note
    assert "A 8×8×4 latent holds 12× fewer numbers than 32×32×3 pixels" in note
    record = tab.generate.__wrapped__(settings(), "en")[1]
    _, note = tab.vae.__wrapped__(core.VaeSettings(source="generated"), None, record, "en")
    assert "PSNR" in note
    drawn = np.zeros((256, 256, 4), np.uint8)
    drawn[10:100, 150:240] = (220, 30, 30, 255)
    _, note = tab.vae.__wrapped__(core.VaeSettings(source="image"), {"composite": drawn}, None, "zh")
    assert "图像原为 256×256 像素，已缩放到 32×32" in note and "红色" in note


@pytest.mark.parametrize("source, image, english, chinese", [
    ("generated", None, "There is no generated image yet", "还没有生成的图像"),
    ("image", None, "Image to encode: nothing was drawn or uploaded", "要编码的图像：什么也没有画"),
    ("image", {"composite": np.zeros((256, 256, 4), np.uint8)}, "nothing was drawn or uploaded", "什么也没有画"),
    ("image", {"composite": np.zeros((3000, 20, 3), np.uint8)}, "Image to encode: 3000×20 pixels; each side must be "
     "between 8 and 1024 pixels.", "每条边必须在 8 到 1024 像素之间"),
    ("image", {"composite": np.zeros((0, 0, 3), np.uint8)}, "an RGB or RGBA image is needed", "RGB 或 RGBA"),
])
def test_images_the_vae_cannot_encode_are_explained(source, image, english, chinese):
    text = messages(lambda: tab.vae.__wrapped__(core.VaeSettings(source=source), image, None, "en"))
    assert english in text["en"] and chinese in text["zh"]


def test_export_holds_the_settings_and_the_numbers_behind_the_views():
    record = tab.generate.__wrapped__(settings(prompt="a small yellow circle"), "en")[1]
    [path] = tab.export.__wrapped__(record, "en")
    document = json.loads(open(path, encoding="utf-8").read())
    assert document["lab"] == "text2image" and document["settings"]["prompt"] == "a small yellow circle"
    data = document["data"]
    assert data["tokens"][3] == "yellow" and len(data["timesteps"]) == 4
    assert np.array(data["latents"]).shape == (5, 4, 8, 8)
    name = next(iter(record.attention))
    np.testing.assert_allclose(np.array(data["cross_attention"][name]), record.attention[name], atol=1e-4)


def test_a_change_of_language_redraws_every_view_drawn_without_denoising_again(monkeypatch):
    """Issue 15: the record's views and each button's view, drawn in English, come again in Chinese
    from the record and what each button kept; no image is denoised, judged or encoded again."""
    import re

    prompt = "a big red circle on the left"
    notes, record, *_ = tab.generate.__wrapped__(settings(prompt=prompt), "en")
    _, swept = tab.sweep_kept.__wrapped__(settings(), "en")
    *_, edited = tab.edit_kept.__wrapped__(settings(prompt="a red circle"), "a blue circle", "en")
    *_, encoded = tab.vae_kept.__wrapped__(core.VaeSettings(colour="blue", shape="square"), None, None, "en")
    *_, judged = tab.judge_images_kept.__wrapped__(settings(prompt="a small green square at the top"), 2, "en")

    def refuse(*_args, **_kwargs):
        raise AssertionError("computed again")

    for name in ("denoise", "guidance_sweep", "judge_batch", "vae_round_trip", "step_cost"):
        monkeypatch.setattr(core, name, refuse)
    out = tab.redraw.__wrapped__(notes, record, 3, 2, "mean", 2, swept, edited, encoded, judged, lang="zh")
    (zh_notes, denoise, layer, attention, guidance, tokens, words, sweep, edit, edit_notes, vae, vae_notes, judge,
     judge_notes) = out
    s = record.settings
    assert zh_notes.startswith(translate("t2i_note_summary", "zh", scheduler=translate(f"t2i_sched_{s.scheduler}", "zh"),
                                         steps=s.steps, s=f"{s.guidance:g}", calls=2 * s.steps, seconds=record.seconds))
    assert layer.value == "mean" and translate("t2i_layer_mean", "zh") in [label for label, _ in layer.choices]
    for figure in (denoise, attention, guidance, tokens, words, sweep, edit, vae, judge):
        assert re.search(r"[\u4e00-\u9fff]", str(figure["layout"].get("title", {}).get("text", "")) +
                         " ".join(str(a.get("text", "")) for a in figure["layout"].get("annotations", []))), \
            figure["layout"].get("title")
    for note in (edit_notes, vae_notes, judge_notes):
        assert re.search(r"[\u4e00-\u9fff]", note), note
    assert edit_notes == tab._edit_views(edited, "zh")[1] and judge_notes == tab._judge_views(judged, "zh")[1]


def test_a_change_of_language_before_anything_was_drawn_draws_nothing():
    out = tab.redraw.__wrapped__("", None, 1, 0, "mean", 1, None, None, None, None, lang="zh")
    assert all(isinstance(value, type(gr.skip())) for value in out)
