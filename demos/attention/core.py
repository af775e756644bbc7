"""Attention lab: pure compute, tensors in, numpy / dataclasses out. No gradio here.

Everything is read from, or recomputed from, a real causal LM loaded with eager attention.
The recomputation follows Vaswani et al. (2017), eq. 1: Attention(Q, K, V) = softmax(QKᵀ/√dₖ)V,
with GPT's causal mask (Radford et al., 2018) applied before the softmax.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch

from components.head_scores import induction_score, row_statistics
from components.i18n import InputError
from components import models
from components.models import model_context
from components.settings import controls, setting
from components.tokens import labels_for_ids, labels_from_offsets
from components.validation import as_int

MODES = ("head", "mean")  # the token view shows the chosen head, or the mean over the layer's heads


@dataclasses.dataclass(frozen=True)
class AttentionLimits:
    max_text_chars: int = 20_000  # the longest text the textbox takes; encode() cuts here too
                                  # before tokenizing (then to the context)
    max_tokens: int = 256         # at most this many tokens are shown (and never past the context)
    # the widest GPT-2 (gpt2-xl: 48 blocks of 25 heads) bounds the layer and head controls; the
    # analysed model's own sizes are checked against every request (check_selection)
    max_layers: int = 48
    max_heads: int = 25
    induction_len: int = 32       # random tokens, repeated once, for the induction score
    census_seed: int = 0          # which random tokens the induction score uses


LIMITS = AttentionLimits()


DEFAULT_TEXT = "The king is dead. Long live the king! The king is dead. Long live the king!"
# every causal LM the registry knows (hub ones are refused by the handlers while disabled)
CAUSAL_LMS = tuple(spec.model_id for spec in models.BUNDLED + models.HUB if spec.kind == models.CAUSAL_LM)


@dataclasses.dataclass(frozen=True)
class Source:
    """What is analysed: the text and the model. A shareable link sets these with ``Selection``."""
    text: str = setting(DEFAULT_TEXT, label="att_text", max_chars=LIMITS.max_text_chars)
    model_id: str = setting(models.default_model(models.CAUSAL_LM), label="model", choices=CAUSAL_LMS)


@dataclasses.dataclass(frozen=True)
class Selection:
    """Which head and which query token the views show. These bounds hold for any GPT-2; the
    analysed text's own sizes (its model's layers and heads, its tokens) are checked by
    ``check_selection``, since the controls' ranges follow the text that was analysed."""
    layer: int = setting(0, label="att_layer", low=0, high=LIMITS.max_layers - 1)
    head: int = setting(0, label="att_head", low=0, high=LIMITS.max_heads - 1)
    query: int = setting(0, label="att_query", low=0, high=LIMITS.max_tokens - 1)
    mode: str = setting("head", label="att_token_mode", choices=MODES, choice_label="att_mode_{}", widget="radio")


@dataclasses.dataclass(frozen=True)
class GenerationSettings:
    """Attention while generating: how many tokens, and which layer's rows are shown."""
    new_tokens: int = setting(8, label="att_new_tokens", low=1, high=32)  # greedy, one forward pass each
    # -1: the mean over every layer (checked against the model's own depth by check_generation)
    gen_layer: int = setting(-1, label="att_gen_layer", low=-1, high=LIMITS.max_layers - 1)


def _check_up_to(settings_cls, field: str, value: int, high: int) -> None:
    """``field``'s value between its control's low and ``high`` (a size of the analysed model or
    text); InputError naming the control otherwise."""
    control = controls(settings_cls)[field]
    as_int(control.label, value, control.low, high)


def check_selection(selection: Selection, attn_shape: tuple) -> None:
    """The selection against the analysed text: its model's layers and heads, and its tokens."""
    n_layer, n_head, T, _ = attn_shape
    _check_up_to(Selection, "layer", selection.layer, n_layer - 1)
    _check_up_to(Selection, "head", selection.head, n_head - 1)
    _check_up_to(Selection, "query", selection.query, T - 1)


