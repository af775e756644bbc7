"""The text-to-image lab's world (scenes, captions) and its judge, against oracles: closed-form
areas, an independent drawing library (PIL), hand-written captions, and the scenes' own attributes."""

import math
from collections import Counter

import numpy as np
import pytest
from PIL import Image, ImageDraw

from demos.text2image import judge, scenes


def test_scenes_are_seeded_and_hold_out_the_held_out_pairs():
    assert scenes.sample_scenes(50, 3) == scenes.sample_scenes(50, 3)
    assert scenes.sample_scenes(50, 3) != scenes.sample_scenes(50, 4)
    seen = scenes.sample_scenes(5000, 0, "seen")
    assert not any(s.held_out for s in seen)
    # every seen colour x shape x size x position appears: 15 pairs x 2 x 9 = 270
    combos = Counter((s.colour, s.shape, s.size, s.position) for s in seen)
    assert set(combos) == set(scenes.all_combinations("seen")) and len(combos) == 270
    held = scenes.sample_scenes(300, 0, "held_out")
    assert {(s.colour, s.shape) for s in held} == set(scenes.HELD_OUT_PAIRS)
    assert len(scenes.all_combinations("all")) == 6 * 3 * 2 * 9
    assert set(scenes.SEEN_PAIRS) | set(scenes.HELD_OUT_PAIRS) == {(c, s) for c in scenes.COLOURS for s in scenes.SHAPES}


def test_jitter_keeps_each_shape_inside_its_cell_and_the_image():
    for s in scenes.sample_scenes(3000, 1, "all"):
        row, col = divmod(scenes.POSITIONS.index(s.position), 3)
        assert abs(s.cx - scenes.CELL_CENTRES[col]) <= scenes.JITTER_PLACE + 1e-9
        assert abs(s.cy - scenes.CELL_CENTRES[row]) <= scenes.JITTER_PLACE + 1e-9
        assert abs(s.side - scenes.SIDE[s.size]) <= scenes.JITTER_SIDE + 1e-9
        assert s.side / 2 <= s.cx <= scenes.IMAGE_SIZE - s.side / 2
        assert s.side / 2 <= s.cy <= scenes.IMAGE_SIZE - s.side / 2


@pytest.mark.parametrize("shape, area", [("circle", math.pi * 5.5**2), ("square", 11.0**2), ("triangle", 11.0**2 / 2)])
def test_drawn_area_matches_the_closed_form(shape, area):
    drawn = scenes.coverage(shape, 16.0, 15.3, 11.0, supersample=16).sum()
    assert drawn == pytest.approx(area, rel=0.01)


def test_render_paints_the_palette_colour_on_the_background():
    scene = scenes.make_scene("purple", "square", "large", "center")
    image = scenes.render(scene)
    assert image.shape == (32, 32, 3) and image.dtype == np.float32
    np.testing.assert_allclose(image[16, 16], np.array(scenes.PALETTE["purple"]) / 255, atol=1e-6)
    np.testing.assert_allclose(image[1, 1], np.array(scenes.BACKGROUND) / 255, atol=1e-6)
    # anti-aliased edge: a square from 9.5 to 22.5 covers half of pixel column 9
    assert 0.3 < (image[16, 9, 0] - scenes.BACKGROUND[0] / 255) / ((scenes.PALETTE["purple"][0] - scenes.BACKGROUND[0]) / 255) < 0.7


@pytest.mark.parametrize("as_uint8", [False, True])
def test_judge_reads_ground_truth_scenes(as_uint8):
    truth = scenes.sample_scenes(600, 7, "all")
    images = scenes.render_batch(truth)
    if as_uint8:
        images = (images * 255).round().astype(np.uint8)
    figures = judge.score(judge.read_batch(images), truth)
    for attribute in judge.ATTRIBUTES:
        assert figures[attribute] >= 0.98, (attribute, figures)


def test_judge_reads_every_nominal_combination():
    combos = scenes.all_combinations("all")
    truth = [scenes.make_scene(*c) for c in combos]
    figures = judge.score(judge.read_batch(scenes.render_batch(truth)), truth)
    assert figures["all"] == 1.0


def _pil_scene(colour, shape, box):
    """The same kind of scene drawn by PIL, independently of scenes.coverage."""
    image = Image.new("RGB", (32, 32), scenes.BACKGROUND)
    draw = ImageDraw.Draw(image)
    fill = scenes.PALETTE[colour]
    x0, y0, x1, y1 = box
    if shape == "circle":
        draw.ellipse(box, fill=fill)
    elif shape == "square":
        draw.rectangle(box, fill=fill)
    else:
        draw.polygon([((x0 + x1) / 2, y0), (x1, y1), (x0, y1)], fill=fill)
    return np.asarray(image)


