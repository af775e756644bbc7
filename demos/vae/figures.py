"""Figures of the VAE lab, as plain plotly dicts (components/plots.py). No gradio here.

One builder per view; each takes the dataclasses of core / views / compression and ``lang``.
Digits are heatmaps without smoothing (nearest neighbour), ink dark on white paper, and each is
drawn at least 128 px wide where a few are shown (the grids of many are zoomable, at ~64 px).
Classes share one palette in every figure, so a digit's colour means the same everywhere.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from components.i18n import translate
from components.plots import base_layout, cell_axes, figure, grid, on_cell, with_meta
from demos.vae.compression import Compression, PairSide, RatePoint
from demos.vae.core import VaeRun, VaeSettings
from demos.vae.views import DensityView, Interpolation, LatentView, ManifoldView, PlaneView, ReparamView, Samples

# Tableau 10: one colour per class (digit, moon, ring mode)
CLASS_COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                 "#9c755f", "#bab0ac"]
TRAIN, HELD_OUT, KL, PRIOR, SAMPLE = "#4e79a7", "#e15759", "#59a14f", "#7f7f7f", "#b07aa1"
INK = [[0.0, "white"], [1.0, "black"]]         # ink fraction 0 (paper) .. 1 (full ink)
DENSITY = [[0.0, "#ffffff"], [0.25, "#c6dbef"], [0.6, "#4292c6"], [1.0, "#08306b"]]
DIGIT_PX = 128                                  # a digit shown alone or in a row
GRID_DIGIT_PX = 64                              # a digit in a grid of many
CURVES_HEIGHT, PLANE_HEIGHT = 640, 520   # beside each other, under the controls of a 720 px screen
MARGIN = {"l": 50, "r": 20, "t": 80, "b": 40}


def _layout(title: str, height: int, **extra) -> dict:
    """``base_layout`` with the title's lines (split by <br> in the strings, so they fit a phone)
    from the top edge down, in a size that leaves the plot its room."""
    layout = base_layout(title, height, **extra)
    # 16 px down: plotly hangs a two-line title by its first line's baseline box, and at 10 px the
    # capitals' tops were cut by the figure's edge
    layout["title"] |= {"font": {"size": 14}, "yref": "container", "y": 1 - 16 / height, "yanchor": "top"}
    return layout


def _tr(lang: str):
    return lambda key, **values: translate(key, lang, **values)


def _class_colour(label: int) -> str:
    return CLASS_COLOURS[int(label) % len(CLASS_COLOURS)]


def _key(parts: list[tuple[str, str]]) -> str:
    """A panel title that doubles as its legend: each name in its line's colour."""
    return " · ".join(f"<span style='color:{colour}'><b>{name}</b></span>" for name, colour in parts)


def _image_axes(layout: dict, cell: int, width: int, height: int) -> None:
    """Cell ``cell`` shows a (height, width) image: square pixels, row 0 at the top, no ticks."""
    cell_axes(layout, cell, x={"visible": False, "range": [-0.5, width - 0.5], "constrain": "domain"},
              y={"visible": False, "range": [height - 0.5, -0.5], "scaleanchor": f"x{cell + 1 if cell else ''}",
                 "constrain": "domain"})


