"""The attention lab through its API (gradio_client), on the bundled model."""

import numpy as np
import pytest
from gradio_client.exceptions import AppError

from components import models
from demos.attention import core

TEXT = "The king is dead. Long live the king!"


def heatmap_z(plot_value):
    import json

    figure = json.loads(plot_value["plot"])
    return np.array(figure["data"][0]["z"], dtype=float)


def test_attention_endpoint_returns_every_view(client):
    out = client.predict(TEXT, "shakespeare-gpt", 2, 1, 0, "head", api_name="/attention")
    notice, head_plot = out[4], out[5]
    assert "Matches the model's own attention weights" in notice
    z = heatmap_z(head_plot)
    model, tokenizer = models.load_causal_lm("shakespeare-gpt")
    attn = core.attention_maps(model, tokenizer(TEXT)["input_ids"])
    # the heatmap is the model's own attention, with the masked future left blank
    np.testing.assert_allclose(np.nan_to_num(z), attn[2, 1], atol=1e-6)
    assert np.isnan(z[np.triu_indices(len(z), 1)]).all()


def test_choosing_another_head_changes_the_heatmap(client):
    a = client.predict(TEXT, "shakespeare-gpt", 0, 0, 5, "head", api_name="/attention_select")
    b = client.predict(TEXT, "shakespeare-gpt", 3, 2, 5, "head", api_name="/attention_select")
    assert not np.allclose(np.nan_to_num(heatmap_z(a[1])), np.nan_to_num(heatmap_z(b[1])))
    assert "Token 5" in a[2]


def test_same_input_same_output(client):
    a = client.predict(TEXT, "shakespeare-gpt", 1, 1, 3, "mean", api_name="/attention_select")
    b = client.predict(TEXT, "shakespeare-gpt", 1, 1, 3, "mean", api_name="/attention_select")
    assert a[2] == b[2]


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text_gets_a_message(client, text):
    with pytest.raises(AppError, match="empty"):
        client.predict(text, "shakespeare-gpt", 0, 0, 0, "head", api_name="/attention")


def test_a_one_token_text_gets_a_message():
    # one token attends only to itself: the lab says so instead of failing to size its query slider
    # (the page's own error was "Slider minimum must be less than maximum")
    model, tokenizer = models.load_causal_lm("shakespeare-gpt")
    assert len(tokenizer("x")["input_ids"]) == 1
    with pytest.raises(core.InputError, match="one token"):
        core.analyse(model, tokenizer, "x")
    assert core.analyse(model, tokenizer, "xy z").attn.shape[2] >= 2


@pytest.mark.parametrize("layer,head,query,message", [
    (6, 0, 0, "Layer must be between 0 and 5, got 6"),        # the bundled model's 6 layers of 6 heads
    (0, 6, 0, "Head must be between 0 and 5, got 6"),
    (0, 0, 11, r"Query token \(position\) must be between 0 and 10, got 11"),  # TEXT is 11 tokens
    (99, 0, 0, "Layer must be between 0 and"), (0, 99, 0, "Head must be between 0 and"),
    (-1, 0, 0, "Layer must be between 0 and"), ("abc", 0, 0, "Layer must be a number"),
])
def test_layer_head_and_query_out_of_range_are_refused_naming_the_control(client, layer, head, query, message):
    with pytest.raises(AppError, match=message):
        client.predict(TEXT, "shakespeare-gpt", layer, head, query, "head", api_name="/attention_select")


def test_a_bad_selection_is_refused_in_the_callers_language(server_url):
    from gradio_client import Client

    chinese = Client(server_url, verbose=False, headers={"Accept-Language": "zh-CN"})
    with pytest.raises(AppError, match="层 必须在 0 到 5 之间，收到的是 6"):
        chinese.predict(TEXT, "shakespeare-gpt", 6, 0, 0, "head", api_name="/attention_select")
    with pytest.raises(AppError, match="词元视图显示 必须是以下之一：head, mean"):
        chinese.predict(TEXT, "shakespeare-gpt", 0, 0, 0, "heads", api_name="/attention")


def test_attention_returns_the_text_and_model_it_analysed(client):
    out = client.predict(TEXT, "shakespeare-gpt", 0, 0, 0, "head", api_name="/attention")
    assert out[-2:] == (TEXT, "shakespeare-gpt")
    # the selection sliders take the text's ranges: 6 layers, 6 heads, 11 tokens (the last one chosen)
    assert [(s["maximum"], s.get("value")) for s in out[:3]] == [(5, 0), (5, 0), (10, 10)]


def test_unknown_model_id_is_refused(client):
    with pytest.raises(AppError, match="Unknown model"):
        client.predict(TEXT, "no-such-model", 0, 0, 0, "head", api_name="/attention")


def test_hub_model_while_disabled_or_offline_keeps_the_app_serving(client, monkeypatch):
    monkeypatch.setenv(models.HUB_ENV_VAR, "1")
    with pytest.raises(AppError, match="distilgpt2"):
        client.predict(TEXT, "distilgpt2", 0, 0, 0, "head", api_name="/attention")
    monkeypatch.delenv(models.HUB_ENV_VAR)
    with pytest.raises(AppError, match="disabled"):
        client.predict(TEXT, "gpt2", 0, 0, 0, "head", api_name="/attention")
    out = client.predict(TEXT, "shakespeare-gpt", 0, 0, 0, "head", api_name="/attention")
    assert "tokens" in out[4]


def test_emoji_and_chinese_tokens_are_readable(client):
    out = client.predict("Love 🙂 and 爱", "shakespeare-gpt", 0, 0, 0, "head", api_name="/attention")
    import json

    ticks = json.loads(out[5]["plot"])["layout"]["xaxis"]["ticktext"]
    assert "�" not in "".join(ticks)
    assert any(t.startswith("爱") for t in ticks) and any(t.startswith("🙂") for t in ticks)


def test_text_beyond_the_context_is_truncated_with_a_notice(client):
    long_text = "Now is the winter of our discontent. " * 200
    out = client.predict(long_text, "shakespeare-gpt", 0, 0, 0, "head", api_name="/attention")
    assert "cut to its first 256 tokens" in out[4]
    assert len(heatmap_z(out[5])) == 256


def test_generate_endpoint(client):
    out = client.predict("ROMEO.\nBut soft", "shakespeare-gpt", 6, -1, api_name="/attention_generate")
    import json

    figure = json.loads(out["plot"])
    assert len(figure["data"][0]["z"]) == 6
    with pytest.raises(AppError):
        client.predict("ROMEO.", "shakespeare-gpt", 10_000, -1, api_name="/attention_generate")


def test_worked_example_endpoint(client):
    out = client.predict(api_name="/attention_toy")
    assert "I love AI" in out["plot"]


def test_export_downloads_the_settings_and_the_numbers(client):
    import json

    [file] = client.predict(TEXT, "shakespeare-gpt", 2, 1, 3, "head", api_name="/attention_export")
    with open(file if isinstance(file, str) else file["path"], encoding="utf-8") as f:
        document = json.load(f)
    assert document["settings"] == {"text": TEXT, "model_id": "shakespeare-gpt", "layer": 2, "head": 1, "query": 3,
                                    "mode": "head"}
    model, tokenizer = models.load_causal_lm("shakespeare-gpt")
    attn = core.attention_maps(model, tokenizer(TEXT)["input_ids"])
    np.testing.assert_allclose(document["data"]["query_attention"], attn[2, 1, 3], atol=1e-6)
