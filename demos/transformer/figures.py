"""Figures of the Transformer lab, as plain plotly dicts (components/plots.py). No gradio here.

Every title and axis label goes through ``translate(key, lang)``. Token axes are numeric
positions with the tokens as tick text (repeated characters would otherwise merge into one
category), thinned so that labels never overlap even on a phone-width plot: the longest input of
any task still gets readable ticks, and hovering names every cell.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np

from components.i18n import translate
from components.plots import base_layout, cell_axes, figure, grid, on_cell
from demos.transformer import core
from demos.transformer.core import LIMITS, Inspection, TransformerRun, TransformerSettings
from demos.transformer.induction import InductionExample, InductionRun

COLORSCALE = "Viridis"
MASKED_COLOR = "#d9d9d9"     # cells a query may not look at (the future, padding)
TRAIN, HELD_OUT, EXACT = "#1971c2", "#e8590c", "#2f9e44"
RIGHT, WRONG = "#b2f2bb", "#ffc9c9"
HEAD_COLORS = ("#1971c2", "#e8590c", "#2f9e44", "#9c36b5", "#f08c00", "#0c8599", "#c2255c", "#495057")
PARTS = ("encoder", "decoder", "cross")

# Tick labels: the plot may be as narrow as a phone's screen (issue 19: 390 px wide). Along x,
# plotly turns labels by 30 or 90 degrees when they would overlap ("auto" tick angle), so a
# label needs only its line height there; along y always. When even that does not fit, every
# k-th token is labelled (hovering still names each cell).
MIN_FIGURE_WIDTH = 360
TICK_FONT = 12
LINE_PX = 1.15 * TICK_FONT + 1   # a 12 px label turned upright: its glyph height and a pixel
# heights below the title block (which grows with the lines a title wraps to)
HEATMAP_HEIGHT, CURVES_HEIGHT, HEADS_HEIGHT, INDUCTION_EXAMPLE_HEIGHT = 460, 490, 290, 660
COLORBAR_PX = 50  # a thin colorbar and its tick labels (the hover names the weight)
# widths in DejaVu Sans, the sans-serif Chromium falls back to here (a wide one): CJK 1 em,
# capitals, m, w, <, >, + at most 0.95 em, every other character we show at most 0.65 em
WIDE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZmw<>+@%&#=~")


def label_width(label: str, font: int = TICK_FONT) -> float:
    """Pixels a label takes written horizontally, erring wide."""
    return font * sum(1.0 if ord(ch) >= 0x2E80 else 0.95 if ch in WIDE_CHARS else 0.65 for ch in label)


# Titles and panel titles are wrapped to the narrowest figure (plotly never wraps them), measured
# with label_width at the sizes plotly draws them: a title at 1.2 x the 13 px layout font, its
# <sub> lines at 0.7 of that, panel titles at 13 px.
TITLE_FONT, SUB_FONT, PANEL_FONT = 15.6, 10.9, 13
TITLE_LINE_PX, SUB_LINE_PX, PANEL_LINE_PX = 22, 16, 18
TEXT_WIDTH_PX = MIN_FIGURE_WIDTH - 20
# a line may break before a CJK character, or at a space; never before closing punctuation
ATOMS = re.compile(r"\s+|[\u2e80-\uffff][，。、：；）」』”！？]*|[^\s\u2e80-\uffff]+[，。、：；）」』”！？]*")


def wrap(text: str, font: float, width: float = TEXT_WIDTH_PX) -> list[str]:
    """``text`` in lines no wider than ``width`` pixels, broken at spaces and between CJK
    characters (a longer word stands alone)."""
    lines, line = [], ""
    for atom in ATOMS.findall(text):
        if line and not atom.isspace() and label_width(line + atom, font) > width:
            lines.append(line.rstrip())
            line = atom
        elif line or not atom.isspace():
            line += atom
    return [*lines, line.rstrip()]


def _layout(title: str, height: int, margin: dict, subtitles: tuple[str, ...] = (), panel_lines: int = 0,
            **extra) -> dict:
    """``base_layout`` with a one-line title hung from the figure's top edge and, under it,
    smaller lines (``subtitles``, and whatever of the title did not fit), wrapped to the
    narrowest figure: plotly stacks a multi-line title upwards, out of the figure, but places
    its subtitle under it. The top margin holds both and ``panel_lines`` lines of the first
    row's panel titles; the figure grows by that margin (``height`` is what lies below it)."""
    first, *rest = wrap(title, TITLE_FONT)
    subs = [line for text in (" ".join(rest), *subtitles) if text for line in wrap(text, SUB_FONT)]
    top = 10 + TITLE_LINE_PX + len(subs) * SUB_LINE_PX + panel_lines * PANEL_LINE_PX + 12
    layout = base_layout("", height + top, margin={**margin, "t": top}, **extra)
    layout["title"] = {"text": first, "subtitle": {"text": "<br>".join(subs)}, "x": 0.01, "xanchor": "left",
                       "y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 10}}
    return layout


def token_axis(labels: list[str], axis_px: float) -> dict:
    """Tick every k-th token, k the smallest stride that gives each label a line height on an
    axis ``axis_px`` long."""
    stride = max(1, math.ceil(LINE_PX / (axis_px / max(1, len(labels)))))
    ticks = list(range(0, len(labels), stride))
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [labels[i] for i in ticks],
            "tickfont": {"size": TICK_FONT}, "tickangle": "auto", "showgrid": False, "zeroline": False,
            "automargin": True}


