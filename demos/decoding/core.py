"""Decoding lab: the strategies run on one prompt, with what each keeps at every step.
No gradio here.

Sampling strategies run through ``model.generate`` (top_k=0 unless top-k is the point, since
transformers otherwise applies top_k=50 silently). Greedy and beam search are written out here so
every step can be recorded (and tested equal to ``model.generate``). Contrastive search moved out
of transformers' core in v5; ``contrastive_search`` implements Su et al. (2022) and is passed to
``generate(custom_generate=...)``.
"""

from __future__ import annotations

import dataclasses
import math
import zlib
from collections import Counter

import numpy as np
import torch
from transformers.generation.logits_process import (
    LogitsProcessorList,
    NoRepeatNGramLogitsProcessor,
    RepetitionPenaltyLogitsProcessor,
)
from transformers.generation.utils import GenerateDecoderOnlyOutput

from components import turns
from components.i18n import InputError
from components.models import model_context
from components.seeding import global_rng_seeded
from components.settings import controls, setting
from components.tokens import token_piece
from components.validation import as_choice, as_int, echo
from demos.decoding import filters

KINDS = ("greedy", "beam", "sampling", "top_k", "top_p", "typical", "min_p", "contrastive")
SAMPLED = ("sampling", "top_k", "top_p", "typical", "min_p")
DEFAULT_KINDS = ("greedy", "beam", "sampling", "top_k", "top_p", "min_p")
EXAMPLES = ("ROMEO.\nWhat light", "KING.\nMy lords, ", "To be, or not to be, ", "HAMLET.\nO, that this too")


@dataclasses.dataclass(frozen=True)
class DecodingLimits:
    """Limits of the views (the settings' limits are in their declarations below)."""
    top_tokens_shown: int = 30    # bars in the next-token distribution
    sweep_temperatures: tuple = (0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.5, 2.0)
    sweep_samples: int = 4        # samples drawn at each temperature of the sweep


LIMITS = DecodingLimits()


# ---------------------------------------------------------------------------- settings

@dataclasses.dataclass(frozen=True)
class Param:
    """A strategy parameter's default, limits and label, declared once: ``Strategy`` takes its
    default from here, and every strategy that has the parameter gets its own control from it."""
    default: int | float   # an int default makes an integer control
    label: str             # i18n key of the control's label
    low: float
    high: float
    step: float            # a slider's step

    def setting(self):
        """A settings field for one strategy's copy of this parameter."""
        return setting(self.default, label=self.label, low=self.low, high=self.high, step=self.step)


TEMPERATURE = Param(1.0, "dec_temperature", 0.0, 5.0, 0.05)      # T = 0 runs as greedy (see strategies)
TOP_K = Param(40, "dec_top_k", 1, 200, 1)
TOP_P = Param(0.9, "dec_top_p", 0.01, 1.0, 0.01)                 # p = 0 would keep no token
TYPICAL_P = Param(0.9, "dec_typical_p", 0.01, 1.0, 0.01)
MIN_P = Param(0.1, "dec_min_p", 0.0, 1.0, 0.01)                  # 0 keeps every token, 1 only the best
NUM_BEAMS = Param(4, "dec_beams", 2, 8, 1)                       # 1 beam would be greedy
LENGTH_PENALTY = Param(1.0, "dec_length_penalty", -5.0, 5.0, 0.1)
NO_REPEAT = Param(0, "dec_no_repeat", 0, 6, 1)                   # 0 = off
REPETITION_PENALTY = Param(1.0, "dec_repetition_penalty", 1.0, 3.0, 0.05)  # 1 = off
PENALTY_ALPHA = Param(0.6, "dec_alpha", 0.0, 1.0, 0.05)          # 0 = greedy
CONTRASTIVE_K = Param(4, "dec_contrastive_k", 1, 20, 1)


