"""Plotly figures (and the model-view image) for the attention lab. No gradio here.

Every title and axis label goes through ``translate(key, lang)``; token axes use numeric
positions with the token labels as tick text, because repeated tokens would otherwise be merged.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots
from PIL import Image, ImageDraw, ImageFont

from components.i18n import translate
from demos.attention.core import GenerationAttention, HeadArithmetic, HeadCensus, ToyExample

COLORSCALE = "Viridis"
MASKED_COLOR = "#d9d9d9"  # the causal mask: cells a query may not look at
FONT = dict(size=13)


def _token_axis(labels: list[str], max_ticks: int = 64, slanted: bool = False) -> dict:
    """Tick every token when it fits, else every k-th one (hover still names each token)."""
    step = max(1, int(np.ceil(len(labels) / max_ticks)))
    ticks = list(range(0, len(labels), step))
    return dict(tickmode="array", tickvals=ticks, ticktext=[labels[i] for i in ticks],
                tickangle=-60 if slanted and len(labels) > 8 else 0)


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0.01), height=height, font=FONT,
                      margin=dict(l=70, r=20, t=60, b=70), plot_bgcolor=MASKED_COLOR)
    return fig


def _masked(matrix: np.ndarray) -> np.ndarray:
    """Upper triangle (future keys) as NaN, so the background colour shows the causal mask."""
    out = np.array(matrix, dtype=float)
    out[np.triu(np.ones(out.shape, bool), 1)] = np.nan
    return out


def head_heatmap(probs: np.ndarray, labels: list[str], layer: int, head: int, lang: str) -> go.Figure:
    """Query tokens (rows) × key tokens (columns) for one head; grey cells are masked."""
    T = len(labels)
    hover = [[f"{labels[i]} → {labels[j]}" for j in range(T)] for i in range(T)]
    fig = go.Figure(go.Heatmap(
        z=_masked(probs), customdata=hover, colorscale=COLORSCALE, zmin=0, zmax=1,
        colorbar=dict(title=translate("att_weight", lang)),
        hovertemplate="%{customdata}<br>" + translate("att_weight", lang) + " %{z:.3f}<extra></extra>",
    ))
    fig.update_xaxes(title=translate("att_key_axis", lang), **_token_axis(labels, slanted=True))
    fig.update_yaxes(title=translate("att_query_axis", lang), autorange="reversed", **_token_axis(labels))
    return _layout(fig, translate("att_head_title", lang, layer=layer, head=head), 560)


def _viridis_lut() -> np.ndarray:
    return (np.array([[int(c) for c in s[4:-1].split(",")] for s in
                      sample_colorscale(COLORSCALE, np.linspace(0, 1, 256))], dtype=np.uint8))


def model_view_image(attn: np.ndarray, lang: str, tile: int = 72, gap: int = 6) -> tuple[Image.Image, dict]:
    """Every layer × head as a small heatmap in one picture. Returns the image and its geometry
    (so a click at pixel (x, y) can be mapped back to a layer and head)."""
    n_layer, n_head, T, _ = attn.shape
    lut = _viridis_lut()
    font = ImageFont.load_default(size=13)
    left, top = 64, 28
    width = left + n_head * (tile + gap)
    height = top + n_layer * (tile + gap)
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    # cell (i, j) of a tile reads the attention of query i to key j, like the head heatmap;
    # each tile is scaled to its own maximum so weak heads still show their pattern
    idx = np.minimum((np.arange(tile) * T) // tile, T - 1)
    future = np.triu(np.ones((T, T), bool), 1)[np.ix_(idx, idx)]
    for layer in range(n_layer):
        draw.text((4, top + layer * (tile + gap) + tile // 2 - 7), translate("att_layer_short", lang, layer=layer), fill="black", font=font)
        for head in range(n_head):
            a = attn[layer, head][np.ix_(idx, idx)]
            a = a / max(float(a.max()), 1e-9)
            rgb = lut[(a * 255).astype(int)]
            rgb[future] = (217, 217, 217)
            x0, y0 = left + head * (tile + gap), top + layer * (tile + gap)
            img.paste(Image.fromarray(rgb), (x0, y0))
    for head in range(n_head):
        draw.text((left + head * (tile + gap) + tile // 2 - 10, 6), translate("att_head_short", lang, head=head), fill="black", font=font)
    return img, dict(left=left, top=top, tile=tile, gap=gap, n_layer=n_layer, n_head=n_head)


def cell_at(geometry: dict, x: int, y: int) -> tuple[int, int] | None:
    """(layer, head) under pixel (x, y) of the model view, or None between tiles."""
    step = geometry["tile"] + geometry["gap"]
    col, dx = divmod(x - geometry["left"], step)
    row, dy = divmod(y - geometry["top"], step)
    if x < geometry["left"] or y < geometry["top"] or dx >= geometry["tile"] or dy >= geometry["tile"]:
        return None
    if row >= geometry["n_layer"] or col >= geometry["n_head"]:
        return None
    return int(row), int(col)


def token_view_html(weights: np.ndarray, labels: list[str], query: int, lang: str, caption: str) -> str:
    """The text with each earlier token shaded by how much the chosen query attends to it."""
    spans = []
    peak = max(float(weights[: query + 1].max()), 1e-9)
    for j, label in enumerate(labels):
        text = label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if j > query:
            style = "color:#999;"
        else:
            alpha = float(weights[j]) / peak
            style = f"background: rgba(68,1,84,{alpha:.2f}); color:{'white' if alpha > 0.5 else 'black'};"
        if j == query:
            style += "outline: 2px solid #fde725;"
        title = f"{float(weights[j]):.3f}" if j <= query else translate("att_future", lang)
        spans.append(f'<span title="{title}" style="{style} padding:2px 3px; margin:1px; border-radius:3px; '
                     f'display:inline-block; font-family:monospace;">{text}</span>')
    return f'<div style="line-height:2.1"><p><b>{caption}</b></p>{"".join(spans)}</div>'


def aggregates_figure(layer_mean: np.ndarray, rolled: np.ndarray, labels: list[str], layer: int, lang: str) -> go.Figure:
    """Mean over heads for one layer beside attention rollout up to that layer."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12, subplot_titles=(
        translate("att_mean_title", lang, layer=layer), translate("att_rollout_title", lang, layer=layer)))
    for col, matrix in ((1, layer_mean), (2, rolled)):
        fig.add_trace(go.Heatmap(z=_masked(matrix), colorscale=COLORSCALE, zmin=0, showscale=col == 2,
                                 hovertemplate=translate("att_query_axis", lang) + " %{y}, "
                                 + translate("att_key_axis", lang) + " %{x}: %{z:.3f}<extra></extra>"), 1, col)
        fig.update_xaxes(title=translate("att_key_axis", lang), row=1, col=col, **_token_axis(labels, 32, slanted=True))
        fig.update_yaxes(title=translate("att_query_axis", lang), autorange="reversed", row=1, col=col, **_token_axis(labels, 32))
    return _layout(fig, translate("att_aggregates_title", lang), 480)