def carry_selection(selection: Selection, attn_shape: tuple) -> Selection:
    """The selection for a newly analysed text: layer and head stay where the model has them
    (else move to its last); the query stays where the text has it, so a shared link shows its
    query, but query 0 (the first token can only look at itself) and a query past the text move
    to the last token. The controls show the move."""
    n_layer, n_head, T, _ = attn_shape
    query = selection.query if 0 < selection.query < T else T - 1
    return dataclasses.replace(selection, layer=min(selection.layer, n_layer - 1),
                               head=min(selection.head, n_head - 1), query=query)


def check_generation(settings: GenerationSettings, n_layer: int) -> None:
    _check_up_to(GenerationSettings, "gen_layer", settings.gen_layer, n_layer - 1)


@dataclasses.dataclass(frozen=True)
class Encoded:
    ids: list[int]
    labels: list[str]      # one readable label per token (partial UTF-8 bytes never show as "�")
    truncated: bool        # True when the text was cut to fit
    original_tokens: int   # token count before truncation


def check_text(text) -> None:
    if not isinstance(text, str) or not text.strip():
        raise InputError("att_err_empty")


def encode(tokenizer, model, text: str, limits: AttentionLimits = LIMITS) -> Encoded:
    """Tokenize ``text`` for display, cut to min(context, limits.max_tokens) tokens."""
    check_text(text)
    cut_chars = len(text) > limits.max_text_chars
    text = text[: limits.max_text_chars]
    enc = tokenizer(text, return_offsets_mapping=True)
    ids, offsets = enc["input_ids"], [tuple(o) for o in enc["offset_mapping"]]
    keep = min(model_context(model), limits.max_tokens)
    return Encoded(
        ids=ids[:keep],
        labels=labels_from_offsets(text, offsets[:keep]),
        truncated=cut_chars or len(ids) > keep,
        original_tokens=len(ids),
    )


@dataclasses.dataclass(frozen=True)
class ForwardRecord:
    attn: np.ndarray                 # (L, H, T, T) the model's own attention probabilities
    block_inputs: tuple              # L tensors (T, d): the residual stream entering each block


@torch.no_grad()
def run_model(model, ids: list[int]) -> ForwardRecord:
    """One forward pass that keeps what the views need. Needs eager attention: under sdpa
    ``output_attentions`` comes back empty."""
    out = model(torch.tensor([ids]), output_attentions=True, output_hidden_states=True)
    if not out.attentions:
        raise ValueError("this model returned no attention weights; load it with attn_implementation='eager'")
    attn = torch.stack(out.attentions, dim=1)[0].float().numpy()  # (L, H, T, T)
    # hidden_states[l] is the input of block l (the last entry is the final output)
    return ForwardRecord(attn, tuple(h[0] for h in out.hidden_states[: len(out.attentions)]))


@dataclasses.dataclass(frozen=True)
class Analysis:
    """One text through one model: what every view of the tab is drawn from."""
    encoded: Encoded
    record: ForwardRecord
    context: int                     # the model's context length (the truncation notice names it)

    @property
    def attn(self) -> np.ndarray:
        return self.record.attn      # (L, H, T, T)


def analyse(model, tokenizer, text: str, limits: AttentionLimits = LIMITS) -> Analysis:
    encoded = encode(tokenizer, model, text, limits)
    if len(encoded.ids) < 2:    # one token attends only to itself: no pattern to show, no query to pick
        raise InputError("att_err_one_token", token=encoded.labels[0] if encoded.labels else "")
    return Analysis(encoded, run_model(model, encoded.ids), model_context(model))


def attention_maps(model, ids: list[int]) -> np.ndarray:
    """(L, H, T, T) attention probabilities of one forward pass."""
    return run_model(model, ids).attn


def gpt2_blocks(model):
    """The transformer blocks of a GPT-2-family model, or a readable refusal."""
    transformer = getattr(model, "transformer", None)
    if transformer is None or not hasattr(transformer, "h"):
        raise InputError("att_err_arch", arch=type(model).__name__)
    return transformer.h


