"""The Transformer lab through its API: the encoder–decoder's live run (start, pause, resume,
step, reset) and its typed-input views, the induction run, determinism (same seed, same curves
and maps), export, and bad input answered in the caller's language, naming the parameter."""

import json
import re
import time

import numpy as np
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from components.settings import defaults
from demos.transformer import core, induction

SETTINGS = defaults(core.TransformerSettings)
IND_SETTINGS = defaults(induction.InductionSettings)
SMALL = {"d_model": 16, "heads": 2, "batch": 16}   # two layers, as the default
VIEW = {"text": "transforms", "part": "cross", "layer": 1, "head": "all"}


def args(**change) -> list:
    """The parameters of transformer_start / _step / _reset: the settings, then the view."""
    values = SETTINGS | SMALL | VIEW | change
    return [values[f] for f in [*SETTINGS, *VIEW]]


def ind_args(**change) -> list:
    values = IND_SETTINGS | {"ind_d_model": 16, "ind_heads": 2, "ind_batch": 8} | change
    return [values[f] for f in IND_SETTINGS]


def iteration(status: str) -> int:
    return int(re.search(r"(?:Iteration |第 )(\d+)", status).group(1))


def plot(value) -> dict:
    return json.loads(value["plot"])


def fresh(server_url, lang=None) -> Client:
    return Client(server_url, verbose=False, headers={"Accept-Language": lang} if lang else None)


@pytest.fixture(scope="module")
def clients(server_url) -> dict:
    """An English and a Chinese client, each with a reverse model (reset, untrained) in its session."""
    made = {lang: fresh(server_url, lang) for lang in ("en-US", "zh-CN")}
    for client in made.values():
        client.predict(*args(), api_name="/transformer_reset")
    return made


def wait_for_outputs(job, n=2, timeout=120):
    deadline = time.time() + timeout
    while len(job.outputs()) < n:
        assert time.time() < deadline, "no streamed output"
        time.sleep(0.05)


def test_start_streams_every_view_and_same_seed_gives_the_same_run(server_url):
    runs = []
    for _ in range(2):
        client = fresh(server_url)
        job = client.submit(*args(steps=100, seed=5), api_name="/transformer_start")
        status, curves, attention, decoding, forcing, schedule = job.result(timeout=300)
        assert iteration(status) == 100 and "whole answers right" in status
        runs.append((plot(curves), plot(attention), plot(decoding), client))
    (curves_a, attention_a, decoding_a, client), (curves_b, attention_b, decoding_b, _) = runs
    assert curves_a["data"][0]["x"][-1] == 100 and len(curves_a["data"][0]["y"]) == 100
    assert curves_a["data"] == curves_b["data"]                          # the same curves ...
    assert attention_a["data"] == attention_b["data"] and decoding_a["data"] == decoding_b["data"]   # ... and maps
    title = attention_a["layout"]["title"]
    assert len(attention_a["data"]) == 2 and (title["text"], title["subtitle"]["text"]) == ("Cross-attention",
                                                                                           "layer 1: every head")
    other = fresh(server_url).submit(*args(steps=100, seed=6), api_name="/transformer_start").result(timeout=300)
    assert plot(other[1])["data"][0]["y"] != curves_a["data"][0]["y"]
    # the session's model decodes any input, with the attention chosen
    attention, decoding, forcing = client.predict("abc", "encoder", 0, "1", api_name="/transformer_decode")
    title = plot(attention)["layout"]["title"]
    assert (title["text"], title["subtitle"]["text"]) == ("Encoder self-attention", "layer 0, head 1")
    assert len(plot(attention)["data"][0]["z"]) == 3
    assert plot(forcing)["data"][0]["text"][0] == ["c", "b", "a", "&lt;/s&gt;"]


def test_pause_keeps_the_state_and_resume_and_step_continue_it(server_url):
    client = fresh(server_url)
    job = client.submit(*args(steps=100_000), api_name="/transformer_start")
    wait_for_outputs(job)
    client.predict(api_name="/transformer_pause")
    status = job.result(timeout=120)[0]
    paused = iteration(status)
    assert 0 < paused < 100_000 and "paused" in status
    assert iteration(client.predict(*args(), api_name="/transformer_step")[0]) == paused + 1
    resumed = client.submit(100, api_name="/transformer_resume")
    wait_for_outputs(resumed)
    client.predict(api_name="/transformer_pause")
    assert iteration(resumed.result(timeout=120)[0]) > paused + 1
    status = client.predict(*args(), api_name="/transformer_reset")[0]
    assert iteration(status) == 0 and "ready" in status


