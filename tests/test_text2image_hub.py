"""Hub models in the text-to-image lab, offline: a tiny random Stable Diffusion pipeline (a UNet with
cross-attention, a VAE, a CLIP text encoder and a CLIP BPE tokenizer, as the hub checkpoints have)
stands in for the hub's files (``snapshot_download`` answers with its folder). It must load through
the lab's own loader, draw what ``StableDiffusionPipeline.__call__`` draws for the same latents at
the lab's hub size, run every view, and say where a shapes-only view does not apply; the hub id
appears only when hub models are on, and offline without the files the learner reads why."""

import dataclasses
import fnmatch
import json

import huggingface_hub
import numpy as np
import pytest
import torch

from components import models
from components.i18n import InputError, translate
from components.seeding import global_rng_seeded
from components.settings import defaults, parse
from demos.text2image import core, pipeline, tab

HUB_ID = "stabilityai/sd-turbo"
SIDE = 48          # the lab's hub side in these tests (a tiny VAE halves it: a 24×24 latent)
SAVED_SAMPLE = 8   # the tiny UNet's own sample_size: the lab must draw at SIDE, not at 2 × 8
TOL = 1e-5


def clip_tokenizer_files(folder) -> None:
    """A CLIP BPE tokenizer as hub checkpoints ship it (vocab.json, merges.txt): every byte as a
    character, a few merges, CLIP's start and end tokens."""
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    chars = list(bytes_to_unicode().values())
    vocab = {c: i for i, c in enumerate(chars + [c + "</w>" for c in chars])}
    for token in ["re", "red</w>", "ci", "cir", "circ", "le</w>", "circle</w>", "<|startoftext|>", "<|endoftext|>"]:
        vocab[token] = len(vocab)
    folder.mkdir()
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\nr e\nre d</w>\nc i\nci r\ncir c\nl e</w>\ncirc le</w>\n")
    (folder / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "CLIPTokenizer", "model_max_length": 16, "bos_token": "<|startoftext|>",
        "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}))


@pytest.fixture(scope="module")
def hub_folder(tmp_path_factory):
    """A hub-like pipeline folder: random weights, diffusers' layout, CLIPTokenizer, SD's scheduler."""
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("t2i-hub")
    clip_tokenizer_files(out / "tokenizer_files")
    tokenizer = CLIPTokenizer.from_pretrained(out / "tokenizer_files")
    with global_rng_seeded(0):
        unet = UNet2DConditionModel(sample_size=SAVED_SAMPLE, in_channels=4, out_channels=4, layers_per_block=1,
                                    block_out_channels=(8, 16), down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                                    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=16,
                                    attention_head_dim=2, norm_num_groups=4)
        vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8, 16),
                            down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
                            layers_per_block=1, norm_num_groups=4, sample_size=SAVED_SAMPLE * 2)
        text_encoder = CLIPTextModel(CLIPTextConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32,
                                                    num_hidden_layers=2, num_attention_heads=2,
                                                    max_position_embeddings=16, eos_token_id=tokenizer.eos_token_id,
                                                    bos_token_id=tokenizer.bos_token_id))
    # Stable Diffusion's own scheduler settings (scaled-linear betas, SD-Turbo's trailing spacing)
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       timestep_spacing="trailing", steps_offset=1)
    StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
                            safety_checker=None, feature_extractor=None,
                            requires_safety_checker=False).save_pretrained(out / "repo", safe_serialization=True)
    return out / "repo"


@pytest.fixture
def hub(hub_folder, monkeypatch):
    """Hub models on, the hub's files answered from the tiny folder, the lab's hub side small; the
    calls to snapshot_download recorded."""
    calls = []

    def snapshot_download(repo_id, allow_patterns=None, **_):
        calls.append((repo_id, allow_patterns))
        return str(hub_folder)

    monkeypatch.setenv(models.HUB_ENV_VAR, "1")
    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    monkeypatch.setattr(core, "LIMITS", dataclasses.replace(core.LIMITS, hub_side=SIDE))
    pipeline.PIPELINES.clear()
    yield calls
    pipeline.PIPELINES.clear()


def hub_settings(**change) -> core.GenerateSettings:
    return core.GenerateSettings(**(defaults(core.GenerateSettings) | {"model": HUB_ID, "steps": 3} | change))