@dataclasses.dataclass(frozen=True)
class HeadArithmetic:
    """Every intermediate of one head, for query and key positions 0..T-1."""
    q: np.ndarray        # (T, d_k)  Q = LN(x) W_Q
    k: np.ndarray        # (T, d_k)  K = LN(x) W_K
    v: np.ndarray        # (T, d_k)  V = LN(x) W_V
    scores: np.ndarray   # (T, T)    Q Kᵀ
    scaled: np.ndarray   # (T, T)    Q Kᵀ / √d_k
    masked: np.ndarray   # (T, T)    scaled, -inf above the diagonal (a query cannot see the future)
    probs: np.ndarray    # (T, T)    softmax over keys, each row sums to 1
    output: np.ndarray   # (T, d_k)  probs V
    d_k: int


@torch.no_grad()
def head_arithmetic(model, block_input: torch.Tensor, layer: int, head: int) -> HeadArithmetic:
    """Recompute one GPT-2 head from its layer's own weights: the residual stream entering block
    ``layer`` (``ForwardRecord.block_inputs``, (T, d)), the block's first LayerNorm, the fused
    c_attn projection, then softmax(QKᵀ/√dₖ + mask)V by hand."""
    block = gpt2_blocks(model)[layer]
    hidden = block_input
    n_head = model.config.n_head
    d_model = hidden.shape[-1]
    d_k = d_model // n_head
    # 1. project: c_attn is one (d, 3d) matrix holding W_Q | W_K | W_V
    qkv = block.attn.c_attn(block.ln_1(hidden))  # (T, 3d)
    q, k, v = (t[:, head * d_k:(head + 1) * d_k] for t in qkv.split(d_model, dim=-1))  # (T, d_k) each
    # 2. scores and scaling
    scores = q @ k.T                     # (T, T)
    scaled = scores / math.sqrt(d_k)
    # 3. causal mask: query i may only attend to keys j <= i
    T = hidden.shape[0]
    future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    masked = scaled.masked_fill(future, float("-inf"))
    # 4. softmax over keys, then the weighted sum of values
    probs = torch.softmax(masked, dim=-1)
    output = probs @ v                   # (T, d_k)
    return HeadArithmetic(*(t.float().numpy() for t in (q, k, v, scores, scaled, masked, probs, output)), d_k=d_k)


def mean_over_heads(attn: np.ndarray) -> np.ndarray:
    """(L, H, T, T) -> (L, T, T)."""
    return attn.mean(axis=1)


def rollout(attn: np.ndarray) -> np.ndarray:
    """Attention rollout (Abnar & Zuidema, 2020): Ã_l = ½(mean_h A_l) + ½I accounts for the
    residual connection; rows renormalised; R_l = Ã_l R_{l-1}. Returns R for every layer,
    (L, T, T): how much each input token flows into each position after layer l."""
    T = attn.shape[-1]
    eye = np.eye(T, dtype=np.float64)
    result, rolled = [], eye
    for layer_mean in mean_over_heads(attn).astype(np.float64):
        a = 0.5 * layer_mean + 0.5 * eye
        a /= a.sum(axis=-1, keepdims=True)
        rolled = a @ rolled
        result.append(rolled)
    return np.stack(result).astype(np.float32)


@dataclasses.dataclass(frozen=True)
class SelectionRecord:
    """Everything the views of one selection show, from an analysis (no new forward pass)."""
    steps: HeadArithmetic     # the chosen head recomputed from its layer's weights
    max_diff: float           # max |recomputed − the model's own probabilities|, shown as a check
    weights: np.ndarray       # (T,) the query's attention: the head's row, or the layer's mean over heads
    layer_mean: np.ndarray    # (T, T) mean over the layer's heads
    rolled: np.ndarray        # (T, T) attention rollout through the layer


def record_selection(model, analysis: Analysis, selection: Selection) -> SelectionRecord:
    """The views' numbers for one selection, after checking it against the analysed text."""
    check_selection(selection, analysis.attn.shape)
    layer, head, query = selection.layer, selection.head, selection.query
    attn = analysis.attn  # (L, H, T, T)
    steps = head_arithmetic(model, analysis.record.block_inputs[layer], layer, head)
    weights = attn[layer, head, query] if selection.mode == "head" else attn[layer, :, query].mean(0)
    return SelectionRecord(steps, float(np.abs(steps.probs - attn[layer, head]).max()), weights,
                           mean_over_heads(attn)[layer], rollout(attn)[layer])