def census_figure(census: HeadCensus, lang: str) -> go.Figure:
    """Each head as a point: share of attention to the previous token against its induction
    score; colour is entropy. Previous-token heads sit right, induction heads high."""
    n_layer, n_head = census.previous.shape
    names = [f"L{l}H{h}" for l in range(n_layer) for h in range(n_head)]
    custom = np.stack([census.first.ravel(), census.self_.ravel(), census.entropy.ravel()], -1)
    fig = go.Figure(go.Scatter(
        x=census.previous.ravel(), y=census.induction.ravel(), mode="markers+text", text=names,
        textposition="top center", customdata=custom,
        marker=dict(size=12, color=census.entropy.ravel(), colorscale="Plasma",
                    colorbar=dict(title=translate("att_entropy", lang))),
        hovertemplate="%{text}<br>" + translate("att_prev_share", lang) + " %{x:.2f}<br>"
        + translate("att_induction", lang) + " %{y:.2f}<br>" + translate("att_first_share", lang)
        + " %{customdata[0]:.2f}<br>" + translate("att_self_share", lang) + " %{customdata[1]:.2f}<br>"
        + translate("att_entropy", lang) + " %{customdata[2]:.2f}<extra></extra>",
    ))
    fig.update_xaxes(title=translate("att_prev_share", lang), range=[-0.05, 1.05])
    fig.update_yaxes(title=translate("att_induction", lang), range=[-0.05, 1.05])
    fig = _layout(fig, translate("att_census_title", lang), 520)
    fig.update_layout(plot_bgcolor="white")
    fig.update_xaxes(gridcolor="#eee")
    fig.update_yaxes(gridcolor="#eee")
    return fig