def _canvas(images: np.ndarray, cols: int, gap: int = 1) -> np.ndarray:
    """(n, 8, 8) images tiled row by row into one canvas with NaN (blank) gaps."""
    n = len(images)
    rows = math.ceil(n / cols)
    tile = 8 + gap
    canvas = np.full((rows * tile - gap, cols * tile - gap), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        canvas[r * tile: r * tile + 8, c * tile: c * tile + 8] = image
    return canvas


def _polyline(lines) -> tuple[np.ndarray, np.ndarray]:
    """Several (n, 2) polylines as one (x, y) pair with NaN breaks (one trace, and numpy arrays
    serialise far faster than lists)."""
    xy = np.concatenate([np.vstack([line, [[np.nan, np.nan]]]) for line in lines])
    return np.round(xy[:, 0], 4), np.round(xy[:, 1], 4)


def _class_colours(labels: np.ndarray) -> np.ndarray:
    return np.array(CLASS_COLOURS)[np.asarray(labels) % len(CLASS_COLOURS)]


def _digits_trace(canvas: np.ndarray, value_label: str) -> dict:
    """Ink rounded to 3 decimals: a tenth of a grey level, and a third of the JSON to send."""
    return {"type": "heatmap", "z": np.round(canvas, 3), "colorscale": INK, "zmin": 0, "zmax": 1, "showscale": False,
            "zsmooth": False, "hovertemplate": f"{value_label} %{{z:.2f}}<extra></extra>"}


# ---------------------------------------------------------------------------------------------
# curves


def thin(values, points: int = VaeSettings.curve_points) -> tuple[np.ndarray, np.ndarray]:
    """(iterations 1.., values) at most ``points`` long: the mean of each stretch of iterations,
    so the curve of a long run costs no more to send than a short one's."""
    array = np.asarray(values, dtype=np.float64)
    n = len(array)
    stride = max(1, math.ceil(n / points))
    if stride == 1:
        return np.arange(1, n + 1), array
    full = n - n % stride
    iterations = np.arange(stride, full + 1, stride)
    means = array[:full].reshape(-1, stride).mean(axis=1)
    if full < n:   # the newest iterations, a shorter last stretch
        iterations, means = np.append(iterations, n), np.append(means, array[full:].mean())
    return iterations, means


def _evenly(n: int, points: int = VaeSettings.curve_points) -> np.ndarray:
    """Indices of at most ``points`` of n records, evenly spread, the first and last included."""
    return np.unique(np.linspace(0, n - 1, min(n, points)).round().astype(int))


def curves_figure(run: VaeRun, lang: str):
    """Four stacked panels over iterations, nats per image: −ELBO, its reconstruction term, its
    KL term (training batches, averaged over stretches; held-out digits every few iterations),
    and the held-out KL of each latent dimension. β is in the title: the curves show the β = 1
    bound whatever β trains."""
    tr = _tr(lang)
    recon, kl = np.asarray(run.history["recon"]), np.asarray(run.history["kl"])
    held = [run.held_out[i] for i in _evenly(len(run.held_out))]
    held_x = np.array([h["iteration"] for h in held])
    held_recon, held_kl = np.array([h["recon"] for h in held]), np.array([h["kl"] for h in held])
    d = run.settings.latent_dim
    # each panel's name, then its key on a line of its own: in one line they ran past the right
    # edge of a phone's plot (390 px screen)
    key = _key([(tr("vae_train"), TRAIN), (tr("vae_held_out"), HELD_OUT)])
    titles = [f"{tr('vae_curve_elbo')}<br>{key}", f"{tr('vae_curve_recon')}<br>{key}", f"{tr('vae_curve_kl')}<br>{key}",
              tr("vae_curve_kl_dims", n=d)]
    layout = _layout(tr("vae_curves_title", iteration=run.iteration, beta=f"{run.settings.beta:g}"),
                     CURVES_HEIGHT, showlegend=False, margin={"l": 60, "r": 20, "t": 100, "b": 60})
    layout.update(grid(4, 1, titles, vspace=0.11))
    traces = []
    series = [(0, recon + kl, held_recon + held_kl), (1, recon, held_recon), (2, kl, held_kl)]
    for cell, train_values, held_values in series:
        x, y = thin(train_values)
        traces.append(on_cell({"type": "scatter", "mode": "lines", "x": x, "y": y, "name": tr("vae_train"),
                               "line": {"color": TRAIN, "width": 1.5}}, cell))
        traces.append(on_cell({"type": "scatter", "mode": "lines", "x": held_x, "y": held_values,
                               "name": tr("vae_held_out"), "line": {"color": HELD_OUT, "width": 1.5}}, cell))
    per_dim = np.array([h["kl_per_dim"] for h in held])                # (records, d)
    for u in range(d):
        traces.append(on_cell({"type": "scatter", "mode": "lines", "x": held_x, "y": per_dim[:, u],
                               "name": f"z{_sub(u + 1)}", "line": {"color": CLASS_COLOURS[u % 10], "width": 1.5}}, 3))
    last = max(1, run.iteration)
    # the y labels stand a few pixels off the axis, so a y "0" and an x "0" never meet in the corner
    for cell in range(4):
        cell_axes(layout, cell, x={"range": [0, last], "tickfont": {"size": 11}, "showgrid": True, "gridcolor": "#eee",
                                   "showticklabels": cell == 3},
                  y={"tickfont": {"size": 11}, "showgrid": True, "gridcolor": "#eee", "nticks": 4, "ticklabelstandoff": 4})
    cell_axes(layout, 3, x={"title": {"text": tr("vae_iteration")}})
    # −ELBO and reconstruction start far above where they settle: show the settled part
    for cell, (_, train_values, held_values) in enumerate(series[:2]):
        settled = held_values[len(held_values) // 5:] if len(held_values) >= 5 else held_values
        if len(settled) > 1:
            low, high = float(settled.min()), float(np.quantile(settled, 0.98))
            pad = 0.15 * (high - low) + 1.0
            cell_axes(layout, cell, y={"range": [low - pad, high + 3 * pad]})
    return figure(traces, layout)


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def kl_bars_figure(view: LatentView, lang: str):
    """The held-out KL of each latent dimension; a dimension whose μ no longer varies across
    digits (Var μ_u ≤ 0.01, Burda et al. 2016) has collapsed to the prior: grey."""
    tr = _tr(lang)
    active = view.activity > VaeSettings.active_threshold
    names = [f"z{_sub(u + 1)}" for u in range(view.latent_dim)]
    bars = {"type": "bar", "x": names, "y": view.kl_per_dim.tolist(),
            "marker": {"color": [KL if a else PRIOR for a in active]},
            "customdata": view.activity.tolist(),
            "hovertemplate": "%{x}: KL %{y:.2f} nats · Var μ %{customdata:.3f}<extra></extra>"}
    layout = _layout(tr("vae_kl_bars_title", active=int(active.sum()), d=view.latent_dim), 320,
                         margin=MARGIN, showlegend=False,
                         yaxis={"title": {"text": tr("vae_nats")}, "rangemode": "tozero", "gridcolor": "#eee"})
    return figure([bars], layout)


# ---------------------------------------------------------------------------------------------
# the latent space


def _latent_axis_titles(d: int, tr) -> tuple[str, str]:
    if d == 1:
        return "z₁", tr("vae_class")
    if d == 2:
        return "z₁", "z₂"
    return tr("vae_pc", n=1), tr("vae_pc", n=2)


def latent_figure(view: LatentView, lang: str, encoded: ReparamView | None = None):
    """Every held-out digit's μ, coloured by class, and the 1σ ellipse of q(z|x) for a few;
    with ``encoded``, that input's μ (a drawing, a picked digit) as a star with its ellipse.
    d = 1: μ along x, one row per class (ellipses become ±σ bars)."""
    tr = _tr(lang)
    one_d = view.latent_dim == 1
    y = view.labels + _jitter(len(view.labels)) if one_d else view.points[:, 1]
    traces = []
    for label in np.unique(view.labels):
        chosen = view.labels == label
        traces.append({"type": "scatter", "mode": "markers", "x": view.points[chosen, 0], "y": y[chosen],
                       "name": str(label), "marker": {"color": _class_colour(label), "size": 6, "opacity": 0.8},
                       "hovertemplate": f"{tr('vae_class')} {label}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"})
    outlines = view.ellipses.copy()
    if one_d:   # ±σ bars on their class's row
        outlines[:, :, 1] = view.ellipse_labels[:, None]
    xs, ys = _polyline(outlines)
    traces.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "name": tr("vae_ellipses"),
                   "line": {"color": "#333", "width": 1.2}, "hoverinfo": "skip"})
    if encoded is not None:
        outline = encoded.ellipse.copy()
        star_y = encoded.mu_2d[1]
        if one_d:   # the strip has no class for an input: draw it below the rows
            outline[:, 1] = star_y = -1
        traces += [{"type": "scatter", "mode": "lines", "x": outline[:, 0], "y": outline[:, 1], "showlegend": False,
                    "line": {"color": "#000", "width": 2}, "hoverinfo": "skip"},
                   {"type": "scatter", "mode": "markers", "x": [encoded.mu_2d[0]], "y": [star_y],
                    "name": tr("vae_encoded"), "marker": {"symbol": "star", "size": 18, "color": "#000",
                                                          "line": {"color": "#fff", "width": 1}},
                    "hovertemplate": f"{tr('vae_encoded')}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"}]
    h = view.half_width
    x_title, y_title = _latent_axis_titles(view.latent_dim, tr)
    axis = {"range": [-h, h], "zeroline": True, "zerolinecolor": "#ddd", "showgrid": False}
    # the legend under the plane, in rows: beside it, it would take a third of a narrow plot's width
    layout = _layout(tr("vae_latent_title", knn=f"{view.knn_accuracy:.0%}", active=view.active_units,
                        d=view.latent_dim),
                     PLANE_HEIGHT, margin={"l": 50, "r": 10, "t": 70, "b": 40},
                     xaxis=axis | {"title": {"text": x_title, "standoff": 4}, "constrain": "domain"},
                     yaxis=({"title": {"text": y_title}, "dtick": 1} if one_d else
                            axis | {"title": {"text": y_title, "standoff": 4}, "scaleanchor": "x"}),
                     legend={"title": {"text": tr("vae_class")}, "itemsizing": "constant", "orientation": "h",
                             "x": 0, "y": -0.12, "yanchor": "top"})
    return figure(traces, layout)


