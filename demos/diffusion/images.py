"""Turning model tensors into pictures: image grids and the trajectory GIF. No gradio.

Model pixels are in [-1, 1] with +1 = full ink; a digit is drawn dark ink on light paper, a
colour image (CIFAR-10, photos) as it is.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

PAD = 2            # pixels of gutter between tiles, at display size
GUTTER = 190       # gutter grey: separates white paper tiles, lighter than full ink


def to_uint8(x: np.ndarray) -> np.ndarray:
    """(C, H, W) in [-1, 1] -> (H, W, 3) uint8 for display; one channel is ink on paper."""
    x = np.clip(np.nan_to_num(np.asarray(x, dtype=np.float32)), -1, 1)
    if x.shape[0] == 1:
        return np.repeat(((1 - x[0]) * 127.5).astype(np.uint8)[..., None], 3, axis=2)
    return ((x.transpose(1, 2, 0) + 1) * 127.5).astype(np.uint8)


def tile(images: np.ndarray, columns: int, scale: int) -> np.ndarray:
    """(B, C, H, W) -> one (rows·H·scale, columns·W·scale, 3) uint8 picture, nearest-neighbour
    upscaled so each model pixel stays a crisp square."""
    count, _, h, w = images.shape
    rows = -(-count // columns)
    th, tw = h * scale, w * scale
    canvas = np.full((rows * (th + PAD) - PAD, columns * (tw + PAD) - PAD, 3), GUTTER, np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        big = to_uint8(image).repeat(scale, 0).repeat(scale, 1)
        canvas[r * (th + PAD):r * (th + PAD) + th, c * (tw + PAD):c * (tw + PAD) + tw] = big
    return canvas


def grid_columns(count: int) -> int:
    """Up to 4 columns: 16 images make a 4×4 grid, 8 a 4×2 grid, 3 a single row."""
    return max(1, min(count, 4))


DIGIT_PX = 128      # a sample shown on the page: at least this many pixels a side (issue 19)
SHOWN_COLUMNS = 2   # x_t and x̂0 side by side, two samples a row each, fit a phone's width at DIGIT_PX


def shown_columns(count: int) -> int:
    """Columns of the samples the page shows large: SHOWN_COLUMNS, fewer for a single sample."""
    return max(1, min(count, SHOWN_COLUMNS))


def scale_for(size: int, target: int = 96) -> int:
    """Upscale factor that shows a size-pixel image at about target pixels."""
    return max(1, target // size)


MAX_GIF_FRAMES = 60  # a 200-step, 16-image run gave an 8 MB GIF with a frame per step


def trajectory_gif(x_t: np.ndarray, pred_x0: np.ndarray, frame_ms: int = 80) -> bytes:
    """Animated GIF: each frame is [x_t grid | x̂0 grid] after one step (at most MAX_GIF_FRAMES
    evenly spaced steps, always the last); the last frame is held."""
    count, _, size, _ = x_t.shape[1:]
    columns, scale = grid_columns(count), scale_for(size, 48)
    shown = np.unique(np.linspace(0, len(x_t) - 1, min(len(x_t), MAX_GIF_FRAMES)).round().astype(int))
    frames = []
    for xs, x0s in zip(x_t[shown], pred_x0[shown]):
        left, right = tile(xs, columns, scale), tile(x0s, columns, scale)
        gap = np.full((left.shape[0], 12, 3), 255, np.uint8)
        frames.append(Image.fromarray(np.concatenate([left, gap, right], axis=1)))
    buffer = io.BytesIO()
    durations = [frame_ms] * (len(frames) - 1) + [1500]
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)
    return buffer.getvalue()
