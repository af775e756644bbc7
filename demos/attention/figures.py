"""Figures (and the model-view image, and the census grid) for the attention lab. No gradio here.

Every title and axis label goes through ``translate(key, lang)``. Token axes use numeric
positions with the token labels as tick text, because repeated tokens would otherwise be merged
into one category. How many of those labels fit depends on the plot's size on the page, which
only the page knows: each figure carries every token of each token axis in ``layout.meta.tokens``,
and the page (``tab.PLOT_JS``) labels every k-th token, k the smallest that keeps the labels
apart at the plot's real size, turning x labels upright when they do not fit side by side.
The figure's own ticks are that choice for a typical desktop size.
"""

from __future__ import annotations

import html
import math

import numpy as np
from plotly.colors import sample_colorscale
from PIL import Image, ImageDraw, ImageFont

from components.i18n import translate
from components.plots import base_layout, cell_axes, figure, grid, on_cell, with_meta
from demos.attention import core
from demos.attention.core import GenerationAttention, HeadArithmetic, HeadCensus, ToyExample, cosine_similarity

COLORSCALE = "Viridis"
MASKED_COLOR = "#d9d9d9"  # the causal mask: cells a query may not look at
TICK_FONT = 12
LINE_PX = 1.3 * TICK_FONT + 2   # the room a label needs along an axis: its line height and a gap
UPRIGHT_AFTER = 12              # x labels start upright beyond this many tokens (the page decides at its size)
HEATMAP_HEIGHT = 480            # the head heatmap: below the page's header and the lab's tabs, in view at 1280×720


def colour_bar(title: str, **extra) -> dict:
    """A colour bar titled above it, each tick label just below its tick: centred on it, the top
    label ("1") lay under the title. (A title on the bar's side, ``side: "right"``, kept the page
    of the longest text on a phone from settling: tests/test_attention_browser.py timed out.)"""
    return {"title": {"text": title}, "ticklabelposition": "outside bottom", **extra}


def titled(title: str, subtitle: str, height: int, **extra) -> dict:
    """A layout whose short title stays on one line on a phone, the detail in a smaller subtitle."""
    layout = base_layout(title, height, **extra)
    layout["title"]["subtitle"] = {"text": subtitle, "font": {"size": 12, "color": "#555"}}
    return layout


def plotly_text(label: str) -> str:
    """A token as plotly text: plotly reads a few HTML tags ("<b>", "<br>", links) in labels and
    hovers, so "<" and "&" are escaped (plotly shows the entities as the characters)."""
    return html.escape(label, quote=False)


def token_axis(labels: list[str], axis_px: float, x: bool = False) -> dict:
    """Every k-th token (labels already ``plotly_text``), k the smallest that gives each label
    LINE_PX on an axis ``axis_px`` long; the page redoes this at the plot's real size."""
    stride = max(1, math.ceil(LINE_PX * len(labels) / axis_px))
    ticks = list(range(0, len(labels), stride))
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [labels[i] for i in ticks],
            "tickfont": {"size": TICK_FONT}, "automargin": True, "showgrid": False, "zeroline": False,
            "tickangle": -90 if x and len(labels) > UPRIGHT_AFTER else 0}


def with_token_axes(layout: dict, axes: dict[str, list[str]]) -> dict:
    """Record every token of each token axis (layout key -> labels) for the page's relabelling."""
    return with_meta(layout, tokens=axes)   # beside the grid's meta, if any


def _masked(matrix: np.ndarray) -> np.ndarray:
    """Upper triangle (future keys) as NaN, so the background colour shows the causal mask."""
    out = np.array(matrix, dtype=float)
    out[np.triu(np.ones(out.shape, bool), 1)] = np.nan
    return out


def head_heatmap(probs: np.ndarray, labels: list[str], layer: int, head: int, lang: str):
    """Query tokens (rows) × key tokens (columns) for one head; grey cells are masked."""
    T = len(labels)
    labels = [plotly_text(t) for t in labels]
    weight = translate("att_weight", lang)
    trace = {"type": "heatmap", "z": _masked(probs), "colorscale": COLORSCALE, "zmin": 0, "zmax": 1,
             "customdata": [[f"{labels[i]} → {labels[j]}" for j in range(T)] for i in range(T)],
             "colorbar": colour_bar(weight, thickness=14),
             "hovertemplate": "%{customdata}<br>" + weight + " %{z:.3f}<extra></extra>"}
    layout = titled(translate("att_head_title", lang, layer=layer, head=head), translate("att_head_subtitle", lang),
                    HEATMAP_HEIGHT, plot_bgcolor=MASKED_COLOR)
    layout["margin"] = {"l": 60, "r": 20, "t": 64, "b": 50}
    layout["xaxis"] = {"title": {"text": translate("att_key_axis", lang)}, **token_axis(labels, 700, x=True)}
    layout["yaxis"] = {"title": {"text": translate("att_query_axis", lang)}, "autorange": "reversed",
                       **token_axis(labels, HEATMAP_HEIGHT - 160)}
    return figure([trace], with_token_axes(layout, {"xaxis": labels, "yaxis": labels}))