def _jitter(n: int) -> np.ndarray:
    """Fixed vertical offsets in [−0.3, 0.3], so points of one class in a strip do not overlap."""
    return (np.random.default_rng(0).random(n) - 0.5) * 0.6


def manifold_figure(view: ManifoldView, latent_dim: int, lang: str):
    """The decoder's E[x|z] over a grid of the latent map's square, laid out where each z lies
    (Kingma & Welling 2014, fig. 4): z₂ grows upwards, as on the latent map."""
    tr = _tr(lang)
    rows, side = view.decoded.shape[:2]
    images = view.decoded.reshape(rows, side, 8, 8)[::-1]              # top row = largest z₂
    canvas = _canvas(images.reshape(-1, 8, 8), side)
    ticks = [f"{t:.1f}" for t in view.ticks]
    x_title, y_title = _latent_axis_titles(latent_dim, tr)
    layout = _layout(tr("vae_manifold_title"),
                         rows * (GRID_DIGIT_PX + 4) + 150, margin={"l": 60, "r": 20, "t": 80, "b": 60},
                         showlegend=False,
                         xaxis={"tickvals": [c * 9 + 3.5 for c in range(side)], "ticktext": ticks,
                                "title": {"text": x_title}, "constrain": "domain", "showgrid": False,
                                "zeroline": False, "range": [-0.5, canvas.shape[1] - 0.5]},
                         yaxis={"tickvals": [r * 9 + 3.5 for r in range(rows)],
                                "ticktext": ticks[::-1] if rows > 1 else [""],
                                "title": {"text": y_title if rows > 1 else ""},
                                "scaleanchor": "x", "constrain": "domain", "showgrid": False,
                                "zeroline": False, "range": [canvas.shape[0] - 0.5, -0.5]})
    # on a phone the square canvas is narrower than the height drawn for it: the page shortens it
    with_meta(layout, aspect=canvas.shape[0] / canvas.shape[1])
    return figure([_digits_trace(canvas, tr("vae_ink"))], layout)