def test_the_induction_run_streams_and_is_deterministic(server_url):
    first = fresh(server_url).submit(*ind_args(ind_steps=100, ind_seed=2), api_name="/transformer_ind_start")
    status, curves, example = first.result(timeout=300)
    assert iteration(status) == 100 and "best induction score" in status
    again = fresh(server_url).submit(*ind_args(ind_steps=100, ind_seed=2), api_name="/transformer_ind_start")
    assert plot(again.result(timeout=300)[1])["data"] == plot(curves)["data"]
    maps = plot(example)["data"]
    assert len(maps) == 2 and np.array(maps[0]["z"], dtype=float).shape == (24, 24)


def test_export_gives_the_run_as_json_and_its_curves_as_csv(server_url):
    client = fresh(server_url)
    with pytest.raises(AppError, match="nothing to export"):
        client.predict("seq2seq", api_name="/transformer_export")
    client.submit(*args(steps=100, seed=2, task="date", text="1 Jan 2000"),
                  api_name="/transformer_start").result(timeout=300)
    json_path, csv_path = client.predict("seq2seq", api_name="/transformer_export")
    document = json.load(open(json_path))
    assert document["settings"]["task"] == "date" and document["data"]["decoded"]["answer"] == "2000-01-01"
    assert len(open(csv_path).read().splitlines()) == 101
    with pytest.raises(AppError, match="nothing to export"):
        client.predict("induction", api_name="/transformer_export")


@pytest.mark.parametrize("change, english, chinese", [
    ({"layers": 0}, "Layers (encoder and decoder each) must be between 1 and 6, got 0",
     "层数（编码器与解码器各） 必须在 1 到 6 之间，收到的是 0"),
    ({"layers": 100}, "Layers (encoder and decoder each) must be between 1 and 6, got 100", "层数（编码器与解码器各）"),
    ({"d_model": 24, "heads": 5}, "d_model (24) must be divisible by the number of heads (5)",
     "d_model（24）必须能被头数（5）整除"),
    ({"lr_scale": "nan"}, "Learning-rate scale must be a number", "学习率倍数 必须是"),
    ({"lr_scale": 0}, "Learning-rate scale must be above 0 and at most 10, got 0", "学习率倍数 必须大于 0 且不超过 10"),
    ({"lr_scale": 100}, "Learning-rate scale must be between 0 and 10, got 100", "学习率倍数"),
    ({"text": "z" * 65}, "Your input is too long: 65 characters, at most 64 are accepted", "你的输入"),
    ({"layer": 3}, "Layer 3 does not exist: the model has 2 layer(s)", "第 3 层不存在"),
    ({"head": "7"}, "Head 7 does not exist", "头 7 不存在"),
    ({"task": "translate"}, "Task must be one of", "任务 必须是"),
    ({"steps": 0}, "Iterations per Start must be between 100 and 100000, got 0", "每次“开始”训练的迭代数"),
])
def test_bad_input_gets_a_message_naming_the_parameter_in_english_and_chinese(clients, change, english, chinese):
    """The message's text, literally, in each language; nothing trains."""
    for lang, message in (("en-US", english), ("zh-CN", chinese)):
        with pytest.raises(AppError, match=re.escape(message)):
            clients[lang].submit(*args(**({"steps": 100} | change)), api_name="/transformer_start").result(timeout=60)


@pytest.mark.parametrize("text, english, chinese", [
    ("", "Type an input for the model first", "请先输入"),
    ("Hello", "This task cannot read 'H'", "这个任务读不了 'H'"),
    ("abcdefghijklmnop", "The input is 16 characters long; this task takes at most 10", "最多接受 10 个"),
])
def test_typed_input_the_task_cannot_read_is_refused_naming_what_is_wrong(clients, text, english, chinese):
    for lang, message in (("en-US", english), ("zh-CN", chinese)):
        with pytest.raises(AppError, match=re.escape(message)):
            clients[lang].predict(text, "cross", 1, "all", api_name="/transformer_decode")


def test_a_run_started_with_such_input_decodes_the_tasks_example_and_says_why(server_url):
    status, *_, forcing, _ = fresh(server_url).predict(*args(task="sort", text="Hello"), api_name="/transformer_reset")
    assert "Your input cannot be decoded: This task cannot read 'H'" in status and "“3141592653”" in status
    assert plot(forcing)["data"][0]["text"][0][:3] == ["1", "1", "2"]


def test_bad_input_to_the_other_endpoints(server_url):
    client = fresh(server_url, "zh-CN")
    with pytest.raises(AppError, match="还没有模型"):
        client.predict("abc", "cross", 1, "all", api_name="/transformer_decode")
    with pytest.raises(AppError, match="重复的部分由互不相同的词元组成"):
        client.submit(*ind_args(ind_half=20, ind_vocab=10), api_name="/transformer_ind_start").result(timeout=60)
    english = fresh(server_url)
    with pytest.raises(AppError, match="Learning rate \\(Adam\\) must be a number"):
        english.submit(*ind_args(ind_lr="nan"), api_name="/transformer_ind_start").result(timeout=60)
    with pytest.raises(AppError, match="Experiment must be one of"):
        english.predict("both", api_name="/transformer_export")
