"""Figures and HTML for the decoding lab. No gradio here."""

from __future__ import annotations

import html
import unicodedata
from collections import Counter

import numpy as np
from plotly.colors import sample_colorscale

from components.i18n import translate
from components.plots import base_layout, figure
from demos.decoding import core
from demos.decoding.core import BeamResult, Metrics, Output, OutputSteps, StepView, Strategy, Sweep

KEPT, DROPPED, CHOSEN = "#3b6fb6", "#c9c9c9", "#f28e2b"
PRUNED = "#dcdcdc"    # a pruned beam candidate: faint, so the beams carried on stand out
PROB_SCALE = "RdYlGn"  # red = unlikely under the model, green = likely
ROW_PX = 17            # a horizontal bar's row: a 12 px token label and a gap
STEP_PX = 64           # a column of the beam tree: room for a node label of LABEL_WIDTH at 12 px
RANK_PX = 40           # a row of the beam tree: a node and its label above it
LABEL_WIDTH = 7        # a node label's longest width, in narrow characters (a wide CJK one counts 2)


def titled(title: str, subtitle: str, height: int, **extra) -> dict:
    """A layout whose short title stays on one line on a phone, the detail in a smaller subtitle
    (``<br>`` starts another line)."""
    layout = base_layout(title, height, **extra)
    layout["title"]["font"] = {"size": 15}
    layout["title"]["subtitle"] = {"text": subtitle, "font": {"size": 12, "color": "#555"}}
    return layout


def short_label(text: str, width: int = LABEL_WIDTH) -> str:
    """``text`` cut to ``width`` narrow characters, ending in "…" when cut (plotly text, escaped)."""
    widths = [2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text]
    if sum(widths) > width:
        used = 0
        for n, w in enumerate(widths):
            if used + w > width - 1:   # room for "…"
                text = text[:n] + "…"
                break
            used += w
    return html.escape(text, quote=False)


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


def outputs_html(rows: list[dict], prompt_label: str, lang: str, pending: list[str] = (), status: str = "") -> str:
    """Every output side by side; each token shaded by its probability under the unmodified
    model, hover shows probability and rank. ``rows``: {"label", "tokens", "probs", "ranks"}.
    While a comparison is under way, a ``status`` line and a faint card for each ``pending``
    strategy (its label): the first is being decoded, the others wait their turn."""
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
    for i, label in enumerate(pending):
        state = translate("dec_pending_now" if i == 0 else "dec_pending_queued", lang)
        cards.append(f'<div class="dec-pending" style="border:1px dashed #bbb; border-radius:8px; padding:8px; '
                     f'margin:4px; flex:1 1 300px; min-width:280px; color:#777;">'
                     f'<div style="font-weight:600; margin-bottom:4px;">{html.escape(label)}</div><div style="line-height:1.9"><i>{html.escape(state)}</i></div></div>')
    legend = translate("dec_colour_legend", lang)
    status_line = (f'<p class="dec-status" style="margin:2px 4px; font-weight:600;"><span class="dec-spinner"></span>'
                   f'{html.escape(status)}</p>' if status else "")
    return (f'<div>{status_line}<p style="margin:2px 4px;"><b>{html.escape(translate("dec_prompt", lang))}:</b> '
            f'<code>{html.escape(prompt_label)}</code> &nbsp; <i>{html.escape(legend)}</i></p>'
            f'<div style="display:flex; flex-wrap:wrap;">{"".join(cards)}</div></div>')