SCORES = ("previous", "first", "induction", "self_", "entropy")  # the census's scores, in the order shown
STANDS_OUT = 2.0   # a head stands out when its share is at least twice uniform attention's (its entropy at most half)
MAX_NAMED = 3      # at most this many standing-out heads are named per score


@dataclasses.dataclass(frozen=True)
class HeadCensus:
    """Per head (L, H) arrays, so a learner can spot what each head does."""
    entropy: np.ndarray     # mean entropy of a query's attention row (nats), over queries 1..T-1
    previous: np.ndarray    # mean attention to the token just before the query
    first: np.ndarray       # mean attention to the first token (an "attention sink")
    self_: np.ndarray       # mean attention of a token to itself
    induction: np.ndarray   # on [r, r] with r random: mean attention to the token after the
                            # earlier copy of the current token (Olsson et al., 2022)
    uniform: dict           # score -> its value for a head that spreads every row evenly over the
                            # tokens it may see: the level at which a score says nothing


def induction_scores(model, limits: AttentionLimits = LIMITS) -> np.ndarray:
    """(L, H): feed [r, r] (n random tokens twice). At position n + i (second copy of r_i) an
    induction head attends to position i + 1, the token that followed r_i last time."""
    n = limits.induction_len
    gen = torch.Generator().manual_seed(limits.census_seed)
    r = torch.randint(0, model.config.vocab_size, (n,), generator=gen).tolist()
    return induction_score(attention_maps(model, r + r), n)


def uniform_attention(T: int) -> np.ndarray:
    """(T, T) causal attention that weighs every visible key alike: row q is 1/(q+1) on keys 0..q."""
    return np.tril(np.ones((T, T))) / np.arange(1, T + 1)[:, None]


def head_census(attn: np.ndarray, induction: np.ndarray, limits: AttentionLimits = LIMITS) -> HeadCensus:
    """The census of the heads on one text's attention (L, H, T, T), with the model's induction
    scores (``induction_scores``: they depend on the model only, so a caller keeps them), and
    each score of uniform attention on the same text (and the same [r, r] sequence)."""
    T = attn.shape[-1]
    entropy, previous, first, self_ = row_statistics(attn)
    flat = row_statistics(uniform_attention(T)[None, None])
    n = limits.induction_len
    flat_induction = induction_score(uniform_attention(2 * n)[None, None], n)
    uniform = {name: float(v[0, 0]) for name, v in zip(("entropy", "previous", "first", "self_", "induction"),
                                                       (*flat, flat_induction))}
    return HeadCensus(entropy, previous, first, self_, induction, uniform)


def standouts(census: HeadCensus, score: str) -> list[tuple[int, int, float]]:
    """(layer, head, value) of the heads whose ``score`` stands out from uniform attention,
    strongest first, at most MAX_NAMED: a share at least STANDS_OUT times uniform's, an entropy at
    most 1/STANDS_OUT of it. Empty when no head does (or the text is one token long)."""
    values, flat = getattr(census, score), census.uniform[score]
    if flat <= 0:
        return []
    lower_is_stronger = score == "entropy"
    order = np.argsort(values if lower_is_stronger else -values, axis=None, kind="stable")[:MAX_NAMED]
    named = []
    for layer, head in zip(*np.unravel_index(order, values.shape)):
        value = float(values[layer, head])
        if (value <= flat / STANDS_OUT) if lower_is_stronger else (value >= STANDS_OUT * flat):
            named.append((int(layer), int(head), value))
    return named


def strongest(census: HeadCensus, score: str) -> tuple[int, int, float]:
    """(layer, head, value) of the head with the highest ``score`` (the lowest entropy)."""
    values = getattr(census, score)
    index = np.argmin(values) if score == "entropy" else np.argmax(values)
    layer, head = np.unravel_index(index, values.shape)
    return int(layer), int(head), float(values[layer, head])


