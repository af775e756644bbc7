"""The text-to-image lab's world: 32×32 scenes of one shape on a plain background, with captions in
English and Chinese. No gradio here; everything random takes a seed.

A scene is one shape (circle, square, triangle) in one of six saturated colours, in one of two
sizes, at one of nine places (a 3×3 grid), with a little seeded jitter in place and size so no two
scenes are the same picture. Captions say the same four facts in varied wording, e.g.
"a large red circle at the top left" / "左上角有一个大的红色圆形".

Three colour×shape pairs (``HELD_OUT_PAIRS``) never appear in the text encoder's or the UNet's
training: generating them measures whether the model composes words it never saw together.
"""

from __future__ import annotations

import dataclasses
import itertools
import re

import numpy as np

IMAGE_SIZE = 32
SUPERSAMPLE = 4                      # coverage of each pixel is measured on a 4×4 sub-grid (anti-aliasing)
BACKGROUND = (236, 236, 236)         # plain light grey, RGB 0-255

# Saturated colours far apart in RGB, so that a reader picks the nearest one without doubt.
PALETTE = {
    "red": (220, 30, 30),
    "orange": (250, 135, 0),
    "yellow": (230, 210, 0),
    "green": (20, 155, 45),
    "blue": (30, 60, 220),
    "purple": (145, 40, 190),
}
COLOURS = tuple(PALETTE)
SHAPES = ("circle", "square", "triangle")
SIZES = ("small", "large")
# Row-major 3×3 grid: (row, column) = divmod(index, 3).
POSITIONS = ("top_left", "top", "top_right", "left", "center", "right", "bottom_left", "bottom", "bottom_right")

SIDE = {"small": 7.0, "large": 13.0}  # side of the shape's bounding box, pixels
CELL_CENTRES = (7.0, 16.0, 25.0)      # centre of each grid row / column, pixels
JITTER_PLACE = 1.0                    # centre moves up to ±1 px in x and y
JITTER_SIDE = 0.5                     # side grows or shrinks up to ±0.5 px
# Area of each shape as a share of its bounding box (side²): the reader infers the side from it.
AREA_SHARE = {"circle": np.pi / 4, "square": 1.0, "triangle": 0.5}

HELD_OUT_PAIRS = (("red", "triangle"), ("green", "square"), ("blue", "circle"))
SEEN_PAIRS = tuple(p for p in itertools.product(COLOURS, SHAPES) if p not in HELD_OUT_PAIRS)
PAIR_SETS = ("seen", "held_out", "all")
LANGUAGES = ("en", "zh")


@dataclasses.dataclass(frozen=True)
class Scene:
    """What one image shows. ``cx``, ``cy``: centre of the shape's bounding box in pixels (x to the
    right, y down, pixel i covers [i, i+1)); ``side``: the bounding box's side in pixels."""
    colour: str
    shape: str
    size: str
    position: str
    cx: float
    cy: float
    side: float

    @property
    def held_out(self) -> bool:
        return (self.colour, self.shape) in HELD_OUT_PAIRS


def _pairs(which: str) -> tuple[tuple[str, str], ...]:
    if which not in PAIR_SETS:
        raise ValueError(f"pairs must be one of {PAIR_SETS}, got {which!r}")
    return {"seen": SEEN_PAIRS, "held_out": HELD_OUT_PAIRS, "all": SEEN_PAIRS + HELD_OUT_PAIRS}[which]


def make_scene(colour: str, shape: str, size: str, position: str, rng: np.random.Generator | None = None) -> Scene:
    """A scene with these attributes; with ``rng`` the place and size are jittered, without it the
    shape sits exactly at its cell's centre at its nominal size."""
    if colour not in PALETTE or shape not in SHAPES or size not in SIZES or position not in POSITIONS:
        raise ValueError(f"unknown attribute in {(colour, shape, size, position)}")
    row, col = divmod(POSITIONS.index(position), 3)
    cx, cy, side = CELL_CENTRES[col], CELL_CENTRES[row], SIDE[size]
    if rng is not None:
        cx += rng.uniform(-JITTER_PLACE, JITTER_PLACE)
        cy += rng.uniform(-JITTER_PLACE, JITTER_PLACE)
        side += rng.uniform(-JITTER_SIDE, JITTER_SIDE)
    # keep the whole shape inside the image (a large shape at a corner would lose its edge)
    half = side / 2
    cx = float(np.clip(cx, half, IMAGE_SIZE - half))
    cy = float(np.clip(cy, half, IMAGE_SIZE - half))
    return Scene(colour, shape, size, position, cx, cy, float(side))


def sample_scenes(n: int, seed: int, pairs: str = "seen") -> list[Scene]:
    """``n`` jittered scenes, uniform over the chosen colour×shape pairs ("seen", "held_out" or
    "all"), sizes and positions."""
    rng = np.random.default_rng(seed)
    chosen = _pairs(pairs)
    scenes = []
    for _ in range(n):
        colour, shape = chosen[rng.integers(len(chosen))]
        size = SIZES[rng.integers(len(SIZES))]
        position = POSITIONS[rng.integers(len(POSITIONS))]
        scenes.append(make_scene(colour, shape, size, position, rng))
    return scenes


