"""Figures of the GAN lab, as plain plotly dicts (components/plots.py). No gradio here.

Colours follow GAN Lab: green for real data, purple for generated samples; the heatmap shades
the plane green where D calls it real and purple where D calls it fake.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from components.i18n import translate
from components.plots import base_layout, cell_axes, figure, grid, on_cell
from demos.gan import losses
from demos.gan.core import LIMITS, GanRun, Snapshot

REAL, FAKE, ARROW, MANIFOLD = "#2f9e44", "#7048e8", "#e8590c", "rgba(60, 60, 60, 0.35)"
D_SCALE = [[0.0, "#e5dbff"], [0.5, "#f8f9fa"], [1.0, "#d3f9d8"]]  # fake-looking -> real-looking
LOG_TICKS = [m * 10.0 ** e for e in range(-5, 5) for m in (1, 3)]
ARROW_UNITS = 0.5  # the longest gradient arrow is drawn this long on the plane
# under the buttons and a two-line status of a 1280×720 page (top ≈ 300 px), at least 80% of the
# main plot shows without scrolling: the square plane and its titles fit 480 px at that width
PLANE_HEIGHT, CURVES_HEIGHT, DIGITS_HEIGHT = 480, 640, 520


def plane_figure(snap: Snapshot, loss_label: str, lang: str):
    """Real and generated samples over D's output, G's gradient arrows and G's manifold."""
    view = snap.plane
    half = LIMITS.plane_half_width
    d_label = translate("gan_d_prob" if view.d_is_probability else "gan_d_critic", lang)
    heat = {"type": "heatmap", "x": view.grid, "y": view.grid, "z": view.d_values, "colorscale": D_SCALE,
            "colorbar": {"title": {"text": d_label, "side": "right"}, "thickness": 14, "len": 0.8},
            "hovertemplate": f"x₁ %{{x:.2f}}, x₂ %{{y:.2f}}<br>{d_label} = %{{z:.3f}}<extra></extra>",
            "name": d_label}
    if view.d_is_probability:
        heat |= {"zmin": 0, "zmax": 1}
    else:  # a critic's scale is arbitrary: centre the colours on its mean over the plane
        mid, spread = float(view.d_values.mean()), float(np.ptp(view.d_values)) / 2 or 1.0
        heat |= {"zmin": mid - spread, "zmax": mid + spread}
    lines_x, lines_y = _grid_lines(view.manifold)
    manifold = {"type": "scatter", "mode": "lines", "x": lines_x, "y": lines_y, "hoverinfo": "skip",
                "line": {"color": MANIFOLD, "width": 1}, "name": translate("gan_manifold", lang)}
    real = {"type": "scatter", "mode": "markers", "x": view.real[:, 0], "y": view.real[:, 1],
            "marker": {"color": REAL, "size": 4, "opacity": 0.7}, "name": translate("gan_real", lang),
            "hoverinfo": "skip"}
    fake = {"type": "scatter", "mode": "markers", "x": view.fake[:, 0], "y": view.fake[:, 1],
            "marker": {"color": FAKE, "size": 4, "opacity": 0.7}, "name": translate("gan_fake", lang),
            "hoverinfo": "skip"}
    norms = np.linalg.norm(view.arrow_step, axis=1)
    longest = float(norms.max()) if len(norms) else 0.0
    scale = ARROW_UNITS / longest if longest > 0 else 0.0
    tips = view.arrow_from + scale * view.arrow_step
    # every arrow is a segment [from, tip, gap] of one trace, with an arrow-head marker at the tip
    # (turned along the segment by angleref "previous"): one trace draws much faster than one
    # annotation per arrow, which matters at ten redraws a second
    gap = np.full(len(tips), np.nan)
    arrows = {"type": "scatter", "mode": "lines+markers", "hoverinfo": "skip", "name": translate("gan_arrows", lang),
              "x": np.column_stack([view.arrow_from[:, 0], tips[:, 0], gap]).ravel(),
              "y": np.column_stack([view.arrow_from[:, 1], tips[:, 1], gap]).ravel(),
              "line": {"color": ARROW, "width": 1.5},
              "marker": {"symbol": "arrow", "angleref": "previous", "color": ARROW,
                         "size": np.tile([0, 9, 0], len(tips))}}
    title = translate("gan_plane_title", lang, iteration=snap.iteration, loss=loss_label)
    subtitle = translate("gan_plane_subtitle", lang, norm=f"{longest:.3g}")
    # the subtitle's first line names the points in their colours, as the curves' panel titles do:
    # a legend under the plane took four rows on a 1280×720 projector and pushed the plane off it
    key = _key([(real["name"], REAL), (fake["name"], FAKE), (manifold["name"], "#868e96")])
    axis = {"range": [-half, half], "title": {"text": ""}, "zeroline": False, "showgrid": False,
            "tickfont": {"size": 12}, "constrain": "domain"}
    layout = base_layout(f"{title}<br><sub>{key}<br>{subtitle}</sub>", PLANE_HEIGHT, showlegend=False,
                         margin={"l": 60, "r": 20, "t": 125, "b": 50},
                         xaxis=axis | {"title": {"text": "x₁"}},
                         yaxis=axis | {"title": {"text": "x₂"}, "scaleanchor": "x", "scaleratio": 1})
    # hangs from the top; plotly anchors a multi-line title by its first line, hence the pad
    layout["title"] |= {"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 22}}
    return figure([heat, manifold, real, fake, arrows], layout)


def _grid_lines(points: np.ndarray) -> tuple[list, list]:
    """Rows and columns of a (n, n, 2) mapped grid as one polyline with None breaks."""
    xs: list = []
    ys: list = []
    for line in [*points, *points.transpose(1, 0, 2)]:
        xs += [*line[:, 0].tolist(), None]
        ys += [*line[:, 1].tolist(), None]
    return xs, ys


def _thin(values: list[float]) -> tuple[list[int], list[float]]:
    """(iterations, values) at most ``curve_points`` long: the mean of each stretch of
    iterations, so spikes of a long run still show in the average."""
    n = len(values)
    stride = max(1, math.ceil(n / LIMITS.curve_points))
    if stride == 1:
        return list(range(1, n + 1)), values
    array = np.asarray(values, dtype=np.float64)
    array[~np.isfinite(array)] = np.nan
    full = n - n % stride
    iterations = list(range(stride, full + 1, stride))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # an all-NaN stretch is a gap, not an error
        means = np.nanmean(array[:full].reshape(-1, stride), axis=1).tolist()
        if full < n:  # the newest iterations, a shorter last stretch
            means.append(float(np.nanmean(array[full:])))
            iterations.append(n)
    return iterations, [None if math.isnan(v) else v for v in means]


def _key(parts: list[tuple[str, str]]) -> str:
    """A panel title that doubles as its legend: each name in its line's colour."""
    return " · ".join(f"<span style='color:{colour}'><b>{name}</b></span>" for name, colour in parts)


def curves_figure(run: GanRun, lang: str):
    """Four stacked panels over iterations: losses, D's mean outputs, gradient norms, quality.
    Each panel's title names its lines in their colours, so no shared legend is needed."""
    def tr(key, **values):
        return translate(key, lang, **values)

    probabilistic = run.config.loss in losses.PROBABILISTIC
    quality = _quality_traces(run, tr)
    titles = [
        f"{tr('gan_curve_losses')}: " + _key([(tr("gan_d_loss"), REAL), (tr("gan_g_loss"), FAKE)]),
        f"{tr('gan_curve_d_prob' if probabilistic else 'gan_curve_d_critic')}: "
        + _key([(tr("gan_d_real"), REAL), (tr("gan_d_fake"), FAKE)]),
        f"{tr('gan_curve_grads')}: " + _key([(tr("gan_d_grad"), REAL), (tr("gan_g_grad"), FAKE)]),
        f"{tr('gan_curve_quality')}: " + _key([(t["name"], t["line"]["color"]) for t in quality]),
    ]
    layout = base_layout(tr("gan_curves_title", iteration=run.iteration), CURVES_HEIGHT, showlegend=False,
                         margin={"l": 60, "r": 20, "t": 80, "b": 60})
    layout.update(grid(4, 1, titles, vspace=0.08))
    traces = []
    series = [(0, "d_loss", "gan_d_loss", REAL), (0, "g_loss", "gan_g_loss", FAKE),
              (1, "d_real", "gan_d_real", REAL), (1, "d_fake", "gan_d_fake", FAKE),
              (2, "d_grad_norm", "gan_d_grad", REAL), (2, "g_grad_norm", "gan_g_grad", FAKE)]
    for cell, name, key, colour in series:
        x, y = _thin(run.history[name])
        traces.append(on_cell({"type": "scatter", "mode": "lines", "x": x, "y": y, "name": tr(key),
                               "line": {"color": colour, "width": 1.5}, "connectgaps": True}, cell))
    traces += quality
    last = max(1, run.iteration)
    # the y labels stand a few pixels off the axis, so a y "0" and an x "0" never meet in the corner
    for cell in range(4):
        cell_axes(layout, cell, x={"range": [0, last], "tickfont": {"size": 11}, "showgrid": True,
                                   "gridcolor": "#eee", "showticklabels": cell == 3},
                  y={"tickfont": {"size": 11}, "showgrid": True, "gridcolor": "#eee", "zeroline": False,
                     "nticks": 4, "ticklabelstandoff": 4})
    cell_axes(layout, 3, x={"title": {"text": tr("gan_iteration")}})
    # 1-3-10 ticks: plotly's own log ticks on a short panel are either one label or unreadable minor
    # digits; the range is set from the data, since with none yet plotly would show every tick
    norms = np.array(run.history["d_grad_norm"] + run.history["g_grad_norm"], dtype=np.float64)
    norms = norms[np.isfinite(norms) & (norms > 0)]
    log_range = [np.log10(norms.min()) - 0.1, np.log10(norms.max()) + 0.1] if len(norms) else [-1, 1]
    cell_axes(layout, 2, y={"type": "log", "range": log_range, "tickvals": LOG_TICKS,
                            "ticktext": [f"{v:g}" for v in LOG_TICKS]})
    cell_axes(layout, 3, y={"range": [0, 1.05], "dtick": 0.5})
    return figure(traces, layout)


def _quality_traces(run: GanRun, tr) -> list[dict]:
    history = run.metric_history
    x = [m["iteration"] for m in history]
    traces = []
    if run.data.dim != 2:
        wanted = [("digits_seen", "gan_digits_seen", REAL, 10), ("confident_share", "gan_confident", FAKE, 1)]
    else:
        n_modes = len(run.data.modes) if run.data.modes is not None else 0
        wanted = ([("modes_covered", "gan_modes_covered", REAL, n_modes), ("hq_share", "gan_hq_share", FAKE, 1)]
                  if n_modes else []) + [("js", "gan_js", "#495057", 1)]
    for name, key, colour, denominator in wanted:
        y = [m.get(name) / denominator if m.get(name) is not None else None for m in history]
        label = tr(key, n=denominator) if denominator > 1 else tr(key)
        traces.append(on_cell({"type": "scatter", "mode": "lines+markers", "x": x, "y": y, "name": label,
                               "marker": {"size": 3}, "line": {"color": colour, "width": 1.5}}, 3))
    return traces


def digits_figure(snap: Snapshot, lang: str):
    """Above, the digits G makes from 64 fixed z, each with the classifier's reading in its
    corner; below, how often the classifier reads each digit among more samples."""
    def tr(key, **values):
        return translate(key, lang, **values)

    metrics, side, gap = snap.digits, LIMITS.digit_grid_side, 1
    tile = 8 + gap
    canvas = np.full((side * tile - gap, side * tile - gap), np.nan)
    # the readings as one text trace (one annotation each redraws much slower)
    label_x, label_y, label_text, label_colour = [], [], [], []
    for n, image in enumerate(snap.digit_grid):
        r, c = divmod(n, side)
        canvas[r * tile: r * tile + 8, c * tile: c * tile + 8] = image
        sure = metrics.confidence[n] >= LIMITS.digit_confidence
        label_x.append(c * tile + 7)
        label_y.append(r * tile + 7)
        label_text.append(f"{metrics.labels[n]}" if sure else f"{metrics.labels[n]}?")
        label_colour.append(REAL if sure else ARROW)
    image = {"type": "heatmap", "z": canvas, "colorscale": [[0, "white"], [1, "black"]], "zmin": -1, "zmax": 1,
             "showscale": False, "hoverinfo": "skip"}
    labels = {"type": "scatter", "mode": "text", "x": label_x, "y": label_y, "text": label_text,
              "textposition": "middle center", "textfont": {"size": 11, "color": label_colour}, "hoverinfo": "skip"}
    bars = {"type": "bar", "x": list(range(10)), "y": metrics.class_counts.tolist(), "marker": {"color": FAKE},
            "hovertemplate": "%{x}: %{y}<extra></extra>", "xaxis": "x2", "yaxis": "y2"}
    grid_top, bars_top = 0.93, 0.2
    layout = base_layout(tr("gan_digits_title", iteration=snap.iteration, seen=metrics.digits_seen), DIGITS_HEIGHT,
                         margin={"l": 60, "r": 20, "t": 70, "b": 50}, showlegend=False,
                         xaxis={"visible": False, "range": [-0.5, canvas.shape[1] - 0.5], "constrain": "domain"},
                         yaxis={"visible": False, "autorange": "reversed", "scaleanchor": "x",
                                "domain": [0.34, grid_top], "constrain": "domain"},
                         xaxis2={"anchor": "y2", "title": {"text": tr("gan_digit")}, "dtick": 1},
                         yaxis2={"anchor": "x2", "domain": [0, bars_top], "nticks": 4, "showgrid": True,
                                 "gridcolor": "#eee", "title": {"text": tr("gan_count")}})
    layout["annotations"] = [
        {"text": text, "x": 0.5, "y": top, "xref": "paper", "yref": "paper", "xanchor": "center",
         "yanchor": "bottom", "showarrow": False, "font": {"size": 13}}
        for text, top in ((tr("gan_digit_grid"), grid_top), (tr("gan_digit_counts"), bars_top + 0.01))]
    return figure([image, labels, bars], layout)
