"""Decoding strategies against model.generate and against their definitions."""

import dataclasses
import math

import numpy as np
import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from components.i18n import InputError
from components.settings import controls, defaults, parse
from components.threads import one_thread
from demos.decoding import core
from demos.decoding.core import Strategy

PROMPT = [3, 17, 8, 42, 5]
EOS = -1  # the tiny models below have no end-of-sequence token: every sequence runs to the limit


def tiny_gpt(eos_token_id=None):
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=50, n_positions=64, n_embd=32, n_layer=2, n_head=2,
                        eos_token_id=eos_token_id, bos_token_id=eos_token_id)
    return GPT2LMHeadModel(config).eval()


@pytest.fixture(scope="module", autouse=True)
def single_thread():
    """As the lab computes (tab.py): a tiny GPT on two threads of a busy machine crawls."""
    with one_thread():
        yield


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


@pytest.mark.parametrize("beams,lp", [(2, 1.0), (4, 0.5), (3, 2.0)])
def test_the_winners_path_spells_the_output_model_generate_gives(model, beams, lp):
    beam = core.beam_search(model, PROMPT, Strategy("beam", num_beams=beams, length_penalty=lp), 10, EOS)
    path = core.winner_path(beam)
    assert [c.token for c in path] == generate(model, max_new_tokens=10, num_beams=beams, do_sample=False,
                                               length_penalty=lp)
    assert [c.step for c in path] == list(range(len(path)))
    assert [c.status for c in path] == ["kept"] * (len(path) - 1) + ["finished"]
    assert path[-1].score == pytest.approx(beam.finished[0][1])   # the winner's Σ log p


def test_the_winners_path_when_hypotheses_end_early():
    m = tiny_gpt(eos_token_id=0)
    with torch.no_grad():
        m.lm_head.weight[0] -= 5 * m.lm_head.weight[0].sign()
    beam = core.beam_search(m, PROMPT, Strategy("beam", num_beams=3), 10, 0)
    assert [c.token for c in core.winner_path(beam)] == beam.output.tokens


@pytest.mark.parametrize("text,key", [("greedy,telepathy", "err_choice"), ("", "dec_err_none"), (",", "dec_err_none")])
def test_a_links_strategies_are_checked(text, key):
    assert core.StrategyChoice("top_p,greedy").kinds() == ["top_p", "greedy"]
    assert core.StrategyChoice().kinds() == list(core.DEFAULT_KINDS)
    with pytest.raises(InputError) as err:
        parse(core.StrategyChoice, {"strategies": text})
    assert err.value.key == key


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


def settings(**changes) -> core.DecodingSettings:
    return parse(core.DecodingSettings, changes)


def test_temperature_zero_becomes_greedy_with_a_note():
    strategies, notes = core.strategies(settings(top_p_temperature=0, top_p_repetition_penalty=1.3), ["top_p"])
    assert strategies == [Strategy("greedy", repetition_penalty=1.3)] and notes == ["dec_note_t0"]


@pytest.mark.parametrize("field,value,key", [
    ("top_p_top_p", 0, "err_out_of_range"), ("top_p_top_p", 1.5, "err_out_of_range"),
    ("top_p_temperature", float("nan"), "err_not_number"), ("top_k_top_k", -3, "err_out_of_range"),
    ("beam_num_beams", 100, "err_out_of_range"), ("sampling_temperature", 1e9, "err_out_of_range"),
    ("top_k_top_k", 2.5, "err_not_integer"), ("prompt", "x" * 2001, "err_text_too_long"), ("prompt", 3, "err_not_text"),
    ("samples", 0, "err_out_of_range"), ("seed", -5, "err_out_of_range")])
def test_bad_parameters_are_refused(field, value, key):
    with pytest.raises(InputError) as err:
        settings(**{field: value})
    assert err.value.key == key
    assert err.value.values["name"] == controls(core.DecodingSettings)[field].label