def shown(token: str) -> str:
    """A token as plotly text: "<s>" is HTML to plotly (strike-through), so escape it; a space
    becomes the visible "␣"."""
    return html.escape(token, quote=False) if token != " " else "␣"


def _plot_px(layout: dict, colorbar: bool = True) -> tuple[float, float]:
    """(width, height) of the plot area at the narrowest figure width; a colorbar pushes the
    right margin out by about COLORBAR_PX."""
    margin = layout["margin"]
    return (MIN_FIGURE_WIDTH - margin["l"] - margin["r"] - (COLORBAR_PX if colorbar else 0),
            layout["height"] - margin["t"] - margin["b"])


def _tr(lang: str):
    return lambda key, **values: translate(key, lang, **values)


def _thin(values: list[float], points: int) -> tuple[list[int], list[float]]:
    """(iterations, means) of ``values`` (one per iteration, from 1) in at most ``points``
    stretches, so a long run's curve stays light and its spikes still show in the average.
    Vectorised: it runs on every live frame (a mean per stretch cost 8 ms a curve)."""
    if not values:
        return [], []
    v = np.asarray(values, dtype=float)
    stride = max(1, math.ceil(len(v) / points))
    starts = np.arange(0, len(v), stride)
    ends = np.minimum(starts + stride, len(v))
    return ends.tolist(), (np.add.reduceat(v, starts) / (ends - starts)).tolist()


def _line(x, y, name: str, color: str, cell: int, dash: str | None = None, markers: bool = False) -> dict:
    return on_cell({"type": "scatter", "mode": "lines+markers" if markers else "lines", "x": x, "y": y,
                    "name": name, "line": {"color": color, "width": 2, **({"dash": dash} if dash else {})},
                    "marker": {"size": 5}}, cell)


def _legend_title(title: str, parts: list[tuple[str, str]]) -> str:
    """A panel title that names its lines in their colours, so no shared legend is needed: the
    names on a line of their own, or one a line when together they would not fit."""
    names = [f"<span style='color:{c}'><b>{name}</b></span>" for name, c in parts]
    together = " · ".join(name for name, _ in parts)
    return "<br>".join([title, *([" · ".join(names)] if label_width(together, PANEL_FONT) <= TEXT_WIDTH_PX
                                 else names)])


def _lines(text: str) -> int:
    return text.count("<br>") + 1