@dataclasses.dataclass(frozen=True)
class PromptSettings:
    """What the temperature sweep needs; the comparison adds its own settings to these."""
    prompt: str = setting(EXAMPLES[0], label="dec_prompt", info="dec_prompt_info", max_chars=2000)
    new_tokens: int = setting(32, label="dec_new_tokens", low=1, high=64)
    seed: int = setting(0, label="seed", low=0, high=2**31 - 1, widget="number")


@dataclasses.dataclass(frozen=True)
class DecodingSettings(PromptSettings):
    """Everything the Compare button reads but the choice of strategies. Each strategy has its own
    copy of each of its parameters, named ``<kind>_<parameter>`` (``Strategy``'s field), so a
    learner sets top-k's temperature apart from top-p's and the API says which is which."""
    samples: int = setting(3, label="dec_samples", low=1, high=5)   # samples per sampled strategy
    greedy_repetition_penalty: float = REPETITION_PENALTY.setting()
    beam_num_beams: int = NUM_BEAMS.setting()
    beam_length_penalty: float = LENGTH_PENALTY.setting()
    beam_no_repeat_ngram_size: int = NO_REPEAT.setting()
    beam_repetition_penalty: float = REPETITION_PENALTY.setting()
    sampling_temperature: float = TEMPERATURE.setting()
    sampling_repetition_penalty: float = REPETITION_PENALTY.setting()
    top_k_top_k: int = TOP_K.setting()
    top_k_temperature: float = TEMPERATURE.setting()
    top_k_repetition_penalty: float = REPETITION_PENALTY.setting()
    top_p_top_p: float = TOP_P.setting()
    top_p_temperature: float = TEMPERATURE.setting()
    top_p_repetition_penalty: float = REPETITION_PENALTY.setting()
    typical_typical_p: float = TYPICAL_P.setting()
    typical_temperature: float = TEMPERATURE.setting()
    typical_repetition_penalty: float = REPETITION_PENALTY.setting()
    min_p_min_p: float = MIN_P.setting()
    min_p_temperature: float = TEMPERATURE.setting()
    min_p_repetition_penalty: float = REPETITION_PENALTY.setting()
    contrastive_penalty_alpha: float = PENALTY_ALPHA.setting()
    contrastive_contrastive_k: int = CONTRASTIVE_K.setting()
    contrastive_repetition_penalty: float = REPETITION_PENALTY.setting()


@dataclasses.dataclass(frozen=True)
class StrategyChoice:
    """The strategies a comparison runs, as a shareable link carries them (``strategies=top_k,top_p``):
    names from KINDS joined by commas. The page shows them as checkboxes."""
    strategies: str = setting(",".join(DEFAULT_KINDS), label="dec_strategies", max_chars=200)

    def check(self):
        chosen_kinds(self.kinds())

    def kinds(self) -> list[str]:
        return [kind for kind in self.strategies.split(",") if kind]


# kind -> {settings field: Strategy field}, read off the field names (no kind is a prefix of another's)
STRATEGY_FIELDS = {kind: {name: name[len(kind) + 1:] for name in controls(DecodingSettings)
                          if name.startswith(kind + "_")} for kind in KINDS}


