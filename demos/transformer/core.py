"""Transformer lab: the settings, a training run, its evaluation on held-out inputs, and what the
views show for an input a learner types. No gradio here.

A ``TransformerRun`` holds everything one learner's training needs (the model, Adam, its own
``torch.Generator``, the recorded curves) and deep-copies, so it can live in ``gr.State``. The
shared live-training mechanism (``components/live.py``) drives it through ``iteration``,
``target`` and ``train_step()``. Batches come only from the run's generator and the views run
the model in eval mode without drawing random numbers, so looking at a run never changes where
it goes: the same seed gives the same run whether it was paused, stepped or streamed.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch
import torch.nn.functional as F

from components.i18n import InputError
from components.diverged import Diverged
from components.seeding import global_rng_seeded
from components.settings import parse, setting
from components.trainers import Log
from components.threads import one_thread
from demos.transformer import tasks
from demos.transformer.model import Transformer
from demos.transformer.tasks import BOS_ID, EOS_ID, PAD_ID

NORMS = ("post", "pre")


@dataclasses.dataclass(frozen=True)
class TransformerSettings:
    """Everything a learner can set (``components.settings``: default, accepted range, label and
    control of each field); the fixed numbers are in ``TransformerLimits``."""
    # which rewrite to learn (tasks.py)
    task: str = setting("reverse", label="tr_task", choices=tasks.NAMES, choice_label="tr_task_{}")
    # N encoder layers and N decoder layers (paper: 6)
    layers: int = setting(2, label="tr_layers", low=1, high=6, step=1)
    # h heads in every attention (paper: 8)
    heads: int = setting(4, label="tr_heads", low=1, high=8, step=1)
    # width of the residual stream, a multiple of h (paper: 512). 32 learns reverse in 500 steps;
    # 64 took longer to reach 95 % (and each step costs 1.8x)
    d_model: int = setting(32, label="tr_d_model", low=8, high=256, step=8)
    # paper: 0.1; every batch is fresh data, so there is no overfitting to prevent
    dropout: float = setting(0.0, label="tr_dropout", low=0.0, high=0.5, step=0.05)
    # Noam warm-up steps (paper: 4,000 for 100,000 steps)
    warmup: int = setting(200, label="tr_warmup", low=10, high=20_000, step=10)
    # factor on the Noam rate (paper: 1); 0.5 peaks at 0.006 for d_model 32 (1 learned reverse
    # slower: 42 % exact at step 200 against 70 %; 1 and 2 made the loss spike)
    lr_scale: float = setting(0.5, label="tr_lr_scale", low=0.0, high=10.0, step=0.05, positive=True)
    # sequences per step
    batch: int = setting(64, label="tr_batch", low=1, high=512, step=1)
    # post: LayerNorm(x + Sublayer(x)) as in the paper; pre: x + Sublayer(LayerNorm(x))
    norm: str = setting("post", label="tr_norm", choices=NORMS, choice_label="tr_norm_{}", widget="radio")
    # iterations one press of Start trains (Resume trains as many again)
    steps: int = setting(1000, label="tr_steps", low=100, high=100_000, step=100)
    # the weights, the batches and the held-out set
    seed: int = setting(0, label="seed", low=0, high=2**31 - 1, widget="number")

    def check(self) -> None:
        """Each head gets d_model / h dimensions (section 3.2.2): h must divide d_model."""
        if self.d_model % self.heads:
            raise InputError("tr_err_heads", d_model=self.d_model, heads=self.heads)


DEFAULTS = TransformerSettings()

EXPERIMENTS = ("seq2seq", "induction")
PARTS = ("encoder", "decoder", "cross")
ALL_HEADS = "all"
HEAD_CHOICES = (ALL_HEADS, *(str(h) for h in range(8)))   # up to TransformerSettings' most heads


@dataclasses.dataclass(frozen=True)
class ViewSettings:
    """What the views show: which experiment, the input the model decodes, which attention (part,
    layer, head). None of it changes training; a link sets it like the settings."""
    experiment: str = setting("seq2seq", label="tr_experiment", choices=EXPERIMENTS,
                              choice_label="tr_experiment_{}", widget="radio")
    # checked against the task when used (tasks.validated_source); the length cap only stops
    # absurd API input before that check names the task's own limit
    text: str = setting(tasks.TASKS[DEFAULTS.task].example, label="tr_input", max_chars=64)
    part: str = setting("cross", label="tr_part", choices=PARTS, choice_label="tr_part_{}", widget="radio")
    # the last layer of the default model: where reverse's anti-diagonal is sharpest
    layer: int = setting(DEFAULTS.layers - 1, label="tr_layer", low=0, high=5, step=1)
    head: str = setting(ALL_HEADS, label="tr_head", choices=HEAD_CHOICES, choice_label="tr_head_{}")


VIEW_DEFAULTS = ViewSettings()


def validated_view(**values) -> ViewSettings:
    return parse(ViewSettings, values)


def check_view(view: ViewSettings, settings: TransformerSettings) -> None:
    """The layer and head must exist in the model the settings build."""
    if view.layer >= settings.layers:
        raise InputError("tr_err_layer", layer=view.layer, layers=settings.layers, last=settings.layers - 1)
    if view.head != ALL_HEADS and int(view.head) >= settings.heads:
        raise InputError("tr_err_head", head=view.head, heads=settings.heads, last=settings.heads - 1)


def head_index(view: ViewSettings) -> int | None:
    """The head a view shows, None for all of them."""
    return None if view.head == ALL_HEADS else int(view.head)


@dataclasses.dataclass(frozen=True)
class TransformerLimits:
    """The lab's numbers that are not settings."""
    ffn_multiplier: int = 4                 # d_ff = 4 d_model (paper: 2,048 = 4 x 512)
    adam_betas: tuple[float, float] = (0.9, 0.98)  # section 5.3
    adam_eps: float = 1e-9                  # section 5.3
    max_positions: int = 16                 # positions encoded; every task's input and answer fit
    eval_every: int = 50                    # held-out evaluation every N iterations (costs ~6 steps)
    held_out_size: int = 200                # distinct held-out inputs scored by each evaluation
    top_k: int = 5                          # alternatives shown at each greedy decoding step
    curve_points: int = 300                 # the training-loss curve is thinned to this many points


