"""Decoding strategies against model.generate and against their definitions."""

import math

import numpy as np
import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from components.i18n import InputError
from demos.decoding import core
from demos.decoding.core import Strategy

PROMPT = [3, 17, 8, 42, 5]
EOS = -1  # the tiny models below have no end-of-sequence token: every sequence runs to the limit


def tiny_gpt(eos_token_id=None):
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=50, n_positions=64, n_embd=32, n_layer=2, n_head=2,
                        eos_token_id=eos_token_id, bos_token_id=eos_token_id)
    return GPT2LMHeadModel(config).eval()


@pytest.fixture(scope="module")
def model():
    return tiny_gpt()


def generate(model, **kwargs):
    out = model.generate(torch.tensor([PROMPT]), attention_mask=torch.ones(1, len(PROMPT), dtype=torch.long),
                         pad_token_id=0, **kwargs)
    return out[0, len(PROMPT):].tolist()


@pytest.mark.parametrize("penalty", [1.0, 1.5])
def test_greedy_equals_generate(model, penalty):
    ours = core.greedy(model, PROMPT, Strategy("greedy", repetition_penalty=penalty), 12, EOS)
    assert ours.tokens == generate(model, max_new_tokens=12, do_sample=False, repetition_penalty=penalty)


@pytest.mark.parametrize("beams,lp,no_repeat", [(2, 1.0, 0), (4, 1.0, 0), (3, 2.0, 2), (4, 0.5, 0)])
def test_beam_search_equals_generate(model, beams, lp, no_repeat):
    s = Strategy("beam", num_beams=beams, length_penalty=lp, no_repeat_ngram_size=no_repeat)
    ours = core.beam_search(model, PROMPT, s, 10, EOS)
    theirs = generate(model, max_new_tokens=10, num_beams=beams, do_sample=False, length_penalty=lp,
                      no_repeat_ngram_size=no_repeat)
    assert ours.output.tokens == theirs
    kept_per_step = [sum(c.status == "kept" for c in ours.candidates if c.step == t) for t in range(9)]
    assert kept_per_step == [beams] * 9
    # the winner's score is its sum of log-probs over its length to the power lp
    tokens, total, score = ours.finished[0]
    assert score == pytest.approx(total / len(tokens) ** lp)


@pytest.mark.parametrize("beams", [2, 3])
def test_beam_search_equals_generate_when_hypotheses_end_early(beams):
    m = tiny_gpt(eos_token_id=0)
    with torch.no_grad():  # make the end-of-sequence token very likely after a couple of steps
        m.lm_head.weight[0] -= 5 * m.lm_head.weight[0].sign()
    ours = core.beam_search(m, PROMPT, Strategy("beam", num_beams=beams), 10, 0)
    assert ours.output.tokens == generate(m, max_new_tokens=10, num_beams=beams, do_sample=False)
    assert any(c.status == "finished" and c.token == 0 for c in ours.candidates)


def test_contrastive_search_follows_the_definition(model):
    """One step by hand: among the top-k, maximise (1-α)p(v) - α max cos(h_v, h_context)."""
    alpha, k = 0.6, 4
    out = model.generate(torch.tensor([PROMPT]), custom_generate=core.contrastive_search, penalty_alpha=alpha,
                         top_k=k, max_new_tokens=1, do_sample=False, pad_token_id=0)
    with torch.no_grad():
        base = model(torch.tensor([PROMPT]), output_hidden_states=True)
        probs = base.logits[0, -1].softmax(-1)
        context_h = base.hidden_states[-1][0]
        best, best_score = None, -math.inf
        for v in probs.topk(k).indices.tolist():
            h_v = model(torch.tensor([PROMPT + [v]]), output_hidden_states=True).hidden_states[-1][0, -1]
            sim = torch.nn.functional.cosine_similarity(h_v[None], context_h).max()
            score = (1 - alpha) * probs[v] - alpha * sim
            if score > best_score:
                best, best_score = v, score
    assert out[0, -1].item() == best


def test_contrastive_with_alpha_zero_is_greedy(model):
    ours = core.run_contrastive(model, PROMPT, Strategy("contrastive", penalty_alpha=0.0, contrastive_k=5), 10, EOS)
    assert ours.tokens == generate(model, max_new_tokens=10, do_sample=False)


def test_sampling_is_seeded_and_independent_per_strategy(model):
    s = Strategy("top_p", top_p=0.8, temperature=1.2)
    a = core.run_sampled(model, PROMPT, s, 3, 8, seed=7, eos_id=EOS)
    b = core.run_sampled(model, PROMPT, s, 3, 8, seed=7, eos_id=EOS)
    assert [o.tokens for o in a] == [o.tokens for o in b]
    c = core.run_sampled(model, PROMPT, s, 3, 8, seed=8, eos_id=EOS)
    assert [o.tokens for o in a] != [o.tokens for o in c]
    assert core.strategy_seed(7, "top_p") != core.strategy_seed(7, "top_k")


def test_sampled_tokens_are_always_kept_by_the_drawn_filter(model):
    for kind in ("top_k", "top_p", "typical", "min_p"):
        s = Strategy(kind, top_k=3, top_p=0.5, typical_p=0.5, min_p=0.3, temperature=0.9)
        for out in core.run_sampled(model, PROMPT, s, 3, 8, seed=1, eos_id=EOS):
            for step in range(len(out.tokens)):
                view = core.step_view(out, step)
                keep = s.keep_mask(torch.from_numpy(out.processed[step]))
                assert keep[out.tokens[step]], (kind, step)
                assert view.kept_count == int(keep.sum())


def test_processed_logits_are_raw_over_temperature(model):
    s = Strategy("sampling", temperature=0.5)
    out = core.run_sampled(model, PROMPT, s, 1, 5, seed=0, eos_id=EOS)[0]
    np.testing.assert_allclose(out.processed, out.raw_logits / 0.5, rtol=1e-6)


def test_metrics_by_hand():
    assert core.distinct_n([[1, 2, 1, 2]], 1) == 0.5
    assert core.distinct_n([[1, 2, 3], [1, 2, 4]], 2) == 0.75
    assert core.repeated_ngram_rate([[1, 2, 3, 4, 1, 2, 3, 4]], 4) == pytest.approx(1 / 5)


def test_temperature_zero_becomes_greedy_with_a_note():
    s, notes = core.validated("top_p", temperature=0)
    assert s.kind == "greedy" and notes == ["dec_note_t0"]


@pytest.mark.parametrize("field,value", [("top_p", 0), ("top_p", 1.5), ("temperature", float("nan")),
                                         ("top_k", -3), ("num_beams", 100), ("temperature", 1e9)])
def test_bad_parameters_are_refused(field, value):
    with pytest.raises(InputError):
        core.validated("beam" if field == "num_beams" else "top_p", **{field: value})


def test_unknown_strategy_is_refused():
    with pytest.raises(InputError):
        core.validated("telepathy")