@dataclasses.dataclass(frozen=True)
class Strategy:
    """One decoding rule and its parameters (a kind ignores the parameters it does not have)."""
    kind: str
    temperature: float = TEMPERATURE.default
    top_k: int = TOP_K.default
    top_p: float = TOP_P.default
    typical_p: float = TYPICAL_P.default
    min_p: float = MIN_P.default
    num_beams: int = NUM_BEAMS.default
    length_penalty: float = LENGTH_PENALTY.default
    no_repeat_ngram_size: int = NO_REPEAT.default
    repetition_penalty: float = REPETITION_PENALTY.default
    penalty_alpha: float = PENALTY_ALPHA.default
    contrastive_k: int = CONTRASTIVE_K.default

    @property
    def sampled(self) -> bool:
        return self.kind in SAMPLED

    def keep_mask(self, logits: torch.Tensor) -> torch.Tensor:
        """Which tokens this strategy may pick, from logits already divided by the temperature."""
        if self.kind == "top_k":
            return filters.top_k_keep(logits, self.top_k)
        if self.kind == "top_p":
            return filters.top_p_keep(logits, self.top_p)
        if self.kind == "typical":
            return filters.typical_keep(logits, self.typical_p)
        if self.kind == "min_p":
            return filters.min_p_keep(logits, self.min_p)
        if self.kind == "contrastive":
            return filters.top_k_keep(logits, self.contrastive_k)
        if self.kind == "greedy":
            return filters.top_k_keep(logits, 1)
        return torch.ones_like(logits, dtype=torch.bool)

    def generate_kwargs(self) -> dict:
        """The model.generate arguments of a sampled strategy (one truncation rule each)."""
        kwargs = {"do_sample": True, "temperature": self.temperature, "top_k": 0,
                  "repetition_penalty": self.repetition_penalty}
        kwargs |= {"top_k": {"top_k": self.top_k}, "top_p": {"top_p": self.top_p},
                   "typical": {"typical_p": self.typical_p}, "min_p": {"min_p": self.min_p}}.get(self.kind, {})
        return kwargs


def chosen_kinds(kinds) -> list[str]:
    """The chosen strategies in the lab's fixed order; an unknown one, or none, is refused."""
    if not isinstance(kinds, (list, tuple)):
        raise InputError("err_choice", name="dec_strategies", value=echo(kinds), allowed=", ".join(KINDS))
    for kind in kinds:
        as_choice("dec_strategies", kind, KINDS)
    if not kinds:
        raise InputError("dec_err_none")
    return [kind for kind in KINDS if kind in kinds]


def strategies(settings: DecodingSettings, kinds) -> tuple[list[Strategy], list[str]]:
    """The chosen strategies with their own parameters from ``settings``, plus the keys of notes to
    show. As T -> 0 the softmax puts all its mass on the most likely token, so a sampled strategy
    at T = 0 runs as greedy (with its repetition penalty)."""
    result, notes = [], []
    for kind in chosen_kinds(kinds):
        params = {param: getattr(settings, name) for name, param in STRATEGY_FIELDS[kind].items()}
        if kind in SAMPLED and params["temperature"] == 0.0:
            kind, params = "greedy", {"repetition_penalty": params["repetition_penalty"]}
            if "dec_note_t0" not in notes:
                notes.append("dec_note_t0")
        result.append(Strategy(kind, **params))
    return result, notes


def strategy_seed(seed: int, kind: str) -> int:
    """Each strategy draws from its own stream, so changing one never changes another's output."""
    return (seed * 1_000_003 + zlib.crc32(kind.encode())) % (2**31)


# ---------------------------------------------------------------------------- prompts

def prompt_ids(tokenizer, prompt: str) -> tuple[list[int], bool]:
    """Token ids of the prompt; an empty prompt starts from the BOS token (returned flag True)."""
    if not prompt.strip():
        return [tokenizer.bos_token_id], True
    return tokenizer(prompt)["input_ids"], False


# ---------------------------------------------------------------------------- decoding

@dataclasses.dataclass(frozen=True)
class Output:
    """One generated continuation and what the model thought at each of its steps."""
    strategy: Strategy
    sample: int
    tokens: list[int]          # new tokens only
    raw_logits: np.ndarray     # (steps, V) the model's logits before any processing
    processed: np.ndarray      # (steps, V) after repetition penalty and temperature (what filters see)


def _penalty_processors(strategy: Strategy) -> LogitsProcessorList:
    procs = LogitsProcessorList()
    if strategy.repetition_penalty != 1.0:
        procs.append(RepetitionPenaltyLogitsProcessor(strategy.repetition_penalty))
    if strategy.no_repeat_ngram_size > 0:
        procs.append(NoRepeatNGramLogitsProcessor(strategy.no_repeat_ngram_size))
    return procs


