"""Induction heads forming live: a two-layer attention-only decoder trained on random tokens
repeated once, [A B C … A B C …]. No gradio here.

The first half is unpredictable; the second half is predictable by a two-head circuit (Olsson et
al. 2022, "In-context learning and induction heads", https://arxiv.org/abs/2209.11895): a
layer-0 *previous-token* head writes "the token before me was X" into each position, and a
layer-1 *induction* head, whose query is the current token X, finds the position that says "the
token before me was X" — the one right after X's earlier copy — and copies what is there. The
second-half loss falls suddenly when that circuit forms (the phase change). Both heads are
scored with the Attention lab's definitions (``components.head_scores``), on a fixed batch.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch
import torch.nn.functional as F

from components.head_scores import induction_score, row_statistics
from components.i18n import InputError
from components.diverged import Diverged
from components.seeding import global_rng_seeded
from components.settings import parse, setting
from components.trainers import Log
from demos.transformer.model import AttentionOnlyDecoder

# token labels: a-z, then A-Z
TOKEN_LABELS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclasses.dataclass(frozen=True)
class InductionSettings:
    """What a learner can set for the induction run (``components.settings``); the fixed numbers
    are in ``InductionLimits``. The fields carry an ``ind_`` prefix because a shareable link sets
    this experiment's and the encoder–decoder's settings side by side (``TransformerSettings``
    has its own ``heads``, ``d_model``, …)."""
    # distinct tokens
    ind_vocab: int = setting(26, label="tr_ind_vocab", low=4, high=len(TOKEN_LABELS), step=1)
    # n: sequences are [r r], r of n distinct tokens
    ind_half: int = setting(12, label="tr_ind_half", low=3, high=24, step=1)
    # the residual stream, a multiple of the heads
    ind_d_model: int = setting(64, label="tr_d_model", low=8, high=256, step=8)
    # heads in each of the two layers
    ind_heads: int = setting(4, label="tr_heads", low=1, high=8, step=1)
    # Adam, constant
    ind_lr: float = setting(3e-3, label="tr_ind_lr", low=0.0, high=0.1, positive=True, widget="number")
    ind_batch: int = setting(32, label="tr_batch", low=1, high=512, step=1)
    # iterations one press of Start trains
    ind_steps: int = setting(1000, label="tr_steps", low=100, high=100_000, step=100)
    ind_seed: int = setting(0, label="seed", low=0, high=2**31 - 1, widget="number")

    def check(self) -> None:
        if self.ind_d_model % self.ind_heads:
            raise InputError("tr_err_heads", d_model=self.ind_d_model, heads=self.ind_heads)
        if self.ind_half > self.ind_vocab:  # r holds distinct tokens
            raise InputError("tr_err_ind_half", half=self.ind_half, vocab=self.ind_vocab)


INDUCTION_DEFAULTS = InductionSettings()


@dataclasses.dataclass(frozen=True)
class InductionLimits:
    layers: int = 2               # the smallest model with an induction circuit: it composes two heads
    eval_every: int = 25          # scores and losses on the fixed batch every N iterations
    eval_sequences: int = 64      # the fixed batch the heads are scored on


INDUCTION_LIMITS = InductionLimits()


def validated_induction(**values) -> InductionSettings:
    """InductionSettings from values that may come straight from the API; InputError names the
    first wrong value."""
    return parse(InductionSettings, values)


def repeated_sequences(vocab: int, half: int, count: int, gen: torch.Generator) -> torch.Tensor:
    """(count, 2 * half) ids [r r]: r is ``half`` distinct tokens, so each token's successor in
    the first copy is unique and the second copy is exactly predictable."""
    r = torch.rand(count, vocab, generator=gen).argsort(dim=1)[:, :half]   # (count, half)
    return torch.cat([r, r], dim=1)


def training_half(settings: InductionSettings, gen: torch.Generator) -> int:
    """The length of r for one training batch, uniform in [ind_half / 2, ind_half]. With
    one fixed length a head can copy "the token n - 1 places back" by position alone, without
    looking at the tokens (measured: the repeated copy's loss fell to ~0 while no layer-1 head's
    induction score passed 0.01); when the repeat can start anywhere, only matching tokens finds it."""
    low = max(2, settings.ind_half // 2)
    return int(torch.randint(low, settings.ind_half + 1, (1,), generator=gen))


def half_losses(logits: torch.Tensor, ids: torch.Tensor, half: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(loss on all predictions, on the first copy's tokens 1..n-1, on the second copy's tokens
    n+1..2n-1). Token n, the second copy's first, follows nothing that announces it: neither half."""
    per_token = F.cross_entropy(logits[:, :-1].flatten(0, 1), ids[:, 1:].flatten(), reduction="none")
    per_token = per_token.view(len(ids), -1)           # (B, 2n-1): entry t predicts token t + 1
    return per_token.mean(), per_token[:, : half - 1].mean(), per_token[:, half:].mean()


