"""Transformer lab core: the written-out model against torch.nn.Transformer, the attention maps
against their definition, the task generators against independent oracles (datetime, a Chinese
numeral reader written here), determinism, bad input and divergence (issue 17's quality bars: test_transformer_quality.py)."""

import copy
import datetime
import math
import re

import numpy as np
import pytest
import torch
from torch import nn

from components.head_scores import induction_score, row_statistics
from components.i18n import InputError
from components.live import Diverged
from components.settings import controls
from demos.transformer import core, induction, tasks
from demos.transformer.model import Transformer
from demos.transformer.tasks import BOS_ID, PAD_ID

D, HEADS, LAYERS, FF = 32, 4, 2, 64


def small_model(pre_norm: bool, seed: int = 0) -> Transformer:
    torch.manual_seed(seed)
    return Transformer(12, 14, D, HEADS, LAYERS, FF, 0.0, pre_norm, 20, PAD_ID).eval()


def padded_batch():
    """Sources and targets of different lengths, padded: (3, 7) and (3, 6)."""
    gen = torch.Generator().manual_seed(1)
    src = torch.randint(3, 12, (3, 7), generator=gen)
    src[0, 5:] = PAD_ID
    src[1, 2:] = PAD_ID
    tgt = torch.randint(3, 14, (3, 6), generator=gen)
    tgt[:, 0] = BOS_ID
    tgt[2, 4:] = PAD_ID
    return src, tgt


def copy_attention(mine, theirs: nn.MultiheadAttention) -> None:
    """nn.MultiheadAttention packs W^Q, W^K, W^V into one in_proj matrix."""
    with torch.no_grad():
        theirs.in_proj_weight.copy_(torch.cat([mine.w_q.weight, mine.w_k.weight, mine.w_v.weight]))
        theirs.in_proj_bias.copy_(torch.cat([mine.w_q.bias, mine.w_k.bias, mine.w_v.bias]))
        theirs.out_proj.load_state_dict(mine.w_o.state_dict())


def torch_transformer_like(model: Transformer) -> nn.Transformer:
    """torch's own Transformer with our weights; its stacks end in a LayerNorm only for pre-norm,
    as ours do (nn.Transformer's default adds one to post-norm stacks too, unlike the paper)."""
    pre = model.pre_norm
    enc = nn.TransformerEncoderLayer(D, HEADS, FF, 0.0, batch_first=True, norm_first=pre)
    dec = nn.TransformerDecoderLayer(D, HEADS, FF, 0.0, batch_first=True, norm_first=pre)
    reference = nn.Transformer(
        D, HEADS, batch_first=True,
        custom_encoder=nn.TransformerEncoder(enc, LAYERS, norm=nn.LayerNorm(D) if pre else None,
                                             enable_nested_tensor=False),
        custom_decoder=nn.TransformerDecoder(dec, LAYERS, norm=nn.LayerNorm(D) if pre else None)).eval()
    for mine, theirs in zip(model.encoder_layers, reference.encoder.layers):
        copy_attention(mine.self_attn, theirs.self_attn)
        for name in ("linear1", "linear2"):
            getattr(theirs, name).load_state_dict(getattr(mine.ffn, name).state_dict())
        for name in ("norm1", "norm2"):
            getattr(theirs, name).load_state_dict(getattr(mine, name).state_dict())
    for mine, theirs in zip(model.decoder_layers, reference.decoder.layers):
        copy_attention(mine.self_attn, theirs.self_attn)
        copy_attention(mine.cross_attn, theirs.multihead_attn)
        for name in ("linear1", "linear2"):
            getattr(theirs, name).load_state_dict(getattr(mine.ffn, name).state_dict())
        for name in ("norm1", "norm2", "norm3"):
            getattr(theirs, name).load_state_dict(getattr(mine, name).state_dict())
    if pre:
        reference.encoder.norm.load_state_dict(model.encoder_norm.state_dict())
        reference.decoder.norm.load_state_dict(model.decoder_norm.state_dict())
    return reference