def _processed(strategy: Strategy, prompt: list[int], tokens: list[int], raw: torch.Tensor) -> torch.Tensor:
    """Replay the penalties and temperature on the raw logits of every step, (steps, V)."""
    procs = _penalty_processors(strategy)
    rows = []
    for step in range(raw.shape[0]):
        context = torch.tensor([prompt + tokens[:step]])
        rows.append(procs(context, raw[step : step + 1].clone())[0] / strategy.temperature)
    return torch.stack(rows) if rows else raw


@torch.no_grad()
def run_sampled(model, prompt: list[int], strategy: Strategy, n_samples: int, new_tokens: int, seed: int,
                eos_id: int) -> list[Output]:
    with global_rng_seeded(strategy_seed(seed, strategy.kind)):
        out = model.generate(
            torch.tensor([prompt]), attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
            max_new_tokens=new_tokens, num_return_sequences=n_samples, output_logits=True,
            return_dict_in_generate=True, pad_token_id=eos_id, **strategy.generate_kwargs())
    raw = torch.stack(out.logits, dim=1)  # (n, steps, V)
    outputs = []
    for i in range(n_samples):
        tokens = _trim(out.sequences[i, len(prompt):].tolist(), eos_id)
        steps = raw[i, : len(tokens)]
        outputs.append(Output(strategy, i, tokens, steps.numpy(), _processed(strategy, prompt, tokens, steps).numpy()))
    return outputs


def _trim(tokens: list[int], eos_id: int) -> list[int]:
    """Up to and including the first EOS (later positions are padding)."""
    return tokens[: tokens.index(eos_id) + 1] if eos_id in tokens else tokens


@torch.no_grad()
def greedy(model, prompt: list[int], strategy: Strategy, new_tokens: int, eos_id: int) -> Output:
    """Greedy decoding written out: always the most likely token after the penalties. The key/value
    cache keeps each step to one new position, as in ``generate``."""
    procs = _penalty_processors(strategy)
    ids, raws, tokens = list(prompt), [], []
    out = model(torch.tensor([ids]), use_cache=True)
    for _ in range(new_tokens):
        raw = out.logits[0, -1].float()
        scores = procs(torch.tensor([ids]), raw[None].clone())[0]
        token = int(torch.argmax(scores))
        raws.append(raw)
        tokens.append(token)
        ids.append(token)
        if token == eos_id or len(tokens) == new_tokens:
            break
        turns.checkpoint()   # between tokens the CPU may pass to the next in line
        out = model(torch.tensor([[token]]), past_key_values=out.past_key_values, use_cache=True)
    raw = torch.stack(raws)
    return Output(strategy, 0, tokens, raw.numpy(), _processed(strategy, prompt, tokens, raw).numpy())


# ---------------------------------------------------------------------------- beam search

@dataclasses.dataclass(frozen=True)
class BeamCandidate:
    step: int
    parent: int          # index of the beam it extends (in the previous step's kept beams)
    token: int
    score: float         # cumulative log-probability
    status: str          # "kept", "pruned" (not among the beams carried on) or "finished"
    rank: int            # among the step's candidates, best first


@dataclasses.dataclass(frozen=True)
class BeamResult:
    output: Output
    candidates: list[BeamCandidate]
    finished: list[tuple[list[int], float, float]]  # (tokens, sum log-prob, score = sum / len^lp)


