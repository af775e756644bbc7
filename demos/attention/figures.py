"""Figures (and the model-view image) for the attention lab. No gradio here.

Every title and axis label goes through ``translate(key, lang)``. Token axes use numeric
positions with the token labels as tick text, because repeated tokens would otherwise be merged
into one category.
"""

from __future__ import annotations

import numpy as np
from plotly.colors import sample_colorscale
from PIL import Image, ImageDraw, ImageFont

from components.i18n import translate
from components.plots import base_layout, cell_axes, figure, grid, on_cell
from demos.attention.core import GenerationAttention, HeadArithmetic, HeadCensus, ToyExample, cosine_similarity

COLORSCALE = "Viridis"
MASKED_COLOR = "#d9d9d9"  # the causal mask: cells a query may not look at


def _token_axis(labels: list[str], max_ticks: int = 64, slanted: bool = False) -> dict:
    """Tick every token when it fits, else every k-th one (hover still names each token)."""
    step = max(1, int(np.ceil(len(labels) / max_ticks)))
    ticks = list(range(0, len(labels), step))
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [labels[i] for i in ticks],
            "tickangle": -60 if slanted and len(labels) > 8 else 0}


def _masked(matrix: np.ndarray) -> np.ndarray:
    """Upper triangle (future keys) as NaN, so the background colour shows the causal mask."""
    out = np.array(matrix, dtype=float)
    out[np.triu(np.ones(out.shape, bool), 1)] = np.nan
    return out


def head_heatmap(probs: np.ndarray, labels: list[str], layer: int, head: int, lang: str):
    """Query tokens (rows) × key tokens (columns) for one head; grey cells are masked."""
    T = len(labels)
    weight = translate("att_weight", lang)
    trace = {"type": "heatmap", "z": _masked(probs), "colorscale": COLORSCALE, "zmin": 0, "zmax": 1,
             "customdata": [[f"{labels[i]} → {labels[j]}" for j in range(T)] for i in range(T)],
             "colorbar": {"title": {"text": weight}},
             "hovertemplate": "%{customdata}<br>" + weight + " %{z:.3f}<extra></extra>"}
    layout = base_layout(translate("att_head_title", lang, layer=layer, head=head), 560, plot_bgcolor=MASKED_COLOR)
    layout["xaxis"] = {"title": {"text": translate("att_key_axis", lang)}, **_token_axis(labels, slanted=True)}
    layout["yaxis"] = {"title": {"text": translate("att_query_axis", lang)}, "autorange": "reversed", **_token_axis(labels)}
    return figure([trace], layout)


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
    layout = base_layout(translate("att_aggregates_title", lang), 500, plot_bgcolor=MASKED_COLOR)
    layout |= grid(1, 2, [translate("att_mean_title", lang, layer=layer),
                          translate("att_rollout_title", lang, layer=layer)], hspace=0.12)
    hover = translate("att_query_axis", lang) + " %{y}, " + translate("att_key_axis", lang) + " %{x}: %{z:.3f}<extra></extra>"
    data = []
    for n, matrix in enumerate((layer_mean, rolled)):
        data.append(on_cell({"type": "heatmap", "z": _masked(matrix), "colorscale": COLORSCALE, "zmin": 0,
                             "zmax": 1, "showscale": n == 1, "hovertemplate": hover}, n))
        cell_axes(layout, n, x={"title": {"text": translate("att_key_axis", lang)}, **_token_axis(labels, 32, slanted=True)},
                  y={"title": {"text": translate("att_query_axis", lang)}, "autorange": "reversed", **_token_axis(labels, 32)})
    return figure(data, layout)


def census_figure(census: HeadCensus, lang: str):
    """Each head as a point: share of attention to the previous token against its induction
    score; colour is entropy. Previous-token heads sit right, induction heads high."""
    n_layer, n_head = census.previous.shape
    names = [f"L{l}H{h}" for l in range(n_layer) for h in range(n_head)]
    t = {k: translate(k, lang) for k in ("att_prev_share", "att_induction", "att_first_share", "att_self_share", "att_entropy")}
    trace = {
        "type": "scatter", "mode": "markers+text", "x": census.previous.ravel(), "y": census.induction.ravel(),
        "text": names, "textposition": "top center",
        "customdata": np.stack([census.first.ravel(), census.self_.ravel(), census.entropy.ravel()], -1),
        "marker": {"size": 12, "color": census.entropy.ravel(), "colorscale": "Plasma",
                   "colorbar": {"title": {"text": t["att_entropy"]}}},
        "hovertemplate": "%{text}<br>" + t["att_prev_share"] + " %{x:.2f}<br>" + t["att_induction"]
        + " %{y:.2f}<br>" + t["att_first_share"] + " %{customdata[0]:.2f}<br>" + t["att_self_share"]
        + " %{customdata[1]:.2f}<br>" + t["att_entropy"] + " %{customdata[2]:.2f}<extra></extra>",
    }
    layout = base_layout(translate("att_census_title", lang), 540)
    layout["xaxis"] = {"title": {"text": t["att_prev_share"]}, "range": [-0.05, 1.05], "gridcolor": "#eee"}
    layout["yaxis"] = {"title": {"text": t["att_induction"]}, "range": [-0.05, 1.05], "gridcolor": "#eee"}
    return figure([trace], layout)


CENSUS_COLUMNS = ("att_col_layer", "att_col_head", "att_col_entropy", "att_col_prev", "att_col_first",
                  "att_col_self", "att_col_induction")