def density_figure(view: DensityView, lang: str):
    """Left the prior's mass per cell, right the aggregate posterior's, on one colour scale;
    holes (cells of the coarse grid where q is below a tenth of p) shaded red on the right."""
    tr = _tr(lang)
    centres = np.round((view.edges[:-1] + view.edges[1:]) / 2, 4)
    title = tr("vae_density_title", holes=f"{view.hole_mass:.0%}")
    if view.prior.ndim == 1:   # d = 1: two curves over the line
        traces = [{"type": "scatter", "mode": "lines", "x": centres, "y": values, "name": tr(key),
                   "line": {"color": colour, "width": 2, "shape": "hvh"}}
                  for values, key, colour in ((view.prior, "vae_prior", PRIOR),
                                              (view.aggregate, "vae_aggregate", TRAIN))]
        layout = _layout(title, 360, margin=MARGIN, xaxis={"title": {"text": "z₁"}},
                             yaxis={"title": {"text": tr("vae_mass")}, "rangemode": "tozero"})
        return figure(traces, layout)
    top = float(max(view.prior.max(), view.aggregate.max()))
    layout = _layout(title, 470, margin={"l": 40, "r": 20, "t": 90, "b": 40}, showlegend=False)
    layout.update(grid(1, 2, [tr("vae_prior"), tr("vae_aggregate")], hspace=0.08))
    traces = []
    for cell, values in enumerate((view.prior, view.aggregate)):
        traces.append(on_cell({"type": "heatmap", "x": centres, "y": centres, "z": np.round(values, 6),
                               "colorscale": DENSITY,
                               "zmin": 0, "zmax": top, "showscale": cell == 1, "colorbar": {"thickness": 12},
                               "hovertemplate": "(%{x:.1f}, %{y:.1f}) %{z:.4f}<extra></extra>"}, cell))
        cell_axes(layout, cell, x={"constrain": "domain", "showgrid": False, "zeroline": False},
                  y={"scaleanchor": f"x{cell + 1 if cell else ''}", "constrain": "domain", "showgrid": False,
                     "zeroline": False})
    hole_centres = (view.hole_edges[:-1] + view.hole_edges[1:]) / 2
    traces.append(on_cell({"type": "heatmap", "x": hole_centres, "y": hole_centres, "z": view.holes.astype(np.int8),
                           "colorscale": [[0, "rgba(0, 0, 0, 0)"], [1, "rgba(214, 39, 40, 0.3)"]], "zmin": 0, "zmax": 1,
                           "showscale": False, "hoverinfo": "skip", "xgap": 1, "ygap": 1}, 1))
    return figure(traces, layout)