@torch.no_grad()
def beam_search(model, prompt: list[int], strategy: Strategy, new_tokens: int, eos_id: int) -> BeamResult:
    """Beam search written out (as transformers does it with early_stopping=False):
    1. extend every beam by every token: score = beam's sum of log-probs + log p(token);
    2. look at the best 2·B candidates: one ending in EOS (or reaching the length limit) among the
       best B becomes a finished hypothesis scored sum / length^length_penalty; the others fill
       the B beams carried to the next step, best first; the rest are pruned;
    3. stop at the length limit, or when no running beam can beat the worst of B finished ones;
    4. the winner is the finished hypothesis with the best length-normalised score."""
    B, lp = strategy.num_beams, strategy.length_penalty
    procs = _penalty_processors(strategy)
    beams = [(list(prompt), 0.0)]
    finished: list[tuple[list[int], float, float]] = []
    candidates: list[BeamCandidate] = []
    out = model(torch.tensor([prompt]), use_cache=True)
    for step in range(new_tokens):
        turns.checkpoint()   # between steps the CPU may pass to the next in line
        ids = torch.tensor([b[0] for b in beams])
        logits = out.logits[:, -1].float()
        log_probs = torch.log_softmax(procs(ids, logits.clone()), dim=-1)            # (beams, V)
        totals = torch.tensor([b[1] for b in beams])[:, None] + log_probs
        top = torch.topk(totals.flatten(), min(2 * B, totals.numel()))
        V = totals.shape[1]
        running = []
        last = step == new_tokens - 1
        parents = []
        for rank, (score, flat) in enumerate(zip(top.values.tolist(), top.indices.tolist())):
            parent, token = divmod(flat, V)
            seq = beams[parent][0] + [token]
            if (token == eos_id or last) and rank < B:
                finished.append((seq[len(prompt):], score, score / (step + 1) ** lp))
                status = "finished"
            elif token != eos_id and not last and len(running) < B:
                running.append((seq, score))
                parents.append(parent)
                status = "kept"
            else:
                status = "pruned"
            candidates.append(BeamCandidate(step, parent, token, score, status, rank))
        finished = sorted(finished, key=lambda f: -f[2])[:B]
        beams = running
        if not beams:
            break
        # early-stopping heuristic: the best running beam, normalised at its current length
        if len(finished) == B and beams[0][1] / (step + 1) ** lp <= finished[-1][2]:
            break
        # carry each kept beam's key/value cache along, then feed only the new tokens
        cache = out.past_key_values
        cache.reorder_cache(torch.tensor(parents))
        out = model(torch.tensor([[b[0][-1]] for b in beams]), past_key_values=cache, use_cache=True)
    best_tokens = finished[0][0]
    raw = _teacher_forced_logits(model, prompt, best_tokens)
    output = Output(strategy, 0, best_tokens, raw.numpy(), _processed(strategy, prompt, best_tokens, raw).numpy())
    return BeamResult(output, candidates, finished)


def winner_path(beam: BeamResult) -> list[BeamCandidate]:
    """The candidates the winning hypothesis went through, step 0 first: each step's kept beam it
    extends (a candidate's ``parent`` indexes the previous step's kept beams, in rank order), then
    the candidate that finished it."""
    tokens, total, _ = beam.finished[0]
    kept: dict[tuple[int, int], BeamCandidate] = {}   # (step, index among the step's kept beams) -> candidate
    per_step: Counter = Counter()
    for c in beam.candidates:                          # in rank order within each step
        if c.status == "kept":
            kept[(c.step, per_step[c.step])] = c
            per_step[c.step] += 1
    path = [next(c for c in beam.candidates if c.status == "finished" and c.step == len(tokens) - 1
                 and c.token == tokens[-1] and c.score == total)]
    while path[-1].step > 0:
        path.append(kept[(path[-1].step - 1, path[-1].parent)])
    return path[::-1]


@torch.no_grad()
def _teacher_forced_logits(model, prompt: list[int], tokens: list[int]) -> torch.Tensor:
    """(len(tokens), V): the model's raw logits before each token of a finished sequence."""
    logits = model(torch.tensor([prompt + tokens])).logits[0].float()
    return logits[len(prompt) - 1 : len(prompt) - 1 + len(tokens)]


# ---------------------------------------------------------------------------- contrastive search