LIMITS = TransformerLimits()


def validated(**values) -> TransformerSettings:
    """Settings from values that may come straight from the API (a missing one takes its
    default); InputError names the first wrong value and what is allowed."""
    return parse(TransformerSettings, values)


def noam_rate(step: int | np.ndarray, d_model: int, warmup: int, scale: float):
    """lrate = scale * d_model^-0.5 * min(step^-0.5, step * warmup^-1.5) (section 5.3): a linear
    rise for ``warmup`` steps, then decay as 1/sqrt(step). Post-norm Transformers diverge without
    the warm-up: at initialisation the gradients near the output are large (Xiong et al. 2020)."""
    step = np.maximum(step, 1)
    return scale * d_model ** -0.5 * np.minimum(step ** -0.5, step * warmup ** -1.5)


def schedule(settings: TransformerSettings, last_step: int) -> tuple[np.ndarray, np.ndarray]:
    """(steps 1..last_step, the rate at each), for the schedule's plot."""
    steps = np.arange(1, max(2, last_step) + 1)
    return steps, noam_rate(steps, settings.d_model, settings.warmup, settings.lr_scale)


def build_model(settings: TransformerSettings, task: tasks.Task) -> Transformer:
    with global_rng_seeded(settings.seed):  # nn.Linear and nn.Embedding initialise from the global RNG
        return Transformer(len(task.source_vocab), len(task.target_vocab), settings.d_model, settings.heads,
                           settings.layers, LIMITS.ffn_multiplier * settings.d_model, settings.dropout,
                           settings.norm == "pre", LIMITS.max_positions, PAD_ID)


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """The model on the held-out inputs at one iteration."""
    iteration: int
    loss: float             # teacher-forced cross-entropy, nats per target token (</s> included)
    token_accuracy: float   # teacher forcing: share of target tokens predicted right given the right prefix
    exact_accuracy: float   # free running: share of inputs whose greedy output is exactly the answer