@pytest.mark.parametrize("colour, shape, box, size, position", [
    ("red", "circle", (2, 2, 14, 14), "large", "top_left"),
    ("yellow", "triangle", (20, 13, 26, 19), "small", "right"),
    ("blue", "square", (12, 21, 18, 27), "small", "bottom"),
    ("green", "triangle", (17, 17, 30, 30), "large", "bottom_right"),
    ("orange", "square", (10, 10, 22, 22), "large", "center"),
    ("purple", "circle", (22, 3, 29, 10), "small", "top_right"),
])
def test_judge_reads_shapes_drawn_by_pil(colour, shape, box, size, position):
    reading = judge.read(_pil_scene(colour, shape, box))
    assert reading.as_dict() == {"colour": colour, "shape": shape, "size": size, "position": position}


def test_judge_survives_blur_and_noise():
    # a blurry, noisy decoder output must still read right (VAE reconstructions, generated images)
    truth = scenes.sample_scenes(300, 11, "all")
    images = scenes.render_batch(truth)
    kernel = np.array([0.25, 0.5, 0.25])
    blurred = np.apply_along_axis(lambda v: np.convolve(v, kernel, mode="same"), 1, images)
    blurred = np.apply_along_axis(lambda v: np.convolve(v, kernel, mode="same"), 2, blurred)
    blurred[:, 0], blurred[:, -1], blurred[:, :, 0], blurred[:, :, -1] = images[:, 0], images[:, -1], images[:, :, 0], images[:, :, -1]
    noisy = blurred + np.random.default_rng(0).normal(0, 0.03, blurred.shape)
    figures = judge.score(judge.read_batch(noisy.astype(np.float32)), truth)
    assert min(figures[a] for a in judge.ATTRIBUTES) >= 0.97, figures


def test_judge_sees_nothing_on_a_blank_image_and_rejects_non_images():
    blank = np.tile(np.array(scenes.BACKGROUND, np.uint8), (32, 32, 1))
    assert judge.read(blank) == judge.NOTHING
    assert judge.agreement(judge.NOTHING, scenes.make_scene("red", "circle", "small", "top"))["colour"] is False
    with pytest.raises(ValueError):
        judge.read(np.zeros((32, 32)))
    with pytest.raises(ValueError):
        judge.score([], [])


def test_agreement_skips_what_a_prompt_does_not_ask():
    reading = judge.read(scenes.render(scenes.make_scene("red", "circle", "small", "top")))
    assert judge.agreement(reading, {"colour": "red", "shape": None, "size": "large", "position": None}) == \
        {"colour": True, "shape": None, "size": False, "position": None}


@pytest.mark.parametrize("prompt, wanted", [
    ("a large red circle at the top left", ("red", "circle", "large", "top_left")),
    ("there is a little blue square in the lower middle", ("blue", "square", "small", "bottom")),
    ("in the middle, a big green triangle", ("green", "triangle", "large", "center")),
    ("small yellow square, right", ("yellow", "square", "small", "right")),
    ("左上角有一个大的红色圆形", ("red", "circle", "large", "top_left")),
    ("紫色的较小方块，位于底部", ("purple", "square", "small", "bottom")),
    ("画面右下方是一个小橙色三角", ("orange", "triangle", "small", "bottom_right")),
    ("a red circle", ("red", "circle", None, None)),
    ("a red or blue circle on the left or right", (None, "circle", None, None)),
    ("", (None, None, None, None)),
])
def test_prompt_attributes_by_hand(prompt, wanted):
    assert tuple(scenes.prompt_attributes(prompt).values()) == wanted


def test_every_caption_wording_reads_back_as_its_scene():
    truth = scenes.sample_scenes(2000, 5, "all")
    for lang in scenes.LANGUAGES:
        texts = scenes.captions(truth, lang, 6)
        assert len(set(texts)) > 500                                 # wording varies
        for scene, text in zip(truth, texts):
            assert scenes.prompt_attributes(text) == {"colour": scene.colour, "shape": scene.shape,
                                                      "size": scene.size, "position": scene.position}, text


def test_canonical_captions():
    scene = scenes.make_scene("red", "circle", "large", "top_left")
    assert scenes.caption(scene, "en") == "a large red circle at the top left"
    assert scenes.caption(scene, "zh") == "左上角有一个大的红色圆形"
    with pytest.raises(ValueError):
        scenes.caption(scene, "fr")


def test_vocabulary_kinds():
    kinds = scenes.vocabulary()
    assert kinds["red"] == kinds["红色"] == "colour"
    assert kinds["triangle"] == kinds["三角形"] == "shape"
    assert kinds["big"] == kinds["较小"] == "size"
    assert kinds["left"] == kinds["左上角"] == "position"
    assert kinds["the"] == kinds["的"] == "filler"