def distribution_figure(view: StepView, token_labels: list[str], title: str, lang: str):
    """The top tokens at one step, most likely first, as horizontal bars (token labels stay
    legible at any width): kept by the strategy's rule (blue), dropped (grey), chosen (orange)."""
    status = ["chosen" if tid == view.chosen else ("kept" if keep else "dropped")
              for tid, keep in zip(view.top_ids, view.kept)]
    labels = [html.escape(t, quote=False) for t in token_labels]
    data = []
    for name, colour in (("kept", KEPT), ("dropped", DROPPED), ("chosen", CHOSEN)):
        # the chosen token was kept too: its bar is in both traces, orange drawn over blue, so the
        # kept trace (and its legend entry) is never empty, even for greedy
        rows = [i for i, st in enumerate(status) if st == name or (name == "kept" and st == "chosen")]
        data.append({"type": "bar", "orientation": "h", "y": rows, "x": [view.top_probs[i] for i in rows],
                     "name": translate(f"dec_{name}", lang), "marker": {"color": colour},
                     "customdata": [labels[i] for i in rows],
                     "hovertemplate": "%{customdata}: p = %{x:.4f}<extra>" + translate(f"dec_{name}", lang) + "</extra>"})
    chosen = token_labels[view.top_ids.index(view.chosen)] if view.chosen in view.top_ids else "…"
    subtitle = translate("dec_dist_subtitle", lang, kept=view.kept_count, mass=f"{view.kept_mass:.3f}",
                         token=html.escape(chosen, quote=False), p=f"{view.chosen_prob:.3f}", rank=view.chosen_rank)
    height = 150 + ROW_PX * len(labels)
    layout = titled(title, subtitle, height, barmode="overlay", bargap=0.25,
                    margin={"l": 20, "r": 20, "t": 96, "b": 50},
                    legend={"x": 0.98, "xanchor": "right", "y": 0.02, "yanchor": "bottom",
                            "bgcolor": "rgba(255,255,255,0.85)"})
    layout["yaxis"] = {"tickmode": "array", "tickvals": list(range(len(labels))), "ticktext": labels,
                       "autorange": "reversed", "automargin": True, "tickfont": {"size": 12},
                       "title": {"text": translate("dec_next_token", lang)}}
    layout["xaxis"] = {"title": {"text": translate("dec_probability", lang)}, "gridcolor": "#eee", "rangemode": "tozero"}
    return figure(data, layout)


def step_figure(chosen: OutputSteps, step: int, pieces: dict[int, str], lang: str):
    """The distribution at ``step`` of the output ``chosen`` (``pieces``: token id -> label)."""
    view = chosen.views[step]
    title = translate("dec_dist_title", lang, output=chosen.label, step=step)
    return distribution_figure(view, [pieces[t] for t in view.top_ids], title, lang)


def beam_tree_figure(beam: BeamResult, label_of, lang: str):
    """One column per step, one row per candidate rank (the best first). The beams carried on
    (blue) and the finished hypotheses (stars) are labelled with their token and joined to the
    beam they extend; pruned candidates are faint dots; the winner's path is bold and orange.
    Columns keep STEP_PX each (the plot scrolls sideways when they need more than its box), so
    the labels stay legible whatever the length; hover shows each candidate's Σ log p."""
    path = core.winner_path(beam)
    on_path = {(c.step, c.rank) for c in path}
    rank_of: dict[tuple[int, int], int] = {}   # (step, index among its kept beams) -> rank
    kept_so_far: Counter = Counter()
    for c in beam.candidates:                    # in rank order within each step
        if c.status == "kept":
            rank_of[(c.step, kept_so_far[c.step])] = c.rank
            kept_so_far[c.step] += 1
    groups = {key: {"x": [], "y": [], "text": [], "hover": []} for key in ("kept", "finished", "pruned", "winner")}
    edge_x, edge_y = [], []
    for c in beam.candidates:
        token = label_of(c.token)
        key = "winner" if (c.step, c.rank) in on_path else c.status
        hover = f"{html.escape(token, quote=False)} · {translate('dec_beam_' + c.status, lang)} · Σ log p = {c.score:.2f}"
        group = groups[key]
        group["x"].append(c.step)
        group["y"].append(c.rank)
        group["text"].append("" if c.status == "pruned" else short_label(token))
        group["hover"].append(hover)
        if c.status != "pruned" and c.step > 0:
            edge_x += [c.step - 1, c.step, None]
            edge_y += [rank_of[(c.step - 1, c.parent)], c.rank, None]
    data = [{"type": "scatter", "mode": "lines", "x": edge_x, "y": edge_y, "hoverinfo": "skip",
             "line": {"color": "#b5c7e3", "width": 1}, "showlegend": False},
            {"type": "scatter", "mode": "lines", "x": [c.step for c in path], "y": [c.rank for c in path],
             "hoverinfo": "skip", "line": {"color": CHOSEN, "width": 4}, "showlegend": False}]
    styles = {"pruned": (PRUNED, "circle", 6), "kept": (KEPT, "circle", 11), "finished": (KEPT, "star", 15),
              "winner": (CHOSEN, "circle", 13)}
    for key, (colour, symbol, size) in styles.items():
        group = groups[key]
        symbols = ["star" if (x, y) == (path[-1].step, path[-1].rank) else symbol
                   for x, y in zip(group["x"], group["y"])]
        data.append({"type": "scatter", "mode": "markers+text", "x": group["x"], "y": group["y"],
                     "text": group["text"], "textposition": "top center",
                     "textfont": {"size": 12, "color": "#b35900" if key == "winner" else "#222"},
                     "customdata": group["hover"], "hovertemplate": "%{customdata}<extra></extra>",
                     "name": translate(f"dec_beam_{key}", lang), "marker": {"color": colour, "symbol": symbols, "size": size}})
    tokens, total, score = beam.finished[0]
    strategy = beam.output.strategy
    steps = max(c.step for c in beam.candidates) + 1
    ranks = max(c.rank for c in beam.candidates) + 1
    title = translate("dec_beam_title", lang, beams=strategy.num_beams, lp=f"{strategy.length_penalty:g}")
    subtitle = translate("dec_beam_subtitle", lang, score=f"{score:.3f}", total=f"{total:.2f}", n=len(tokens),
                         lp=f"{strategy.length_penalty:g}")
    # at least a projector's column wide; wider (scrolling) when the steps need it
    width = max(900, 90 + STEP_PX * (steps + 1))
    layout = titled(title, subtitle, 190 + RANK_PX * ranks, width=width,
                    legend={"orientation": "h", "x": 0, "yref": "container", "y": 0, "yanchor": "bottom"},
                    margin={"l": 70, "r": 20, "t": 84, "b": 100})
    layout["xaxis"] = {"title": {"text": translate("dec_step", lang)}, "gridcolor": "#f2f2f2", "dtick": 1,
                       "range": [-0.6, steps - 0.4], "zeroline": False}
    # the best rank on top, with room above it for its labels
    layout["yaxis"] = {"title": {"text": translate("dec_beam_rank", lang)}, "range": [ranks - 0.5, -0.8],
                       "gridcolor": "#f2f2f2", "dtick": 1, "zeroline": False}
    return figure(data, layout)


