"""Figures and HTML for the decoding lab. No gradio here."""

from __future__ import annotations

import html

import numpy as np
from plotly.colors import sample_colorscale

from components.i18n import translate
from components.plots import base_layout, figure
from demos.decoding.core import BeamResult, Metrics, Output, OutputSteps, StepView, Strategy, Sweep

KEPT, DROPPED, CHOSEN = "#3b6fb6", "#c9c9c9", "#f28e2b"
PROB_SCALE = "RdYlGn"  # red = unlikely under the model, green = likely


def strategy_label(s: Strategy, lang: str) -> str:
    """The strategy with the parameters that define it, e.g. "top-p (p = 0.9, T = 0.8)"."""
    name = translate(f"dec_kind_{s.kind}", lang)
    params = {
        "greedy": [], "beam": [f"B = {s.num_beams}", f"lp = {s.length_penalty:g}"]
        + ([f"no-repeat {s.no_repeat_ngram_size}"] if s.no_repeat_ngram_size else []),
        "sampling": [f"T = {s.temperature:g}"], "top_k": [f"k = {s.top_k}", f"T = {s.temperature:g}"],
        "top_p": [f"p = {s.top_p:g}", f"T = {s.temperature:g}"], "typical": [f"p = {s.typical_p:g}", f"T = {s.temperature:g}"],
        "min_p": [f"min-p = {s.min_p:g}", f"T = {s.temperature:g}"],
        "contrastive": [f"α = {s.penalty_alpha:g}", f"k = {s.contrastive_k}"],
    }[s.kind]
    if s.repetition_penalty != 1.0:
        params.append(f"rep = {s.repetition_penalty:g}")
    return f"{name} ({', '.join(params)})" if params else name


def output_label(output: Output, lang: str) -> str:
    """The strategy's label, with the sample's number for a sampled strategy ("… #2")."""
    label = strategy_label(output.strategy, lang)
    return f"{label} #{output.sample + 1}" if output.strategy.sampled else label


def _lighten(colour: str) -> str:
    """Halfway to white, so black token text stays readable on every shade."""
    r, g, b = (int(float(c)) for c in colour[colour.index("(") + 1 : -1].split(","))
    return f"rgb({(r + 255) // 2}, {(g + 255) // 2}, {(b + 255) // 2})"


PROB_COLOURS = [_lighten(c) for c in sample_colorscale(PROB_SCALE, np.linspace(0, 1, 101))]


def _prob_colour(p: float) -> str:
    """Colour of a probability on a log scale from 1e-4 (red) to 1 (green)."""
    x = float(np.clip((np.log10(max(p, 1e-12)) + 4) / 4, 0, 1))
    return PROB_COLOURS[int(round(x * 100))]


def outputs_html(rows: list[dict], prompt_label: str, lang: str) -> str:
    """Every output side by side; each token shaded by its probability under the unmodified
    model, hover shows probability and rank. ``rows``: {"label", "tokens", "probs", "ranks"}."""
    cards = []
    for row in rows:
        spans = []
        for tok, p, r in zip(row["tokens"], row["probs"], row["ranks"]):
            tip = translate("dec_token_tip", lang, p=f"{p:.3f}", rank=int(r))
            spans.append(f'<span title="{html.escape(tip)}" style="background:{_prob_colour(p)}; padding:1px 2px; '
                         f'margin:1px; border-radius:3px; display:inline-block; font-family:monospace;">'
                         f'{html.escape(tok)}</span>')
        cards.append(f'<div style="border:1px solid #ddd; border-radius:8px; padding:8px; margin:4px; '
                     f'flex:1 1 300px; min-width:280px;"><div style="font-weight:600; margin-bottom:4px;">'
                     f'{html.escape(row["label"])}</div><div style="line-height:1.9">{"".join(spans)}</div></div>')
    legend = translate("dec_colour_legend", lang)
    return (f'<div><p style="margin:2px 4px;"><b>{html.escape(translate("dec_prompt", lang))}:</b> '
            f'<code>{html.escape(prompt_label)}</code> &nbsp; <i>{html.escape(legend)}</i></p>'
            f'<div style="display:flex; flex-wrap:wrap;">{"".join(cards)}</div></div>')