def census_table(census: HeadCensus, lang: str) -> dict:
    """The census as a table ({"headers", "data"}), one row per head."""
    n_layer, n_head = census.previous.shape
    rows = [[l, h, *(round(float(a[l, h]), 3) for a in
                     (census.entropy, census.previous, census.first, census.self_, census.induction))]
            for l in range(n_layer) for h in range(n_head)]
    return {"headers": [translate(k, lang) for k in CENSUS_COLUMNS], "data": rows}


def arithmetic_figure(steps: HeadArithmetic, labels: list[str], layer: int, head: int, lang: str):
    """Q, K, V, QKᵀ, ÷√dₖ, mask, softmax, ×V for the chosen head, each titled by its equation."""
    panels = [  # (title, matrix, square token × token?, probabilities?)
        ("Q = LN(x)·W_Q", steps.q, False, False), ("K = LN(x)·W_K", steps.k, False, False),
        ("V = LN(x)·W_V", steps.v, False, False), ("S = Q·Kᵀ", steps.scores, True, False),
        (f"S / √dₖ   (dₖ = {steps.d_k})", steps.scaled, True, False),
        ("S/√dₖ + M   (M = −∞ " + translate("att_above_diag", lang) + ")", steps.masked, True, False),
        ("A = softmax(S/√dₖ + M)", steps.probs, True, True), ("A·V", steps.output, False, False),
    ]
    layout = base_layout(translate("att_arith_title", lang, layer=layer, head=head), 700, plot_bgcolor=MASKED_COLOR)
    layout |= grid(2, 4, [p[0] for p in panels], hspace=0.07, vspace=0.2)
    data = []
    for n, (_, matrix, square, is_prob) in enumerate(panels):
        z = _masked(np.where(np.isinf(matrix), np.nan, matrix)) if square else matrix
        data.append(on_cell({"type": "heatmap", "z": z, "showscale": False,
                             "colorscale": COLORSCALE if is_prob else "RdBu", "reversescale": not is_prob,
                             **({} if is_prob else {"zmid": 0}),
                             "hovertemplate": "%{y}, %{x}: %{z:.4f}<extra></extra>"}, n))
        x_axis = _token_axis(labels, 12, slanted=True) if square else {"title": {"text": translate("att_dim_axis", lang)}}
        cell_axes(layout, n, x=x_axis, y={"autorange": "reversed", **_token_axis(labels, 12)})
    return figure(data, layout)


def _number_cells(matrix: np.ndarray) -> list[list[str]]:
    return [["−∞" if np.isinf(v) else f"{v:.2f}" for v in row] for row in matrix]


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
        data.append(on_cell({"type": "heatmap", "z": np.where(np.isinf(matrix), np.nan, matrix),
                             "text": _number_cells(matrix), "texttemplate": "%{text}", "textfont": {"size": 12},
                             "colorscale": COLORSCALE if is_prob else "RdBu", "reversescale": not is_prob,
                             **({} if is_prob else {"zmid": 0}), "showscale": False, "hoverinfo": "skip"}, n))
        cell_axes(layout, n, x={"tickmode": "array", "tickvals": list(range(len(cols))), "ticktext": cols},
                  y={"tickmode": "array", "tickvals": list(range(len(rows))), "ticktext": rows, "autorange": "reversed"})
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
                 "colorbar": {"title": {"text": "cos"}, "y": 0.22, "len": 0.45}}, 3),
    ]
    for n in range(4):
        cell_axes(layout, n, x={"title": {"text": dim if n < 2 else position}},
                  y={"title": {"text": position}, "autorange": "reversed"})
    return figure(data, layout)


def generation_figure(gen: GenerationAttention, layer: int | None, lang: str):
    """One row per generated token: where its query looked (mean over heads; one layer or all)."""
    rows = gen.mean_rows(layer)  # (N, T)
    n = rows.shape[0]
    new_labels = gen.labels[gen.prompt_len: gen.prompt_len + n]
    z = np.array(rows, dtype=float)
    for i in range(n):
        z[i, gen.prompt_len + i:] = np.nan  # not generated yet at that step
    weight = translate("att_weight", lang)
    trace = {"type": "heatmap", "z": z, "colorscale": COLORSCALE, "zmin": 0, "colorbar": {"title": {"text": weight}},
             "customdata": [[f"{new_labels[i]} ← {gen.labels[j]}" for j in range(z.shape[1])] for i in range(n)],
             "hovertemplate": "%{customdata}: %{z:.3f}<extra></extra>"}
    which = translate("att_all_layers", lang) if layer is None else translate("att_layer_short", lang, layer=layer)
    layout = base_layout(translate("att_gen_title", lang, which=which), max(340, 120 + 28 * n), plot_bgcolor=MASKED_COLOR)
    layout["xaxis"] = {"title": {"text": translate("att_context_axis", lang)}, **_token_axis(gen.labels, 48, slanted=True)}
    layout["yaxis"] = {"title": {"text": translate("att_generated_axis", lang)}, "autorange": "reversed",
                       "tickmode": "array", "tickvals": list(range(n)), "ticktext": new_labels}
    layout["shapes"] = [{"type": "line", "x0": gen.prompt_len - 0.5, "x1": gen.prompt_len - 0.5, "y0": 0, "y1": 1,
                         "yref": "paper", "line": {"color": "#f5a300", "width": 2, "dash": "dash"}}]
    return figure([trace], layout)