@pytest.mark.parametrize("kinds,key", [(["telepathy"], "err_choice"), (["greedy", 3], "err_choice"),
                                       ("greedy", "err_choice"), ([], "dec_err_none")])
def test_unknown_or_no_strategy_is_refused(kinds, key):
    with pytest.raises(InputError) as err:
        core.strategies(settings(), kinds)
    assert err.value.key == key


def test_each_strategy_gets_its_own_parameters_in_the_labs_order():
    strategies, notes = core.strategies(settings(top_k_top_k=5, top_k_temperature=0.7, top_p_top_p=0.5,
                                                 beam_num_beams=3), ["top_p", "beam", "top_k"])
    assert notes == []
    assert strategies == [Strategy("beam", num_beams=3), Strategy("top_k", top_k=5, temperature=0.7),
                          Strategy("top_p", top_p=0.5)]


def test_every_setting_is_a_prompt_setting_or_one_strategys_parameter():
    """The field names carry the routing (<kind>_<Strategy field>): a misspelt one would be lost."""
    strategy_fields = {f.name: f.default for f in dataclasses.fields(Strategy)}
    routed = [name for kind in core.KINDS for name in core.STRATEGY_FIELDS[kind]]
    assert len(routed) == len(set(routed))
    assert set(controls(core.DecodingSettings)) == set(controls(core.PromptSettings)) | {"samples"} | set(routed)
    for kind in core.KINDS:
        for name, param in core.STRATEGY_FIELDS[kind].items():
            assert defaults(core.DecodingSettings)[name] == strategy_fields[param], name
        assert "repetition_penalty" in core.STRATEGY_FIELDS[kind].values()
    assert set(core.STRATEGY_FIELDS["beam"].values()) == {"num_beams", "length_penalty", "no_repeat_ngram_size",
                                                          "repetition_penalty"}


class PieceTokenizer:
    """Just enough of a tokenizer for token labels: token i reads "t<i>"."""

    def decode(self, ids):
        return "".join(f"t{i}" for i in ids)


def test_step_views_cover_every_step_and_label_every_shown_token(model):
    s = Strategy("top_k", top_k=3)
    outputs = core.run_sampled(model, PROMPT, s, 2, 6, seed=0, eos_id=EOS) + [
        core.greedy(model, PROMPT, Strategy("greedy"), 4, EOS)]
    steps = core.step_views(outputs, ["a", "b", "c"], PieceTokenizer())
    assert [o.label for o in steps.outputs] == ["a", "b", "c"]
    assert [len(o.views) for o in steps.outputs] == [6, 6, 4]
    shown = {t for o in steps.outputs for v in o.views for t in v.top_ids}
    assert steps.pieces == {t: f"t{t}" for t in shown}
    assert steps.outputs[1].views[2] == core.step_view(outputs[1], 2)
    # the step slider's checks: what exists is shown, anything else is refused with the control's name
    assert core.pick_step(steps, 2, 3) == core.pick_step(steps, "2", 3) == (steps.outputs[2], 3)
    for output, step, name in [(3, 0, "dec_output_pick"), (-1, 0, "dec_output_pick"), (2, 4, "dec_step"),
                               (0, 1.5, "dec_step"), ("x", 0, "dec_output_pick")]:
        with pytest.raises(InputError) as err:
            core.pick_step(steps, output, step)
        assert err.value.values["name"] == name
    with pytest.raises(InputError) as err:  # before any comparison
        core.pick_step(None, 0, 0)
    assert err.value.key == "dec_err_output"


def test_outputs_are_grouped_by_strategy_in_order(model):
    top_k = core.run_sampled(model, PROMPT, Strategy("top_k"), 3, 4, seed=0, eos_id=EOS)
    greedy = core.greedy(model, PROMPT, Strategy("greedy"), 4, EOS)
    groups = core.group_by_strategy([greedy, *top_k])
    assert groups == [(Strategy("greedy"), [greedy]), (Strategy("top_k"), top_k)]