@torch.no_grad()
def contrastive_search(model, input_ids, logits_processor=None, stopping_criteria=None, generation_config=None,
                       **model_kwargs):
    """Contrastive search (Su et al., 2022, eq. 5), for ``generate(custom_generate=...)``:

        x_t = argmax over v in V(k) of  (1 - α) · p(v | x_<t)  -  α · max_j cos(h_v, h_j)

    V(k) are the k most likely next tokens, h_v the last-layer hidden state of candidate v, h_j
    those of the tokens already there. α = 0 is greedy; larger α penalises candidates whose
    representation repeats the context (degeneration)."""
    alpha = float(generation_config.penalty_alpha)
    k = int(generation_config.top_k)
    max_new = int(generation_config.max_new_tokens)
    eos = generation_config.eos_token_id
    eos = eos[0] if isinstance(eos, list) else eos
    ids = input_ids[:1]
    raw_logits = []
    for _ in range(max_new):
        turns.checkpoint()   # between tokens the CPU may pass to the next in line
        out = model(ids, output_hidden_states=True)
        raw = out.logits[0, -1].float()
        scores = logits_processor(ids, raw[None].clone())[0] if logits_processor is not None else raw
        probs = scores.softmax(-1)
        top_probs, top_ids = probs.topk(k)                                          # (k,)
        context_h = out.hidden_states[-1][0]                                        # (T, d)
        candidates = torch.cat([ids.repeat(k, 1), top_ids[:, None]], dim=1)         # (k, T+1)
        cand_h = model(candidates, output_hidden_states=True).hidden_states[-1][:, -1]  # (k, d)
        similarity = torch.nn.functional.normalize(cand_h, dim=-1) @ torch.nn.functional.normalize(context_h, dim=-1).T
        degeneration = similarity.max(dim=-1).values                               # (k,)
        choice = int(torch.argmax((1 - alpha) * top_probs - alpha * degeneration))
        raw_logits.append(raw[None])
        ids = torch.cat([ids, top_ids[choice].view(1, 1)], dim=1)
        if eos is not None and int(top_ids[choice]) == eos:
            break
    if generation_config.return_dict_in_generate:
        return GenerateDecoderOnlyOutput(sequences=ids, logits=tuple(raw_logits) if generation_config.output_logits else None)
    return ids


@torch.no_grad()
def run_contrastive(model, prompt: list[int], strategy: Strategy, new_tokens: int, eos_id: int) -> Output:
    out = model.generate(torch.tensor([prompt]), attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
                         custom_generate=contrastive_search, penalty_alpha=strategy.penalty_alpha,
                         top_k=strategy.contrastive_k, max_new_tokens=new_tokens, do_sample=False,
                         repetition_penalty=strategy.repetition_penalty, pad_token_id=eos_id,
                         output_logits=True, return_dict_in_generate=True)
    tokens = out.sequences[0, len(prompt):].tolist()
    raw = torch.cat(out.logits)
    return Output(strategy, 0, tokens, raw.numpy(), _processed(strategy, prompt, tokens, raw).numpy())


# ---------------------------------------------------------------------------- the comparison

@dataclasses.dataclass(frozen=True)
class Comparison:
    prompt: list[int]
    from_bos: bool
    prompt_cut: bool       # True when the prompt lost its start to fit prompt + new tokens in the context
    outputs: list[Output]
    beam: BeamResult | None


def comparison_prompt(model, tokenizer, prompt: str, new_tokens: int) -> tuple[list[int], bool, bool]:
    """The prompt's token ids, whether they start from BOS (an empty prompt), and whether the
    prompt lost its start so that prompt + new tokens fit the model's context."""
    ids, from_bos = prompt_ids(tokenizer, prompt)
    context = model_context(model)
    prompt_cut = len(ids) + new_tokens > context
    if prompt_cut:
        ids = ids[-(context - new_tokens):]
    return ids, from_bos, prompt_cut