def plane_figure(view: PlaneView, lang: str):
    """2D data: held-out points (by class), their reconstructions, samples of the model, and
    the decoder's image of the latent grid."""
    tr = _tr(lang)
    lines_x, lines_y = _polyline([*view.manifold, *view.manifold.transpose(1, 0, 2)])
    traces = [
        {"type": "scatter", "mode": "lines", "x": lines_x, "y": lines_y, "name": tr("vae_manifold_lines"),
         "line": {"color": "rgba(60, 60, 60, 0.3)", "width": 1}, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "markers", "x": view.real[:, 0], "y": view.real[:, 1], "name": tr("vae_real"),
         "marker": {"color": _class_colours(view.labels), "size": 5, "opacity": 0.5}, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "markers", "x": view.reconstructed[:, 0], "y": view.reconstructed[:, 1],
         "name": tr("vae_reconstructed"), "marker": {"color": "#222", "size": 3}, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "markers", "x": view.samples[:, 0], "y": view.samples[:, 1],
         "name": tr("vae_samples"), "marker": {"color": SAMPLE, "size": 4, "symbol": "x", "opacity": 0.7},
         "hoverinfo": "skip"},
    ]
    axis = {"range": [-3.5, 3.5], "zeroline": False, "showgrid": False}
    layout = _layout(tr("vae_plane_title"), PLANE_HEIGHT, margin={"l": 60, "r": 20, "t": 80, "b": 90},
                         xaxis=axis | {"title": {"text": "x₁"}, "constrain": "domain"},
                         yaxis=axis | {"title": {"text": "x₂"}, "scaleanchor": "x"},
                         legend={"orientation": "h", "x": 0, "y": -0.12, "yanchor": "top"})
    return figure(traces, layout)


# ---------------------------------------------------------------------------------------------
# one digit through the reparameterisation trick


def reparam_figure(view: ReparamView, lang: str):
    """Input x | the latent plane: q(z|x)'s 1σ ellipse, more samples of it, μ, and z = μ + σ ε
    with the step σ ε drawn as an arrow | the decoding E[x|z]. For 2D data the input and its
    decoding are points of one data plane."""
    tr = _tr(lang)
    is_image = view.x.size == 64
    titles = [tr("vae_reparam_input"), tr("vae_reparam_plane"), tr("vae_reparam_decoded")]
    layout = _layout(tr("vae_reparam_title", recon=f"{view.recon:.1f}", kl=f"{view.kl:.2f}"),
                         DIGIT_PX * 2 + 170, margin={"l": 30, "r": 20, "t": 90, "b": 30}, showlegend=False)
    layout.update(grid(1, 3, titles, hspace=0.06))
    traces = []
    if is_image:
        for cell, image in ((0, view.x), (2, view.decoded)):
            traces.append(on_cell(_digits_trace(image.reshape(8, 8), tr("vae_ink")), cell))
            _image_axes(layout, cell, 8, 8)
    else:
        for cell, point, key in ((0, view.x, "vae_input"), (2, view.decoded, "vae_decoded")):
            traces.append(on_cell({"type": "scatter", "mode": "markers+text", "x": [point[0]], "y": [point[1]],
                                   "text": [tr(key)], "textposition": "top center",
                                   "marker": {"size": 12, "color": HELD_OUT}}, cell))
            cell_axes(layout, cell, x={"range": [-3.5, 3.5]},
                      y={"range": [-3.5, 3.5], "scaleanchor": f"x{cell + 1 if cell else ''}"})
    traces += [
        on_cell({"type": "scatter", "mode": "markers", "x": view.cloud[:, 0], "y": view.cloud[:, 1],
                 "marker": {"color": TRAIN, "size": 3, "opacity": 0.35}, "hoverinfo": "skip"}, 1),
        on_cell({"type": "scatter", "mode": "lines", "x": view.ellipse[:, 0], "y": view.ellipse[:, 1],
                 "line": {"color": TRAIN, "width": 1.5}, "hoverinfo": "skip"}, 1),
        on_cell({"type": "scatter", "mode": "lines+markers", "x": [view.mu_2d[0], view.z_2d[0]],
                 "y": [view.mu_2d[1], view.z_2d[1]], "line": {"color": HELD_OUT, "width": 2},
                 "marker": {"symbol": "arrow", "angleref": "previous", "size": [0, 12], "color": HELD_OUT},
                 "hoverinfo": "skip"}, 1),
        on_cell({"type": "scatter", "mode": "markers+text", "x": [view.mu_2d[0], view.z_2d[0]],
                 "y": [view.mu_2d[1], view.z_2d[1]], "text": ["μ", "z"], "textposition": ["bottom left", "top right"],
                 "textfont": {"size": 15}, "marker": {"color": ["#222", HELD_OUT], "size": [9, 1]},
                 "hovertemplate": "(%{x:.2f}, %{y:.2f})<extra></extra>"}, 1),
    ]
    # zoomed on q(z|x): wide enough for the samples, the ellipse and z (ticks say where on the plane)
    around = np.concatenate([view.cloud, view.ellipse, view.z_2d[None]]) - view.mu_2d
    reach = max(1.2 * float(np.abs(around).max()), 1e-3)
    cell_axes(layout, 1, x={"range": [view.mu_2d[0] - reach, view.mu_2d[0] + reach], "constrain": "domain",
                            "showgrid": False, "zeroline": False, "nticks": 5},
              y={"range": [view.mu_2d[1] - reach, view.mu_2d[1] + reach], "scaleanchor": "x2", "constrain": "domain",
                 "showgrid": False, "zeroline": False, "nticks": 5})
    return figure(traces, layout)