@dataclasses.dataclass(frozen=True)
class InductionEvaluation:
    """The model on the fixed batch at one iteration."""
    iteration: int
    first_half_loss: float
    second_half_loss: float
    previous_token: np.ndarray   # (layers, heads) previous-token score (components.head_scores)
    induction: np.ndarray        # (layers, heads) induction score (components.head_scores)


class InductionRun:
    """One induction experiment: the model, Adam, the run's RNG, the fixed scoring batch, the curves."""

    def __init__(self, settings: InductionSettings):
        self.settings = settings
        self.gen = torch.Generator().manual_seed(settings.ind_seed)
        with global_rng_seeded(settings.ind_seed):
            self.model = AttentionOnlyDecoder(settings.ind_vocab, settings.ind_d_model, settings.ind_heads, INDUCTION_LIMITS.layers,
                                              2 * settings.ind_half)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=settings.ind_lr, fused=True)
        self.iteration = 0
        self.target = 0
        self.first_half_loss: Log = Log()    # every iteration, on its training batch
        self.second_half_loss: Log = Log()
        self.evaluations: Log = Log()
        # scored at the longest r, as the Attention lab's census scores a sequence [r r]
        self.eval_ids = repeated_sequences(settings.ind_vocab, settings.ind_half, INDUCTION_LIMITS.eval_sequences,
                                           torch.Generator().manual_seed(settings.ind_seed + 1))

    def train_step(self) -> None:
        """One iteration of next-token prediction on a fresh batch of [r r] sequences. Raises
        Diverged (weights untouched) on a non-finite loss or gradient."""
        s = self.settings
        half = training_half(s, self.gen)
        ids = repeated_sequences(s.ind_vocab, half, s.ind_batch, self.gen)    # (B, 2 half)
        logits, _ = self.model(ids)                                   # (B, 2 half, V); no dropout, no modes
        loss, first, second = half_losses(logits, ids, half)
        if not math.isfinite(loss.item()):
            raise Diverged(self.iteration + 1, "Transformer")
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grads = [p.grad for p in self.model.parameters() if p.grad is not None]
        if not math.isfinite(float(torch.nn.utils.get_total_norm(grads))):
            self.optimizer.zero_grad(set_to_none=True)
            raise Diverged(self.iteration + 1, "Transformer")
        self.optimizer.step()
        self.iteration += 1
        self.first_half_loss.append(first.item())
        self.second_half_loss.append(second.item())
        if self.iteration % INDUCTION_LIMITS.eval_every == 0:
            self.evaluations.append(evaluate(self))


@torch.no_grad()
def mean_attention(run: InductionRun) -> np.ndarray:
    """(layers, heads, 2n, 2n): the attention on the fixed batch, averaged over its sequences."""
    _, maps = run.model(run.eval_ids)
    return torch.stack([m.mean(0) for m in maps]).numpy()


@torch.no_grad()
def evaluate(run: InductionRun) -> InductionEvaluation:
    """Losses and head scores on the fixed batch now (``train_step`` records one every
    ``INDUCTION_LIMITS.eval_every`` iterations)."""
    half = run.settings.ind_half
    logits, maps = run.model(run.eval_ids)
    _, first, second = half_losses(logits, run.eval_ids, half)
    # the scores are means over query rows, so scoring the batch-mean map = the mean of the scores
    attn = torch.stack([m.mean(0) for m in maps]).numpy()            # (L, H, 2n, 2n)
    _, previous, _, _ = row_statistics(attn)
    return InductionEvaluation(run.iteration, first.item(), second.item(), previous, induction_score(attn, half))


@dataclasses.dataclass(frozen=True)
class InductionExample:
    """The two heads of the circuit on one sequence of the fixed batch."""
    tokens: list[str]            # (2n) labels
    previous_head: int           # the layer-0 head with the highest previous-token score
    previous_score: float
    previous_attn: np.ndarray    # (2n, 2n) that head's attention on this sequence
    induction_head: int          # the layer-1 head with the highest induction score
    induction_score: float
    induction_attn: np.ndarray   # (2n, 2n)


@torch.no_grad()
def example(run: InductionRun, index: int = 0) -> InductionExample:
    ids = run.eval_ids[index: index + 1]                              # (1, 2n)
    _, maps = run.model(ids)
    evaluation = evaluate(run)
    prev_head = int(np.argmax(evaluation.previous_token[0]))
    ind_head = int(np.argmax(evaluation.induction[1]))
    return InductionExample(
        [TOKEN_LABELS[i] for i in ids[0].tolist()],
        prev_head, float(evaluation.previous_token[0, prev_head]), maps[0][0, prev_head].numpy(),
        ind_head, float(evaluation.induction[1, ind_head]), maps[1][0, ind_head].numpy())
