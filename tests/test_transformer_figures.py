"""Transformer lab figures: every builder serialises in both languages with translated titles,
draws what core computed, and keeps token tick labels apart for the longest input of every task
on a phone-width plot."""

import numpy as np
import pytest
import torch

from components import i18n
from components.i18n import translate
from demos.transformer import core, figures, induction, strings, tasks

# the lab's declaration registers its strings when the tab lands; until then the tests do
i18n.register(strings.EN, strings.ZH)

# the longest input each task accepts, with wide characters where the task allows them
LONGEST = {"reverse": "mwmwmwmwmw", "sort": "9876543210", "add": "999+999", "date": "30 May 2026",
           "zh_numerals": "九万九千九百九十九"}


@pytest.fixture(scope="module")
def inspections():
    """A model that never says </s> (its logit pushed down) on each task's longest input: its
    output is as long as decoding allows — the most labels any view can get."""
    out = {}
    for name, text in LONGEST.items():
        run = core.TransformerRun(core.validated(task=name, d_model=16, heads=2, layers=1, batch=8))
        with torch.no_grad():
            run.model.output.bias[tasks.EOS_ID] = -1e4
        assert len(text) == run.task.max_source_len
        out[name] = core.inspect(run, text)
    return out


@pytest.fixture(scope="module")
def trained():
    run = core.TransformerRun(core.validated(task="date", d_model=16, heads=4, layers=2, batch=8))
    core.train(run, 100)
    return run


@pytest.fixture(scope="module")
def induction_run():
    run = induction.InductionRun(induction.validated_induction(ind_d_model=16, ind_heads=2, ind_batch=8))
    core.train(run, 50)
    return run


def _all_figures(run, seen, ind_run, lang):
    return {
        "curves": figures.curves_figure(run, lang),
        "schedule": figures.schedule_figure(run.settings, 2000, run.iteration, lang),
        "attention": figures.attention_figure(seen, "cross", 1, 2, lang),
        "heads": figures.heads_figure(seen, "decoder", 0, lang),
        "decoding": figures.decoding_figure(seen, 1, None, lang),
        "forcing": figures.forcing_figure(seen, lang),
        "induction_curves": figures.induction_curves_figure(ind_run, lang),
        "induction_example": figures.induction_example_figure(induction.example(ind_run), lang),
    }


def test_every_figure_serialises_with_titles_in_the_learners_language(trained, induction_run):
    seen = core.inspect(trained, "23 Nov 2026")
    english = _all_figures(trained, seen, induction_run, "en")
    chinese = _all_figures(trained, seen, induction_run, "zh")
    for name in english:
        english[name].to_json()
        chinese[name].to_json()
        en_title, zh_title = english[name]["layout"]["title"]["text"], chinese[name]["layout"]["title"]["text"]
        assert en_title != zh_title, name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh_title), name
        assert "tr_" not in en_title + zh_title, name   # no untranslated key


def test_curves_show_the_recorded_values(trained):
    fig = figures.curves_figure(trained, "en")
    held_out = next(t for t in fig["data"] if t["name"] == translate("tr_heldout_loss", "en"))
    assert held_out["x"] == [e.iteration for e in trained.evaluations]
    assert held_out["y"] == [e.loss for e in trained.evaluations]
    train = fig["data"][0]
    assert train["x"][-1] == trained.iteration
    assert np.mean(train["y"]) == pytest.approx(np.mean(trained.train_loss), rel=0.05)


def test_the_schedule_figure_is_the_closed_form(trained):
    fig = figures.schedule_figure(trained.settings, 1000, 300, "en")
    line, now = fig["data"]
    s = trained.settings
    assert np.allclose(line["y"], core.noam_rate(np.asarray(line["x"]), s.d_model, s.warmup, s.lr_scale))
    assert now["x"] == [300] and now["y"][0] == pytest.approx(core.noam_rate(300, s.d_model, s.warmup, s.lr_scale))


def test_attention_figures_draw_the_recorded_maps(trained):
    seen = core.inspect(trained, "23 Nov 2026")
    cross = figures.attention_figure(seen, "cross", 1, 3, "en")["data"][0]
    assert np.allclose(cross["z"], seen.cross_attn[1, 3])
    decoder = figures.attention_figure(seen, "decoder", 0, 1, "en")["data"][0]
    T = len(seen.decoder_tokens)
    future = np.triu(np.ones((T, T), bool), 1)
    assert np.isnan(decoder["z"][future]).all()           # the masked future is drawn grey
    assert np.allclose(decoder["z"][~future], seen.decoder_attn[0, 1][~future])
    heads = figures.heads_figure(seen, "encoder", 1, "en")["data"]
    assert len(heads) == 4 and all(np.allclose(h["z"], seen.encoder_attn[1, n]) for n, h in enumerate(heads))
    decoding = figures.decoding_figure(seen, 1, None, "en")["data"][0]
    assert np.allclose(decoding["z"], seen.cross_attn[1].mean(0))     # mean of the heads, row per step
    one_head = figures.decoding_figure(seen, 0, 2, "en")["data"][0]
    assert np.allclose(one_head["z"], seen.cross_attn[0, 2])


def test_the_forcing_figure_marks_right_and_wrong_against_the_answer(trained):
    seen = core.inspect(trained, "23 Nov 2026")
    table = figures.forcing_figure(seen, "en")["data"][0]
    answer, forced, free = table["text"]
    assert answer == [figures.shown(t) for t in seen.answer_tokens] and answer[-1] == "&lt;/s&gt;"
    assert table["z"][1] == [1.0 if f == a else 0.0 for f, a in zip(forced, answer)]


