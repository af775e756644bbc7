"""Data sets that ship with the installed packages, shared by the labs and the training scripts.

scikit-learn's 1,797 handwritten 8x8 digits (``sklearn.datasets.load_digits``) are real data that
works offline. ``digit_split`` fixes one train / held-out split for every lab that reports a
figure on digits it never trained on.
"""

from __future__ import annotations

import functools

import numpy as np

HELD_OUT_SHARE = 0.2   # one digit in five is held out
SPLIT_SEED = 0         # the split never changes: held-out figures stay comparable across runs


def load_digits_images(size: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn digits as float32 (N, 1, size, size) in [-1, 1] (-1 blank paper, +1 full ink)
    and int64 labels (N,). The 8x8 grid (ink 0..16) is upsampled bilinearly."""
    import torch
    import torch.nn.functional as F
    from sklearn.datasets import load_digits

    digits = load_digits()
    ink = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0  # (N,1,8,8) in [0,1]
    if size != 8:
        ink = F.interpolate(ink, size=(size, size), mode="bilinear", align_corners=False)
    images = ink.clamp(0, 1) * 2 - 1
    return images.numpy(), digits.target.astype(np.int64)


@functools.lru_cache(maxsize=1)
def digit_split() -> tuple[np.ndarray, np.ndarray]:
    """(train indices, held-out indices) into ``load_digits_images``' arrays: a fixed, seeded
    permutation, stratified by digit so both parts hold every class in proportion."""
    _, labels = load_digits_images(8)
    rng = np.random.default_rng(SPLIT_SEED)
    train, held_out = [], []
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(labels == digit))
        cut = int(round(len(members) * HELD_OUT_SHARE))
        held_out.append(members[:cut])
        train.append(members[cut:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(held_out))