@pytest.mark.parametrize("pre_norm", [False, True])
@torch.no_grad()
def test_the_model_matches_torch_nn_transformer_with_padding_and_causal_masks(pre_norm):
    model = small_model(pre_norm)
    reference = torch_transformer_like(model)
    src, tgt = padded_batch()
    logits, _ = model(src, tgt)
    x = model.src_embed(src) * math.sqrt(D) + model.positions[: src.shape[1]]
    y = model.tgt_embed(tgt) * math.sqrt(D) + model.positions[: tgt.shape[1]]
    causal = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1], dtype=torch.bool)
    out = reference(x, y, src_key_padding_mask=src == PAD_ID, tgt_key_padding_mask=tgt == PAD_ID,
                    memory_key_padding_mask=src == PAD_ID, tgt_mask=causal, tgt_is_causal=True)
    expected = model.output(out)
    real = tgt != PAD_ID   # what a padded query position computes is never used
    assert torch.allclose(logits[real], expected[real], atol=1e-5)
    # and the encoder alone (memory at real source positions)
    memory, _ = model.encode(src)
    ref_memory = reference.encoder(x, src_key_padding_mask=src == PAD_ID)
    assert torch.allclose(memory[src != PAD_ID], ref_memory[src != PAD_ID], atol=1e-5)


def test_positions_are_the_papers_sinusoids():
    pe = small_model(False).positions
    pos, i = 5, 3
    assert pe[pos, 2 * i].item() == pytest.approx(math.sin(pos / 10000 ** (2 * i / D)), abs=1e-6)
    assert pe[pos, 2 * i + 1].item() == pytest.approx(math.cos(pos / 10000 ** (2 * i / D)), abs=1e-6)


@torch.no_grad()
def test_attention_rows_sum_to_one_and_masked_entries_are_zero():
    model = small_model(False)
    src, tgt = padded_batch()
    _, maps = model(src, tgt)
    src_pad, tgt_pad = src == PAD_ID, tgt == PAD_ID
    T = tgt.shape[1]
    future = torch.ones(T, T, dtype=torch.bool).triu(1)
    for layer in range(LAYERS):
        for attn in (maps.encoder[layer], maps.decoder[layer], maps.cross[layer]):
            assert torch.allclose(attn.sum(-1), torch.ones(attn.shape[:-1]), atol=1e-6)
        assert (maps.encoder[layer][src_pad[:, None, None, :].expand_as(maps.encoder[layer])] == 0).all()
        assert (maps.cross[layer][src_pad[:, None, None, :].expand_as(maps.cross[layer])] == 0).all()
        decoder = maps.decoder[layer]
        assert (decoder[:, :, future] == 0).all()
        assert (decoder[tgt_pad[:, None, None, :].expand_as(decoder)] == 0).all()


@torch.no_grad()
def test_recorded_cross_attention_equals_a_recomputation_from_the_layers_weights():
    model = small_model(True)
    src, tgt = padded_batch()
    seen = {}
    hooks = [layer.cross_attn.register_forward_hook(
        lambda module, args, output, n=n: seen.__setitem__(n, args)) for n, layer in enumerate(model.decoder_layers)]
    _, maps = model(src, tgt)
    for hook in hooks:
        hook.remove()
    for n, layer in enumerate(model.decoder_layers):
        query, memory, key_padding = seen[n]
        attn = layer.cross_attn
        d_k = D // HEADS
        q = (query @ attn.w_q.weight.T + attn.w_q.bias).view(3, -1, HEADS, d_k).transpose(1, 2)
        k = (memory @ attn.w_k.weight.T + attn.w_k.bias).view(3, -1, HEADS, d_k).transpose(1, 2)
        scores = torch.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(d_k)
        scores[key_padding[:, None, None, :].expand_as(scores)] = -math.inf
        assert torch.allclose(maps.cross[n], torch.softmax(scores, -1), atol=1e-6)
        assert torch.equal(key_padding, src == PAD_ID)


# ---------------------------------------------------------------------------------------------
# tasks


ZH_DIGIT = dict(zip("零一二三四五六七八九", range(10)))
ZH_TABLE = {0: "零", 7: "七", 10: "十", 11: "十一", 20: "二十", 21: "二十一", 100: "一百", 101: "一百零一",
            110: "一百一十", 111: "一百一十一", 1000: "一千", 1001: "一千零一", 1010: "一千零一十", 1100: "一千一百",
            2026: "二千零二十六", 10000: "一万", 10001: "一万零一", 10010: "一万零一十", 10100: "一万零一百",
            11000: "一万一千", 20300: "二万零三百", 30005: "三万零五", 40050: "四万零五十", 99999: "九万九千九百九十九"}


