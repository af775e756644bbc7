"""The attention lab's handlers and wiring, imported and called without a server, on the bundled model."""

import json

import gradio as gr
import numpy as np
import pytest

from components import models
from demos.attention import core, tab

MODEL = "shakespeare-gpt"
LONG = "The king is dead. Long live the king! The king is dead. Long live the king!"
SHORT = "Hi"


def heatmap_z(plot) -> np.ndarray:
    figure = json.loads(plot.to_json()) if hasattr(plot, "to_json") else plot
    return np.array(figure["data"][0]["z"], dtype=float)


@pytest.fixture(scope="module")
def page():
    """The tab built in a Blocks, and its events by what they run."""
    with gr.Blocks() as demo:
        tab.build_tab(demo)
    return demo


def events_running(demo, fn) -> list:
    return [f for f in demo.fns.values() if f.fn is fn]


def test_a_selection_redraws_the_analysed_text_not_the_textbox(page):
    """The old failure: a text typed without pressing the button, then a slider moved, was
    analysed against the old text's slider ranges (query beyond its tokens) and failed."""
    [shown] = [f for f in page.fns.values() if f.api_name == "attention"]
    values = {c: getattr(c, "value", None) for f in page.fns.values() for c in f.inputs}  # what the page holds
    values[shown.inputs[0]] = LONG
    out = shown.fn(*[values[c] for c in shown.inputs])
    for component, value in zip(shown.outputs, out):
        values[component] = value.value if isinstance(value, gr.Slider) else value
    n_tokens = len(models.load_causal_lm(MODEL)[1](LONG)["input_ids"])
    query = next(c for c in shown.outputs if getattr(c, "elem_id", None) == "attention_query")
    assert values[query] == n_tokens - 1
    values[shown.inputs[0]] = SHORT  # typed, not submitted
    selections = events_running(page, tab.select)  # slider moves, a click on the model view or the census
    assert len(selections) == 3
    for event in selections:
        notice, head_plot, *_ = event.fn(*[values[c] for c in event.inputs])
        assert f"{n_tokens} tokens" in notice and len(heatmap_z(head_plot)) == n_tokens


def test_every_queued_event_has_a_queue_group(page):
    from components.queueing import GROUPS

    queued = [f for f in page.fns.values() if f.queue]  # gr.Examples fills the textbox unqueued
    # show, select, a pick on the model view and on the census (each then select), export, generate, toy
    assert len(queued) == 9
    for f in queued:
        assert f.concurrency_id in GROUPS, f.api_name


def test_select_draws_the_chosen_head():
    views = tab.select(LONG, MODEL, 3, 2, 5, "head")
    model, tokenizer = models.load_causal_lm(MODEL)
    attn = core.attention_maps(model, tokenizer(LONG)["input_ids"])
    np.testing.assert_allclose(np.nan_to_num(heatmap_z(views[1])), attn[3, 2], atol=1e-6)
    assert "Layer 3, head 2" in views[1]["layout"]["title"]["text"] and "Token 5" in views[2]
    assert "layer 3, head 2" in views[4]["layout"]["title"]["text"]


@pytest.mark.parametrize("selection,message", [
    ((6, 0, 0), "Layer must be between 0 and 5, got 6"),
    ((0, 6, 0), "Head must be between 0 and 5, got 6"),
    ((0, 0, 99), r"Query token \(position\) must be between 0 and \d+, got 99"),
    ((0, 0, 1.5), "Query token \\(position\\) must be a whole number"),
])
def test_a_selection_beyond_the_analysed_text_gets_a_message_naming_the_control(selection, message):
    with pytest.raises(gr.Error, match=message):
        tab.select(LONG, MODEL, *selection, "head")


def test_show_keeps_the_layer_and_head_and_returns_what_it_analysed():
    out = tab.show(LONG, MODEL, 4, 5, 0, "mean")
    layer, head, query, gen_layer = out[:4]
    n_tokens = len(models.load_causal_lm(MODEL)[1](LONG)["input_ids"])
    assert (layer.value, head.value, query.value) == (4, 5, n_tokens - 1)  # 6 layers of 6 heads: all kept
    assert (query.maximum, gen_layer.maximum) == (n_tokens - 1, 5)
    assert out[-2:] == (LONG, MODEL)


def test_a_disabled_hub_model_is_refused_even_when_its_analysis_is_cached(monkeypatch):
    monkeypatch.setattr(tab, "analyse", lambda model_id, text: pytest.fail("the cache was reached"))
    with pytest.raises(gr.Error, match="disabled"):
        tab.select(LONG, "gpt2", 0, 0, 0, "head")
    with pytest.raises(gr.Error, match="empty"):
        tab.select(["not", "text"], MODEL, 0, 0, 0, "head")


