"""The decoding lab through its API, on the bundled model."""

import json
import re

import pytest
import torch
from gradio_client import Client
from gradio_client.exceptions import AppError

from components import models
from components.settings import controls, defaults
from demos.decoding import core

PROMPT = "ROMEO.\nWhat light"


def decode(client, kinds, prompt=PROMPT, new_tokens=12, seed=0, samples=2, **params):
    """/decode with the settings in field order (prompt, new_tokens, seed, samples, then every
    <kind>_<parameter>), then the model and the strategies."""
    values = defaults(core.DecodingSettings) | params | {"prompt": prompt, "new_tokens": new_tokens, "seed": seed,
                                                         "samples": samples}
    return client.predict(*[values[name] for name in controls(core.DecodingSettings)], "shakespeare-gpt", kinds,
                          api_name="/decode")


def output_tokens(html_out: str) -> list[str]:
    """The text of every output card, in order."""
    cards = html_out.split('font-weight:600')[1:]
    return ["".join(re.findall(r'display:inline-block; font-family:monospace;">([^<]*)</span>', c)) for c in cards]


def test_greedy_and_beam_equal_model_generate(client):
    out = decode(client, ["greedy", "beam"], new_tokens=10, beam_num_beams=3)
    model, tokenizer = models.load_causal_lm("shakespeare-gpt")
    ids = torch.tensor([tokenizer(PROMPT)["input_ids"]])
    greedy = model.generate(ids, max_new_tokens=10, do_sample=False, pad_token_id=tokenizer.eos_token_id)
    beam = model.generate(ids, max_new_tokens=10, do_sample=False, num_beams=3, pad_token_id=tokenizer.eos_token_id)
    from components.tokens import labels_for_ids

    expected = ["".join(labels_for_ids(tokenizer, seq.tolist())[ids.shape[1]:]) for seq in (greedy[0], beam[0])]
    assert output_tokens(out[1]) == expected


def test_same_seed_same_outputs_and_strategies_are_independent(client):
    a = decode(client, ["top_k", "top_p"], seed=3)
    b = decode(client, ["top_k", "top_p"], seed=3)
    assert a[1] == b[1]
    c = decode(client, ["top_k", "top_p"], seed=3, top_k_top_k=5)  # change only top-k's setting
    a_cards, c_cards = output_tokens(a[1]), output_tokens(c[1])
    assert a_cards[2:] == c_cards[2:]          # top-p's two samples are unchanged
    assert a_cards[:2] != c_cards[:2]


def test_step_slider_walks_through_the_generation(client):
    out = decode(client, ["top_p"], new_tokens=8)
    first = json.loads(out[-1]["plot"])  # the distribution of output 0, step 0
    assert "step 0" in first["layout"]["title"]["text"]
    # the comparison lives in this client's session state; walk to step 5 of output 1
    step5 = json.loads(client.predict("1", 5, api_name="/decoding_step")["plot"])
    assert "#2, step 5" in step5["layout"]["title"]["text"]
    # the 30 most likely tokens, most likely first, over the kept / dropped / chosen bars (the
    # chosen one is drawn in the kept bars too)
    probability = {row: p for trace in step5["data"] for row, p in zip(trace["y"], trace["x"])}
    shown = [probability[row] for row in range(len(probability))]
    assert len(shown) == 30 and shown == sorted(shown, reverse=True)
    with pytest.raises(AppError, match="Step must be between 0 and 7, got 99"):
        client.predict("1", 99, api_name="/decoding_step")
    with pytest.raises(AppError, match="Output must be one of: 0, 1; got '3'"):
        client.predict("3", 0, api_name="/decoding_step")


def test_temperature_zero_runs_greedy_with_a_note(client):
    out = decode(client, ["greedy", "sampling"], sampling_temperature=0, samples=1)
    assert "Temperature 0" in out[0]
    cards = output_tokens(out[1])
    assert cards[0] == cards[1]


def test_empty_prompt_starts_from_bos_with_a_note(client):
    out = decode(client, ["greedy"], prompt="   ")
    assert "empty" in out[0]


@pytest.mark.parametrize("params,shown", [({"new_tokens": 10_000}, "10000"), ({"top_p_top_p": 1.5}, "1.5"),
                                          ({"top_p_top_p": 0}, "0.01"), ({"samples": -1}, "-1"), ({"seed": -5}, "-5"),
                                          ({"sampling_temperature": 1e308}, "1e+308")])
def test_bad_values_get_a_message(client, params, shown):
    """The message repeats the bad value or the limit it broke. (NaN cannot travel in
    gradio_client's JSON; the unit tests send it to the validators.)"""
    with pytest.raises(AppError, match=re.escape(shown)):
        decode(client, ["top_p", "sampling"], **params)


def test_errors_come_in_the_callers_language(server_url):
    zh = Client(server_url, verbose=False, headers={"Accept-Language": "zh-CN"})
    with pytest.raises(AppError, match="随机种子 必须在 0 到"):
        decode(zh, ["greedy"], seed=-5)
    with pytest.raises(AppError, match="提示 太长：2500 个字符"):
        decode(zh, ["greedy"], prompt="x" * 2500)
    with pytest.raises(AppError, match="请至少选择一种策略"):
        decode(zh, [])
    with pytest.raises(AppError, match="输出 必须是以下之一"):   # before a comparison there is none
        zh.predict("0", 0, api_name="/decoding_step")


def test_no_strategy_gets_a_message(client):
    with pytest.raises(AppError, match="at least one strategy"):
        decode(client, [])


def test_temperature_sweep(client):
    out = client.predict(PROMPT, 8, 0, "shakespeare-gpt", api_name="/decoding_sweep")
    data = json.loads(out["plot"])["data"]
    entropy = data[0]["y"]
    assert entropy == sorted(entropy)  # a flatter distribution at every higher temperature


def test_beam_table_explains_the_length_penalty(client):
    out = decode(client, ["beam"], new_tokens=10, beam_num_beams=3, beam_length_penalty=2.0)
    table = out[5]
    assert len(table["data"]) == 3
    for _text, total, length, score, _rank in table["data"]:
        assert score == pytest.approx(total / length ** 2.0, abs=1e-3)
    assert [row[3] for row in table["data"]] == sorted((row[3] for row in table["data"]), reverse=True)


def test_a_prompt_too_long_for_the_context_is_cut_with_a_note(client):
    long_prompt = "Now is the winter, now the summer; " * 50  # 1,750 characters, > 256 tokens
    out = decode(client, ["greedy"], prompt=long_prompt, new_tokens=16)
    assert "cut to its last 240 tokens" in out[0]


def test_export_downloads_the_last_comparison(client):
    out = decode(client, ["greedy"], new_tokens=5, seed=2)
    [file] = client.predict(api_name="/decoding_export")
    with open(file if isinstance(file, str) else file["path"], encoding="utf-8") as f:
        document = json.load(f)
    assert document["settings"]["seed"] == 2 and document["settings"]["strategies"] == ["greedy"]
    [greedy] = document["data"]["comparison"]["outputs"]
    assert "".join(greedy["tokens"]) == output_tokens(out[1])[0]
