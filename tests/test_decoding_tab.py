"""The decoding lab's handlers, imported and called without a server, on the bundled model."""

import types

import gradio as gr
import numpy as np
import pytest
import torch

from components import models
from components.settings import controls, defaults, parse
from demos.decoding import core, tab

MODEL = "shakespeare-gpt"
PROMPT = "ROMEO.\nWhat light"


def values(cls=core.DecodingSettings, **changes) -> list:
    """Every setting's value in field order, as the controls send them."""
    merged = defaults(cls) | {"prompt": PROMPT, "new_tokens": 6} | changes
    return [merged[name] for name in controls(cls)]


def compared(*args) -> tuple:
    """The last answer of the streamed comparison (what the API's predict returns)."""
    return list(tab.decode(*args))[-1]


def test_decode_answers_every_view_and_keeps_the_step_views():
    notes, html_out, steps, table, chart, beam, beam_rows, pick, slider, first, record = compared(
        *values(samples=2), MODEL, ["top_k", "greedy", "beam"])
    # greedy, beam, then top-k's two samples: the lab's order, whatever the order asked
    labels = [o.label for o in steps.outputs]
    assert labels[0] == "greedy" and labels[1].startswith("beam search (B = 4")
    assert labels[2:] == ["top-k (k = 40, T = 1) #1", "top-k (k = 40, T = 1) #2"]
    assert all(len(o.views) == 6 for o in steps.outputs)
    assert pick.choices == [(label, str(i)) for i, label in enumerate(labels)] and pick.value == "0"
    assert slider.maximum == 5
    # one metrics row per strategy: top-k's two samples together
    assert [row[0] for row in table["data"]] == ["greedy", labels[1], "top-k (k = 40, T = 1)"]
    assert table["data"][2][-1] == 6.0        # mean length over top-k's samples
    assert len(beam_rows["data"]) == 4 and beam is not None
    assert first["layout"]["title"]["text"].startswith("greedy, step 0")
    assert notes == ""
    assert record["settings"]["strategies"] == ["greedy", "beam", "top_k"] and record["settings"]["samples"] == 2


def bars(figure) -> dict:
    """Token row -> (probability, status) over the distribution's kept / dropped / chosen traces
    (the chosen token's bar is drawn in the kept trace too, then over it in the chosen one)."""
    return {y: (x, trace["name"]) for trace in figure["data"] for y, x in zip(trace["y"], trace["x"])}

def test_greedy_output_is_models_own_greedy_decoding():
    """The step views of greedy decoding: the chosen token is always the most likely one, and the
    tokens are what model.generate gives."""
    steps = compared(*values(), MODEL, ["greedy"])[2]
    model, tokenizer = models.load_causal_lm(MODEL)
    ids = torch.tensor([tokenizer(PROMPT)["input_ids"]])
    expected = model.generate(ids, max_new_tokens=6, do_sample=False,
                              pad_token_id=tokenizer.eos_token_id)[0, ids.shape[1]:]
    views = steps.outputs[0].views
    assert [v.chosen for v in views] == expected.tolist()
    assert all(v.chosen_rank == 1 and v.top_ids[0] == v.chosen and v.kept_count == 1 for v in views)


def test_show_step_draws_the_chosen_output_and_step():
    steps = compared(*values(new_tokens=5), MODEL, ["greedy", "top_p"])[2]
    figure = tab.show_step(steps, "2", 4)
    assert figure["layout"]["title"]["text"].startswith(f"{steps.outputs[2].label}, step 4")
    view = steps.outputs[2].views[4]
    drawn = bars(figure)
    np.testing.assert_allclose([drawn[i][0] for i in range(len(view.top_ids))], view.top_probs)
    # the legend names all three kinds of bar, and each bar is in the one its token belongs to
    assert [trace["name"] for trace in figure["data"]] == ["kept", "dropped", "chosen"]
    for i, (token, keep) in enumerate(zip(view.top_ids, view.kept)):
        assert drawn[i][1] == ("chosen" if token == view.chosen else "kept" if keep else "dropped")


def test_export_holds_the_settings_outputs_and_beam_of_the_last_comparison():
    import json

    out = compared(*values(samples=1, seed=4), MODEL, ["beam", "top_p"])
    steps, record = out[2], out[-1]
    _, swept = tab.sweep(*values(core.PromptSettings, new_tokens=2), MODEL)
    [path] = tab.export(record, swept)
    document = json.loads(open(path, encoding="utf-8").read())
    assert document["lab"] == "decoding" and document["settings"]["seed"] == 4
    assert document["settings"]["strategies"] == ["beam", "top_p"]
    data = document["data"]
    outputs = data["comparison"]["outputs"]
    assert [o["label"] for o in outputs] == [o.label for o in steps.outputs]
    # the numbers are the views': the top-p sample's step 2 distribution, and the beam's winner
    view = steps.outputs[1].views[2]
    assert outputs[1]["steps"][2]["top_probs"] == pytest.approx(view.top_probs)
    assert outputs[1]["steps"][2]["kept_count"] == view.kept_count
    beam = data["comparison"]["beam"]
    assert beam["finished"][0]["tokens"] == outputs[0]["token_ids"] and len(beam["winner_path"]) == 6
    assert data["sweep"]["sweep"]["temperatures"] == list(core.LIMITS.sweep_temperatures)
    with pytest.raises(gr.Error, match="nothing to export yet"):
        tab.export(None, None)


def test_step_errors_are_translated(monkeypatch):
    monkeypatch.setattr(gr, "Request", types.SimpleNamespace)
    zh = types.SimpleNamespace(headers={"accept-language": "zh-CN"})
    with pytest.raises(gr.Error) as err:
        tab.show_step(None, 0, 0, zh)
    assert err.value.message == "输出 0 不存在：请先运行比较，再从其输出中选择。"
    with pytest.raises(gr.Error) as err:
        compared(*values(top_p_top_p=0), MODEL, ["top_p"], zh)
    assert err.value.message.startswith("p（top-p）") and "0.01" in err.value.message