def run_strategy(model, prompt: list[int], strategy: Strategy, new_tokens: int, n_samples: int, seed: int,
                 eos_id: int) -> tuple[list[Output], BeamResult | None]:
    """One strategy's outputs (``n_samples`` for a sampled one), and the beam search's record
    for beam search. Each strategy draws from its own seed (``strategy_seed``), so running them
    one at a time gives what running them together gives."""
    if strategy.sampled:
        return run_sampled(model, prompt, strategy, n_samples, new_tokens, seed, eos_id), None
    if strategy.kind == "greedy":
        return [greedy(model, prompt, strategy, new_tokens, eos_id)], None
    if strategy.kind == "beam":
        beam = beam_search(model, prompt, strategy, new_tokens, eos_id)
        return [beam.output], beam
    return [run_contrastive(model, prompt, strategy, new_tokens, eos_id)], None


def compare(model, tokenizer, prompt: str, strategies: list[Strategy], new_tokens: int, n_samples: int,
            seed: int) -> Comparison:
    ids, from_bos, prompt_cut = comparison_prompt(model, tokenizer, prompt, new_tokens)
    outputs, beam = [], None
    for s in strategies:
        strategy_outputs, strategy_beam = run_strategy(model, ids, s, new_tokens, n_samples, seed,
                                                       tokenizer.eos_token_id)
        outputs.extend(strategy_outputs)
        beam = strategy_beam or beam
    return Comparison(ids, from_bos, prompt_cut, outputs, beam)


# ---------------------------------------------------------------------------- what to show

@dataclasses.dataclass(frozen=True)
class StepView:
    """The next-token distribution of one step of one output, as the strategy saw it."""
    top_ids: list[int]        # the most likely tokens after penalties and temperature
    top_probs: list[float]    # their probabilities (after temperature)
    kept: list[bool]          # whether the strategy's rule keeps each of them
    chosen: int               # the token actually chosen
    chosen_prob: float
    chosen_rank: int          # 1 = most likely
    kept_count: int           # over the whole vocabulary
    kept_mass: float          # probability mass of the kept tokens


def step_view(output: Output, step: int, top: int = LIMITS.top_tokens_shown) -> StepView:
    logits = torch.from_numpy(output.processed[step])
    probs = logits.softmax(-1)
    keep = output.strategy.keep_mask(logits)
    order = torch.argsort(probs, descending=True, stable=True)
    chosen = output.tokens[step]
    return StepView(
        top_ids=order[:top].tolist(), top_probs=probs[order[:top]].tolist(), kept=keep[order[:top]].tolist(),
        chosen=chosen, chosen_prob=float(probs[chosen]), chosen_rank=int((order == chosen).nonzero()[0, 0]) + 1,
        kept_count=int(keep.sum()), kept_mass=float(probs[keep].sum()),
    )


@dataclasses.dataclass(frozen=True)
class OutputSteps:
    """One output's next-token distribution at each of its steps."""
    label: str
    views: list[StepView]


@dataclasses.dataclass(frozen=True)
class StepViews:
    """What the step slider walks through, kept in the session's state: every output's steps, and
    a label for every token some view shows (so a step is drawn without the tokenizer)."""
    outputs: list[OutputSteps]
    pieces: dict[int, str]


def step_views(outputs: list[Output], labels: list[str], tokenizer) -> StepViews:
    """The views of every step of every output (``labels``: one per output)."""
    steps, pieces = [], {}
    for output, label in zip(outputs, labels):
        views = [step_view(output, step) for step in range(len(output.tokens))]
        for view in views:
            for token_id in view.top_ids:
                if token_id not in pieces:
                    pieces[token_id] = token_piece(tokenizer, token_id)
        steps.append(OutputSteps(label, views))
    return StepViews(steps, pieces)