def read_chinese(text: str) -> int:
    """An independent reader: split at 万, drop 零, read digit-unit pairs with a regex."""
    def section(part: str) -> int:
        part = part.replace("零", "")
        if part.startswith("十"):
            part = "一" + part
        units = {"千": 1000, "百": 100, "十": 10, "": 1}
        return sum(ZH_DIGIT[d] * units[u] for d, u in re.findall(r"([一二三四五六七八九])([千百十]?)", part))

    if "万" in text:
        high, low = text.split("万")
        return section(high) * 10_000 + section(low)
    return section(text)


@pytest.mark.parametrize("number, text", list(ZH_TABLE.items()))
def test_chinese_numerals_match_a_table_written_by_hand(number, text):
    assert tasks.to_chinese(number) == text
    assert tasks.parse_chinese(text) == number


def _oracle(task_name: str, source: str) -> str:
    if task_name == "reverse":
        return "".join(reversed(source))
    if task_name == "sort":
        return "".join(sorted(source, key=int))
    if task_name == "add":
        a, b = map(int, re.fullmatch(r"(\d+)\+(\d+)", source).groups())
        return str(a + b)
    if task_name == "date":
        return datetime.datetime.strptime(source, "%d %b %Y").date().isoformat()
    return str(read_chinese(source))


@pytest.mark.parametrize("name", tasks.NAMES)
def test_every_generated_target_is_right_and_inputs_cover_the_space(name):
    task = tasks.TASKS[name]
    sources = tasks.sample_sources(task, 2000, torch.Generator().manual_seed(3))
    for source in sources:
        assert task.answer(source) == _oracle(name, source), source
        assert tasks.validated_source(task, source) == source   # what the generator makes, a learner may type
        assert len(task.answer(source)) <= task.max_target_len
    lengths = {len(s) for s in sources}
    shortest = {"reverse": 1, "sort": 1, "add": 3, "date": 10, "zh_numerals": 1}[name]   # "1+2", "1 Jan 1900"
    assert min(lengths) == shortest and max(lengths) == task.max_source_len
    assert len(set(sources)) > 1000


@pytest.mark.parametrize("name", tasks.NAMES)
def test_held_out_inputs_never_appear_in_training_batches(name):
    task = tasks.TASKS[name]
    held_out = tasks.held_out_set(task, 200, torch.Generator().manual_seed(1))
    assert len(held_out) == 200 and all(tasks.is_held_out(s) for s in held_out)
    gen = torch.Generator().manual_seed(2)
    training = [s for _ in range(100) for s in tasks.sample_sources(task, 64, gen)]
    assert not set(training) & set(held_out)
    assert not any(tasks.is_held_out(s) for s in training)


def test_a_run_trains_only_on_the_training_part(monkeypatch):
    drawn = []
    original = tasks.sample_sources

    def recording(*args, **kwargs):
        out = original(*args, **kwargs)
        drawn.extend(out)
        return out

    run = core.TransformerRun(core.validated(task="sort", d_model=16, layers=1, heads=2, batch=128))
    monkeypatch.setattr(tasks, "sample_sources", recording)
    core.train(run, 10)
    assert len(drawn) == 1280
    assert not set(drawn) & set(run.held_out)


def test_one_input_in_ten_is_held_out():
    sources = tasks.TASKS["reverse"].sample(20_000, torch.Generator().manual_seed(0))
    share = np.mean([tasks.is_held_out(s) for s in sources])
    assert 0.09 < share < 0.11


def test_encoding_shifts_the_target_behind_bos():
    task = tasks.TASKS["add"]
    src, tgt_in, tgt_out = tasks.encode_pairs(task, ["1+2", "10+990"])
    vocab = task.target_vocab
    assert tgt_in[1].tolist() == [BOS_ID] + vocab.encode("1000")
    assert tgt_out[1].tolist() == vocab.encode("1000") + [tasks.EOS_ID]
    assert tgt_out[0].tolist() == vocab.encode("3") + [tasks.EOS_ID, PAD_ID, PAD_ID, PAD_ID]
    assert src[0].tolist() == task.source_vocab.encode("1+2") + [PAD_ID] * 3


# ---------------------------------------------------------------------------------------------
# settings and typed input


