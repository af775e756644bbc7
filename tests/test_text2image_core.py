"""The text-to-image lab's loop and recordings against oracles: diffusers' own
StableDiffusionPipeline.__call__, cross-attention recomputed from the layers' weights, the
schedulers' own x̂0, scikit-learn's PCA, and hand calculations. A tiny untrained pipeline of the
bundled architecture (the training script's builders at their quick sizes) is built once per
module: the oracles hold for any weights."""

import dataclasses

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from components.i18n import InputError
from components.seeding import global_rng_seeded
from demos.text2image import core, judge, pipeline, scenes
from training.train_shapes_sd import (QUICK, build_text_encoder, build_tokenizer, build_unet, build_vae,
                                      make_pipeline)

TOL = 1e-5


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A pipeline folder with the bundled layout and untrained quick-size weights (seconds)."""
    out = tmp_path_factory.mktemp("t2i-quick")
    torch.set_num_threads(1)
    tokenizer = build_tokenizer(QUICK.max_length)
    with global_rng_seeded(0):
        pipe = make_pipeline(build_vae(QUICK), build_text_encoder(QUICK, len(tokenizer)), tokenizer,
                             build_unet(QUICK), QUICK)
    pipe.save_pretrained(out, safe_serialization=True)
    return out


@pytest.fixture(scope="module")
def lab(folder):
    return pipeline.from_folder(folder).pipe


@pytest.fixture(scope="module")
def oracle(folder):
    """The same weights with diffusers' own attention processors, untouched by the lab."""
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(folder, safety_checker=None, feature_extractor=None,
                                                   requires_safety_checker=False, local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def pipeline_image(oracle, settings: core.GenerateSettings) -> np.ndarray:
    oracle.scheduler = core.make_scheduler(settings.scheduler, oracle.scheduler.config)
    return oracle(settings.prompt, num_inference_steps=settings.steps, guidance_scale=settings.guidance,
                  generator=torch.Generator().manual_seed(settings.seed), output_type="np").images[0]


@pytest.mark.parametrize("scheduler", list(core.SAMPLERS))
@pytest.mark.parametrize("guidance", [7.5, 2.0, 1.0])
def test_the_loop_draws_what_the_pipeline_draws(lab, oracle, scheduler, guidance):
    settings = core.GenerateSettings(prompt="a big red circle on the left", scheduler=scheduler, steps=5,
                                     guidance=guidance, seed=3)
    record = core.denoise(lab, settings)
    np.testing.assert_allclose(record.image, pipeline_image(oracle, settings), atol=TOL)


def test_the_batch_loop_draws_what_the_pipeline_draws_with_a_generator_per_image(lab, oracle):
    prompts = ["a small blue square at the top", "左上角有一个大的红色圆形", ""]
    seeds = [4, 5, 6]
    for scheduler in ("ddim", "euler_a"):
        ours = core.denoise_batch(lab, prompts, seeds, scheduler, 4, 7.5)
        oracle.scheduler = core.make_scheduler(scheduler, oracle.scheduler.config)
        theirs = oracle(prompts, num_inference_steps=4, guidance_scale=7.5, output_type="np",
                        generator=[torch.Generator().manual_seed(s) for s in seeds]).images
        np.testing.assert_allclose(ours, theirs, atol=TOL)


@pytest.mark.parametrize("scheduler", ["ddim", "ddpm", "euler_a"])
def test_recording_changes_no_output(lab, scheduler):
    settings = core.GenerateSettings(prompt="a large yellow triangle in the middle", scheduler=scheduler, steps=6)
    record = core.denoise(lab, settings)
    np.testing.assert_array_equal(record.image, core.denoise(lab, settings, record=False))
    assert core.denoise(lab, settings).image.tobytes() == record.image.tobytes()      # and it is deterministic


def test_guidance_one_is_the_conditional_prediction_and_zero_the_unconditional(lab, oracle):
    base = core.GenerateSettings(prompt="a small green circle at the bottom", steps=5, seed=2)
    conditional = core.denoise(lab, dataclasses.replace(base, guidance=1.0))
    # the pipeline at guidance 1 runs the conditional UNet alone (no unconditional pass)
    np.testing.assert_allclose(conditional.image, pipeline_image(oracle, dataclasses.replace(base, guidance=1.0)),
                               atol=TOL)
    parts = core.guidance_parts(lab, conditional, 3)
    np.testing.assert_array_equal(parts.eps_guided, parts.eps_cond)
    np.testing.assert_array_equal(parts.images[2], parts.images[1])
    # s = 0 keeps ε_u only: the image the empty prompt draws without guidance
    unconditional = core.denoise(lab, dataclasses.replace(base, guidance=0.0), record=False)
    empty = pipeline_image(oracle, dataclasses.replace(base, prompt="", guidance=1.0))
    np.testing.assert_allclose(unconditional, empty, atol=TOL)


def test_guidance_parts_mix_as_the_formula_says_and_imply_the_schedulers_x0(lab):
    for scheduler in core.SAMPLERS:
        record = core.denoise(lab, core.GenerateSettings(scheduler=scheduler, steps=5, guidance=3.0))
        for step in (1, 3, 5):
            parts = core.guidance_parts(lab, record, step)
            np.testing.assert_allclose(parts.eps_guided, parts.eps_uncond + 3.0 * (parts.eps_cond - parts.eps_uncond),
                                       atol=1e-6)
            # x̂0 = a·z_t − b·ε̂ is the scheduler's own pred_original_sample (DPM-Solver++: its x0 output)
            a, b = record.x0_coefficients[step - 1]
            np.testing.assert_allclose(a * record.samples[step - 1] - b * parts.eps_guided,
                                       record.pred_latents[step - 1], atol=1e-4)
        # the last step lands on the final latent, which decodes to the final image
        np.testing.assert_allclose(core.decode(lab, torch.from_numpy(record.latents[-1:]))[0].numpy(), record.image,
                                   atol=1e-6)


def test_recorded_cross_attention_sums_to_one_and_equals_a_recomputation_from_the_weights(lab):
    settings = core.GenerateSettings(prompt="a large red circle at the top left", steps=4, guidance=7.5)
    names = core.cross_attention_layers(lab.unet)
    inputs = {name: [] for name in names}
    modules = dict(lab.unet.named_modules())
    hooks = [modules[name].register_forward_pre_hook(
        lambda module, args, kwargs, name=name: inputs[name].append((args[0], kwargs["encoder_hidden_states"])),
        with_kwargs=True) for name in names]
    try:
        record = core.denoise(lab, settings)
    finally:
        for hook in hooks:
            hook.remove()
    assert list(record.attention) == names and len(names) == 7           # down ×2, mid, up ×4
    for name in names:
        attn = modules[name]
        maps = record.attention[name]                                     # (steps, h, w, L)
        np.testing.assert_allclose(maps.sum(-1), 1.0, atol=1e-5)
        for step, (image, words) in enumerate(inputs[name]):
            # the conditional half of the batch, by hand: softmax(Q Kᵀ / √d) per head, then the heads' mean
            q = F.linear(image[1], attn.to_q.weight)                      # (H·W, heads·d)
            k = F.linear(words[1], attn.to_k.weight)                      # (L, heads·d)
            d = q.shape[-1] // attn.heads
            scores = torch.einsum("nhd,lhd->hnl", q.view(-1, attn.heads, d), k.view(-1, attn.heads, d)) / d**0.5
            expected = scores.softmax(-1).mean(0)                         # (H·W, L)
            np.testing.assert_allclose(maps[step].reshape(expected.shape), expected.detach().numpy(), atol=1e-6)


def test_attention_views_sum_over_steps_and_average_layers(lab):
    record = core.denoise(lab, core.GenerateSettings(steps=3))
    name = next(n for n, m in record.attention.items() if m.shape[1] == 8)
    t = record.prompt.length
    summed = core.attention_maps(record, 0, name, 8)
    np.testing.assert_allclose(summed, record.attention[name].sum(0)[..., :t].transpose(2, 0, 1), atol=1e-6)
    mean = core.attention_maps(record, 2, "mean", 8)
    by_layer = [core.attention_maps(record, 2, n, 8) for n in record.attention]
    np.testing.assert_allclose(mean, np.mean(by_layer, axis=0), atol=1e-6)
    shares = core.attention_shares(record, 0, "mean")
    assert shares.shape == (lab.tokenizer.model_max_length,) and shares.sum() == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(InputError) as caught:
        core.attention_maps(record, 1, "up_blocks.9", 8)
    assert caught.value.key == "err_choice"


def test_prompts_tokenise_as_the_pipeline_does_and_say_what_was_cut_or_unknown(lab):
    tok = lab.tokenizer
    for text in ["a large red circle at the top left", "左上角有一个大的红色圆形", "", "big " * 40]:
        expected = tok(text, padding="max_length", max_length=tok.model_max_length, truncation=True).input_ids
        assert core.tokenize(tok, text).ids == expected
    empty = core.tokenize(tok, "")
    assert empty.empty and empty.labels == [core.BOS_LABEL, core.EOS_LABEL]
    long = core.tokenize(tok, "a red circle " + "on the left " * 20 + "END")
    assert long.length == tok.model_max_length and long.dropped.endswith("END") and not long.unknown
    assert long.labels[1:4] == ["a", "red", "circle"]
    odd = core.tokenize(tok, "a magenta star 粉色 🦄 circle")
    assert odd.unknown == ["magenta", "star", "粉", "色", "🦄"]
    assert odd.labels == [core.BOS_LABEL, "a", "magenta?", "star?", "粉?", "色?", "🦄?", "circle", core.EOS_LABEL]
    assert core.tokenize(tok, "x" * 40).labels[1] == "x" * 11 + "…"        # long labels are cut


def test_the_judge_reads_ground_truth_scenes_in_batch_mode():
    truth = scenes.sample_scenes(400, 99, "all")
    images = scenes.render_batch(truth)
    for lang in scenes.LANGUAGES:
        for scene, image, caption in zip(truth[:50], images, scenes.captions(truth[:50], lang, 1)):
            _, right = core.judge_images(image[None], scenes.prompt_attributes(caption))
            assert right["all"] == 1.0, caption
    readings, _ = core.judge_images(images, {})
    figures = judge.score(readings, truth)
    assert min(figures[a] for a in judge.ATTRIBUTES) >= 0.98, figures


def test_a_batch_is_judged_against_what_the_prompt_asks(lab):
    batch = core.judge_batch(lab, core.GenerateSettings(prompt="a red circle", steps=2), 3)
    assert batch.seeds == [0, 1, 2] and batch.images.shape == (3, 32, 32, 3)
    assert batch.wanted == {"colour": "red", "shape": "circle", "size": None, "position": None}
    assert batch.right["size"] is None and batch.right["position"] is None
    expected = np.mean([r.colour == "red" and r.shape == "circle" for r in batch.readings])
    assert batch.right["all"] == pytest.approx(expected)


def test_the_vae_round_trip_and_its_psnr(lab):
    image = scenes.render(scenes.make_scene("green", "triangle", "large", "right"))
    trip = core.vae_round_trip(lab, image)
    assert trip.latent.shape == (4, 8, 8)
    mse = ((trip.reconstruction.astype(np.float64) - image) ** 2).mean()
    assert trip.psnr_db == pytest.approx(10 * np.log10(1 / mse))
    assert trip.original_reading.as_dict() == {"colour": "green", "shape": "triangle", "size": "large",
                                               "position": "right"}
    with torch.no_grad():
        x = torch.from_numpy(image).permute(2, 0, 1)[None] * 2 - 1
        latent = lab.vae.encode(x).latent_dist.mean * lab.vae.config.scaling_factor
    np.testing.assert_allclose(trip.latent, latent[0].numpy(), atol=1e-6)


@pytest.mark.parametrize("image, key", [
    (None, "t2i_err_no_image"),
    (np.zeros((64, 64, 4), np.uint8), "t2i_err_no_image"),               # an empty canvas: all transparent
    (np.zeros((0, 5, 3), np.uint8), "t2i_err_image_shape"),
    (np.zeros((5, 5), np.uint8)[..., None], "t2i_err_image_shape"),
    (np.zeros((4, 4, 3), np.uint8), "t2i_err_image_size"),
    (np.zeros((2000, 20, 3), np.uint8), "t2i_err_image_size"),
])
def test_images_that_cannot_be_encoded_are_refused(image, key):
    with pytest.raises(InputError) as caught:
        core.prepare_image(image, 32)
    assert caught.value.key == key


def test_a_drawn_image_is_put_on_the_background_and_resized():
    drawn = np.zeros((256, 256, 4), np.uint8)
    drawn[64:192, 64:192] = (*scenes.PALETTE["blue"], 255)
    pixels, resized = core.prepare_image(drawn, 32)
    assert resized == (256, 256) and pixels.shape == (32, 32, 3)
    np.testing.assert_allclose(pixels[0, 0], np.array(scenes.BACKGROUND) / 255, atol=1 / 255)
    assert judge.read(pixels).as_dict() == {"colour": "blue", "shape": "square", "size": "large", "position": "center"}


def test_the_word_map_is_the_embeddings_principal_plane(lab):
    from sklearn.decomposition import PCA

    words = core.word_map(lab)
    vocab = lab.tokenizer.get_vocab()
    table = lab.text_encoder.get_input_embeddings().weight.detach().numpy()[[vocab[w] for w in words.words]]
    pca = PCA(2).fit(table)
    projected = pca.transform(table)
    # the same plane up to the sign of each axis
    for axis in range(2):
        sign = np.sign(projected[:, axis] @ words.xy[:, axis])
        np.testing.assert_allclose(words.xy[:, axis] * sign, projected[:, axis], atol=1e-5)
    np.testing.assert_allclose(words.explained, pca.explained_variance_ratio_, atol=1e-6)
    assert {"red", "红色", "circle", "左上角"} <= set(words.words)
    assert words.kinds[words.words.index("红色")] == "colour" and words.languages[words.words.index("红色")] == "zh"


def test_dpm_solver_needs_two_steps():
    with pytest.raises(InputError):
        core.check_steps("dpmpp", 1)
    core.check_steps("ddim", 1)


def test_the_word_map_labels_every_prompt_word(lab):
    # prompt words are placed first and may sit on other markers, so the crowded centre never hides them
    from demos.text2image import figures

    words = core.word_map(lab)
    prompt = core.tokenize(lab.tokenizer, "a small blue square at the bottom right")
    figure = figures.word_map_figure(words, prompt, "en")
    labelled = {t for trace in figure["data"] for t in trace.get("text", []) if t}
    assert {w for w in prompt.tokens if w in words.words} <= labelled