def reparam_table_md(view: ReparamView, lang: str) -> str:
    """The numbers of the step, one row per latent dimension: μ, σ, ε, z = μ + σ ε, and the
    gradient of the one-sample −ELBO that reaches μ and log σ² through z."""
    tr = _tr(lang)
    head = (f"| | μ | σ | ε | z = μ + σε | ∂L/∂μ | ∂L/∂log σ² |\n"
            f"|---|---:|---:|---:|---:|---:|---:|\n")
    rows = "".join(f"| z{_sub(u + 1)} | {view.mu[u]:.3f} | {view.sigma[u]:.3f} | {view.eps[u]:.3f} | {view.z[u]:.3f} "
                   f"| {view.grad_mu[u]:.3g} | {view.grad_log_var[u]:.3g} |\n" for u in range(len(view.mu)))
    plain = tr("vae_plain_sample_grad_no" if not view.plain_sample_grad else "vae_plain_sample_grad_yes")
    return head + rows + "\n" + tr("vae_reparam_note") + " " + plain


# ---------------------------------------------------------------------------------------------
# generation and interpolation


def samples_figure(samples: Samples, lang: str, cols: int = 8):
    """Decoded samples of the prior, row by row."""
    tr = _tr(lang)
    rows = math.ceil(len(samples.decoded) / cols)
    canvas = _canvas(samples.decoded.reshape(-1, 8, 8), cols)
    layout = _layout(tr("vae_samples_title", n=len(samples.decoded)), rows * (DIGIT_PX + 8) + 110,
                         margin={"l": 20, "r": 20, "t": 70, "b": 20}, showlegend=False)
    layout["xaxis"] = {"visible": False, "range": [-0.5, canvas.shape[1] - 0.5], "constrain": "domain"}
    layout["yaxis"] = {"visible": False, "range": [canvas.shape[0] - 0.5, -0.5], "scaleanchor": "x",
                       "constrain": "domain"}
    return figure([_digits_trace(canvas, tr("vae_ink"))], layout)


def interpolation_figure(interp: Interpolation, lang: str):
    """Digits: two rows, the straight line and the arc between the two codes, decoded at every
    step, each row titled with the range of ‖z‖ along it. 2D data: both paths decoded into the
    data plane."""
    tr = _tr(lang)
    norms = [np.linalg.norm(z, axis=1) for z in (interp.linear_z, interp.slerp_z)]
    names = [tr("vae_linear", low=f"{norms[0].min():.2f}", high=f"{norms[0].max():.2f}"),
             tr("vae_spherical", low=f"{norms[1].min():.2f}", high=f"{norms[1].max():.2f}")]
    title = tr("vae_interp_title", a=int(interp.endpoint_labels[0]), b=int(interp.endpoint_labels[1]))
    if interp.linear.shape[1] != 64:
        traces = [{"type": "scatter", "mode": "lines+markers", "x": path[:, 0], "y": path[:, 1], "name": name,
                   "line": {"color": colour, "width": 2}}
                  for path, name, colour in ((interp.linear, names[0], TRAIN), (interp.spherical, names[1], SAMPLE))]
        traces.append({"type": "scatter", "mode": "markers", "x": interp.endpoints[:, 0], "y": interp.endpoints[:, 1],
                       "name": tr("vae_endpoints"), "marker": {"color": HELD_OUT, "size": 11}})
        layout = _layout(title, PLANE_HEIGHT, margin=MARGIN,
                             xaxis={"title": {"text": "x₁"}, "constrain": "domain"},
                             yaxis={"title": {"text": "x₂"}, "scaleanchor": "x"})
        return figure(traces, layout)
    steps = len(interp.t)
    layout = _layout(title, 2 * (DIGIT_PX + 50) + 90, margin={"l": 20, "r": 20, "t": 80, "b": 20}, showlegend=False)
    layout.update(grid(2, 1, names, vspace=0.16))
    traces = []
    for cell, decoded in enumerate((interp.linear, interp.spherical)):
        canvas = _canvas(decoded.reshape(-1, 8, 8), steps)
        traces.append(on_cell(_digits_trace(canvas, tr("vae_ink")), cell))
        _image_axes(layout, cell, canvas.shape[1], canvas.shape[0])
    return figure(traces, layout)