def curves_figure(run: TransformerRun, lang: str):
    """Above, the loss of each training batch and on the held-out inputs; below, the held-out
    token accuracy (teacher forcing) and exact-answer accuracy (greedy decoding)."""
    tr = _tr(lang)
    evals = run.evaluations
    at = [e.iteration for e in evals]
    titles = [_legend_title(tr("tr_curve_loss"), [(tr("tr_train_loss"), TRAIN), (tr("tr_heldout_loss"), HELD_OUT)]),
              _legend_title(tr("tr_curve_accuracy"), [(tr("tr_token_acc"), HELD_OUT), (tr("tr_exact_acc"), EXACT)])]
    x, y = _thin(run.train_loss, LIMITS.curve_points)
    traces = [_line(x, y, tr("tr_train_loss"), TRAIN, 0),
              _line(at, [e.loss for e in evals], tr("tr_heldout_loss"), HELD_OUT, 0, markers=True),
              _line(at, [e.token_accuracy for e in evals], tr("tr_token_acc"), HELD_OUT, 1, markers=True),
              _line(at, [e.exact_accuracy for e in evals], tr("tr_exact_acc"), EXACT, 1, markers=True)]
    layout = _layout(tr("tr_curves_title", iteration=run.iteration), CURVES_HEIGHT,
                     {"l": 60, "r": 20, "b": 60}, panel_lines=_lines(titles[0]), showlegend=False)
    # the gap between the panels holds the lower one's title and the upper one's tick labels
    gap = (_lines(titles[1]) * PANEL_LINE_PX + 30) / (CURVES_HEIGHT - 60)
    layout.update(grid(2, 1, titles, vspace=gap))
    last = max(1, run.iteration)
    # the panels share their iterations, numbered under the lower one only; the y labels stand a
    # few pixels off the axis, so a y "0" and an x "0" never meet in the corner
    for cell in range(2):
        cell_axes(layout, cell, x={"range": [0, last], "showgrid": True, "gridcolor": "#eee", "showticklabels": cell == 1},
                  y={"showgrid": True, "gridcolor": "#eee", "zeroline": False, "nticks": 5, "ticklabelstandoff": 4})
    cell_axes(layout, 1, x={"title": {"text": tr("tr_iteration")}}, y={"range": [0, 1.02]})
    cell_axes(layout, 0, y={"rangemode": "tozero"})
    return figure(traces, layout)