def distribution_figure(view: StepView, token_labels: list[str], title: str, lang: str):
    """The top tokens at one step: kept by the strategy's rule (blue), dropped (grey), chosen (orange)."""
    colours = [CHOSEN if tid == view.chosen else (KEPT if keep else DROPPED) for tid, keep in zip(view.top_ids, view.kept)]
    status = [translate("dec_chosen" if tid == view.chosen else ("dec_kept" if keep else "dec_dropped"), lang)
              for tid, keep in zip(view.top_ids, view.kept)]
    trace = {"type": "bar", "x": list(range(len(view.top_ids))), "y": view.top_probs, "marker": {"color": colours},
             "customdata": [[label, st] for label, st in zip(token_labels, status)],
             "hovertemplate": "%{customdata[0]}: p = %{y:.4f} (%{customdata[1]})<extra></extra>"}
    subtitle = translate("dec_dist_subtitle", lang, kept=view.kept_count, mass=f"{view.kept_mass:.3f}",
                         token=token_labels[view.top_ids.index(view.chosen)] if view.chosen in view.top_ids else "…",
                         p=f"{view.chosen_prob:.3f}", rank=view.chosen_rank)
    layout = base_layout(f"{title}<br><sub>{subtitle}</sub>", 460, margin={"l": 70, "r": 30, "t": 90, "b": 110})
    layout["xaxis"] = {"tickmode": "array", "tickvals": list(range(len(token_labels))), "ticktext": token_labels,
                       "tickangle": -50, "title": {"text": translate("dec_next_token", lang)}}
    layout["yaxis"] = {"title": {"text": translate("dec_probability", lang)}, "gridcolor": "#eee", "rangemode": "tozero"}
    return figure([trace], layout)


def step_figure(chosen: OutputSteps, step: int, pieces: dict[int, str], lang: str):
    """The distribution at ``step`` of the output ``chosen`` (``pieces``: token id -> label)."""
    view = chosen.views[step]
    title = translate("dec_dist_title", lang, output=chosen.label, step=step)
    return distribution_figure(view, [pieces[t] for t in view.top_ids], title, lang)


def beam_tree_figure(beam: BeamResult, label_of, lang: str):
    """Candidates per step: kept beams (blue), pruned (grey), finished hypotheses (stars). Edges
    join each candidate to the beam it extends; y is the candidate's rank at that step."""
    xs = {"kept": [], "pruned": [], "finished": []}
    ys = {k: [] for k in xs}
    texts = {k: [] for k in xs}
    hover = {k: [] for k in xs}
    edge_x, edge_y = [], []
    kept_y: dict[tuple[int, int], int] = {}  # (step, index among the kept beams) -> rank
    kept_so_far: dict[int, int] = {}
    for c in beam.candidates:  # in rank order within each step
        if c.status == "kept":
            kept_y[(c.step, kept_so_far.get(c.step, 0))] = c.rank
            kept_so_far[c.step] = kept_so_far.get(c.step, 0) + 1
    for c in beam.candidates:
        xs[c.status].append(c.step)
        ys[c.status].append(c.rank)
        texts[c.status].append(label_of(c.token))
        hover[c.status].append(f"{label_of(c.token)} · Σ log p = {c.score:.2f}")
        parent_y = 0 if c.step == 0 else kept_y.get((c.step - 1, c.parent), 0)
        edge_x += [c.step - 1, c.step, None]
        edge_y += [parent_y, c.rank, None]
    data = [{"type": "scatter", "mode": "lines", "x": edge_x, "y": edge_y, "hoverinfo": "skip",
             "line": {"color": "#bbb", "width": 1}, "showlegend": False}]
    styles = {"kept": (KEPT, "circle", 12), "pruned": (DROPPED, "circle", 9), "finished": (CHOSEN, "star", 16)}
    for status, (colour, symbol, size) in styles.items():
        data.append({"type": "scatter", "mode": "markers+text", "x": xs[status], "y": ys[status], "text": texts[status],
                     "textposition": "top center", "textfont": {"size": 11}, "customdata": hover[status],
                     "hovertemplate": "%{customdata}<extra></extra>", "name": translate(f"dec_beam_{status}", lang),
                     "marker": {"color": colour, "symbol": symbol, "size": size}})
    tokens, total, score = beam.finished[0]
    title = translate("dec_beam_title", lang, score=f"{score:.3f}", total=f"{total:.2f}", n=len(tokens),
                      lp=f"{beam.output.strategy.length_penalty:g}")
    layout = base_layout(title, 520, legend={"orientation": "h", "y": -0.15})
    layout["xaxis"] = {"title": {"text": translate("dec_step", lang)}, "gridcolor": "#eee", "dtick": 1}
    layout["yaxis"] = {"title": {"text": translate("dec_beam_rank", lang)}, "autorange": "reversed", "gridcolor": "#eee"}
    return figure(data, layout)