class TransformerRun:
    """One training run: the model, its optimiser, the run's RNG, the held-out set and the curves."""

    def __init__(self, settings: TransformerSettings):
        self.settings = settings
        self.task = tasks.TASKS[settings.task]
        self.gen = torch.Generator().manual_seed(settings.seed)
        self.model = build_model(settings, self.task)
        # the rate is set before every step from the Noam schedule; fused: one kernel updates every
        # tensor (Adam's per-tensor loop took 3x longer here)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=0.0, betas=LIMITS.adam_betas,
                                          eps=LIMITS.adam_eps, fused=True)
        self.iteration = 0
        self.target = 0  # the iteration that Start / Resume trains up to
        self.train_loss: Log = Log()   # every iteration
        self.evaluations: Log = Log()
        # the held-out inputs: from the held-out part of the input space, with their own generator
        held_out_gen = torch.Generator().manual_seed(settings.seed + 1)
        self.held_out = tasks.held_out_set(self.task, LIMITS.held_out_size, held_out_gen)
        self.held_out_batch = tasks.encode_pairs(self.task, self.held_out)

    def lr(self) -> float:
        """The rate of the next step."""
        s = self.settings
        return float(noam_rate(self.iteration + 1, s.d_model, s.warmup, s.lr_scale))

    def train_step(self) -> None:
        """One iteration on a fresh batch from the training part; evaluates on the held-out set
        every ``LIMITS.eval_every`` iterations. Raises Diverged (weights untouched) on a
        non-finite loss or gradient."""
        s = self.settings
        # 1. a batch never seen in the held-out set: (B, S), (B, T+1), (B, T+1)
        src, tgt_in, tgt_out = tasks.encode_pairs(self.task, tasks.sample_sources(self.task, s.batch, self.gen))
        # 2. teacher forcing: the decoder reads <s> y_1 .. y_T and predicts y_1 .. y_T </s>
        self.model.train()
        if s.dropout > 0:  # nn.Dropout draws from the global RNG: seed it from the run's stream
            dropout_seed = int(torch.randint(2**62, (1,), generator=self.gen))
            with global_rng_seeded(dropout_seed):
                logits, _ = self.model(src, tgt_in)
        else:
            logits, _ = self.model(src, tgt_in)                   # (B, T+1, V)
        loss = F.cross_entropy(logits.flatten(0, 1), tgt_out.flatten(), ignore_index=PAD_ID)
        if not math.isfinite(loss.item()):
            raise Diverged(self.iteration + 1, "Transformer")
        # 3. backpropagate; check before stepping, so a bad step never reaches the weights
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grads = [p.grad for p in self.model.parameters() if p.grad is not None]
        if not math.isfinite(float(torch.nn.utils.get_total_norm(grads))):
            self.optimizer.zero_grad(set_to_none=True)
            raise Diverged(self.iteration + 1, "Transformer")
        # 4. Adam at the Noam rate of this step
        for group in self.optimizer.param_groups:
            group["lr"] = self.lr()
        self.optimizer.step()
        self.iteration += 1
        self.train_loss.append(loss.item())
        if self.iteration % LIMITS.eval_every == 0:
            self.evaluations.append(evaluate(self))


def train(run, iterations: int) -> None:
    """``iterations`` steps headless, on one thread (tests, benchmarks). Works for any run with
    ``train_step`` (the induction run too)."""
    with one_thread():
        for _ in range(iterations):
            run.train_step()


@torch.no_grad()
def greedy_ids(model: Transformer, src: torch.Tensor, max_steps: int) -> torch.Tensor:
    """Free-running greedy decoding of a batch: (B, S) -> (B, <= max_steps) token ids, each row
    <pad> after its </s>. Each step runs the decoder on everything produced so far."""
    memory, _ = model.encode(src)                                      # (B, S, d)
    ys = torch.full((len(src), 1), BOS_ID)                             # (B, 1)
    finished = torch.zeros(len(src), dtype=torch.bool)
    for _ in range(max_steps):
        logits, _, _ = model.decode(ys, memory, src)                    # (B, t, V)
        next_id = logits[:, -1].argmax(-1).masked_fill(finished, PAD_ID)  # (B,)
        ys = torch.cat([ys, next_id[:, None]], dim=1)
        finished |= next_id == EOS_ID
        if finished.all():
            break
    return ys[:, 1:]


@torch.no_grad()
def evaluate(run: TransformerRun) -> Evaluation:
    """The model on the held-out inputs now (``train_step`` records one every ``LIMITS.eval_every``)."""
    model = run.model.eval()
    src, tgt_in, tgt_out = run.held_out_batch
    logits, _ = model(src, tgt_in)                                      # (N, T+1, V)
    real = tgt_out != PAD_ID
    loss = F.cross_entropy(logits[real], tgt_out[real]).item()
    token_accuracy = (logits.argmax(-1) == tgt_out)[real].float().mean().item()
    # free running: right iff every target token and the </s> come out in place
    produced = greedy_ids(model, src, tgt_out.shape[1])
    produced = F.pad(produced, (0, tgt_out.shape[1] - produced.shape[1]), value=PAD_ID)
    exact = ((produced == tgt_out) | ~real).all(dim=1).float().mean().item()
    return Evaluation(run.iteration, loss, token_accuracy, exact)


# ---------------------------------------------------------------------------------------------
# what the model does with one typed input


@dataclasses.dataclass(frozen=True)
class GreedyStep:
    """One step of greedy decoding: the token chosen, its rivals, and where the new query looked."""
    token: str
    prob: float
    top_tokens: list[str]      # the top_k candidates, most probable first
    top_probs: list[float]
    cross_attn: np.ndarray     # (L, h, S): the new position's cross-attention over the source