def both_languages(error: InputError) -> dict:
    return {lang: translate(error.key, lang, **error.values) for lang in ("en", "zh")}


def test_hub_ids_appear_only_when_enabled(monkeypatch):
    monkeypatch.delenv(models.HUB_ENV_VAR, raising=False)
    assert models.available(models.TEXT_TO_IMAGE) == ["shapes-sd"]
    monkeypatch.setenv(models.HUB_ENV_VAR, "1")
    assert models.available(models.TEXT_TO_IMAGE) == [
        "shapes-sd", "stabilityai/sd-turbo", "stable-diffusion-v1-5/stable-diffusion-v1-5"]


def test_a_disabled_hub_is_refused_by_the_loader_and_the_settings(monkeypatch):
    monkeypatch.delenv(models.HUB_ENV_VAR, raising=False)
    for call in (lambda: pipeline.load(HUB_ID), lambda: parse(core.GenerateSettings, {"model": HUB_ID})):
        with pytest.raises(InputError) as caught:
            call()
        assert caught.value.key == "err_hub_disabled" and models.HUB_ENV_VAR in str(caught.value)


def test_offline_without_the_files_names_the_bundled_model(monkeypatch):
    monkeypatch.setenv(models.HUB_ENV_VAR, "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    pipeline.PIPELINES.clear()
    with pytest.raises(InputError) as caught:
        pipeline.load("stable-diffusion-v1-5/stable-diffusion-v1-5")
    assert caught.value.key == "err_model_unavailable"
    messages = both_languages(caught.value)
    assert "stable-diffusion-v1-5/stable-diffusion-v1-5" in messages["en"] and "shapes-sd" in messages["en"]
    assert "无法加载" in messages["zh"] and "shapes-sd" in messages["zh"]


def test_the_hub_pipeline_loads_through_the_labs_loader_fetching_only_what_it_needs(hub, hub_folder):
    model = pipeline.load(HUB_ID)
    assert pipeline.load(HUB_ID) is model and hub == [(HUB_ID, pipeline.PIPELINE_FILES)]   # fetched once, cached
    assert not model.shapes_world and model.words is None and model.pixel_unet is None
    assert model.side == SIDE and model.pipe.unet.config.sample_size == SIDE // 2
    assert all(isinstance(p, core.RecordingProcessor) for p in model.pipe.unet.attn_processors.values())
    # the patterns take every file the pipeline loads, and none of a hub repository's other weights
    needed = [str(p.relative_to(hub_folder)) for p in hub_folder.rglob("*") if p.is_file()]
    fetched = lambda name: any(fnmatch.fnmatch(name, pattern) for pattern in pipeline.PIPELINE_FILES)  # noqa: E731
    assert all(fetched(name) for name in needed), [n for n in needed if not fetched(n)]
    assert not any(fetched(name) for name in ["v1-5-pruned-emaonly.safetensors", "sd_turbo.safetensors",
                                              "unet/diffusion_pytorch_model.fp16.safetensors",
                                              "unet/diffusion_pytorch_model.non_ema.safetensors",
                                              "unet/diffusion_pytorch_model.bin", "text_encoder/model.fp16.safetensors",
                                              "safety_checker/model.safetensors"])


@pytest.fixture
def oracle(hub_folder):
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(hub_folder, safety_checker=None, feature_extractor=None,
                                                   requires_safety_checker=False, local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    return pipe


@pytest.mark.parametrize("scheduler, guidance", [("euler", 7.5), ("ddim", 2.0), ("dpmpp", 7.5)])
def test_the_recorded_loop_draws_what_the_pipeline_draws(hub, oracle, scheduler, guidance):
    lab = pipeline.load(HUB_ID).pipe
    settings = hub_settings(prompt="a red circle", scheduler=scheduler, guidance=guidance, seed=5)
    record = core.denoise(lab, settings, judged=False)
    oracle.scheduler = core.make_scheduler(scheduler, oracle.scheduler.config)
    theirs = oracle(settings.prompt, height=SIDE, width=SIDE, num_inference_steps=settings.steps,
                    guidance_scale=guidance, generator=torch.Generator().manual_seed(5), output_type="np").images[0]
    assert record.image.shape == (SIDE, SIDE, 3) and record.reading is None
    np.testing.assert_allclose(record.image, theirs, atol=TOL)
    # recorded cross-attention: every layer's rows are distributions over the tokens
    assert record.attention and record.prompt.tokens[1:3] == ["a</w>", "red</w>"]
    for maps in record.attention.values():
        np.testing.assert_allclose(maps.sum(-1), 1, atol=1e-5)
    # guidance: ε̂ and the x̂0 it implies are the scheduler's own
    parts = core.guidance_parts(lab, record, 2)
    np.testing.assert_allclose(parts.eps_guided, parts.eps_uncond + guidance * parts.direction, atol=1e-5)


def test_every_view_runs_on_the_hub_model_and_shapes_only_views_say_so(hub):
    shapes_only = translate("t2i_note_shapes_only", "en", model=HUB_ID)
    (notes, record, step, denoise, _, layer, attention, _, guidance, tokens, words,
     gif) = tab.generate.__wrapped__(hub_settings(prompt="a red circle"), "en")
    assert record.steps == 3 and record.image.shape == (SIDE, SIDE, 3)
    assert "The judge reads" not in notes and shapes_only in notes and f"{SIDE}×{SIDE} pixels" in notes
    assert words["layout"]["title"]["text"] == shapes_only and not words["data"]
    assert len([t for t in attention["data"] if t["type"] == "heatmap"]) == record.prompt.length
    assert "Step 3 of 3" in denoise["layout"]["title"]["text"]
    assert tokens["layout"]["yaxis"]["ticktext"][2].startswith("2 red · ")
    assert "Step 2" in tab.guidance_view.__wrapped__(record, 2, "en")["layout"]["title"]["text"]
    assert tab.attention_view.__wrapped__(record, 1, layer.choices[1][1], "en")["data"]

    sweep = tab.sweep.__wrapped__(hub_settings(steps=1), "en")
    assert [a["text"] for a in sweep["layout"]["annotations"]] == [f"s = {s:g}" for s in core.LIMITS.guidance_scales]
    figure, note = tab.edit.__wrapped__(hub_settings(prompt="a red circle", steps=2), "a blue circle", "en")
    assert note.startswith("**A:** a red circle  \n**B:** a blue circle") and "→" not in note
    figure, note = tab.judge_images.__wrapped__(hub_settings(), 4, "zh")
    assert note == translate("t2i_note_shapes_only", "zh", model=HUB_ID) and not figure["data"]

    figure, note = tab.vae.__wrapped__(core.VaeSettings(), None, record, "en", HUB_ID)
    assert "The judge reads" not in note and f"32×32 pixels and was resized to {SIDE}×{SIDE}" in note
    assert shapes_only in note and f"would span {SIDE * SIDE:,} positions" in note
    assert f"({(SIDE * SIDE) ** 2 * 4 / 1e9:.1f} GB in fp32)" in note
    figure, note = tab.vae.__wrapped__(core.VaeSettings(source="generated"), None, record, "en", HUB_ID)
    assert "resized" not in note
    export = json.loads(open(tab.export.__wrapped__(record, "en")[0]).read())
    assert export["data"]["judge_reading"] is None and export["settings"]["model"] == HUB_ID


def test_hub_models_take_fewer_steps_and_start_where_they_draw_best(hub):
    for lang, text in (("en", "Denoising steps must be between 1 and 8, got 9"), ("zh", "去噪步数 必须在 1 到 8 之间")):
        with pytest.raises(InputError) as caught:
            parse(core.GenerateSettings, {"model": HUB_ID, "steps": 9})
        assert text in both_languages(caught.value)[lang]
    assert parse(core.GenerateSettings, {"steps": 200}).steps == 200        # the bundled model's bounds
    scheduler, steps, guidance = tab.model_start.__wrapped__(HUB_ID)
    assert (scheduler, steps.value, steps.maximum, guidance) == ("euler", 2, 8, 1.0)
    scheduler, steps, guidance = tab.model_start.__wrapped__(pipeline.MODEL_ID)
    assert (scheduler, steps.value, steps.maximum, guidance) == ("ddim", 25, 200, 3.0)