@dataclasses.dataclass(frozen=True)
class ToyExample:
    """Self-attention by hand: 3 tokens, d = 6, d_k = 3, seeded weights rounded to 1 decimal so
    a learner can redo every product with pen and paper."""
    tokens: list[str]
    x: np.ndarray          # (3, 6) token embeddings
    w_q: np.ndarray        # (6, 3)
    w_k: np.ndarray
    w_v: np.ndarray
    q: np.ndarray          # (3, 3) = x W_Q
    k: np.ndarray
    v: np.ndarray
    scores: np.ndarray     # (3, 3) = Q Kᵀ
    scaled: np.ndarray     # / √3
    masked: np.ndarray     # causal mask
    probs: np.ndarray      # softmax rows
    output: np.ndarray     # (3, 3) = probs V


def toy_example(seed: int = 0) -> ToyExample:
    rng = np.random.default_rng(seed)
    # "+ 0.0" turns a rounded -0.0 into 0.0, which would otherwise print as "-0.00"
    x, w_q, w_k, w_v = (np.round(rng.uniform(-1, 1, size), 1) + 0.0 for size in [(3, 6), (6, 3), (6, 3), (6, 3)])
    q, k, v = x @ w_q, x @ w_k, x @ w_v
    scores = q @ k.T
    scaled = scores / math.sqrt(3)
    masked = np.where(np.triu(np.ones((3, 3), bool), 1), -np.inf, scaled)
    e = np.exp(masked - masked.max(axis=-1, keepdims=True))
    probs = e / e.sum(axis=-1, keepdims=True)
    return ToyExample(["I", "love", "AI"], x, w_q, w_k, w_v, q, k, v, scores, scaled, masked, probs, probs @ v)


def sinusoidal_encoding(n_positions: int, d_model: int) -> np.ndarray:
    """Vaswani et al. (2017), §3.5: PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...)."""
    pos = np.arange(n_positions)[:, None]
    i = np.arange(0, d_model, 2)[None, :]
    angle = pos / np.power(10000.0, i / d_model)
    pe = np.zeros((n_positions, d_model), dtype=np.float32)
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle[:, : d_model // 2])
    return pe


def cosine_similarity(x: np.ndarray) -> np.ndarray:
    """(P, d) -> (P, P) cosine similarity between rows."""
    unit = x / np.clip(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12, None)
    return unit @ unit.T


def learned_positions(model, n_positions: int) -> np.ndarray:
    """The model's learned position embeddings (GPT-2's wpe), first ``n_positions`` rows."""
    wpe = getattr(getattr(model, "transformer", None), "wpe", None)
    if wpe is None:
        raise InputError("att_err_arch", arch=type(model).__name__)
    return wpe.weight[:n_positions].detach().float().numpy()


@dataclasses.dataclass(frozen=True)
class GenerationAttention:
    labels: list[str]       # all tokens, prompt then generated
    prompt_len: int
    rows: np.ndarray        # (L, H, N, T): for generated token n, the attention row of the
                            # position that produced it (query prompt_len - 1 + n)

    def mean_rows(self, layer: int | None) -> np.ndarray:
        """(N, T): the rows averaged over the heads of ``layer``, or over every layer and head."""
        return self.rows.mean(axis=(0, 1)) if layer is None else self.rows[layer].mean(axis=0)


@torch.no_grad()
def generate_with_attention(model, tokenizer, encoded: Encoded, n_new: int) -> GenerationAttention:
    """Greedy generation, then one forward pass over the whole sequence: in a causal model the
    row of query p is exactly the attention used when token p + 1 was chosen."""
    context = model_context(model)
    prompt = encoded.ids[: max(1, context - n_new)]
    full = model.generate(
        torch.tensor([prompt]), attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
        max_new_tokens=n_new, do_sample=False, pad_token_id=tokenizer.eos_token_id,
    )[0].tolist()
    attn = attention_maps(model, full)
    n_generated = len(full) - len(prompt)
    queries = np.arange(len(prompt) - 1, len(prompt) - 1 + n_generated)
    return GenerationAttention(labels=labels_for_ids(tokenizer, full), prompt_len=len(prompt), rows=attn[:, :, queries, :])