def schedule_figure(settings: TransformerSettings, horizon: int, now: int, lang: str):
    """The Noam rate over steps 1..horizon, with the step the run is at marked."""
    tr = _tr(lang)
    steps, rates = core.schedule(settings, horizon)
    peak = float(core.noam_rate(settings.warmup, settings.d_model, settings.warmup, settings.lr_scale))
    stride = max(1, len(steps) // 400)  # a smooth curve needs a few hundred points, not 100,000
    traces = [{"type": "scatter", "mode": "lines", "x": steps[::stride], "y": rates[::stride],
               "name": tr("tr_lr"), "line": {"color": TRAIN, "width": 2}, "hoverinfo": "x+y"}]
    if now >= 1:
        rate_now = float(core.noam_rate(now, settings.d_model, settings.warmup, settings.lr_scale))
        traces.append({"type": "scatter", "mode": "markers+text", "x": [now], "y": [rate_now],
                       "text": [tr("tr_now", step=now)],
                       # the label stays on the side of the marker with room for it
                       "textposition": "top right" if now < horizon / 2 else "top left",
                       "marker": {"color": HELD_OUT, "size": 10}, "name": tr("tr_now", step=now)})
    layout = _layout(tr("tr_schedule_title"), 260, {"l": 70, "r": 30, "b": 60},
                     (tr("tr_schedule_sub", warmup=settings.warmup, peak=f"{peak:.2g}"),), showlegend=False,
                     xaxis={"title": {"text": tr("tr_iteration")}, "showgrid": True, "gridcolor": "#eee"},
                     yaxis={"title": {"text": tr("tr_lr")}, "showgrid": True, "gridcolor": "#eee",
                            "exponentformat": "e", "range": [0, 1.2 * float(rates.max())]})
    return figure(traces, layout)


def _part(inspection: Inspection, part: str) -> tuple[np.ndarray, list[str], list[str]]:
    """(maps (L, h, queries, keys), query labels, key labels) of one kind of attention."""
    source, decoder = [shown(t) for t in inspection.source_tokens], [shown(t) for t in inspection.decoder_tokens]
    if part == "encoder":
        return inspection.encoder_attn, source, source
    if part == "decoder":
        return inspection.decoder_attn, decoder, decoder
    return inspection.cross_attn, decoder, source


def _attention_trace(matrix: np.ndarray, queries: list[str], keys: list[str], part: str, tr, show_scale: bool) -> dict:
    z = np.array(matrix, dtype=float)
    if part == "decoder":   # the future is masked: grey, not a dark "0"
        z[np.triu(np.ones(z.shape, bool), 1)] = np.nan
    weight = tr("tr_weight")
    return {"type": "heatmap", "z": z, "colorscale": COLORSCALE, "zmin": 0, "zmax": 1, "showscale": show_scale,
            "colorbar": {"thickness": 10, "xpad": 6},
            "customdata": [[f"{q} → {k}" for k in keys] for q in queries],
            "hovertemplate": "%{customdata}<br>" + weight + " %{z:.3f}<extra></extra>"}


def attention_figure(inspection: Inspection, part: str, layer: int, head: int, lang: str):
    """One head's map: rows are the queries (the positions that look), columns the keys."""
    tr = _tr(lang)
    maps, queries, keys = _part(inspection, part)
    layout = _layout(tr(f"tr_part_{part}"), HEATMAP_HEIGHT, {"l": 70, "r": 10, "b": 70},
                     (tr("tr_attn_sub", layer=layer, head=head),), plot_bgcolor=MASKED_COLOR)
    width, height = _plot_px(layout)
    key_title = tr("tr_source") if part != "decoder" else tr("tr_decoder_read")
    query_title = tr("tr_decoder_read") if part != "encoder" else tr("tr_source")
    layout["xaxis"] = {"title": {"text": f"{tr('tr_key')}: {key_title}"}, **token_axis(keys, width)}
    layout["yaxis"] = {"title": {"text": f"{tr('tr_query')}: {query_title}"}, "autorange": "reversed",
                       **token_axis(queries, height)}
    return figure([_attention_trace(maps[layer, head], queries, keys, part, tr, True)], layout)


def heads_figure(inspection: Inspection, part: str, layer: int, lang: str):
    """Every head of one layer side by side (two rows beyond four heads), to find the one with a pattern."""
    tr = _tr(lang)
    maps, queries, keys = _part(inspection, part)
    heads = maps.shape[1]
    cols = min(heads, 4)
    rows = math.ceil(heads / cols)
    height = HEADS_HEIGHT * rows
    layout = _layout(tr(f"tr_part_{part}"), height, {"l": 50, "r": 10, "b": 40}, (tr("tr_heads_sub", layer=layer),),
                     panel_lines=1, showlegend=False, plot_bgcolor=MASKED_COLOR)
    layout.update(grid(rows, cols, [tr("tr_head_n", head=h) for h in range(heads)], hspace=0.04, vspace=0.1))
    width, plot_height = _plot_px(layout)
    cell_width = width * (1 - 0.04 * (cols - 1)) / cols
    cell_height = plot_height * (1 - 0.1 * (rows - 1)) / rows
    traces = []
    for h in range(heads):
        traces.append(on_cell(_attention_trace(maps[layer, h], queries, keys, part, tr, h == 0), h))
        cell_axes(layout, h, x=token_axis(keys, cell_width),
                  y={"autorange": "reversed", **token_axis(queries, cell_height),
                     "showticklabels": h % cols == 0})
    return figure(traces, layout)


def decoding_figure(inspection: Inspection, layer: int, head: int | None, lang: str):
    """Greedy decoding step by step: each row is one step, the token it chose with its
    probability, and where that step's query looked in the source (one head, or the mean of
    the heads when ``head`` is None). Hovering a row lists the rivals."""
    tr = _tr(lang)
    steps = inspection.steps
    rows = np.stack([s.cross_attn[layer] if head is None else s.cross_attn[layer, head][None] for s in steps])
    z = rows.mean(axis=1)                                                    # (steps, S)
    labels = [f"{t}: {shown(s.token)} {s.prob:.2f}" for t, s in enumerate(steps)]
    rivals = [", ".join(f"{shown(tok)} {p:.2f}" for tok, p in zip(s.top_tokens, s.top_probs)) for s in steps]
    source = [shown(t) for t in inspection.source_tokens]
    weight = tr("tr_weight")
    trace = {"type": "heatmap", "z": z, "colorscale": COLORSCALE, "zmin": 0, "zmax": 1,
             "colorbar": {"thickness": 10, "xpad": 6},
             "customdata": [[f"{labels[t]} → {src}<br>{tr('tr_rivals')}: {rivals[t]}" for src in source]
                            for t in range(len(steps))],
             "hovertemplate": "%{customdata}<br>" + weight + " %{z:.3f}<extra></extra>"}
    verdict = tr("tr_right") if inspection.correct else tr("tr_wrong", answer=inspection.answer)
    decoded = tr("tr_decoding_sub", source=inspection.source, output=inspection.output)
    looked = (tr("tr_looked_mean", layer=layer) if head is None else tr("tr_looked_head", layer=layer, head=head))
    # the step labels sit left of the plot: the margin grows with the widest
    left = 40 + max(label_width(html.unescape(label)) for label in labels)
    layout = _layout(tr("tr_decoding_title"), HEATMAP_HEIGHT, {"l": left, "r": 10, "b": 60},
                     (decoded, verdict, looked))
    width, height = _plot_px(layout)
    layout["xaxis"] = {"title": {"text": tr("tr_source")}, **token_axis(source, width)}
    layout["yaxis"] = {"title": {"text": tr("tr_step_axis")}, "autorange": "reversed", **token_axis(labels, height)}
    return figure([trace], layout)


def forcing_figure(inspection: Inspection, lang: str):
    """The answer, what teacher forcing predicts at each position (after the right prefix) and
    what free running wrote (after its own), green where right; below, the probability each
    gave the right token."""
    tr = _tr(lang)
    answer = [shown(t) for t in inspection.answer_tokens]
    n = len(answer)
    free = ([shown(t) for t in inspection.produced_tokens] + [""] * n)[:n]
    forced = [shown(t) for t in inspection.forced_tokens]
    # 1 right (green), 0 wrong (red), 0.5 the answer itself (grey); nothing after free running stopped
    z = [[0.5] * n,
         [1.0 if forced[i] == answer[i] else 0.0 for i in range(n)],
         [np.nan if not free[i] else 1.0 if free[i] == answer[i] else 0.0 for i in range(n)]]
    table = {"type": "heatmap", "z": z, "x": list(range(n)), "y": [0, 1, 2], "text": [answer, forced, free],
             "texttemplate": "%{text}", "textfont": {"size": 15}, "zmin": 0, "zmax": 1, "showscale": False,
             "colorscale": [[0, WRONG], [0.5, "#f1f3f5"], [1, RIGHT]], "xgap": 2, "ygap": 2, "hoverinfo": "skip"}
    probs = [_line(list(range(n)), inspection.forced_probs.tolist(), tr("tr_teacher"), HELD_OUT, 1, markers=True),
             _line(list(range(n)), [None if math.isnan(p) else p for p in inspection.free_probs], tr("tr_free"),
                   EXACT, 1, dash="dot", markers=True)]
    layout = _layout(tr("tr_forcing_title"), 380, {"l": 60, "r": 20, "b": 60}, showlegend=False,
                     plot_bgcolor="white")
    key = _legend_title(tr("tr_prob_right"), [(tr("tr_teacher_row"), HELD_OUT), (tr("tr_free_row"), EXACT)])
    layout.update(grid(2, 1, ["", key], vspace=0.16))
    layout["annotations"] = [a for a in layout["annotations"] if a["text"]]
    width, _ = _plot_px(layout, colorbar=False)
    # the widest cell text is "</s>": the letters shrink to fit a cell of a phone-width table
    table["textfont"]["size"] = max(11, min(15, width / n / label_width("</s>", 1)))
    positions = [str(i) for i in range(n)]
    cell_axes(layout, 0, x={**token_axis(positions, width), "showticklabels": False},
              y={"tickvals": [0, 1, 2], "ticktext": [tr("tr_answer"), tr("tr_teacher_row"), tr("tr_free_row")],
                 "autorange": "reversed", "automargin": True, "showgrid": False, "zeroline": False})
    cell_axes(layout, 1, x={**token_axis(positions, width), "title": {"text": tr("tr_position")}},
              y={"range": [0, 1.05], "showgrid": True, "gridcolor": "#eee", "nticks": 3})
    return figure([on_cell(table, 0), *probs], layout)


def induction_curves_figure(run: InductionRun, lang: str):
    """The phase change: loss on the first and the repeated copy; the previous-token score of
    each layer-0 head; the induction score of each layer-1 head."""
    tr = _tr(lang)
    evals = run.evaluations
    at = [e.iteration for e in evals]
    heads = run.settings.ind_heads
    head_names = [(tr("tr_head_n", head=h), HEAD_COLORS[h % len(HEAD_COLORS)]) for h in range(heads)]
    titles = [_legend_title(tr("tr_ind_loss"), [(tr("tr_first_half"), HELD_OUT), (tr("tr_second_half"), TRAIN)]),
              _legend_title(tr("tr_ind_prev"), head_names), _legend_title(tr("tr_ind_score"), head_names)]
    traces = []
    for values, key, color in ((run.first_half_loss, "tr_first_half", HELD_OUT),
                               (run.second_half_loss, "tr_second_half", TRAIN)):
        x, y = _thin(values, LIMITS.curve_points)
        traces.append(_line(x, y, tr(key), color, 0))
    for cell, layer, attribute in ((1, 0, "previous_token"), (2, 1, "induction")):
        for h, (name, color) in enumerate(head_names):
            traces.append(_line(at, [float(getattr(e, attribute)[layer, h]) for e in evals], name, color, cell))
    layout = _layout(tr("tr_ind_curves_title", iteration=run.iteration), 640, {"l": 60, "r": 20, "b": 60},
                     panel_lines=_lines(titles[0]), showlegend=False)
    gap = (max(map(_lines, titles[1:])) * PANEL_LINE_PX + 30) / (640 - 60)
    layout.update(grid(3, 1, titles, vspace=gap))
    last = max(1, run.iteration)
    # the y labels stand a few pixels off the axis, so a y "0" and an x "0" never meet in the corner
    for cell in range(3):
        cell_axes(layout, cell, x={"range": [0, last], "showgrid": True, "gridcolor": "#eee"},
                  y={"showgrid": True, "gridcolor": "#eee", "zeroline": False, "nticks": 5, "ticklabelstandoff": 4})
    cell_axes(layout, 0, y={"rangemode": "tozero"})
    for cell in (1, 2):
        cell_axes(layout, cell, y={"range": [0, 1.02]})
    cell_axes(layout, 2, x={"title": {"text": tr("tr_iteration")}})
    return figure(traces, layout)


def induction_example_figure(example: InductionExample, lang: str):
    """The previous-token head above the induction head, on one [r r] sequence: the first lights
    the diagonal just below the main one, the second a diagonal n - 1 to its left in the
    repeated half. One above the other, each map spans the figure's width (side by side, each
    got under half of it, and a phone showed two thumbnails)."""
    tr = _tr(lang)
    tokens = example.tokens
    titles = [tr("tr_ind_prev_head", head=example.previous_head, score=f"{example.previous_score:.2f}"),
              tr("tr_ind_ind_head", head=example.induction_head, score=f"{example.induction_score:.2f}")]
    body, gap = INDUCTION_EXAMPLE_HEIGHT, (PANEL_LINE_PX + 30) / (INDUCTION_EXAMPLE_HEIGHT - 40)
    layout = _layout(tr("tr_ind_example_title"), body, {"l": 40, "r": 20, "b": 40}, (tr("tr_ind_example_sub"),),
                     panel_lines=1, showlegend=False, plot_bgcolor=MASKED_COLOR)
    layout.update(grid(2, 1, titles, vspace=gap))
    width, height = _plot_px(layout)
    side = min(width, height * (1 - gap) / 2)   # each map is drawn square
    traces = []
    for cell, matrix in enumerate((example.previous_attn, example.induction_attn)):
        traces.append(on_cell(_attention_trace(matrix, tokens, tokens, "decoder", tr, cell == 1), cell))
        cell_axes(layout, cell, x={**token_axis(tokens, side), "constrain": "domain"},
                  y={"autorange": "reversed", **token_axis(tokens, side),
                     "scaleanchor": "x" if cell == 0 else "x2", "constrain": "domain"})
    return figure(traces, layout)
