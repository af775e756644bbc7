"""Our keep-masks against transformers' own logits processors on the same logits."""

import pytest
import torch
from transformers.generation.logits_process import (
    MinPLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
    TypicalLogitsWarper,
)

from demos.decoding import filters


def random_logits(seed: int, vocab: int, ties: bool) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(4, vocab, generator=gen) * 3
    if ties:  # quantise so many logits share a value, including at the cut-off
        logits = torch.round(logits)
    return logits


def kept_by(processor, logits: torch.Tensor) -> torch.Tensor:
    return processor(torch.zeros(logits.shape[0], 1, dtype=torch.long), logits.clone()) != -float("inf")


CASES = [(seed, vocab, ties) for seed in range(6) for vocab in (1, 2, 3, 7, 50, 2048) for ties in (False, True)]


@pytest.mark.parametrize("seed,vocab,ties", CASES)
@pytest.mark.parametrize("k", [1, 2, 5, 40])
def test_top_k(seed, vocab, ties, k):
    logits = random_logits(seed, vocab, ties)
    assert torch.equal(filters.top_k_keep(logits, k), kept_by(TopKLogitsWarper(k), logits))


@pytest.mark.parametrize("seed,vocab,ties", CASES)
@pytest.mark.parametrize("p", [0.05, 0.5, 0.9, 0.999, 1.0])
def test_top_p(seed, vocab, ties, p):
    logits = random_logits(seed, vocab, ties)
    assert torch.equal(filters.top_p_keep(logits, p), kept_by(TopPLogitsWarper(p), logits))


@pytest.mark.parametrize("seed,vocab,ties", CASES)
@pytest.mark.parametrize("min_p", [0.0, 0.05, 0.3, 0.9, 1.0])
def test_min_p(seed, vocab, ties, min_p):
    logits = random_logits(seed, vocab, ties)
    assert torch.equal(filters.min_p_keep(logits, min_p), kept_by(MinPLogitsWarper(min_p), logits))


@pytest.mark.parametrize("seed,vocab,ties", CASES)
@pytest.mark.parametrize("mass", [0.1, 0.5, 0.9, 0.99])
def test_typical(seed, vocab, ties, mass):
    logits = random_logits(seed, vocab, ties)
    assert torch.equal(filters.typical_keep(logits, mass), kept_by(TypicalLogitsWarper(mass), logits))


def test_top_p_keeps_the_nucleus_by_hand():
    probs = torch.tensor([0.5, 0.3, 0.15, 0.05])
    keep = filters.top_p_keep(probs.log()[None], 0.8)[0]
    assert keep.tolist() == [True, True, False, False]  # 0.5 + 0.3 reaches 0.8