def census_table(census: HeadCensus) -> list[list]:
    n_layer, n_head = census.previous.shape
    return [[l, h, round(float(census.entropy[l, h]), 3), round(float(census.previous[l, h]), 3),
             round(float(census.first[l, h]), 3), round(float(census.self_[l, h]), 3),
             round(float(census.induction[l, h]), 3)] for l in range(n_layer) for h in range(n_head)]


def arithmetic_figure(steps: HeadArithmetic, labels: list[str], layer: int, head: int, lang: str) -> go.Figure:
    """Q, K, V, QKᵀ, ÷√dₖ, mask, softmax, ×V for the chosen head, each titled by its equation."""
    panels = [
        ("Q = LN(x)·W_Q", steps.q, False), ("K = LN(x)·W_K", steps.k, False), ("V = LN(x)·W_V", steps.v, False),
        ("S = Q·Kᵀ", steps.scores, False), (f"S / √dₖ  (dₖ = {steps.d_k})", steps.scaled, False),
        ("S/√dₖ + M  (M = −∞ " + translate("att_above_diag", lang) + ")", steps.masked, True),
        ("A = softmax(S/√dₖ + M)", steps.probs, True), ("A·V", steps.output, False),
    ]
    fig = make_subplots(rows=2, cols=4, subplot_titles=[p[0] for p in panels], horizontal_spacing=0.06, vertical_spacing=0.16)
    for n, (title, matrix, causal) in enumerate(panels):
        row, col = divmod(n, 4)
        z = np.where(np.isinf(matrix), np.nan, matrix) if causal else matrix
        z = _masked(z) if causal else z
        square = matrix.shape[0] == matrix.shape[1] == len(labels) and title != "A·V"
        fig.add_trace(go.Heatmap(z=z, colorscale="RdBu_r" if not title.startswith("A =") else COLORSCALE,
                                 zmid=None if title.startswith("A =") else 0, showscale=False,
                                 hovertemplate="%{y}, %{x}: %{z:.4f}<extra></extra>"), row + 1, col + 1)
        fig.update_yaxes(autorange="reversed", row=row + 1, col=col + 1, **_token_axis(labels, 12))
        fig.update_xaxes(row=row + 1, col=col + 1, **(_token_axis(labels, 12, slanted=True) if square else
                                                          dict(title=translate("att_dim_axis", lang))))
    fig.update_annotations(font_size=12)
    return _layout(fig, translate("att_arith_title", lang, layer=layer, head=head), 640)


def _number_heatmap(fig, matrix, row, col, colorscale="RdBu_r"):
    finite = np.where(np.isinf(matrix), np.nan, matrix)
    text = [["−∞" if np.isinf(v) else f"{v:.2f}" for v in r] for r in matrix]
    fig.add_trace(go.Heatmap(z=finite, text=text, texttemplate="%{text}", colorscale=colorscale,
                             showscale=False, hoverinfo="skip", textfont=dict(size=12)), row, col)


def toy_figure(toy: ToyExample, lang: str) -> go.Figure:
    """Every matrix of the worked example with its numbers printed in the cells."""
    panels = [("x (3×6)", toy.x), ("W_Q (6×3)", toy.w_q), ("W_K (6×3)", toy.w_k), ("W_V (6×3)", toy.w_v),
              ("Q = x·W_Q", toy.q), ("K = x·W_K", toy.k), ("V = x·W_V", toy.v), ("S = Q·Kᵀ", toy.scores),
              ("S / √3", toy.scaled), ("+ M " + translate("att_toy_mask", lang), toy.masked),
              ("A = softmax", toy.probs), ("A·V", toy.output)]
    fig = make_subplots(rows=3, cols=4, subplot_titles=[p[0] for p in panels], horizontal_spacing=0.07, vertical_spacing=0.1)
    for n, (_, matrix) in enumerate(panels):
        row, col = divmod(n, 4)
        _number_heatmap(fig, matrix, row + 1, col + 1, "Viridis" if n == 10 else "RdBu_r")
        rows = toy.tokens if matrix.shape[0] == 3 else [f"d{i}" for i in range(matrix.shape[0])]
        cols = toy.tokens if n in (7, 8, 9, 10) else [f"{'d' if n == 0 else 'k'}{i}" for i in range(matrix.shape[1])]
        fig.update_yaxes(tickmode="array", tickvals=list(range(len(rows))), ticktext=rows, autorange="reversed", row=row + 1, col=col + 1)
        fig.update_xaxes(tickmode="array", tickvals=list(range(len(cols))), ticktext=cols, row=row + 1, col=col + 1)
    fig = _layout(fig, translate("att_toy_title", lang), 760)
    fig.update_layout(plot_bgcolor="white")
    return fig