def all_combinations(pairs: str = "all") -> list[tuple[str, str, str, str]]:
    """Every (colour, shape, size, position) of the chosen pairs: 324 for "all"."""
    return [(c, s, z, p) for (c, s) in _pairs(pairs) for z in SIZES for p in POSITIONS]


# ---------------------------------------------------------------------------------------------
# Drawing

def coverage(shape: str, cx: float, cy: float, side: float, size: int = IMAGE_SIZE,
             supersample: int = SUPERSAMPLE) -> np.ndarray:
    """(size, size) share of each pixel inside the shape, in [0, 1], measured on a
    ``supersample``² sub-grid. Circle: a disc of diameter ``side``; square: side × side; triangle:
    apex up, base ``side``, height ``side``. The judge draws its templates with this too."""
    n = size * supersample
    sub = (np.arange(n) + 0.5) / supersample                  # sub-pixel centres, pixels
    x, y = sub[None, :], sub[:, None]                           # (1, n), (n, 1)
    half = side / 2
    if shape == "circle":
        inside = (x - cx) ** 2 + (y - cy) ** 2 <= half ** 2
    elif shape == "square":
        inside = (np.abs(x - cx) <= half) & (np.abs(y - cy) <= half)
    elif shape == "triangle":
        depth = y - (cy - half)                                 # distance below the apex
        inside = (depth >= 0) & (depth <= side) & (np.abs(x - cx) <= depth / 2)
    else:
        raise ValueError(f"unknown shape {shape!r}")
    return inside.reshape(size, supersample, size, supersample).mean(axis=(1, 3))


def render(scene: Scene) -> np.ndarray:
    """(32, 32, 3) float32 image in [0, 1]: the shape's colour blended over the background by
    its coverage (anti-aliased edges)."""
    alpha = coverage(scene.shape, scene.cx, scene.cy, scene.side)[..., None]     # (H, W, 1)
    colour = np.asarray(PALETTE[scene.colour], np.float32) / 255
    background = np.asarray(BACKGROUND, np.float32) / 255
    return (alpha * colour + (1 - alpha) * background).astype(np.float32)


def render_batch(scenes: list[Scene]) -> np.ndarray:
    """(N, 32, 32, 3) float32 images in [0, 1]."""
    return np.stack([render(s) for s in scenes]) if scenes else np.zeros((0, IMAGE_SIZE, IMAGE_SIZE, 3), np.float32)


# ---------------------------------------------------------------------------------------------
# Words. Each attribute value has one or more wordings per language; the first is the canonical one.

WORDS = {
    "en": {
        "colour": {c: (c,) for c in COLOURS},
        "shape": {"circle": ("circle",), "square": ("square",), "triangle": ("triangle",)},
        "size": {"small": ("small", "little"), "large": ("large", "big")},
        # phrases that complete "... a red circle <where>"
        "where": {
            "top_left": ("at the top left", "in the top left corner", "in the upper left"),
            "top": ("at the top", "at the top center", "in the upper middle"),
            "top_right": ("at the top right", "in the top right corner", "in the upper right"),
            "left": ("on the left", "at the left", "in the middle left"),
            "center": ("in the center", "in the middle"),
            "right": ("on the right", "at the right", "in the middle right"),
            "bottom_left": ("at the bottom left", "in the bottom left corner", "in the lower left"),
            "bottom": ("at the bottom", "at the bottom center", "in the lower middle"),
            "bottom_right": ("at the bottom right", "in the bottom right corner", "in the lower right"),
        },
        # bare position names for the "large red circle, top left" wording
        "place": {
            "top_left": ("top left",), "top": ("top",), "top_right": ("top right",),
            "left": ("left",), "center": ("center",), "right": ("right",),
            "bottom_left": ("bottom left",), "bottom": ("bottom",), "bottom_right": ("bottom right",),
        },
    },
    "zh": {
        "colour": {"red": ("红色",), "orange": ("橙色",), "yellow": ("黄色",), "green": ("绿色",),
                   "blue": ("蓝色",), "purple": ("紫色",)},
        "shape": {"circle": ("圆形", "圆"), "square": ("正方形", "方块"), "triangle": ("三角形", "三角")},
        "size": {"small": ("小", "较小"), "large": ("大", "较大")},
        "place": {
            "top_left": ("左上角", "左上方"), "top": ("上方", "顶部"), "top_right": ("右上角", "右上方"),
            "left": ("左边", "左侧"), "center": ("中间", "中央"), "right": ("右边", "右侧"),
            "bottom_left": ("左下角", "左下方"), "bottom": ("下方", "底部"), "bottom_right": ("右下角", "右下方"),
        },
    },
}
WORDS["zh"]["where"] = WORDS["zh"]["place"]