# ---------------------------------------------------------------------------------------------
# compression


def compression_figure(comp: Compression, lang: str):
    """The same held-out digits three times: the originals, the VAE's decoding of μ, and PCA's
    reconstruction from as many components as the latent space has dimensions."""
    tr = _tr(lang)
    n = len(comp.originals)
    names = [tr("vae_originals"),
             tr("vae_vae_row", d=comp.latent_dim, mse=f"{comp.mse_mean:.4f}", psnr=f"{comp.psnr_mean:.1f}"),
             tr("vae_pca_row", d=comp.latent_dim, mse=f"{comp.pca_mse:.4f}", psnr=f"{comp.pca_psnr:.1f}")]
    title = tr("vae_compression_title", rate=f"{comp.rate_bits:.1f}", mse=f"{comp.mse:.4f}", psnr=f"{comp.psnr:.1f}",
               beta=f"{comp.beta:g}")
    layout = _layout(title, 3 * (DIGIT_PX + 45) + 100, margin={"l": 20, "r": 20, "t": 90, "b": 20},
                         showlegend=False)
    layout.update(grid(3, 1, names, vspace=0.1))
    traces = []
    for cell, rows in enumerate((comp.originals, comp.decoded, comp.pca_decoded)):
        canvas = _canvas(np.clip(rows, 0, 1).reshape(-1, 8, 8), n)
        traces.append(on_cell(_digits_trace(canvas, tr("vae_ink")), cell))
        _image_axes(layout, cell, canvas.shape[1], canvas.shape[0])
    return figure(traces, layout)


def rate_distortion_figure(points: list[RatePoint], pca_mse: float, latent_dim: int, lang: str,
                           current: Compression | None = None):
    """Distortion (held-out MSE) against rate (bits per digit), one point per β of the sweep,
    the current model as a star, and PCA with d components as a dashed line (PCA sends d real
    numbers: its rate is not defined without quantising them)."""
    tr = _tr(lang)
    ordered = sorted(points, key=lambda p: p.rate_bits)
    traces = [{"type": "scatter", "mode": "lines+markers+text", "x": [p.rate_bits for p in ordered],
               "y": [p.mse for p in ordered],
               "text": [f"β={p.beta:g}" + (" ⚠" if p.diverged else "") for p in ordered],
               "textposition": "top right", "name": tr("vae_sweep"), "line": {"color": TRAIN, "width": 2},
               "marker": {"size": 8}, "hovertemplate": "%{text}: %{x:.1f} bits, MSE %{y:.4f}<extra></extra>"}]
    if current is not None:
        traces.append({"type": "scatter", "mode": "markers", "x": [current.rate_bits], "y": [current.mse],
                       "name": tr("vae_current", beta=f"{current.beta:g}"),
                       "marker": {"symbol": "star", "size": 15, "color": HELD_OUT}})
    rates = [p.rate_bits for p in points] + ([current.rate_bits] if current else [])
    right = max(rates) * 1.1 if rates else 1.0
    traces.append({"type": "scatter", "mode": "lines", "x": [0, right], "y": [pca_mse, pca_mse],
                   "name": tr("vae_pca_line", d=latent_dim), "line": {"color": PRIOR, "dash": "dash"}})
    # the legend under the plot: inside it, on a phone, its longest entry overflowed the plot and
    # plotly widened the right margin until the plot was 60 px wide
    layout = _layout(tr("vae_rd_title", d=latent_dim), 500, margin={"l": 70, "r": 20, "t": 80, "b": 120},
                         xaxis={"title": {"text": tr("vae_rate_axis")}, "rangemode": "tozero", "gridcolor": "#eee"},
                         # automargin: the axis title moves left of long tick labels (0.025) instead of onto them;
                         # the labels a few pixels off the axis: the y "0" and the x "0" never meet in the corner
                         yaxis={"title": {"text": tr("vae_distortion_axis")}, "rangemode": "tozero",
                                "gridcolor": "#eee", "automargin": True, "ticklabelstandoff": 4},
                         legend={"orientation": "h", "x": 0, "yref": "container", "y": 0, "yanchor": "bottom"})
    return figure(traces, layout)


# ---------------------------------------------------------------------------------------------
# autoencoder vs VAE


