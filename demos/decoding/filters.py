"""Which tokens each truncation rule keeps, written out from its definition. No gradio here.

Each function takes logits (..., V) after temperature and returns a boolean keep-mask of the same
shape. They follow the definitions in the papers and keep at least one token; tests check them
against transformers' own logits processors on the same logits, ties included.
"""

from __future__ import annotations

import torch


def top_k_keep(logits: torch.Tensor, k: int) -> torch.Tensor:
    """Top-k (Fan et al., 2018): the k most likely tokens; a token tied with the k-th is kept too."""
    k = min(max(int(k), 1), logits.shape[-1])
    kth = torch.topk(logits, k, dim=-1).values[..., -1:]
    return logits >= kth


def top_p_keep(logits: torch.Tensor, p: float) -> torch.Tensor:
    """Nucleus / top-p (Holtzman et al., 2020): the smallest set of most likely tokens whose
    probability mass reaches p. Sorting ascending, a token is dropped while the mass of the tokens
    up to and including it is at most 1 - p."""
    sorted_logits, order = torch.sort(logits, descending=False, dim=-1)
    cumulative = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    drop_sorted = cumulative <= (1 - p)
    drop_sorted[..., -1] = False  # the most likely token always stays
    return ~drop_sorted.scatter(-1, order, drop_sorted)


def min_p_keep(logits: torch.Tensor, min_p: float) -> torch.Tensor:
    """Min-p (Nguyen et al., 2024): keep tokens whose probability is at least min_p times the
    probability of the most likely token."""
    probs = logits.softmax(dim=-1)
    keep = probs >= min_p * probs.max(dim=-1, keepdim=True).values
    # the most likely token always stays (first in a stable descending sort when tied)
    best = torch.argsort(logits, dim=-1, descending=True, stable=True)[..., :1]
    return keep.scatter(-1, best, True)


def typical_keep(logits: torch.Tensor, mass: float) -> torch.Tensor:
    """Locally typical sampling (Meister et al., 2023): rank tokens by how far their information
    -log p is from the entropy H of the distribution, and keep the closest ones until their
    probability mass reaches ``mass`` (the token that crosses it included)."""
    log_probs = torch.log_softmax(logits, dim=-1)
    probs = log_probs.exp()
    entropy = -torch.nansum(log_probs * probs, dim=-1, keepdim=True)
    distance = (-log_probs - entropy).abs()
    sorted_distance, order = torch.sort(distance, dim=-1)
    cumulative = logits.gather(-1, order).softmax(dim=-1).cumsum(dim=-1)
    last = (cumulative < mass).sum(dim=-1, keepdim=True).clamp(max=logits.shape[-1] - 1)
    drop_sorted = sorted_distance > sorted_distance.gather(-1, last)
    drop_sorted[..., :1] = False
    return ~drop_sorted.scatter(-1, order, drop_sorted)