def pick_step(steps: StepViews | None, output_index, step) -> tuple[OutputSteps, int]:
    """One output and one of its steps, both checked against what the comparison produced (the API
    may ask for any)."""
    outputs = steps.outputs if steps is not None else []
    if not outputs:
        raise InputError("dec_err_output", value=echo(output_index))
    chosen = outputs[as_int("dec_output_pick", output_index, 0, len(outputs) - 1)]
    return chosen, as_int("dec_step", step, 0, len(chosen.views) - 1)


def group_by_strategy(outputs: list[Output]) -> list[tuple[Strategy, list[Output]]]:
    """The outputs of each strategy together (its samples), in order of first appearance."""
    groups: dict[Strategy, list[Output]] = {}
    for output in outputs:
        groups.setdefault(output.strategy, []).append(output)
    return list(groups.items())


def token_model_stats(output: Output) -> tuple[np.ndarray, np.ndarray]:
    """(probability, rank) of each chosen token under the unmodified model (raw logits, T = 1)."""
    raw = torch.from_numpy(output.raw_logits)
    log_probs = torch.log_softmax(raw, dim=-1)
    chosen = torch.tensor(output.tokens)
    chosen_lp = log_probs.gather(1, chosen[:, None])[:, 0]
    rank = (log_probs > chosen_lp[:, None]).sum(-1) + 1
    return chosen_lp.exp().numpy(), rank.numpy()


@dataclasses.dataclass(frozen=True)
class Metrics:
    distinct: tuple[float, float, float]  # distinct-1/2/3: unique n-grams / all n-grams, over the samples
    repeated_4gram: float                 # share of 4-grams that already occurred earlier in the same sample
    mean_logprob: float                   # per token, under the unmodified model
    perplexity: float                     # exp(-mean_logprob)
    mean_length: float                    # new tokens per sample


def _ngrams(tokens: list[int], n: int) -> list[tuple]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def distinct_n(samples: list[list[int]], n: int) -> float:
    """Li et al. (2016): distinct n-grams / total n-grams, pooled over samples."""
    grams = [g for s in samples for g in _ngrams(s, n)]
    return len(set(grams)) / len(grams) if grams else 0.0


def repeated_ngram_rate(samples: list[list[int]], n: int = 4) -> float:
    repeated = total = 0
    for s in samples:
        seen: Counter = Counter()
        for g in _ngrams(s, n):
            repeated += seen[g] > 0
            seen[g] += 1
            total += 1
    return repeated / total if total else 0.0


def metrics(outputs: list[Output]) -> Metrics:
    samples = [o.tokens for o in outputs]
    logprobs = np.concatenate([np.log(np.clip(token_model_stats(o)[0], 1e-30, None)) for o in outputs])
    mean_lp = float(logprobs.mean())
    return Metrics(tuple(distinct_n(samples, n) for n in (1, 2, 3)), repeated_ngram_rate(samples), mean_lp,
                   math.exp(-mean_lp), float(np.mean([len(s) for s in samples])))


@dataclasses.dataclass(frozen=True)
class Sweep:
    temperatures: list[float]
    entropy: list[float]     # of the first next-token distribution after the prompt, nats
    distinct2: list[float]   # of samples drawn at that temperature


@torch.no_grad()
def temperature_sweep(model, tokenizer, prompt: str, new_tokens: int, seed: int,
                      temperatures=LIMITS.sweep_temperatures, n_samples: int = LIMITS.sweep_samples) -> Sweep:
    ids, _ = prompt_ids(tokenizer, prompt)
    raw = model(torch.tensor([ids])).logits[0, -1].float()
    entropies, distinct2 = [], []
    for t in temperatures:
        turns.checkpoint()   # between temperatures the CPU may pass to the next in line
        log_p = torch.log_softmax(raw / t, -1)
        entropies.append(float(-(log_p.exp() * log_p).sum()))
        outs = run_sampled(model, ids, Strategy("sampling", temperature=t), n_samples, new_tokens, seed, tokenizer.eos_token_id)
        distinct2.append(distinct_n([o.tokens for o in outs], 2))
    return Sweep(list(temperatures), entropies, distinct2)