def comparison_figure(autoencoder: PairSide, vae: PairSide, lang: str):
    """Two rows, β = 0 above and β = 1 below, trained from the same seed: the latent maps on one
    scale, the aggregate posterior over the prior's bulk (holes shaded red, the prior's 1σ and
    2σ circles dotted), and decodings of the same prior samples."""
    tr = _tr(lang)
    titles = []
    for side, key in ((autoencoder, "vae_ae"), (vae, "vae_vae")):
        titles += [tr(key) + " · " + tr("vae_cmp_latent", knn=f"{side.latent.knn_accuracy:.0%}"),
                   tr("vae_cmp_density", holes=f"{side.density.hole_mass:.0%}"),
                   tr("vae_cmp_samples")]
    layout = _layout(tr("vae_cmp_title", iteration=vae.latent.iteration), 860,
                         margin={"l": 40, "r": 20, "t": 90, "b": 30}, showlegend=False)
    layout.update(grid(2, 3, titles, hspace=0.05, vspace=0.1))
    traces = []
    for row, side in enumerate((autoencoder, vae)):
        base = 3 * row
        latent, dens = side.latent, side.density
        y = latent.points[:, 1] if latent.latent_dim > 1 else latent.labels + _jitter(len(latent.labels))
        traces.append(on_cell({"type": "scatter", "mode": "markers", "x": latent.points[:, 0], "y": y,
                               "marker": {"color": _class_colours(latent.labels), "size": 4, "opacity": 0.8},
                               "hoverinfo": "skip"}, base))
        h = max(autoencoder.latent.half_width, vae.latent.half_width)   # one scale: how far codes wander
        cell_axes(layout, base, x={"range": [-h, h], "constrain": "domain", "showgrid": False},
                  y={"range": [-h, h], "scaleanchor": f"x{base + 1 if base else ''}", "constrain": "domain",
                     "showgrid": False})
        centres = (dens.edges[:-1] + dens.edges[1:]) / 2
        if dens.aggregate.ndim == 2:
            traces.append(on_cell({"type": "heatmap", "x": centres, "y": centres, "z": np.round(dens.aggregate, 6),
                                   "colorscale": DENSITY, "showscale": False, "hoverinfo": "skip"}, base + 1))
            circle = np.linspace(0, 2 * np.pi, 60)
            for radius in (1, 2):   # the prior's 1σ and 2σ circles
                traces.append(on_cell({"type": "scatter", "mode": "lines", "x": radius * np.cos(circle),
                                       "y": radius * np.sin(circle),
                                       "line": {"color": PRIOR, "dash": "dot", "width": 1},
                                       "hoverinfo": "skip"}, base + 1))
            hole_centres = (dens.hole_edges[:-1] + dens.hole_edges[1:]) / 2
            traces.append(on_cell({"type": "heatmap", "x": hole_centres, "y": hole_centres,
                                   "z": dens.holes.astype(np.int8), "zmin": 0, "zmax": 1, "showscale": False,
                                   "colorscale": [[0, "rgba(0, 0, 0, 0)"], [1, "rgba(214, 39, 40, 0.3)"]],
                                   "hoverinfo": "skip", "xgap": 1, "ygap": 1}, base + 1))
            bulk = [-VaeSettings.min_half_width - 1, VaeSettings.min_half_width + 1]   # the prior's bulk
            cell_axes(layout, base + 1, x={"range": bulk, "constrain": "domain", "showgrid": False, "zeroline": False},
                      y={"range": bulk, "scaleanchor": f"x{base + 2}", "constrain": "domain", "showgrid": False,
                         "zeroline": False})
        else:
            traces.append(on_cell({"type": "scatter", "mode": "lines", "x": centres, "y": dens.aggregate,
                                   "line": {"color": TRAIN, "shape": "hvh"}}, base + 1))
            traces.append(on_cell({"type": "scatter", "mode": "lines", "x": centres, "y": dens.prior,
                                   "line": {"color": PRIOR, "dash": "dot"}}, base + 1))
        canvas = _canvas(side.samples.decoded[:16].reshape(-1, 8, 8), 4)
        traces.append(on_cell(_digits_trace(canvas, tr("vae_ink")), base + 2))
        _image_axes(layout, base + 2, canvas.shape[1], canvas.shape[0])
    return figure(traces, layout)


def status_md(run: VaeRun, note: str, lang: str) -> str:
    """The line above the plots: iteration, the held-out bound and its terms, the 5-NN score."""
    tr = _tr(lang)
    held = run.held_out[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        active = int((np.asarray(held["activity"]) > VaeSettings.active_threshold).sum())
    return (f"{tr('vae_status_iter', iteration=run.iteration)} · {note}\n\n"
            + tr("vae_status_held_out", at=held["iteration"], elbo=f"{held['recon'] + held['kl']:.1f}",
                 recon=f"{held['recon']:.1f}", kl=f"{held['kl']:.2f}", knn=f"{held['knn']:.0%}", active=active,
                 d=run.settings.latent_dim))