def test_a_click_on_the_model_view_picks_the_tile():
    _, geometry = tab.figures.model_view_image(np.full((6, 6, 4, 4), 0.25), "en")
    tile = gr.SelectData(None, {"index": [40 + 4 * 78 + 36, 26 + 3 * 78 + 36], "value": None})
    layer, head, views = tab.pick_from_model_view(geometry, tile)
    assert (layer, head) == (3, 4) and views.selected == "head"   # the Head view comes to the front
    gap = gr.SelectData(None, {"index": [40 + 72 + 3, 26 + 10], "value": None})
    assert all(isinstance(v, type(gr.skip())) for v in tab.pick_from_model_view(geometry, gap))


def test_a_click_on_the_census_opens_that_head_and_a_forged_one_is_refused():
    layer, head, views = tab.pick_from_census(gr.SelectData(None, {"index": [2, 5], "value": "L2 H5"}))
    assert (layer, head, views.selected) == (2, 5, "head")
    assert all(isinstance(v, type(gr.skip())) for v in tab.pick_from_census(gr.SelectData(None, {"index": 3, "value": None})))
    with pytest.raises(gr.Error, match="Layer must be between 0 and"):
        tab.pick_from_census(gr.SelectData(None, {"index": [-1, 0], "value": None}))


def test_export_holds_the_settings_and_the_model_attention():
    [path] = tab.export(LONG, MODEL, 3, 2, 5, "head")
    document = json.loads(open(path, encoding="utf-8").read())
    model, tokenizer = models.load_causal_lm(MODEL)
    ids = tokenizer(LONG)["input_ids"]
    attn = core.attention_maps(model, ids)   # the oracle: the model's own attention, (L, H, T, T)
    assert document["lab"] == "attention"
    assert document["settings"] == {"text": LONG, "model_id": MODEL, "layer": 3, "head": 2, "query": 5, "mode": "head"}
    data = document["data"]
    assert data["token_ids"] == list(ids) and len(data["tokens"]) == len(ids)
    np.testing.assert_allclose(data["head_attention"], attn[3, 2], atol=1e-6)
    np.testing.assert_allclose(data["query_attention"], attn[3, 2, 5], atol=1e-6)
    np.testing.assert_allclose(data["layer_mean"], attn[3].mean(0), atol=1e-6)
    assert np.array(data["census"]["previous"]).shape == (6, 6) and set(data["census"]["uniform"]) == set(core.SCORES)
    with pytest.raises(gr.Error, match="Layer must be between 0 and 5, got 6"):
        tab.export(LONG, MODEL, 6, 0, 0, "head")


def test_generation_layer_beyond_the_model_is_refused():
    with pytest.raises(gr.Error, match="Layer shown .* must be between -1 and 5, got 6"):
        tab.generate("ROMEO.", MODEL, 2, 6)


def test_a_change_of_language_redraws_what_is_drawn_from_the_cached_analysis():
    """Issue 15: a page switched to Chinese gets its drawn views again in Chinese, from the analysis
    the views came from (no new forward pass), the toy and the generation only once drawn."""
    from components.i18n import translate

    selection = core.Selection(layer=3, head=2, query=5, mode="head")
    notice, head_plot, *_ = tab.select(LONG, MODEL, 3, 2, 5, "head")          # drawn in English
    assert translate("att_head_title", "en", layer=3, head=2) in head_plot["layout"]["title"]["text"]
    tab.generate(LONG, MODEL, 4, -1)
    misses = tab.analyse.cache_info().misses, tab.generation.cache_info().misses
    out = tab.redraw.__wrapped__(notice, LONG, MODEL, selection, None, (LONG, MODEL, 4, -1), lang="zh")
    assert (tab.analyse.cache_info().misses, tab.generation.cache_info().misses) == misses
    zh_notice, zh_head, zh_token, *_, toy_plot, generation_plot = out
    assert translate("att_head_title", "zh", layer=3, head=2) in zh_head["layout"]["title"]["text"]
    n = len(models.load_causal_lm(MODEL)[1](LONG)["input_ids"])
    assert zh_notice.startswith(translate("att_tokens_info", "zh", n=n, diff=0.0).split("：")[0])
    assert isinstance(toy_plot, type(gr.skip()))                               # the toy was never opened
    which = translate("att_all_layers", "zh")
    assert translate("att_gen_title", "zh", which=which) in generation_plot["layout"]["title"]["text"]


def test_a_change_of_language_before_anything_was_drawn_draws_nothing():
    out = tab.redraw.__wrapped__("", core.DEFAULT_TEXT, MODEL, core.Selection(), None, None, lang="zh")
    assert all(isinstance(value, type(gr.skip())) for value in out)