def test_no_strategy_is_refused_before_the_model_loads(monkeypatch):
    monkeypatch.setattr(models, "load_causal_lm", lambda model_id: pytest.fail("loaded a model"))
    with pytest.raises(gr.Error, match="at least one strategy"):
        compared(*values(), MODEL, [])
    with pytest.raises(gr.Error, match="Strategies to compare must be one of"):
        compared(*values(), MODEL, ["telepathy"])


def test_sweep_entropy_rises_with_temperature():
    """The entropy of softmax(z / T) grows with T (the distribution flattens towards uniform)."""
    figure, _ = tab.sweep(*values(core.PromptSettings, new_tokens=2), MODEL)
    data = figure["data"]
    entropy, distinct2 = list(data[0]["y"]), list(data[1]["y"])
    assert list(data[0]["x"]) == list(core.LIMITS.sweep_temperatures)
    assert entropy == sorted(entropy) and entropy[0] < entropy[-1]
    assert all(0.0 <= d <= 1.0 for d in distinct2)


@pytest.mark.parametrize("name", list(tab.PRESETS))
def test_presets_choose_strategies_and_reset_their_parameters(name):
    kinds, *params = tab.apply_preset(name)
    assert kinds == list(tab.PRESETS[name]) and set(kinds) <= set(core.KINDS)
    assert params == [defaults(core.DecodingSettings)[p] for p in tab.STRATEGY_PARAMS]
    # every preset's values pass the server's checks
    settings = parse(core.DecodingSettings, dict(zip(tab.STRATEGY_PARAMS, params)))
    assert len(core.strategies(settings, kinds)[0]) == len(kinds)


def test_beam_tree_labels_its_nodes_and_draws_the_winners_path():
    out = compared(*values(new_tokens=8), MODEL, ["beam"])
    steps, tree = out[2], out[5]
    traces = {trace.get("name"): trace for trace in tree["data"]}
    winner = traces["the winner's path"]
    assert list(winner["x"]) == list(range(8))   # one node per step, from the first to the winner's finish
    # the winner's nodes spell the beam output; every label fits its column
    pieces = [steps.pieces.get(v.chosen) for v in steps.outputs[0].views]
    assert list(winner["text"]) == [tab.figures.short_label(p) for p in pieces]
    labels = [t for trace in tree["data"] for t in trace.get("text") or [] if t]
    assert all(len(t) <= tab.figures.LABEL_WIDTH for t in labels)
    assert not any(traces["pruned"]["text"])                  # pruned candidates are unlabelled dots
    assert tree["layout"]["width"] >= tab.figures.STEP_PX * 8


@pytest.mark.parametrize("text,width,expected", [("␣lord", 7, "␣lord"), ("␣DESDEMONA", 7, "␣DESDE…"),
                                                 ("爱爱爱爱", 7, "爱爱爱…"), ("<b>", 7, "&lt;b&gt;")])
def test_short_labels_fit_their_width(text, width, expected):
    assert tab.figures.short_label(text, width) == expected


def test_a_change_of_language_redraws_the_last_comparison_and_sweep_without_decoding_again(monkeypatch):
    """Issue 15: a finished comparison and sweep drawn in English come again in Chinese from what
    the session kept; the output and step picked stay, and nothing is decoded again."""
    import re

    from components.i18n import translate

    *frame, drawn = list(tab.decode_kept(*values(new_tokens=5), MODEL, ["greedy", "beam", "top_p"]))[-1]
    assert len(frame) == len(compared(*values(new_tokens=2), MODEL, ["greedy"]))   # decode's answer, and the kept
    steps = frame[2]
    _, swept = tab.sweep(*values(core.PromptSettings, new_tokens=2), MODEL)

    def refuse(*_args, **_kwargs):
        raise AssertionError("decoded again")

    monkeypatch.setattr(core, "run_strategy", refuse)
    monkeypatch.setattr(core, "temperature_sweep", refuse)
    out = tab.redraw.__wrapped__(drawn, steps, "2", 4, swept, lang="zh")
    notes, html_out, zh_steps, table, chart, beam, beam_rows, pick, distribution, record, sweep_plot = out
    top_p = translate("dec_kind_top_p", "zh")
    assert top_p in zh_steps.outputs[2].label and pick.value == "2"
    assert distribution["layout"]["title"]["text"].startswith(zh_steps.outputs[2].label)
    assert zh_steps.outputs[2].views == steps.outputs[2].views                # the same numbers
    assert translate("dec_kind_greedy", "zh") in html_out and top_p in html_out
    for figure in (chart, beam, sweep_plot, distribution):
        assert re.search(r"[\u4e00-\u9fff]", figure["layout"]["title"]["text"]), figure["layout"]["title"]
    assert record["comparison"]["outputs"][2]["label"] == zh_steps.outputs[2].label


def test_a_change_of_language_before_a_comparison_or_while_one_runs_draws_nothing_of_it():
    out = tab.redraw.__wrapped__(None, None, None, 0, None, lang="zh")
    assert all(isinstance(value, type(gr.skip())) for value in out)
    *_, drawn = list(tab.decode_kept(*values(new_tokens=3), MODEL, ["greedy", "top_k"]))[-1]
    out = tab.redraw.__wrapped__(drawn, compared(*values(new_tokens=3), MODEL, ["greedy"])[2], None, 0, None, lang="zh")
    assert all(isinstance(value, type(gr.skip())) for value in out)       # the picker emptied: one is under way