@dataclasses.dataclass(frozen=True)
class Inspection:
    """A typed input through the model, both ways. Free running (greedy, the model reads its own
    output) gives the attention maps and the steps; teacher forcing (the decoder reads the right
    answer) gives what the model predicts at each position given a right prefix."""
    iteration: int
    source: str
    answer: str                # the task's rule applied to the input
    output: str                # greedy, free running, up to </s>
    source_tokens: list[str]   # (S) labels of the source positions
    decoder_tokens: list[str]  # (T) what the decoder read: <s> and the tokens it produced before
    produced_tokens: list[str]  # (T) what each decoder position produced (the last may be </s>)
    encoder_attn: np.ndarray   # (L, h, S, S)
    decoder_attn: np.ndarray   # (L, h, T, T), zero above the diagonal
    cross_attn: np.ndarray     # (L, h, T, S)
    steps: list[GreedyStep]
    answer_tokens: list[str]   # (T') the answer and </s>
    forced_tokens: list[str]   # (T') teacher forcing: the argmax at each position given the right prefix
    forced_probs: np.ndarray   # (T') teacher forcing: the probability of the right token
    free_probs: np.ndarray     # (T') free running: the probability of the right token at that
                               # position after the model's own prefix (NaN after it stopped)

    @property
    def correct(self) -> bool:
        return self.output == self.answer


@torch.no_grad()
def inspect(run: TransformerRun, text) -> Inspection:
    """Greedy decoding of ``text`` step by step with every attention matrix, and teacher forcing
    on the same input. Raises InputError for an input the task cannot take."""
    with one_thread():
        return _inspect(run, tasks.validated_source(run.task, text))


def _inspect(run: TransformerRun, source: str) -> Inspection:
    # the caller holds the session's lock (or is the stream that trains it): no step runs meanwhile
    task, model, k = run.task, run.model.eval(), LIMITS.top_k
    src_vocab, tgt_vocab = task.source_vocab, task.target_vocab
    answer = task.answer(source)
    src = torch.tensor([src_vocab.encode(source)])                              # (1, S)
    memory, encoder_maps = model.encode(src)
    # 1. greedy decoding, written out: each step runs the decoder on <s> and the tokens so far
    ys, steps, free_logits = [BOS_ID], [], []
    for _ in range(task.max_target_len + 1):
        logits, _, cross_maps = model.decode(torch.tensor([ys]), memory, src)  # (1, t, V)
        probs = logits[0, -1].softmax(-1)                                       # (V,)
        top = probs.topk(min(k, len(probs)))
        steps.append(GreedyStep(
            tgt_vocab.tokens[top.indices[0]], top.values[0].item(),
            [tgt_vocab.tokens[i] for i in top.indices], top.values.tolist(),
            torch.stack([m[0, :, -1] for m in cross_maps]).numpy()))           # (L, h, S)
        free_logits.append(logits[0, -1])
        ys.append(int(top.indices[0]))
        if ys[-1] == EOS_ID:
            break
    # 2. one pass over what the decoder read records every map; causality makes its rows the
    #    same as those of the steps above (each row sees only its own prefix)
    decoder_in = torch.tensor([ys[:-1]])                                        # (1, T)
    _, self_maps, cross_maps = model.decode(decoder_in, memory, src)
    # 3. teacher forcing: the decoder reads the right answer
    answer_ids = tgt_vocab.encode(answer) + [EOS_ID]
    forced_logits, _, _ = model.decode(torch.tensor([[BOS_ID] + answer_ids[:-1]]), memory, src)
    forced_probs = forced_logits[0].softmax(-1)                                  # (T', V)
    positions = torch.arange(len(answer_ids))
    free_probs = np.full(len(answer_ids), np.nan)
    for t, logit in enumerate(free_logits[: len(answer_ids)]):
        free_probs[t] = logit.softmax(-1)[answer_ids[t]].item()

    def stacked(maps):
        return torch.stack([m[0] for m in maps]).numpy()

    return Inspection(
        iteration=run.iteration, source=source, answer=answer, output=tgt_vocab.decode(ys[1:]),
        source_tokens=list(source), decoder_tokens=[tgt_vocab.tokens[i] for i in ys[:-1]],
        produced_tokens=[tgt_vocab.tokens[i] for i in ys[1:]],
        encoder_attn=stacked(encoder_maps), decoder_attn=stacked(self_maps), cross_attn=stacked(cross_maps),
        steps=steps, answer_tokens=[tgt_vocab.tokens[i] for i in answer_ids],
        forced_tokens=[tgt_vocab.tokens[i] for i in forced_probs.argmax(-1)],
        forced_probs=forced_probs[positions, answer_ids].numpy(), free_probs=free_probs)
