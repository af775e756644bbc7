"""The VAE lab's data: scikit-learn's 8x8 digits, two 2D toy sets, and a sketch-pad drawing
turned into a digit. No gradio here.

Every set comes as a fixed train / held-out split (the digits' split is
``components.datasets.digit_split``, shared by every lab), so held-out figures are comparable
across runs and labs. Batches are drawn from the run's own ``torch.Generator``.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
import torch
import torch.nn.functional as F

from components.i18n import InputError

DIGITS = "digits"
TOYS = ("moons", "ring")
NAMES = (DIGITS, *TOYS)

# sklearn's digits (UCI optdigits) are 32x32 bitmaps counted in 4x4 blocks: each of the 64
# pixels is a count of inked bits, 0..16. The lab keeps them as the fraction count / 16 in [0, 1].
INK_LEVELS = 16
BITMAP_SIDE = 32           # the bitmap a drawing is rasterised to before counting, as in optdigits
MIN_SKETCH_PIXELS = 10     # fewer inked pixels than this is an empty drawing
TOY_POINTS = 2000          # points in each 2D toy set, before the split
TOY_HELD_OUT_SHARE = 0.2   # as the digits (components/datasets.py)
RING_MODES, RING_RADIUS, RING_STD = 8, 2.0, 0.1


@dataclasses.dataclass(frozen=True)
class DataSet:
    """A fixed split. Rows are flat vectors: 64 ink fractions per digit, or 2D points."""
    name: str
    train: torch.Tensor            # (N_train, dim) float32
    held_out: torch.Tensor         # (N_held_out, dim)
    train_labels: np.ndarray       # (N_train,) class of each row (digit, moon, ring mode)
    held_out_labels: np.ndarray    # (N_held_out,)

    @property
    def dim(self) -> int:
        return self.train.shape[1]

    @property
    def is_digits(self) -> bool:
        return self.name == DIGITS

    def batch(self, n: int, gen: torch.Generator) -> torch.Tensor:
        """(n, dim) training rows drawn uniformly with replacement."""
        return self.train[torch.randint(len(self.train), (n,), generator=gen)]


@functools.lru_cache(maxsize=1)
def _digits() -> DataSet:
    from components.datasets import digit_split, load_digits_images

    images, labels = load_digits_images(8)                             # (N, 1, 8, 8) in [-1, 1]
    ink = np.round((images.reshape(-1, 64) + 1) / 2 * INK_LEVELS) / INK_LEVELS   # exact count / 16
    ink = torch.from_numpy(ink.astype(np.float32))
    train, held_out = digit_split()
    return DataSet(DIGITS, ink[train], ink[held_out], labels[train], labels[held_out])


def _toy_points(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(points (N, 2), labels (N,)): the toy set's fixed pool, drawn with its own seed."""
    if name == "moons":
        from sklearn.datasets import make_moons

        points, labels = make_moons(TOY_POINTS, noise=0.08, random_state=0)
        points = 1.6 * (points - np.array([0.5, 0.25]))                 # centred, about [-2.4, 2.4]
        return points.astype(np.float32), labels.astype(np.int64)
    rng = np.random.default_rng(0)                                     # ring of 8 Gaussians
    labels = rng.integers(RING_MODES, size=TOY_POINTS)
    angles = labels * (2 * math.pi / RING_MODES)
    centres = RING_RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    points = centres + RING_STD * rng.standard_normal((TOY_POINTS, 2))
    return points.astype(np.float32), labels.astype(np.int64)


@functools.lru_cache(maxsize=len(TOYS))
def _toy(name: str) -> DataSet:
    points, labels = _toy_points(name)
    order = np.random.default_rng(1).permutation(len(points))
    cut = int(round(len(points) * TOY_HELD_OUT_SHARE))
    held_out, train = np.sort(order[:cut]), np.sort(order[cut:])
    points = torch.from_numpy(points)
    return DataSet(name, points[train], points[held_out], labels[train], labels[held_out])


def load(name: str) -> DataSet:
    """The data set called ``name`` (cached: a run copies what it keeps)."""
    if name == DIGITS:
        return _digits()
    if name in TOYS:
        return _toy(name)
    raise InputError("vae_err_dataset", value=str(name)[:40], allowed=", ".join(NAMES))


def digit_from_mask(ink: np.ndarray | None) -> torch.Tensor:
    """A drawing (boolean (H, W) mask from ``components.sketch.ink_mask``) as a digit in the
    data's own format, (64,) ink fractions count / 16, made the way optdigits made its digits:
    1. crop to the drawing's bounding box and centre it in a square (aspect kept),
    2. rasterise to a 32x32 bitmap: a bit is set where a cell holds any ink; then widen the
       strokes by one bit, since a pen on a large pad draws thinner lines than the scanned forms,
    3. count the set bits of each 4x4 block: 0..16 per pixel."""
    mask = np.zeros((0, 0), dtype=bool) if ink is None else np.asarray(ink, dtype=bool)
    if mask.ndim != 2 or mask.sum() < MIN_SKETCH_PIXELS:
        raise InputError("vae_err_empty_sketch", pixels=int(mask.sum()) if mask.ndim == 2 else 0,
                         minimum=MIN_SKETCH_PIXELS)
    rows, cols = np.nonzero(mask)
    crop = mask[rows.min(): rows.max() + 1, cols.min(): cols.max() + 1]
    side = max(crop.shape)
    square = np.zeros((side, side), dtype=np.float32)                  # 1. centred, aspect kept
    top, left = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    square[top: top + crop.shape[0], left: left + crop.shape[1]] = crop
    coverage = F.adaptive_avg_pool2d(torch.from_numpy(square)[None, None], BITMAP_SIDE)  # (1,1,32,32)
    bits = (coverage > 0).float()                                      # 2. any ink sets the bit
    bits = F.max_pool2d(bits, 3, stride=1, padding=1)                  #    strokes one bit wider
    counts = F.avg_pool2d(bits, BITMAP_SIDE // 8) * INK_LEVELS         # 3. (1, 1, 8, 8) in 0..16
    return (counts.round() / INK_LEVELS).reshape(64)
