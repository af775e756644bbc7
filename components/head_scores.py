"""What an attention head does, scored from its attention probabilities alone.

One definition for every lab: the Attention lab's head census of the bundled GPT and the
Transformer lab's induction experiment score heads with these functions. ``attn`` is
(layers, heads, T, T), rows are queries and sum to 1, causal (query q sees keys 0..q).
"""

from __future__ import annotations

import numpy as np


def row_statistics(attn: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(entropy, previous, first, self) per head (L, H), averaged over queries 1..T-1 (query 0
    can only look at itself, which says nothing about the head).
    entropy: nats of a query's attention row; previous: weight on the token just before the query
    (a previous-token head); first: weight on position 0 (an "attention sink"); self: on itself."""
    T = attn.shape[-1]
    if T < 2:
        zeros = np.zeros(attn.shape[:2], dtype=np.float32)
        return zeros, zeros, zeros, zeros
    rows = attn[:, :, 1:, :]  # (L, H, T-1, T)
    entropy = -(rows * np.log(np.clip(rows, 1e-12, None))).sum(-1).mean(-1)
    q = np.arange(1, T)
    previous = attn[:, :, q, q - 1].mean(-1)
    first = attn[:, :, 1:, 0].mean(-1)
    self_ = attn[:, :, q, q].mean(-1)
    return entropy, previous, first, self_


def induction_score(attn: np.ndarray, n: int) -> np.ndarray:
    """(L, H) from the attention on a sequence [r, r] of length 2n (r: n random tokens): the mean
    weight that query n + i puts on key i + 1, for i = 0..n-2 — the token that followed the
    earlier copy of the current token (Olsson et al. 2022, "In-context learning and induction
    heads", https://arxiv.org/abs/2209.11895)."""
    queries = np.arange(n, 2 * n - 1)
    return attn[:, :, queries, queries - n + 1].mean(-1)