def two_lines(label: str) -> str:
    """A strategy's label as plotly text on two lines: its name, then its parameters "(…)"."""
    name, _, params = label.rpartition(" (")
    if not name:
        return html.escape(label, quote=False)
    return html.escape(name, quote=False) + "<br>(" + html.escape(params, quote=False)


def metrics_figure(labels: list[str], metrics: list[Metrics], lang: str):
    """Diversity (distinct-n) and repetition per strategy as grouped horizontal bars: the
    strategies' long labels read across, on two lines (name, then parameters)."""
    series = [("distinct-1", [m.distinct[0] for m in metrics]), ("distinct-2", [m.distinct[1] for m in metrics]),
              ("distinct-3", [m.distinct[2] for m in metrics]),
              (translate("dec_rep4", lang), [m.repeated_4gram for m in metrics])]
    names = [two_lines(label) for label in labels]
    data = [{"type": "bar", "orientation": "h", "name": name, "y": list(range(len(labels))), "x": values,
             "customdata": labels, "hovertemplate": "%{customdata}<br>" + name + ": %{x:.3f}<extra></extra>"}
            for name, values in series]
    # the legend at the foot of the figure, under the axis title: on a phone it wraps onto
    # several lines, which a legend at the top would draw over the title
    layout = titled(translate("dec_metrics_title", lang), translate("dec_metrics_subtitle", lang),
                    240 + 76 * len(labels), barmode="group",
                    legend={"orientation": "h", "x": 0, "yref": "container", "y": 0, "yanchor": "bottom"},
                    margin={"l": 20, "r": 20, "t": 70, "b": 130})
    layout["xaxis"] = {"title": {"text": translate("dec_share", lang)}, "range": [0, 1.05], "gridcolor": "#eee"}
    layout["yaxis"] = {"tickmode": "array", "tickvals": list(range(len(labels))), "ticktext": names,
                       "autorange": "reversed", "automargin": True}
    return figure(data, layout)


def metrics_table(labels: list[str], metrics: list[Metrics], lang: str, pending: list[str] = ()) -> dict:
    """One row per strategy; a strategy still ``pending`` (its label) has "…" for its numbers."""
    headers = [translate(k, lang) for k in ("dec_col_strategy", "dec_col_d1", "dec_col_d2", "dec_col_d3",
                                            "dec_col_rep4", "dec_col_logprob", "dec_col_ppl", "dec_col_len")]
    rows = [[label, round(m.distinct[0], 3), round(m.distinct[1], 3), round(m.distinct[2], 3), round(m.repeated_4gram, 3),
             round(m.mean_logprob, 3), round(m.perplexity, 2), round(m.mean_length, 1)] for label, m in zip(labels, metrics)]
    rows += [[label] + ["…"] * (len(headers) - 1) for label in pending]
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
    # room on the right for the second axis' title; the legend at the figure's foot (above the plot
    # its second row on a phone sat on the right axis' top tick)
    layout = base_layout(translate("dec_sweep_title", lang), 480,
                         legend={"orientation": "h", "x": 0, "yref": "container", "y": 0, "yanchor": "bottom"},
                         margin={"l": 70, "r": 80, "t": 70, "b": 110})
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