def _viridis_lut() -> np.ndarray:
    """(256, 3) uint8 colours of the Viridis scale, for drawing heatmaps as images."""
    return np.array([[int(c) for c in s[4:-1].split(",")] for s in
                     sample_colorscale(COLORSCALE, np.linspace(0, 1, 256))], dtype=np.uint8)


VIRIDIS = _viridis_lut()


def model_view_image(attn: np.ndarray, lang: str, tile: int = 72, gap: int = 6) -> tuple[Image.Image, dict]:
    """Every layer × head as a small heatmap in one picture. Returns the image and its geometry
    (so a click at pixel (x, y) can be mapped back to a layer and head). Colour is √weight, so
    weak but structured heads still show their pattern."""
    n_layer, n_head, T, _ = attn.shape
    font = ImageFont.load_default(size=13)
    left, top = 40, 26
    img = Image.new("RGB", (left + n_head * (tile + gap), top + n_layer * (tile + gap)), "white")
    draw = ImageDraw.Draw(img)
    # pixel (i, j) of a tile shows query i and key j, as in the head heatmap
    idx = np.minimum((np.arange(tile) * T) // tile, T - 1)
    future = np.triu(np.ones((T, T), bool), 1)[np.ix_(idx, idx)]
    for layer in range(n_layer):
        y0 = top + layer * (tile + gap)
        draw.text((6, y0 + tile // 2 - 7), translate("att_layer_short", lang, layer=layer), fill="black", font=font)
        for head in range(n_head):
            rgb = VIRIDIS[(np.sqrt(attn[layer, head][np.ix_(idx, idx)]) * 255).astype(int)]
            rgb[future] = (217, 217, 217)
            img.paste(Image.fromarray(rgb), (left + head * (tile + gap), y0))
    for head in range(n_head):
        draw.text((left + head * (tile + gap) + tile // 2 - 10, 6), translate("att_head_short", lang, head=head),
                  fill="black", font=font)
    return img, {"left": left, "top": top, "tile": tile, "gap": gap, "n_layer": n_layer, "n_head": n_head}


def cell_at(geometry: dict, x: int, y: int) -> tuple[int, int] | None:
    """(layer, head) under pixel (x, y) of the model view, or None between tiles."""
    step = geometry["tile"] + geometry["gap"]
    if x < geometry["left"] or y < geometry["top"]:
        return None
    col, dx = divmod(x - geometry["left"], step)
    row, dy = divmod(y - geometry["top"], step)
    if dx >= geometry["tile"] or dy >= geometry["tile"] or row >= geometry["n_layer"] or col >= geometry["n_head"]:
        return None
    return int(row), int(col)


def token_view_html(weights: np.ndarray, labels: list[str], query: int, lang: str, caption: str) -> str:
    """The text with each earlier token shaded by how much the chosen query attends to it."""
    spans = []
    peak = max(float(weights[: query + 1].max()), 1e-9)
    for j, label in enumerate(labels):
        text = label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if j > query:
            style, title = "color:#aaa;", translate("att_future", lang)
        else:
            alpha = float(weights[j]) / peak
            style = f"background:rgba(68,1,84,{alpha:.2f}); color:{'white' if alpha > 0.5 else 'black'};"
            title = f"{float(weights[j]):.3f}"
        if j == query:
            style += "outline:2px solid #f5a300;"
        spans.append(f'<span title="{title}" style="{style} padding:2px 3px; margin:1px; border-radius:3px; '
                     f'display:inline-block; font-family:monospace;">{text}</span>')
    return f'<div style="line-height:2.1"><p><b>{caption}</b></p>{"".join(spans)}</div>'


def aggregates_figure(layer_mean: np.ndarray, rolled: np.ndarray, labels: list[str], layer: int, lang: str):
    """Mean over heads for one layer beside attention rollout up to that layer."""
    labels = [plotly_text(t) for t in labels]
    layout = titled(translate("att_aggregates_title", lang), translate("att_aggregates_subtitle", lang), 500,
                    plot_bgcolor=MASKED_COLOR)
    layout["margin"]["t"] = 90
    layout |= grid(1, 2, [translate("att_mean_title", lang, layer=layer),
                          translate("att_rollout_title", lang, layer=layer)], hspace=0.12)
    hover = translate("att_query_axis", lang) + " %{y}, " + translate("att_key_axis", lang) + " %{x}: %{z:.3f}<extra></extra>"
    data = []
    for n, matrix in enumerate((layer_mean, rolled)):
        data.append(on_cell({"type": "heatmap", "z": _masked(matrix), "colorscale": COLORSCALE, "zmin": 0,
                             "zmax": 1, "showscale": n == 1, "hovertemplate": hover}, n))
        # the query tokens are labelled once, on the left panel
        cell_axes(layout, n, x={"title": {"text": translate("att_key_axis", lang)}, **token_axis(labels, 330, x=True)},
                  y={"autorange": "reversed", **token_axis(labels, 330), "showticklabels": n == 0,
                     **({"title": {"text": translate("att_query_axis", lang)}} if n == 0 else {})})
    return figure(data, with_token_axes(layout, {"xaxis": labels, "yaxis": labels, "xaxis2": labels}))


CENSUS_NAMES = {"previous": "att_score_previous", "first": "att_score_first", "induction": "att_score_induction",
                "self_": "att_score_self", "entropy": "att_score_entropy"}
CELL_PX, SMALL_CELL_PX = 40, 16  # a grid cell with its number printed; without (more than 12 heads)


def _cell_colour(strength: float) -> tuple[str, str]:
    """(background, text colour) of a census cell of strength in [0, 1] on the Viridis scale."""
    r, g, b = VIRIDIS[int(round(min(max(strength, 0.0), 1.0) * 255))]
    return f"rgb({r},{g},{b})", "black" if strength > 0.6 else "white"


def census_html(census: HeadCensus, lang: str) -> str:
    """One layer × head grid per score, each cell coloured by its score and clickable (its
    ``data-layer`` and ``data-head`` open that head); above each grid the heads that stand out from
    uniform attention are named, or the strongest with "none stands out", beside uniform's value.
    Shares are coloured on one fixed 0–1 scale, so a score that is small everywhere looks small;
    entropy by how far below uniform's it is (dark: as spread as uniform, bright: focused)."""
    n_layer, n_head = census.previous.shape
    cell = CELL_PX if n_head <= 12 else SMALL_CELL_PX
    head_name = lambda l, h: f"L{l} H{h}"  # noqa: E731
    panels = []
    for score in core.SCORES:
        values, flat = getattr(census, score), census.uniform[score]
        name = translate(CENSUS_NAMES[score], lang)
        named = core.standouts(census, score)
        if named:
            summary = " · ".join(f"<b>{head_name(l, h)}</b> {v:.2f}" for l, h, v in named)
        else:
            l, h, v = core.strongest(census, score)
            summary = translate("att_census_none", lang, head=head_name(l, h), value=f"{v:.2f}")
        marked = {(l, h) for l, h, _ in named}
        rows = ["<tr><th></th>" + "".join(f"<th>H{h}</th>" for h in range(n_head)) + "</tr>"]
        for l in range(n_layer):
            cells = []
            for h in range(n_head):
                v = float(values[l, h])
                strength = (1 - v / flat if flat > 0 else 0.0) if score == "entropy" else v
                background, ink = _cell_colour(strength)
                outline = " att-standout" if (l, h) in marked else ""
                text = f"{v:.2f}" if cell == CELL_PX else ""
                cells.append(f'<td class="att-cell{outline}" data-layer="{l}" data-head="{h}" '
                             f'title="{head_name(l, h)} · {name}: {v:.3f}" '
                             f'style="background:{background};color:{ink};width:{cell}px;height:{cell}px">{text}</td>')
            rows.append(f"<tr><th>L{l}</th>{''.join(cells)}</tr>")
        uniform = translate("att_census_uniform", lang, value=f"{flat:.2f}")
        panels.append(f'<div class="att-census-panel"><div class="att-census-name">{name}</div>'
                      f'<div class="att-census-summary">{summary}</div><div class="att-census-uniform">{uniform}</div>'
                      f'<div class="att-census-scroll"><table class="att-census-grid">{"".join(rows)}</table></div></div>')
    return f'<div class="att-census">{"".join(panels)}</div>'


def arithmetic_figure(steps: HeadArithmetic, labels: list[str], layer: int, head: int, lang: str):
    """Q, K, V, QKᵀ, ÷√dₖ, mask, softmax, ×V for the chosen head, each titled by its equation
    (the mask M in the figure's title); the query tokens are labelled on the left panels only."""
    panels = [  # (title, matrix, square token × token?, probabilities?)
        ("Q = LN(x)·W_Q", steps.q, False, False), ("K = LN(x)·W_K", steps.k, False, False),
        ("V = LN(x)·W_V", steps.v, False, False), ("S = Q·Kᵀ", steps.scores, True, False),
        (f"S/√dₖ (dₖ = {steps.d_k})", steps.scaled, True, False), ("S/√dₖ + M", steps.masked, True, False),
        ("A = softmax(·)", steps.probs, True, True), ("A·V", steps.output, False, False),
    ]
    labels = [plotly_text(t) for t in labels]
    layout = titled(translate("att_arith_title", lang, layer=layer, head=head), translate("att_arith_subtitle", lang),
                    700, plot_bgcolor=MASKED_COLOR)
    layout["margin"]["t"] = 90
    layout |= grid(2, 4, [p[0] for p in panels], hspace=0.06, vspace=0.2)
    data, token_axes = [], {}
    for n, (_, matrix, square, is_prob) in enumerate(panels):
        z = _masked(np.where(np.isinf(matrix), np.nan, matrix)) if square else matrix
        data.append(on_cell({"type": "heatmap", "z": z, "showscale": False,
                             "colorscale": COLORSCALE if is_prob else "RdBu", "reversescale": not is_prob,
                             **({} if is_prob else {"zmid": 0}),
                             "hovertemplate": "%{y}, %{x}: %{z:.4f}<extra></extra>"}, n))
        x_key, y_key = f"xaxis{n + 1 if n else ''}", f"yaxis{n + 1 if n else ''}"
        # a dimension axis is labelled at its ends only: four panels side by side on a phone leave
        # each about 55 px, too little for plotly's own ticks every 10
        dims = matrix.shape[1]
        x_axis = token_axis(labels, 150, x=True) if square else {
            "title": {"text": translate("att_dim_axis", lang)}, "tickmode": "array", "tickvals": [0, dims - 1]}
        cell_axes(layout, n, x=x_axis, y={"autorange": "reversed", **token_axis(labels, 220), "showticklabels": n % 4 == 0})
        token_axes |= ({x_key: labels} if square else {}) | ({y_key: labels} if n % 4 == 0 else {})
    return figure(data, with_token_axes(layout, token_axes))


def _number_cells(matrix: np.ndarray, decimals: int = 2) -> list[list[str]]:
    return [["−∞" if np.isinf(v) else f"{v:.{decimals}f}" for v in row] for row in matrix]


def toy_figure(toy: ToyExample, lang: str):
    """Every matrix of the worked example with its numbers printed in the cells."""
    d = [f"d{i}" for i in range(6)]
    k = [f"k{i}" for i in range(3)]
    panels = [("x (3×6)", toy.x, toy.tokens, d), ("W_Q (6×3)", toy.w_q, d, k), ("W_K (6×3)", toy.w_k, d, k),
              ("W_V (6×3)", toy.w_v, d, k), ("Q = x·W_Q", toy.q, toy.tokens, k), ("K = x·W_K", toy.k, toy.tokens, k),
              ("V = x·W_V", toy.v, toy.tokens, k), ("S = Q·Kᵀ", toy.scores, toy.tokens, toy.tokens),
              ("S / √3", toy.scaled, toy.tokens, toy.tokens),
              ("S/√3 + M " + translate("att_toy_mask", lang), toy.masked, toy.tokens, toy.tokens),
              ("A = softmax", toy.probs, toy.tokens, toy.tokens), ("A·V", toy.output, toy.tokens, k)]
    layout = base_layout(translate("att_toy_title", lang), 800)
    layout |= grid(3, 4, [p[0] for p in panels], hspace=0.07, vspace=0.11)
    data = []
    for n, (_, matrix, rows, cols) in enumerate(panels):
        is_prob = n == 10
        # x and the weights have one decimal (core.toy_example); "-0.90" overran x's six narrow cells
        decimals = 1 if n < 4 else 2
        data.append(on_cell({"type": "heatmap", "z": np.where(np.isinf(matrix), np.nan, matrix),
                             "text": _number_cells(matrix, decimals), "texttemplate": "%{text}", "textfont": {"size": 12},
                             "colorscale": COLORSCALE if is_prob else "RdBu", "reversescale": not is_prob,
                             **({} if is_prob else {"zmid": 0}), "showscale": False, "hoverinfo": "skip"}, n))
        # no grid or zero line: they showed through the masked (−∞, empty) cells
        plain = {"showgrid": False, "zeroline": False}
        cell_axes(layout, n, x={"tickmode": "array", "tickvals": list(range(len(cols))), "ticktext": cols, **plain},
                  y={"tickmode": "array", "tickvals": list(range(len(rows))), "ticktext": rows, "autorange": "reversed",
                     **plain})
    return figure(data, layout)


def positions_figure(sinusoidal: np.ndarray, learned: np.ndarray, lang: str):
    """Sinusoidal encoding beside the model's learned one, and the cosine similarity between
    positions for both."""
    titles = [translate(k, lang) for k in ("att_pos_sin", "att_pos_learned", "att_pos_sin_cos", "att_pos_learned_cos")]
    layout = base_layout(translate("att_pos_title", lang), 860)
    layout |= grid(2, 2, titles, hspace=0.1, vspace=0.14)
    position, dim = translate("att_position", lang), translate("att_dim_axis", lang)
    def diverging(values: np.ndarray, n: int) -> dict:
        # symmetric range at the 99th percentile of |value|, so a few outliers do not wash it out
        lim = float(np.percentile(np.abs(values), 99)) or 1.0
        return on_cell({"type": "heatmap", "z": values, "colorscale": "RdBu", "reversescale": True,
                        "zmin": -lim, "zmax": lim, "showscale": False}, n)

    data = [
        diverging(sinusoidal, 0),
        diverging(learned, 1),
        on_cell({"type": "heatmap", "z": cosine_similarity(sinusoidal), "colorscale": COLORSCALE, "zmin": -1,
                 "zmax": 1, "showscale": False}, 2),
        on_cell({"type": "heatmap", "z": cosine_similarity(learned), "colorscale": COLORSCALE, "zmin": -1, "zmax": 1,
                 "colorbar": colour_bar("cos", y=0.22, len=0.45)}, 3),
    ]
    for n in range(4):
        cell_axes(layout, n, x={"title": {"text": dim if n < 2 else position}},
                  y={"title": {"text": position}, "autorange": "reversed"})
    return figure(data, layout)


def generation_figure(gen: GenerationAttention, layer: int | None, lang: str):
    """One row per generated token: where its query looked (mean over heads; one layer or all)."""
    rows = gen.mean_rows(layer)  # (N, T)
    n = rows.shape[0]
    labels = [plotly_text(t) for t in gen.labels]
    new_labels = labels[gen.prompt_len: gen.prompt_len + n]
    z = np.array(rows, dtype=float)
    for i in range(n):
        z[i, gen.prompt_len + i:] = np.nan  # not generated yet at that step
    weight = translate("att_weight", lang)
    trace = {"type": "heatmap", "z": z, "colorscale": COLORSCALE, "zmin": 0, "colorbar": colour_bar(weight),
             "customdata": [[f"{new_labels[i]} ← {labels[j]}" for j in range(z.shape[1])] for i in range(n)],
             "hovertemplate": "%{customdata}: %{z:.3f}<extra></extra>"}
    which = translate("att_all_layers", lang) if layer is None else translate("att_layer_short", lang, layer=layer)
    layout = titled(translate("att_gen_title", lang, which=which), translate("att_gen_subtitle", lang),
                    max(340, 120 + 28 * n), plot_bgcolor=MASKED_COLOR)
    layout["xaxis"] = {"title": {"text": translate("att_context_axis", lang)}, **token_axis(labels, 700, x=True)}
    layout["yaxis"] = {"title": {"text": translate("att_generated_axis", lang)}, "autorange": "reversed",
                       **token_axis(new_labels, 28 * n)}
    layout["shapes"] = [{"type": "line", "x0": gen.prompt_len - 0.5, "x1": gen.prompt_len - 0.5, "y0": 0, "y1": 1,
                         "yref": "paper", "line": {"color": "#f5a300", "width": 2, "dash": "dash"}}]
    return figure([trace], with_token_axes(layout, {"xaxis": labels, "yaxis": new_labels}))
