"""The GAN lab's data sets: 2D point clouds and scikit-learn's 8x8 digits. No gradio here.

Every sampler draws from a ``torch.Generator``, so a run is reproducible from its seed. The two
Gaussian mixtures (ring, grid) have known modes, which the quality metrics of Srivastava et al.
(2017, VEEGAN, https://arxiv.org/abs/1705.07761) need; the other sets are scored by the grid
histogram (KL / JS) only.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
import torch

from components.i18n import InputError

MIXTURES = ("ring", "grid")
CLOUDS = ("spiral", "moons", "line", "sketch")
DIGITS = "digits"
NAMES = MIXTURES + CLOUDS + (DIGITS,)

RING_MODES = 8
RING_RADIUS = 2.0
GRID_SIDE = 5          # 5 x 5 modes at -2, -1, 0, 1, 2
MODE_STD = 0.05        # std of each Gaussian mode; "high quality" = within 3 std of a mode
SKETCH_HALF_WIDTH = 2.5  # a drawing is scaled to fit [-2.5, 2.5] on its longer side
MIN_SKETCH_PIXELS = 10   # fewer inked pixels than this is treated as an empty drawing


@dataclasses.dataclass(frozen=True)
class DataSet:
    """A data set to sample from. ``modes``: (M, 2) centres of a mixture, else None;
    ``points``: (N, dim) pool to draw from (clouds, sketch, digits), else None."""
    name: str
    dim: int                            # 2 for the plane, 64 for 8x8 digits
    modes: torch.Tensor | None = None
    points: torch.Tensor | None = None
    jitter: float = 0.0                 # uniform noise added to pool points (half a sketch pixel)

    def sample(self, n: int, gen: torch.Generator) -> torch.Tensor:
        """(n, dim) real samples."""
        if self.modes is not None:
            # a uniform mixture of isotropic Gaussians: pick a mode, add N(0, MODE_STD^2 I)
            which = torch.randint(len(self.modes), (n,), generator=gen)
            return self.modes[which] + MODE_STD * torch.randn(n, 2, generator=gen)
        picked = self.points[torch.randint(len(self.points), (n,), generator=gen)]
        if self.jitter:
            picked = picked + self.jitter * (2 * torch.rand(n, self.dim, generator=gen) - 1)
        return picked


def ring_modes() -> torch.Tensor:
    angles = torch.arange(RING_MODES) * (2 * math.pi / RING_MODES)
    return RING_RADIUS * torch.stack([angles.cos(), angles.sin()], dim=1)  # (8, 2)


def grid_modes() -> torch.Tensor:
    ticks = torch.arange(GRID_SIDE, dtype=torch.float32) - (GRID_SIDE - 1) / 2
    return torch.cartesian_prod(ticks, ticks)  # (25, 2)


def _cloud(name: str, n: int = 4000) -> torch.Tensor:
    """A fixed pool of points for a continuous shape, drawn with its own seed (the pool is
    part of the data set's definition, not of the run)."""
    gen = torch.Generator().manual_seed(1234)
    u = torch.rand(n, generator=gen)
    noise = 0.05 * torch.randn(n, 2, generator=gen)
    if name == "spiral":
        # an Archimedean spiral r = 0.2 θ over 1.75 turns
        theta = 0.5 + u * 3.5 * math.pi
        r = 0.2 * theta
        return torch.stack([r * theta.cos(), r * theta.sin()], dim=1) + noise
    if name == "moons":
        # scikit-learn's two interleaving half circles, centred and scaled by 1.6
        upper = u < 0.5
        t = torch.rand(n, generator=gen) * math.pi
        x = torch.where(upper, t.cos(), 1 - t.cos())
        y = torch.where(upper, t.sin(), 0.5 - t.sin())
        return 1.6 * (torch.stack([x - 0.5, y - 0.25], dim=1)) + noise
    # line: a diagonal segment from (-2, -1) to (2, 1)
    return torch.stack([4 * u - 2, 2 * u - 1], dim=1) + noise


def points_from_mask(ink: np.ndarray, max_points: int = 4000) -> tuple[torch.Tensor, float]:
    """(points, pixel size) from a boolean (H, W) mask of drawn pixels, on the plane: centred,
    y pointing up, the longer side scaled to [-SKETCH_HALF_WIDTH, SKETCH_HALF_WIDTH]."""
    ink = np.asarray(ink, dtype=bool)
    rows, cols = np.nonzero(ink)
    if len(rows) < MIN_SKETCH_PIXELS:
        raise InputError("gan_err_empty_sketch", pixels=len(rows), minimum=MIN_SKETCH_PIXELS)
    if len(rows) > max_points:  # an even thinning keeps the shape's density
        keep = np.linspace(0, len(rows) - 1, max_points).round().astype(int)
        rows, cols = rows[keep], cols[keep]
    x, y = cols.astype(np.float32), -rows.astype(np.float32)
    span = max(np.ptp(x), np.ptp(y), 1.0)
    pixel = 2 * SKETCH_HALF_WIDTH / span
    points = np.stack([(x - (x.min() + x.max()) / 2) * pixel, (y - (y.min() + y.max()) / 2) * pixel], axis=1)
    return torch.from_numpy(points), pixel


@functools.lru_cache(maxsize=1)
def digit_vectors() -> torch.Tensor:
    """(1797, 64) real 8x8 digits in [-1, 1] (-1 paper, +1 ink), the classifier's convention."""
    from components.datasets import load_digits_images

    return torch.from_numpy(load_digits_images(8)[0]).reshape(-1, 64)


def make_dataset(name: str, sketch_ink: np.ndarray | None = None) -> DataSet:
    """The data set called ``name``; "sketch" needs the drawing's ink mask."""
    if name == "ring":
        return DataSet(name, 2, modes=ring_modes())
    if name == "grid":
        return DataSet(name, 2, modes=grid_modes())
    if name == "sketch":
        if sketch_ink is None:
            raise InputError("gan_err_empty_sketch", pixels=0, minimum=MIN_SKETCH_PIXELS)
        points, pixel = points_from_mask(sketch_ink)
        return DataSet(name, 2, points=points, jitter=pixel / 2)
    if name in CLOUDS:
        return DataSet(name, 2, points=_cloud(name))
    if name == DIGITS:
        return DataSet(name, 64, points=digit_vectors())
    raise InputError("gan_err_dataset", value=str(name)[:40], allowed=", ".join(NAMES))