def metrics_figure(labels: list[str], metrics: list[Metrics], lang: str):
    """Diversity (distinct-n) and repetition per strategy as grouped bars."""
    series = [("distinct-1", [m.distinct[0] for m in metrics]), ("distinct-2", [m.distinct[1] for m in metrics]),
              ("distinct-3", [m.distinct[2] for m in metrics]),
              (translate("dec_rep4", lang), [m.repeated_4gram for m in metrics])]
    data = [{"type": "bar", "name": name, "x": labels, "y": values,
             "hovertemplate": name + ": %{y:.3f}<extra></extra>"} for name, values in series]
    # room below for the strategies' long labels, slanted so neighbours do not overlap
    layout = base_layout(translate("dec_metrics_title", lang), 500, barmode="group",
                         legend={"orientation": "h", "y": 1.12}, margin={"l": 70, "r": 30, "t": 70, "b": 130})
    layout["yaxis"] = {"title": {"text": translate("dec_share", lang)}, "range": [0, 1.05], "gridcolor": "#eee"}
    layout["xaxis"] = {"tickangle": -30}
    return figure(data, layout)


def metrics_table(labels: list[str], metrics: list[Metrics], lang: str) -> dict:
    headers = [translate(k, lang) for k in ("dec_col_strategy", "dec_col_d1", "dec_col_d2", "dec_col_d3",
                                            "dec_col_rep4", "dec_col_logprob", "dec_col_ppl", "dec_col_len")]
    rows = [[label, round(m.distinct[0], 3), round(m.distinct[1], 3), round(m.distinct[2], 3), round(m.repeated_4gram, 3),
             round(m.mean_logprob, 3), round(m.perplexity, 2), round(m.mean_length, 1)] for label, m in zip(labels, metrics)]
    return {"headers": headers, "data": rows}


def sweep_figure(sweep: Sweep, lang: str):
    """Entropy of the next-token distribution and distinct-2 of samples against temperature."""
    entropy_name, distinct_name = translate("dec_entropy", lang), translate("dec_distinct2", lang)
    data = [
        {"type": "scatter", "mode": "lines+markers", "name": entropy_name, "x": sweep.temperatures, "y": sweep.entropy,
         "hovertemplate": "T = %{x}: %{y:.2f} nats<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "name": distinct_name, "x": sweep.temperatures,
         "y": sweep.distinct2, "yaxis": "y2", "hovertemplate": "T = %{x}: %{y:.3f}<extra></extra>"},
    ]
    # room on the right for the second axis' title
    layout = base_layout(translate("dec_sweep_title", lang), 440, legend={"orientation": "h", "y": 1.12},
                         margin={"l": 70, "r": 80, "t": 70, "b": 70})
    layout["xaxis"] = {"title": {"text": translate("dec_temperature", lang)}, "gridcolor": "#eee"}
    layout["yaxis"] = {"title": {"text": entropy_name}, "gridcolor": "#eee", "rangemode": "tozero"}
    layout["yaxis2"] = {"title": {"text": distinct_name}, "overlaying": "y", "side": "right", "range": [0, 1.05]}
    return figure(data, layout)


def beam_table(beam: BeamResult, text_of, lang: str) -> dict:
    """The finished hypotheses, best score first, with their rank by Σ log p alone: where the two
    orders differ, the length penalty decided the winner."""
    headers = [translate(k, lang) for k in ("dec_col_hypothesis", "dec_col_sum", "dec_col_length",
                                            "dec_col_score", "dec_col_rank_sum")]
    by_sum = sorted(range(len(beam.finished)), key=lambda i: -beam.finished[i][1])
    rows = [[text_of(tokens), round(total, 3), len(tokens), round(score, 4), by_sum.index(i) + 1]
            for i, (tokens, total, score) in enumerate(beam.finished)]
    return {"headers": headers, "data": rows}
