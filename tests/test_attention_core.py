"""Attention maths against oracles: the model's own attention weights, hand calculations."""

import math

import numpy as np
import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from components.i18n import InputError, translate
from components.settings import parse
from components.tokens import labels_from_offsets
from demos.attention import core


@pytest.fixture(scope="module")
def tiny_gpt():
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=64, n_positions=32, n_embd=24, n_layer=2, n_head=3)
    return GPT2LMHeadModel(config).eval().to(torch.float32)


@pytest.fixture(scope="module")
def tiny_gpt_eager(tiny_gpt):
    tiny_gpt.set_attn_implementation("eager")
    return tiny_gpt


IDS = [5, 9, 2, 33, 5, 9, 2, 60, 1, 17]


def test_attention_rows_are_causal_distributions(tiny_gpt_eager):
    attn = core.attention_maps(tiny_gpt_eager, IDS)
    assert attn.shape == (2, 3, len(IDS), len(IDS))
    np.testing.assert_allclose(attn.sum(-1), 1.0, atol=1e-6)
    assert np.all(np.triu(attn, 1) == 0)


@pytest.mark.parametrize("layer,head", [(0, 0), (0, 2), (1, 1)])
def test_recomputation_from_weights_equals_model_attention(tiny_gpt_eager, layer, head):
    attn = core.attention_maps(tiny_gpt_eager, IDS)
    record = core.run_model(tiny_gpt_eager, IDS)
    np.testing.assert_array_equal(record.attn, attn)
    steps = core.head_arithmetic(tiny_gpt_eager, record.block_inputs[layer], layer, head)
    np.testing.assert_allclose(steps.probs, attn[layer, head], atol=1e-5)
    # each intermediate is what its equation says
    np.testing.assert_allclose(steps.scores, steps.q @ steps.k.T, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(steps.scaled, steps.scores / math.sqrt(steps.d_k), rtol=1e-6)
    assert np.all(np.isinf(steps.masked[np.triu_indices(len(IDS), 1)]))
    np.testing.assert_allclose(steps.output, steps.probs @ steps.v, rtol=1e-5, atol=1e-6)


def test_output_matches_the_layer_attention_output(tiny_gpt_eager):
    """Concatenating every head's A·V and applying c_proj gives the block's attention output."""
    model = tiny_gpt_eager
    block = model.transformer.h[1]
    captured = []
    hook = block.attn.register_forward_hook(lambda mod, args, out: captured.append(out[0][0].detach()))
    with torch.no_grad():
        model(torch.tensor([IDS]))
    hook.remove()
    expected = captured[0].numpy()
    block_input = core.run_model(model, IDS).block_inputs[1]
    heads = np.concatenate([core.head_arithmetic(model, block_input, 1, h).output for h in range(3)], axis=-1)
    recomputed = block.attn.c_proj(torch.tensor(heads)).detach().numpy()
    np.testing.assert_allclose(recomputed, expected, atol=1e-5)


def test_sdpa_model_is_refused_with_a_message():
    model = GPT2LMHeadModel(GPT2Config(vocab_size=16, n_positions=8, n_embd=8, n_layer=1, n_head=2))
    model.set_attn_implementation("sdpa")
    with pytest.raises(ValueError, match="eager"):
        core.attention_maps(model.eval(), [1, 2, 3])


def test_rollout_matches_hand_calculation():
    # one layer, one head, two tokens: A = [[1, 0], [0.4, 0.6]]
    attn = np.array([[[[1.0, 0.0], [0.4, 0.6]]]], dtype=np.float32)
    rolled = core.rollout(attn)[0]
    expected = 0.5 * np.array([[1.0, 0.0], [0.4, 0.6]]) + 0.5 * np.eye(2)  # rows already sum to 1
    np.testing.assert_allclose(rolled, expected, atol=1e-6)
    # two identical layers: R_2 = Ã Ã
    rolled2 = core.rollout(np.concatenate([attn, attn]))[1]
    np.testing.assert_allclose(rolled2, expected @ expected, atol=1e-6)


def test_row_statistics_on_a_previous_token_head():
    T = 5
    prev = np.zeros((T, T), dtype=np.float32)
    prev[0, 0] = 1
    for i in range(1, T):
        prev[i, i - 1] = 1
    uniform = np.tril(np.ones((T, T))) / np.arange(1, T + 1)[:, None]
    attn = np.stack([prev, uniform.astype(np.float32)])[None]  # (1, 2, T, T)
    entropy, previous, first, self_ = core.row_statistics(attn)
    assert previous[0, 0] == pytest.approx(1.0) and entropy[0, 0] == pytest.approx(0.0, abs=1e-6)
    assert self_[0, 0] == pytest.approx(0.0)
    assert first[0, 0] == pytest.approx(0.25)  # only query 1 of queries 1..4 looks at token 0
    expected_entropy = np.mean([math.log(k) for k in range(2, T + 1)])
    assert entropy[0, 1] == pytest.approx(expected_entropy, rel=1e-5)


def test_induction_score_of_a_perfect_induction_head():
    n = 4
    T = 2 * n
    attn = np.zeros((1, 1, T, T), dtype=np.float32)
    for q in range(T):
        attn[0, 0, q, q - n + 1 if q >= n else 0] = 1
    assert core.induction_score(attn, n)[0, 0] == pytest.approx(1.0)


def test_toy_example_by_hand():
    toy = core.toy_example()
    assert toy.x.shape == (3, 6) and toy.q.shape == (3, 3)
    np.testing.assert_allclose(toy.x, np.round(toy.x, 1))  # one decimal: pen-and-paper friendly
    np.testing.assert_allclose(toy.scaled, toy.x @ toy.w_q @ (toy.x @ toy.w_k).T / math.sqrt(3))
    # row 0 can only see itself; row 1 sees two tokens: softmax by hand
    assert toy.probs[0].tolist() == [1.0, 0.0, 0.0]
    s = toy.scaled[1, :2]
    np.testing.assert_allclose(toy.probs[1, :2], np.exp(s) / np.exp(s).sum())
    np.testing.assert_allclose(toy.output, toy.probs @ toy.v)


def test_sinusoidal_encoding_follows_the_formula():
    pe = core.sinusoidal_encoding(50, 16)
    pos, i = 7, 3
    assert pe[pos, 2 * i] == pytest.approx(math.sin(pos / 10000 ** (2 * i / 16)), abs=1e-6)
    assert pe[pos, 2 * i + 1] == pytest.approx(math.cos(pos / 10000 ** (2 * i / 16)), abs=1e-6)
    sim = core.cosine_similarity(pe)
    np.testing.assert_allclose(np.diag(sim), 1.0, atol=1e-6)


def test_token_labels_name_split_characters_readably():
    text = "a 你"
    # byte-level BPE: "a", " ", and three tokens for the three UTF-8 bytes of 你
    offsets = [(0, 1), (1, 2), (2, 3), (2, 3), (2, 3)]
    assert labels_from_offsets(text, offsets) == ["a", "␣", "你 1/3", "你 2/3", "你 3/3"]


def test_generation_rows_are_the_attention_used_for_each_new_token(tiny_gpt_eager):
    class Tok:
        eos_token_id = 0

        def decode(self, ids):
            return "".join(chr(65 + i % 26) for i in ids)

        def __call__(self, text, return_offsets_mapping=False):
            return {"input_ids": [], "offset_mapping": []}  # never equal: labels fall back to tokens

        def convert_ids_to_tokens(self, ids):
            return [str(i) for i in ids]

    encoded = core.Encoded(ids=IDS, labels=[str(i) for i in IDS], truncated=False, original_tokens=len(IDS))
    gen = core.generate_with_attention(tiny_gpt_eager, Tok(), encoded, 4)
    assert gen.rows.shape == (2, 3, 4, len(IDS) + 4)
    # oracle: generate's own per-step attentions for the last new token
    out = tiny_gpt_eager.generate(torch.tensor([IDS]), max_new_tokens=4, do_sample=False, pad_token_id=0,
                                  output_attentions=True, return_dict_in_generate=True)
    last_step = out.attentions[-1]  # per layer: (1, H, 1, T)
    for layer in range(2):
        np.testing.assert_allclose(gen.rows[layer, :, 3, : len(IDS) + 3], last_step[layer][0, :, 0].numpy(), atol=1e-5)


# ---------------------------------------------------------------------------------------------
# settings, selection and the numbers each view is drawn from


def analysis_of(model, ids) -> core.Analysis:
    encoded = core.Encoded(ids=ids, labels=[str(i) for i in ids], truncated=False, original_tokens=len(ids))
    return core.Analysis(encoded, core.run_model(model, ids), context=model.config.n_positions)


def test_selection_values_are_checked_naming_the_control():
    assert parse(core.Selection, {}) == core.Selection(layer=0, head=0, query=0, mode="head")
    cases = [({"mode": "heads"}, "err_choice", "att_token_mode"), ({"layer": "abc"}, "err_not_number", "att_layer"),
             ({"head": 1.5}, "err_not_integer", "att_head"), ({"query": -1}, "err_out_of_range", "att_query"),
             ({"layer": core.LIMITS.max_layers}, "err_out_of_range", "att_layer")]
    for values, key, name in cases:
        with pytest.raises(InputError) as err:
            parse(core.Selection, values)
        assert (err.value.key, err.value.values["name"]) == (key, name)
    with pytest.raises(InputError) as err:
        parse(core.GenerationSettings, {"new_tokens": 33})
    assert err.value.values["name"] == "att_new_tokens"


@pytest.mark.parametrize("field,value,name,label,high", [("layer", 2, "att_layer", "Layer", 1),
                                                         ("head", 3, "att_head", "Head", 2),
                                                         ("query", 10, "att_query", "Query token (position)", 9)])
def test_a_selection_beyond_the_analysed_text_is_refused_naming_the_control(field, value, name, label, high):
    shape = (2, 3, 10, 10)  # 2 layers, 3 heads, 10 tokens
    core.check_selection(core.Selection(layer=1, head=2, query=9), shape)  # the last of each fits
    with pytest.raises(InputError) as err:
        core.check_selection(core.Selection(**{field: value}), shape)
    assert err.value.values["name"] == name
    assert translate(err.value.key, "en", **err.value.values) == f"{label} must be between 0 and {high}, got {value}."


def test_a_new_text_keeps_the_layer_head_and_query_where_they_exist():
    chosen = core.Selection(layer=4, head=1, query=3, mode="mean")
    assert core.carry_selection(chosen, (6, 6, 20, 20)) == chosen   # a shared link's query is shown
    assert core.carry_selection(chosen, (2, 1, 5, 5)) == core.Selection(layer=1, head=0, query=3, mode="mean")
    # past the text's end, or the first token (which only sees itself): the last token
    assert core.carry_selection(chosen, (6, 6, 3, 3)).query == 2
    assert core.carry_selection(core.Selection(query=0), (6, 6, 20, 20)).query == 19


def test_generation_layer_is_checked_against_the_model_depth():
    core.check_generation(core.GenerationSettings(gen_layer=-1), 2)
    core.check_generation(core.GenerationSettings(gen_layer=1), 2)
    with pytest.raises(InputError) as err:
        core.check_generation(core.GenerationSettings(gen_layer=2), 2)
    assert translate(err.value.key, "zh", **err.value.values) == "显示的层（−1 = 所有层平均） 必须在 -1 到 1 之间，收到的是 2。"


@pytest.mark.parametrize("mode", ["head", "mean"])
def test_selection_record_against_the_model_attention(tiny_gpt_eager, mode):
    analysis = analysis_of(tiny_gpt_eager, IDS)
    oracle = core.attention_maps(tiny_gpt_eager, IDS)  # (L, H, T, T)
    chosen = core.record_selection(tiny_gpt_eager, analysis, core.Selection(layer=1, head=2, query=6, mode=mode))
    np.testing.assert_allclose(chosen.steps.probs, oracle[1, 2], atol=1e-5)
    assert chosen.max_diff == pytest.approx(np.abs(chosen.steps.probs - oracle[1, 2]).max()) and chosen.max_diff < 1e-5
    row = oracle[1, 2, 6] if mode == "head" else sum(oracle[1, h, 6] for h in range(3)) / 3
    np.testing.assert_allclose(chosen.weights, row, atol=1e-6)
    np.testing.assert_allclose(chosen.layer_mean, sum(oracle[1, h] for h in range(3)) / 3, atol=1e-6)
    np.testing.assert_allclose(chosen.rolled, core.rollout(oracle)[1], atol=1e-6)
    with pytest.raises(InputError):
        core.record_selection(tiny_gpt_eager, analysis, core.Selection(query=len(IDS)))


def test_head_census_of_a_previous_token_head():
    T = 4
    prev = np.eye(T, k=-1, dtype=np.float32)
    prev[0, 0] = 1
    induction = np.array([[0.25]], dtype=np.float32)
    census = core.head_census(prev[None, None], induction)
    assert census.previous[0, 0] == pytest.approx(1.0) and census.self_[0, 0] == 0.0
    assert census.first[0, 0] == pytest.approx(1 / 3) and census.entropy[0, 0] == pytest.approx(0.0, abs=1e-6)
    assert census.induction is induction


@pytest.mark.parametrize("T", [2, 5, 22])
def test_uniform_attention_scores_match_their_closed_forms(T):
    """Uniform causal attention puts 1/(q+1) on each key of query q: its previous, first and self
    shares are all mean_{q=1..T-1} 1/(q+1), its entropy mean ln(q+1); on [r, r] (n tokens twice)
    its induction score is mean_{i=0..n-2} 1/(n+i+1)."""
    census = core.head_census(np.stack([core.uniform_attention(T)] * 2)[None], np.zeros((1, 2)))
    q = np.arange(1, T)
    share = np.mean(1 / (q + 1))
    for score in ("previous", "first", "self_"):
        assert census.uniform[score] == pytest.approx(share)
        np.testing.assert_allclose(getattr(census, score), share)   # a uniform head scores exactly that
    assert census.uniform["entropy"] == pytest.approx(np.mean(np.log(q + 1)))
    n = core.LIMITS.induction_len
    assert census.uniform["induction"] == pytest.approx(np.mean(1 / (n + np.arange(n - 1) + 1)))


def test_standouts_name_the_heads_twice_as_strong_as_uniform_attention():
    T = 11
    flat = core.uniform_attention(T)
    previous = np.eye(T, k=-1)
    previous[0, 0] = 1
    focused = np.eye(T)   # every token on itself: entropy 0, self share 1
    attn = np.stack([np.stack([flat, previous, focused, 0.5 * flat + 0.5 * previous])])   # (1, 4, T, T)
    census = core.head_census(attn, np.array([[0.01, 0.9, 0.02, 0.03]]))
    share = census.uniform["previous"]   # 0.22 for 11 tokens
    # head 1 is a perfect previous-token head; head 3 puts half of each row there, 0.5 + share / 2 >= 2 share
    assert core.standouts(census, "previous") == [(0, 1, pytest.approx(1.0)), (0, 3, pytest.approx(0.5 + share / 2))]
    assert core.standouts(census, "self_") == [(0, 2, pytest.approx(1.0))]
    assert [h for _, h, _ in core.standouts(census, "entropy")] == [1, 2]   # both at 0 nats
    assert core.standouts(census, "induction") == [(0, 1, pytest.approx(0.9))]
    # no head is twice uniform on the first token: none named, the strongest still known
    assert core.standouts(census, "first") == []
    assert core.strongest(census, "first")[:2] == (0, 0) and core.strongest(census, "entropy")[2] == pytest.approx(0.0)


def test_at_most_three_heads_are_named_and_a_one_token_text_names_none():
    T = 6
    previous = np.eye(T, k=-1)
    previous[0, 0] = 1
    census = core.head_census(np.stack([previous] * 5)[None], np.zeros((1, 5)))
    assert len(core.standouts(census, "previous")) == core.MAX_NAMED == 3
    one = core.head_census(np.ones((1, 2, 1, 1)), np.zeros((1, 2)))
    assert all(core.standouts(one, score) == [] for score in core.SCORES)


def test_generation_rows_average_over_heads_or_everything():
    rows = np.arange(2 * 2 * 1 * 3, dtype=float).reshape(2, 2, 1, 3)  # (L, H, N, T)
    gen = core.GenerationAttention(labels=list("abc"), prompt_len=2, rows=rows)
    # layer 1: heads [6, 7, 8] and [9, 10, 11]; every layer and head: rows 0..3 averaged
    np.testing.assert_allclose(gen.mean_rows(1), [[7.5, 8.5, 9.5]])
    np.testing.assert_allclose(gen.mean_rows(None), [[4.5, 5.5, 6.5]])