TEMPLATES = {
    "en": (
        "a {size} {colour} {shape} {where}",
        "there is a {size} {colour} {shape} {where}",
        "{where}, a {size} {colour} {shape}",
        "{size} {colour} {shape}, {place}",
    ),
    "zh": (
        "{where}有一个{size}的{colour}{shape}",
        "一个{size}的{colour}{shape}在{where}",
        "{colour}的{size}{shape}，位于{where}",
        "画面{where}是一个{size}{colour}{shape}",
    ),
}
# Words the templates add around the attributes (the tokenizer needs them too).
FILLER = {
    "en": ("a", "there", "is", "at", "in", "on", "the", ","),
    "zh": ("有", "一个", "的", "在", "位于", "画面", "是", ","),
}


def _fill(template: str, scene: Scene, lang: str, pick) -> str:
    words = WORDS[lang]
    values = {"colour": scene.colour, "shape": scene.shape, "size": scene.size,
              "where": scene.position, "place": scene.position}
    return template.format(**{k: pick(words[k][v]) for k, v in values.items()})


def caption(scene: Scene, lang: str, rng: np.random.Generator | None = None) -> str:
    """One caption of the scene in ``lang`` ("en" or "zh"): with ``rng`` a random template and
    random synonyms, without it the canonical wording ("a large red circle at the top left")."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    if rng is None:
        return _fill(TEMPLATES[lang][0], scene, lang, lambda options: options[0])
    template = TEMPLATES[lang][rng.integers(len(TEMPLATES[lang]))]
    return _fill(template, scene, lang, lambda options: options[rng.integers(len(options))])


def captions(scenes: list[Scene], lang: str, seed: int) -> list[str]:
    """A varied caption per scene, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    return [caption(s, lang, rng) for s in scenes]


def vocabulary() -> dict[str, str]:
    """Every word the captions use, mapped to its kind: "colour", "shape", "size", "position" or
    "filler" (both languages). English position phrases are split into words ("top", "left",
    "corner", ...); "the", "in", ... are filler even inside a position phrase."""
    kinds: dict[str, str] = {}
    for lang in LANGUAGES:
        for word in FILLER[lang]:
            kinds[word] = "filler"
        for kind in ("colour", "shape", "size"):
            for options in WORDS[lang][kind].values():
                kinds.update({w: kind for w in options})
        for group in ("where", "place"):
            for options in WORDS[lang][group].values():
                for phrase in options:
                    for word in phrase.split() if lang == "en" else (phrase,):
                        kinds.setdefault(word, "position")
    return kinds


# ---------------------------------------------------------------------------------------------
# Reading a prompt: which attributes does it ask for?

_EN_VERTICAL = {"top": "top", "upper": "top", "bottom": "bottom", "lower": "bottom"}
_EN_HORIZONTAL = {"left": "left", "right": "right"}
_EN_CENTRE = {"center", "centre", "middle"}


def _synonyms(kind: str) -> dict[str, str]:
    """word -> attribute value, both languages, for colour / shape / size."""
    return {w: value for lang in LANGUAGES for value, options in WORDS[lang][kind].items() for w in options}


def prompt_attributes(prompt: str) -> dict[str, str | None]:
    """What a prompt asks for: {"colour", "shape", "size", "position"} -> a value of COLOURS,
    SHAPES, SIZES, POSITIONS, or None where the prompt names none (or names two different ones).
    Reads both languages; the judge's reading is compared with this."""
    text = prompt.lower()
    english = re.findall(r"[a-z]+", text)
    found: dict[str, str | None] = {}
    for kind in ("colour", "shape", "size"):
        hits = set()
        for word, value in _synonyms(kind).items():
            if word.isascii():
                hits.update(value for w in english if w == word)
            elif word in text:
                hits.add(value)
        # "三角" is inside "三角形" and "大" inside "较大": both name one value, so no conflict
        found[kind] = hits.pop() if len(hits) == 1 else None
    places = set()
    vertical = {_EN_VERTICAL[w] for w in english if w in _EN_VERTICAL}
    horizontal = {_EN_HORIZONTAL[w] for w in english if w in _EN_HORIZONTAL}
    if len(vertical) <= 1 and len(horizontal) <= 1 and (vertical or horizontal or _EN_CENTRE & set(english)):
        v, h = (next(iter(vertical), None), next(iter(horizontal), None))
        places.add(f"{v}_{h}" if v and h else v or h or "center")
    elif vertical or horizontal:
        places.add("conflict")
    # Chinese place words, longest first so "左上角" is not also read as "上方"-like pieces
    rest = text
    for word, value in sorted(((w, p) for p, ws in WORDS["zh"]["place"].items() for w in ws), key=lambda x: -len(x[0])):
        if word in rest:
            places.add(value)
            rest = rest.replace(word, " ")
    found["position"] = places.pop() if len(places) == 1 and "conflict" not in places else None
    return found