def _axis_px(fig, axis_key: str, horizontal: bool) -> float:
    """Pixels an axis spans on a 360 px wide figure (a colorbar takes its place on the right)."""
    layout = fig["layout"]
    margin = layout["margin"]
    has_colorbar = any(t.get("type") == "heatmap" and t.get("showscale", True) for t in fig["data"])
    if horizontal:
        total = figures.MIN_FIGURE_WIDTH - margin["l"] - margin["r"] - (figures.COLORBAR_PX if has_colorbar else 0)
    else:
        total = layout["height"] - margin["t"] - margin["b"]
    low, high = layout[axis_key].get("domain", [0, 1])
    return total * (high - low)


def _check_ticks(fig):
    """Every token axis: neighbouring shown labels at least a line of 12 px text apart (plotly
    turns x labels upright when their widths would collide, so a line height is what each
    needs). A map drawn square (y anchored to x) spans the shorter of its two extents."""
    layout = fig["layout"]
    checked = 0
    for trace in (t for t in fig["data"] if t.get("type") == "heatmap"):
        x_key = "xaxis" + trace.get("xaxis", "x")[1:]
        y_key = "yaxis" + trace.get("yaxis", "y")[1:]
        rows, cols = np.asarray(trace["z"], dtype=float).shape
        extent = {x_key: _axis_px(fig, x_key, True), y_key: _axis_px(fig, y_key, False)}
        if layout[y_key].get("scaleanchor"):
            extent = dict.fromkeys(extent, min(extent.values()))
        for key, count in ((x_key, cols), (y_key, rows)):
            if "tickvals" not in layout[key] or layout[key].get("showticklabels") is False:
                continue
            ticks = layout[key]["tickvals"]
            stride = ticks[1] - ticks[0] if len(ticks) > 1 else count
            assert extent[key] * stride / count >= 1.2 * figures.TICK_FONT, (key, layout[key])
            checked += 1
    return checked


@pytest.mark.parametrize("name", tasks.NAMES)
def test_token_labels_do_not_collide_for_the_longest_input(inspections, name):
    seen = inspections[name]
    assert len(seen.steps) == tasks.TASKS[name].max_target_len + 1   # never stopped: the longest output
    built = [figures.attention_figure(seen, part, 0, 1, lang) for part in figures.PARTS for lang in ("en", "zh")]
    built += [figures.heads_figure(seen, part, 0, "en") for part in figures.PARTS]
    built += [figures.decoding_figure(seen, 0, None, "zh"), figures.forcing_figure(seen, "en")]
    assert sum(_check_ticks(fig) for fig in built) >= 20


def test_induction_example_ticks_stay_apart_at_the_longest_sequence():
    run = induction.InductionRun(induction.validated_induction(ind_half=24, ind_vocab=52, ind_d_model=16, ind_heads=2))
    example = induction.example(run)
    assert len(example.tokens) == 48
    assert _check_ticks(figures.induction_example_figure(example, "en")) == 4


def test_the_decoding_margin_fits_its_longest_step_label():
    from PIL import ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", figures.TICK_FONT)
    for label in ["10: </s> 1.00", "10: W 0.99", "3: + 0.50", "9: ␣ 0.31"]:
        assert figures.label_width(label) >= font.getlength(label)


def _drawn_width(text: str, size: float) -> float:
    """Pixels Chromium draws ``text`` in here: DejaVu Sans, and WenQuanYi Micro Hei for CJK."""
    from PIL import ImageFont

    latin = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", size)
    cjk = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", size)
    return sum((cjk if ord(ch) >= 0x2E80 else latin).getlength(ch) for ch in text)


def _plain_lines(text: str) -> list[tuple[str, bool]]:
    """(line without markup, whether it is a <sub> line) of a plotly text."""
    import html
    import re

    return [(html.unescape(re.sub(r"<[^>]+>", "", line)), "<sub>" in line) for line in text.split("<br>")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_titles_fit_a_phone_width_figure(trained, induction_run, lang):
    """Plotly never wraps a title: every title (plotly draws it at 1.2 x the 13 px layout font),
    each line of its subtitle (0.7 of that) and of every panel title (13 px) fits the narrowest
    figure, each panel title above its own panel."""
    seen = core.inspect(trained, "23 Nov 2026")
    built = _all_figures(trained, seen, induction_run, lang)
    built["attention_long"] = figures.attention_figure(seen, "decoder", 1, 3, lang)
    for name, fig in built.items():
        title = fig["layout"]["title"]
        assert "<br>" not in title["text"], name   # plotly would stack more lines upwards, out of the figure
        assert _drawn_width(title["text"], 15.6) <= figures.MIN_FIGURE_WIDTH - 10, (name, title["text"])
        for line, _ in _plain_lines(title["subtitle"]["text"]):
            assert _drawn_width(line, 15.6 * 0.7) <= figures.MIN_FIGURE_WIDTH - 10, (name, line)
        for n, annotation in enumerate(fig["layout"].get("annotations", [])):
            low, high = fig["layout"]["xaxis" + (str(n + 1) if n else "")]["domain"]
            for line, _ in _plain_lines(annotation["text"]):
                assert _drawn_width(line, 13) <= (figures.MIN_FIGURE_WIDTH - 10) * (high - low), (name, line)