@pytest.mark.parametrize("values, key", [
    ({"layers": 0}, "err_out_of_range"), ({"layers": 100}, "err_out_of_range"),
    ({"d_model": 30, "heads": 4}, "tr_err_heads"), ({"lr_scale": float("nan")}, "err_not_number"),
    ({"lr_scale": 0}, "err_positive_range"), ({"lr_scale": "fast"}, "err_not_number"),
    ({"batch": 10_000}, "err_out_of_range"), ({"dropout": 0.9}, "err_out_of_range"),
    ({"heads": 2.5}, "err_not_integer"), ({"task": "translate"}, "err_choice"), ({"norm": "middle"}, "err_choice"),
    ({"seed": -1}, "err_out_of_range"), ({"warmup": 0}, "err_out_of_range"),
])
def test_bad_settings_are_refused_with_a_message_naming_them(values, key):
    with pytest.raises(InputError) as info:
        core.validated(**values)
    assert info.value.key == key
    if key != "tr_err_heads":
        name = next(iter(values))
        assert info.value.values["name"] == controls(core.TransformerSettings)[name].label


def test_the_defaults_pass_their_own_checks():
    assert core.validated() == core.DEFAULTS
    assert induction.validated_induction() == induction.INDUCTION_DEFAULTS


@pytest.mark.parametrize("task, text, key, values", [
    ("reverse", "", "tr_err_empty", {}),
    ("reverse", "   ", "tr_err_empty", {}),
    ("reverse", "abcdefghijk", "tr_err_too_long", {"length": 11, "high": 10}),
    ("reverse", "héllo World", "tr_err_too_long", {}),
    ("reverse", "héllo", "tr_err_chars", {"chars": "'é'"}),
    ("reverse", "Hi 2u", "tr_err_chars", {"chars": "'H' ' ' '2'"}),
    ("sort", "12a4", "tr_err_chars", {"chars": "'a'"}),
    ("add", "1+2+3", "tr_err_format_add", {}),
    ("add", "1234+5", "tr_err_format_add", {}),
    ("date", "31 Feb 2026", "tr_err_no_such_date", {}),
    ("date", "23 nov 2026", "tr_err_format_date", {}),
    ("date", "23 Nov 2200", "tr_err_date_range", {}),
    ("date", "2026-11-23", "tr_err_chars", {"chars": "'-'"}),
    ("zh_numerals", "二千零零二十六", "tr_err_format_zh", {}),
    ("zh_numerals", "十十", "tr_err_format_zh", {}),
    ("zh_numerals", "两千", "tr_err_chars", {"chars": "'两'"}),
])
def test_bad_typed_input_is_refused_saying_what_is_wrong(task, text, key, values):
    with pytest.raises(InputError) as info:
        tasks.validated_source(tasks.TASKS[task], text)
    assert info.value.key == key
    assert values.items() <= info.value.values.items()


def test_typed_input_is_stripped_and_accepted():
    assert tasks.validated_source(tasks.TASKS["date"], "  3 Jan 1999 ") == "3 Jan 1999"
    assert tasks.validated_source(tasks.TASKS["zh_numerals"], "一万零一十") == "一万零一十"


# ---------------------------------------------------------------------------------------------
# training


TINY = {"d_model": 16, "heads": 2, "layers": 1, "batch": 16}


