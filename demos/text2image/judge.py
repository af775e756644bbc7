"""The lab's judge: reads an image back as colour, shape, size and position, by geometry alone (no
trained model), so "does the picture follow the prompt?" has an answer nobody had to learn.

How an image is read (32×32 RGB, one shape on the background of ``scenes``):
1. foreground = pixels far from the background colour; the shape's colour is their median, named
   by the nearest palette colour;
2. each pixel's opacity α ∈ [0, 1] is its projection on the background→colour line, so an
   anti-aliased or blurred edge counts by the share it covers;
3. area A = Σα and centroid = α-weighted mean of pixel centres;
4. for each shape, the side that gives area A (A = share × side²) and the centre that gives this
   centroid (a triangle's centroid is side/6 below its box's centre) define a template drawn with
   ``scenes.coverage``; the shape is the template closest to α (sum of |α − template|);
5. size: that side against the midpoint between the small and large sides; position: the box's
   centre against the image's thirds.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from demos.text2image import scenes

FOREGROUND_DISTANCE = 0.3   # RGB distance (0-1 scale) from the background above which a pixel is shape
OPACITY_FLOOR = 0.15        # α below this is counted as background (faint haze in generated images)
SIZE_THRESHOLD = (scenes.SIDE["small"] + scenes.SIDE["large"]) / 2
ATTRIBUTES = ("colour", "shape", "size", "position")

_PALETTE = np.asarray([scenes.PALETTE[c] for c in scenes.COLOURS], np.float32) / 255   # (6, 3)
_BACKGROUND = np.asarray(scenes.BACKGROUND, np.float32) / 255                           # (3,)


@dataclasses.dataclass(frozen=True)
class Reading:
    """What the judge sees. Attributes are None when the image shows no shape. ``fit_error``:
    the winning template's mean |α − template| per pixel (0 = a perfect fit)."""
    colour: str | None
    shape: str | None
    size: str | None
    position: str | None
    side: float = 0.0
    cx: float = 0.0
    cy: float = 0.0
    fit_error: float = 0.0

    def as_dict(self) -> dict[str, str | None]:
        return {a: getattr(self, a) for a in ATTRIBUTES}


NOTHING = Reading(None, None, None, None)


def _as_float_image(image) -> np.ndarray:
    """(H, W, 3) float32 in [0, 1] from a uint8 or float array (or a torch tensor / PIL image)."""
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[-1] != 3:
        raise ValueError(f"expected an (H, W, 3) RGB image, got shape {array.shape}")
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255
    return np.clip(array.astype(np.float32), 0, 1)


def read(image) -> Reading:
    """Read one (32, 32, 3) RGB image: uint8 0-255 or float 0-1."""
    pixels = _as_float_image(image)
    size = pixels.shape[0]
    offset = pixels - _BACKGROUND                                       # (H, W, 3)
    # 1. foreground and its colour
    distance = np.linalg.norm(offset, axis=-1)                          # (H, W)
    foreground = distance > FOREGROUND_DISTANCE
    if not foreground.any():
        return NOTHING
    colour_rgb = np.median(pixels[foreground], axis=0)                  # (3,)
    colour = scenes.COLOURS[int(np.argmin(np.linalg.norm(_PALETTE - colour_rgb, axis=1)))]
    # 2. opacity: alpha such that pixel = alpha * colour + (1 - alpha) * background
    direction = colour_rgb - _BACKGROUND
    alpha = np.clip(offset @ direction / float(direction @ direction), 0, 1)
    alpha[alpha < OPACITY_FLOOR] = 0
    # 3. area and centroid
    area = float(alpha.sum())
    centres = np.arange(size) + 0.5
    mx = float((alpha.sum(axis=0) * centres).sum() / area)
    my = float((alpha.sum(axis=1) * centres).sum() / area)
    # 4. the closest template
    best = None
    for shape in scenes.SHAPES:
        side = float(np.sqrt(area / scenes.AREA_SHARE[shape]))
        cy = my - side / 6 if shape == "triangle" else my
        error = float(np.abs(alpha - scenes.coverage(shape, mx, cy, side, size)).mean())
        if best is None or error < best[0]:
            best = (error, shape, side, cy)
    error, shape, side, cy = best
    # 5. size and position
    third = size / 3
    row = min(int(cy // third), 2)
    col = min(int(mx // third), 2)
    return Reading(colour=colour, shape=shape, size="large" if side > SIZE_THRESHOLD * size / scenes.IMAGE_SIZE else "small",
                   position=scenes.POSITIONS[3 * max(row, 0) + max(col, 0)], side=side, cx=mx, cy=cy, fit_error=error)


def read_batch(images) -> list[Reading]:
    """Read (N, 32, 32, 3) images."""
    return [read(image) for image in images]


def agreement(reading: Reading, wanted) -> dict[str, bool | None]:
    """Per attribute, whether the reading matches what was wanted (a Scene, a Reading, or the dict
    ``scenes.prompt_attributes`` returns); None where nothing was wanted for that attribute."""
    targets = wanted if isinstance(wanted, dict) else {a: getattr(wanted, a) for a in ATTRIBUTES}
    return {a: None if targets.get(a) is None else getattr(reading, a) == targets[a] for a in ATTRIBUTES}


def score(readings: list[Reading], wanted: list) -> dict[str, float]:
    """Share right per attribute, and "all" (all four right at once), over a batch."""
    if not readings:
        raise ValueError("no images to score")
    rows = [agreement(r, w) for r, w in zip(readings, wanted, strict=True)]
    result = {a: float(np.mean([bool(row[a]) for row in rows])) for a in ATTRIBUTES}
    result["all"] = float(np.mean([all(row[a] for a in ATTRIBUTES) for row in rows]))
    return result