def positions_figure(sinusoidal: np.ndarray, learned: np.ndarray, lang: str) -> go.Figure:
    """Sinusoidal encoding beside the model's learned one, and the cosine similarity between
    positions for both."""
    from demos.attention.core import cosine_similarity

    fig = make_subplots(rows=2, cols=2, vertical_spacing=0.14, horizontal_spacing=0.1, subplot_titles=(
        translate("att_pos_sin", lang), translate("att_pos_learned", lang),
        translate("att_pos_sin_cos", lang), translate("att_pos_learned_cos", lang)))
    fig.add_trace(go.Heatmap(z=sinusoidal, colorscale="RdBu_r", zmid=0, showscale=False), 1, 1)
    fig.add_trace(go.Heatmap(z=learned, colorscale="RdBu_r", zmid=0, showscale=False), 1, 2)
    fig.add_trace(go.Heatmap(z=cosine_similarity(sinusoidal), colorscale=COLORSCALE, zmin=-1, zmax=1, showscale=False), 2, 1)
    fig.add_trace(go.Heatmap(z=cosine_similarity(learned), colorscale=COLORSCALE, zmin=-1, zmax=1,
                             colorbar=dict(title="cos", y=0.22, len=0.45)), 2, 2)
    for col in (1, 2):
        fig.update_xaxes(title=translate("att_dim_axis", lang), row=1, col=col)
        fig.update_yaxes(title=translate("att_position", lang), autorange="reversed", row=1, col=col)
        fig.update_xaxes(title=translate("att_position", lang), row=2, col=col)
        fig.update_yaxes(title=translate("att_position", lang), autorange="reversed", row=2, col=col)
    fig = _layout(fig, translate("att_pos_title", lang), 820)
    fig.update_layout(plot_bgcolor="white")
    return fig


def generation_figure(gen: GenerationAttention, layer: int | None, lang: str) -> go.Figure:
    """One row per generated token: where its query looked (mean over heads; one layer or all)."""
    rows = gen.rows.mean(axis=(0, 1)) if layer is None else gen.rows[layer].mean(axis=0)  # (N, T)
    n = rows.shape[0]
    new_labels = gen.labels[gen.prompt_len: gen.prompt_len + n]
    z = np.array(rows, dtype=float)
    for i in range(n):
        z[i, gen.prompt_len + i:] = np.nan  # tokens not yet generated at that step
    hover = [[f"{new_labels[i]} ← {gen.labels[j]}" for j in range(z.shape[1])] for i in range(n)]
    fig = go.Figure(go.Heatmap(z=z, customdata=hover, colorscale=COLORSCALE, zmin=0,
                               colorbar=dict(title=translate("att_weight", lang)),
                               hovertemplate="%{customdata}: %{z:.3f}<extra></extra>"))
    fig.add_vline(x=gen.prompt_len - 0.5, line=dict(color="#fde725", width=2, dash="dash"))
    fig.update_xaxes(title=translate("att_context_axis", lang), **_token_axis(gen.labels, 48, slanted=True))
    fig.update_yaxes(title=translate("att_generated_axis", lang), autorange="reversed",
                     tickmode="array", tickvals=list(range(n)), ticktext=new_labels)
    which = translate("att_all_layers", lang) if layer is None else translate("att_layer_short", lang, layer=layer)
    return _layout(fig, translate("att_gen_title", lang, which=which), max(320, 90 + 28 * n))