def test_noam_schedule_matches_its_closed_form():
    d, warmup, scale = 64, 400, 2.0
    peak = scale * d ** -0.5 * warmup ** -0.5
    assert core.noam_rate(warmup, d, warmup, scale) == pytest.approx(peak)
    assert core.noam_rate(warmup // 4, d, warmup, scale) == pytest.approx(peak / 4)       # linear rise
    assert core.noam_rate(4 * warmup, d, warmup, scale) == pytest.approx(peak / 2)        # 1/sqrt(step) fall
    steps, rates = core.schedule(core.validated(d_model=d, warmup=warmup, lr_scale=scale), 2000)
    assert steps[np.argmax(rates)] == warmup and len(steps) == 2000


def test_the_optimiser_uses_the_noam_rate_of_each_step():
    run = core.TransformerRun(core.validated(**TINY, warmup=10))
    core.train(run, 3)
    assert run.optimizer.param_groups[0]["lr"] == pytest.approx(core.noam_rate(3, 16, 10, run.settings.lr_scale))


@pytest.mark.parametrize("extra", [{}, {"dropout": 0.2}])
def test_same_seed_same_curves_and_another_seed_others(extra):
    settings = core.validated(**TINY, **extra, task="date")
    first, second = core.TransformerRun(settings), core.TransformerRun(settings)
    core.train(first, 30)
    # views in between must not change where the run goes
    core.train(second, 15)
    core.inspect(second, "1 Jan 2000")
    core.train(second, 15)
    assert first.train_loss == second.train_loss
    assert core.evaluate(first) == core.evaluate(second)
    other = core.TransformerRun(core.validated(**TINY, **extra, task="date", seed=1))
    core.train(other, 30)
    assert other.train_loss != first.train_loss


def test_a_deep_copied_run_continues_exactly_like_the_original():
    run = core.TransformerRun(core.validated(**TINY))
    core.train(run, 20)
    clone = copy.deepcopy(run)
    core.train(run, 20)
    core.train(clone, 20)
    assert run.train_loss == clone.train_loss


def test_a_nan_stops_training_with_diverged_and_keeps_the_weights():
    run = core.TransformerRun(core.validated(**TINY))
    core.train(run, 5)
    before = copy.deepcopy(run.model.state_dict())
    hook = run.model.output.register_forward_hook(lambda module, args, output: output * float("nan"))
    with pytest.raises(Diverged) as info:
        run.train_step()
    assert info.value.iteration == 6 and run.iteration == 5
    assert all(torch.equal(before[k], v) for k, v in run.model.state_dict().items())
    hook.remove()
    run.train_step()
    assert run.iteration == 6 and math.isfinite(run.train_loss[-1])


def test_a_nan_gradient_stops_training_too():
    run = core.TransformerRun(core.validated(**TINY))
    weight = run.model.output.weight
    hook = weight.register_hook(lambda grad: grad * float("nan"))
    before = weight.detach().clone()
    with pytest.raises(Diverged):
        run.train_step()
    hook.remove()
    assert torch.equal(weight.detach(), before) and run.iteration == 0


def test_batched_greedy_decoding_writes_what_decoding_one_by_one_writes():
    """Oracle: the written-out step loop of ``inspect``, one input at a time."""
    run = core.TransformerRun(core.validated(**TINY, task="sort"))
    core.train(run, 30)
    sources = run.held_out[:40]
    src, _, _ = tasks.encode_pairs(run.task, sources)
    produced = core.greedy_ids(run.model.eval(), src, run.task.max_target_len + 1)
    one_by_one = [core.inspect(run, s) for s in sources]
    assert [run.task.target_vocab.decode(row.tolist()) for row in produced] == [i.output for i in one_by_one]
    batch = copy.copy(run)
    batch.held_out_batch = tasks.encode_pairs(run.task, sources)
    assert core.evaluate(batch).exact_accuracy == pytest.approx(np.mean([i.correct for i in one_by_one]))


def test_exact_accuracy_is_one_for_a_model_that_knows_the_answers(monkeypatch):
    """A stand-in decoder that emits the right next token: teacher forcing and greedy decoding
    both score 100 %, and the loss is ~0."""
    run = core.TransformerRun(core.validated(**TINY, task="add"))
    src, tgt_in, tgt_out = run.held_out_batch
    answers = {tuple(s.tolist()): o for s, o in zip(src, tgt_out)}
    V = len(run.task.target_vocab)

    def oracle_decode(tgt, memory, source):
        logits = torch.full((len(tgt), tgt.shape[1], V), -30.0)
        for b, row in enumerate(source):
            right = answers[tuple(row.tolist())]
            for t in range(tgt.shape[1]):
                logits[b, t, right[t] if t < len(right) else PAD_ID] = 30.0
        return logits, [], []

    monkeypatch.setattr(run.model, "decode", oracle_decode)
    evaluation = core.evaluate(run)
    assert evaluation.exact_accuracy == 1.0 and evaluation.token_accuracy == 1.0
    assert evaluation.loss < 1e-6


# ---------------------------------------------------------------------------------------------
# what the views show


def test_inspection_steps_are_the_rows_of_the_full_pass():
    """Causality: the cross-attention of step t, computed from <s> y_1..y_{t-1} alone, equals row
    t of the single pass over everything the decoder read."""
    run = core.TransformerRun(core.validated(**TINY, task="date"))
    core.train(run, 30)
    seen = core.inspect(run, "23 Nov 2026")
    assert seen.answer == "2026-11-23" and seen.source_tokens == list("23 Nov 2026")
    L, h, T, S = seen.cross_attn.shape
    assert (L, h, S) == (1, 2, 11) and T == len(seen.steps) == len(seen.decoder_tokens)
    for t, step in enumerate(seen.steps):
        assert np.allclose(step.cross_attn, seen.cross_attn[:, :, t], atol=1e-6)
        assert step.top_probs == sorted(step.top_probs, reverse=True) and step.token == step.top_tokens[0]
    assert seen.decoder_tokens[0] == "<s>" and seen.decoder_tokens[1:] == seen.produced_tokens[:-1]
    assert np.allclose(np.triu(seen.decoder_attn[0, 0], 1), 0)
    assert seen.encoder_attn.shape == (1, 2, 11, 11)


def test_teacher_forcing_probabilities_are_those_of_the_right_tokens():
    run = core.TransformerRun(core.validated(**TINY, task="add"))
    core.train(run, 30)
    seen = core.inspect(run, "358+64")
    vocab = run.task.target_vocab
    answer_ids = vocab.encode("422") + [tasks.EOS_ID]
    src = torch.tensor([run.task.source_vocab.encode("358+64")])
    with torch.no_grad():
        logits, _ = run.model.eval()(src, torch.tensor([[BOS_ID] + answer_ids[:-1]]))
    probs = logits[0].softmax(-1)
    assert np.allclose(seen.forced_probs, [probs[t, i].item() for t, i in enumerate(answer_ids)], atol=1e-6)
    assert seen.answer_tokens == ["4", "2", "2", "</s>"]
    # free running: step 0 reads <s> in both modes, so the first probabilities agree
    assert seen.free_probs[0] == pytest.approx(seen.forced_probs[0], abs=1e-6)


# ---------------------------------------------------------------------------------------------
# the induction experiment


def test_half_losses_split_the_sequence_where_the_repeat_starts():
    half, vocab = 4, 6
    ids = torch.tensor([[0, 1, 2, 3, 0, 1, 2, 3]])
    logits = torch.zeros(1, 8, vocab)
    logits[0, 4:7, :] = -20.0          # confident and right on the repeat (predicting 1, 2, 3)
    logits[0, 4, 1] = logits[0, 5, 2] = logits[0, 6, 3] = 20.0
    total, first, second = induction.half_losses(logits, ids, half)
    assert first.item() == pytest.approx(math.log(vocab))    # uniform guesses for tokens 1..3
    assert second.item() == pytest.approx(0.0, abs=1e-6)
    assert total.item() == pytest.approx((3 * math.log(vocab) + math.log(vocab)) / 7)


def test_repeated_sequences_are_distinct_tokens_twice():
    n = 12
    ids = induction.repeated_sequences(26, n, 50, torch.Generator().manual_seed(0))
    assert ids.shape == (50, 2 * n) and torch.equal(ids[:, :n], ids[:, n:])
    assert all(len(set(row[:n].tolist())) == n for row in ids)
    gen = torch.Generator().manual_seed(0)
    halves = {induction.training_half(induction.INDUCTION_DEFAULTS, gen) for _ in range(200)}
    assert halves == set(range(6, 13))   # the repeat starts anywhere from n/2 to n


def test_induction_scores_use_the_shared_definitions():
    run = induction.InductionRun(induction.validated_induction(ind_d_model=16, ind_heads=2, ind_batch=8))
    core.train(run, 5)
    evaluation = induction.evaluate(run)
    attn = induction.mean_attention(run)
    assert np.allclose(evaluation.previous_token, row_statistics(attn)[1])
    assert np.allclose(evaluation.induction, induction_score(attn, run.settings.ind_half))
    example = induction.example(run)
    assert example.previous_attn.shape == (24, 24) and len(example.tokens) == 24


def test_the_induction_run_is_deterministic_and_stops_on_nan():
    settings = induction.validated_induction(ind_d_model=16, ind_heads=2, ind_batch=8)
    first, second = induction.InductionRun(settings), induction.InductionRun(settings)
    core.train(first, 30)
    core.train(second, 30)
    assert first.second_half_loss == second.second_half_loss
    hook = first.model.unembed.register_forward_hook(lambda module, args, output: output * float("nan"))
    with pytest.raises(Diverged):
        first.train_step()
    hook.remove()
    assert first.iteration == 30


@pytest.mark.parametrize("values, key", [
    ({"ind_half": 20, "ind_vocab": 10}, "tr_err_ind_half"), ({"ind_lr": float("inf")}, "err_not_number"),
    ({"ind_heads": 3}, "tr_err_heads"), ({"ind_vocab": 100}, "err_out_of_range"),
])
def test_bad_induction_settings_are_refused(values, key):
    with pytest.raises(InputError) as info:
        induction.validated_induction(**values)
    assert info.value.key == key
