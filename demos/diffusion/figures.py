"""Plotly figures (plain dicts) for the diffusion lab. No gradio here."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from components.i18n import translate
from components.plots import base_layout, cell_axes, figure, grid, on_cell, with_meta
from demos.diffusion import images as pictures
from demos.diffusion.core import Trajectory, step_curves
from demos.diffusion.forward import Schedule
from demos.diffusion.toy2d import LossCurve

SCHEDULE_COLOURS = {"linear": "#1f77b4", "scaled_linear": "#ff7f0e", "cosine": "#2ca02c"}
HIDDEN_AXIS = {"visible": False}


def _png_uri(picture: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _image_trace(picture: np.ndarray) -> dict:
    return {"type": "image", "source": _png_uri(picture), "hoverinfo": "skip"}


def schedule_figure(schedules: list[Schedule], t: int, lang: str) -> dict:
    """β_t, ᾱ_t and log10 SNR against t for each schedule, with the chosen t marked."""
    titles = [translate("dif_plot_beta", lang), translate("dif_plot_alpha_bar", lang),
              translate("dif_plot_snr", lang)]
    # the legend at the figure's foot, under the axis titles, whatever its rows (two on a phone)
    layout = base_layout(translate("dif_schedules_title", lang), 400, showlegend=True,
                         legend={"orientation": "h", "x": 0, "yref": "container", "y": 0, "yanchor": "bottom"},
                         margin={"l": 70, "r": 30, "t": 70, "b": 110}) | grid(1, 3, titles, hspace=0.09)
    data = []
    for s in schedules:
        steps = np.arange(len(s.betas))
        label = translate(f"dif_schedule_{s.name}", lang)
        for n, values in enumerate((s.betas, s.alpha_bar, np.log10(s.snr))):
            data.append(on_cell({"type": "scatter", "mode": "lines", "x": steps, "y": values, "name": label,
                                 "legendgroup": s.name, "showlegend": n == 0,
                                 "line": {"color": SCHEDULE_COLOURS[s.name], "width": 2}}, n))
    for n, y_title in enumerate(("β_t", "ᾱ_t", "log₁₀ SNR")):
        cell_axes(layout, n, x={"title": {"text": "t"}, "gridcolor": "#eee"},
                  y={"title": {"text": y_title}, "gridcolor": "#eee"})
    layout["shapes"] = [{"type": "line", "xref": f"x{'' if n == 0 else n + 1}", "yref": f"y{'' if n == 0 else n + 1} domain",
                         "x0": t, "x1": t, "y0": 0, "y1": 1, "line": {"color": "#d62728", "dash": "dot"}}
                        for n in range(3)]
    return figure(data, layout)


def strip_figure(strip: np.ndarray, timesteps: list[int], lang: str) -> dict:
    """x_t of one image across t, as one picture with t under each tile."""
    size = strip.shape[-1]
    scale = pictures.scale_for(size, 80)
    picture = pictures.tile(strip, len(strip), scale)
    tile_width = size * scale + pictures.PAD
    layout = base_layout(translate("dif_strip_title", lang), 250, margin={"l": 20, "r": 20, "t": 50, "b": 50})
    layout["xaxis"] = {"tickvals": [i * tile_width + size * scale / 2 for i in range(len(timesteps))],
                       "ticktext": [f"t = {t}" for t in timesteps], "showgrid": False, "zeroline": False}
    layout["yaxis"] = HIDDEN_AXIS | {"scaleanchor": "x"}
    return figure([_image_trace(picture)], layout)


def time_grid_figure(trajectory: Trajectory, lang: str, columns: int = 10, rows: int = 4) -> dict:
    """x_t and x̂0 of the first few images at evenly spaced steps: a row pair per image. Each
    column is one step, labelled t → t′ in two lines (in one, neighbours ran into each other at
    1280 px): x̂0 is predicted at t, x_t shown after the step, at t′."""
    x_t, pred_x0 = trajectory.x_t, trajectory.pred_x0
    timesteps, after = trajectory.timesteps, trajectory.timesteps_after
    steps = np.unique(np.linspace(0, len(x_t) - 1, min(columns, len(x_t))).round().astype(int))
    count = min(rows, x_t.shape[1])
    size = x_t.shape[-1]
    scale = pictures.scale_for(size, 48)
    # tiles ordered row by row: image i's x_t row, then its x̂0 row
    tiles = np.concatenate([np.stack([source[s, i] for s in steps])
                            for i in range(count) for source in (x_t, pred_x0)])
    picture = pictures.tile(tiles, len(steps), scale)
    tile = size * scale + pictures.PAD
    layout = base_layout(translate("dif_time_grid_title", lang), 210 + 2 * count * tile,
                         margin={"l": 80, "r": 20, "t": 60, "b": 150})   # the axis title in 3 short lines: a phone's width
    layout["xaxis"] = {"tickvals": [i * tile + size * scale / 2 for i in range(len(steps))],
                       "ticktext": [f"{timesteps[s]:.0f}<br>→{after[s]:.0f}" for s in steps], "showgrid": False, "zeroline": False,
                       "tickangle": 0, "title": {"text": translate("dif_axis_timestep", lang)}}
    layout["yaxis"] = {"tickvals": [i * tile + size * scale / 2 for i in range(2 * count)],
                       "ticktext": [f"#{i + 1} {name}" for i in range(count) for name in ("x_t", "x̂₀")],
                       "showgrid": False, "zeroline": False, "scaleanchor": "x"}
    # on a phone (~25 px a column) the page labels every k-th step, k the smallest that keeps the
    # labels apart (components.plot_fit, meta.thin), and shortens the figure to its picture
    return figure([_image_trace(picture)], with_meta(layout, thin=["xaxis"], aspect=picture.shape[0] / picture.shape[1]))


def step_curves_figure(trajectory: Trajectory, lang: str) -> dict:
    """Per step: pixel std of x_t (noise draining away) and RMS distance of x̂0 to the final image
    (when the model has made up its mind)."""
    curves = step_curves(trajectory)
    steps = np.arange(1, len(curves.std) + 1)
    std, distance = curves.std, curves.distance
    titles = [translate("dif_curve_std", lang), translate("dif_curve_distance", lang)]
    # the panel titles name what is plotted, two lines at most and no y-axis titles: on a phone
    # (two ~150 px panels) longer titles ran into each other and a y title into the left panel
    layout = base_layout(translate("dif_curves_title", lang), 360, showlegend=False,
                         margin={"l": 50, "r": 20, "t": 100, "b": 70}) | grid(1, 2, titles, hspace=0.12)
    hover = [f"t = {t:.0f} → {t_after:.0f}" for t, t_after in zip(trajectory.timesteps, trajectory.timesteps_after)]
    data = [on_cell({"type": "scatter", "mode": "lines+markers", "x": steps, "y": y, "text": hover,
                     "marker": {"size": 4}, "line": {"color": colour}}, n)
            for n, (y, colour) in enumerate(((std, "#1f77b4"), (distance, "#d62728")))]
    for n in range(2):
        cell_axes(layout, n, x={"title": {"text": translate("dif_axis_step", lang)}, "gridcolor": "#eee"},
                  y={"gridcolor": "#eee", "rangemode": "tozero", "ticklabelstandoff": 4})
    return figure(data, layout)


COMPARE_PANEL_PX = 290   # a scheduler's panel on a projector (3 in ~900 px): two samples a row at DIGIT_PX


def compare_figure(panels: list[tuple[str, np.ndarray]], lang: str) -> dict:
    """The final images of each scheduler run side by side, titled with its settings; each
    panel two samples wide, the figure as tall as makes them DIGIT_PX on a projector."""
    count = len(panels)
    rows = -(-len(panels[0][1]) // pictures.shown_columns(len(panels[0][1])))
    # each panel's title in four short lines: in one, three panels' titles ran into each other at 390 px
    height = 155 + rows * COMPARE_PANEL_PX // pictures.SHOWN_COLUMNS
    layout = base_layout(translate("dif_compare_title", lang), height,
                         margin={"l": 20, "r": 20, "t": 135, "b": 20}) | grid(1, count, [t for t, _ in panels], hspace=0.03)
    layout["title"] |= {"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 14}}   # above the panel titles
    data = []
    for n, (_, batch) in enumerate(panels):
        size = batch.shape[-1]
        picture = pictures.tile(batch, pictures.shown_columns(len(batch)), pictures.scale_for(size, pictures.DIGIT_PX))
        data.append(on_cell(_image_trace(picture), n))
        cell_axes(layout, n, x=HIDDEN_AXIS, y=HIDDEN_AXIS | {"scaleanchor": f"x{'' if n == 0 else n + 1}"})
    return figure(data, layout)


def loss_figure(curve: LossCurve, total_steps: int, lang: str) -> dict:
    """The 2D model's training loss, raw and smoothed, on a step axis fixed to the whole run."""
    data = [{"type": "scatter", "mode": "lines", "x": curve.steps, "y": curve.raw, "name": translate("dif_loss_raw", lang),
             "line": {"color": "rgba(31,119,180,0.3)", "width": 1}},
            {"type": "scatter", "mode": "lines", "x": curve.smooth_steps, "y": curve.smooth,
             "name": translate("dif_loss_smooth", lang), "line": {"color": "#1f77b4", "width": 2.5}}]
    done = int(curve.steps[-1]) if len(curve.steps) else 0
    title = translate("dif_loss_title", lang, step=done, total=total_steps)
    # the title in two lines and the legend at the figure's foot: at 390 px the one-line title
    # ran off the right edge and the legend onto the axis title
    layout = base_layout(title, 350, legend={"orientation": "h", "x": 0, "yref": "container", "y": 0, "yanchor": "bottom"},
                         margin={"l": 70, "r": 30, "t": 80, "b": 90})
    layout["xaxis"] = {"title": {"text": translate("dif_axis_train_step", lang)}, "range": [0, total_steps], "gridcolor": "#eee"}
    # the y labels a few pixels off the axis: a y "0" and an x "0" never meet in the corner
    layout["yaxis"] = {"title": {"text": "‖ε − ε_θ‖²"}, "gridcolor": "#eee", "rangemode": "tozero", "ticklabelstandoff": 4}
    return figure(data, layout)


def _arrow_angles(vectors: np.ndarray) -> np.ndarray:
    """Plotly's marker angle: degrees clockwise from 'up'."""
    return np.degrees(np.arctan2(vectors[:, 0], vectors[:, 1]))


PARTICLES_HEIGHT = 580   # square plot area beside the controls, most of it on a projector's first screen


def particles_figure(data: np.ndarray, limit: float, lang: str, paths: np.ndarray | None = None, index: int = 0,
                     timestep: int = 0, field: tuple[np.ndarray, np.ndarray] | None = None, drawn_paths: int = 0) -> dict:
    """The 2D sampler at one step: training data (grey), the learned score field as arrows, the
    paths of the first ``drawn_paths`` particles so far (faint lines, under the particles, so they
    never hide where the particles are), and the particles now (blue); the data alone without
    ``paths``."""
    traces = [{"type": "scatter", "mode": "markers", "x": data[:, 0], "y": data[:, 1], "name": translate("dif_2d_data", lang),
               "marker": {"size": 3, "color": "rgba(120,120,120,0.25)"}, "hoverinfo": "skip"}]
    # the legend at the figure's foot, room for its three rows on a phone (with two it reached the
    # x ticks). Not shortened to the square plot on a phone (plot_fit's meta.aspect): plotly then
    # widened the bottom margin for the legend and the plot shrank to ~150 px
    layout = base_layout(translate("dif_2d_title_data", lang), PARTICLES_HEIGHT,
                         legend={"orientation": "h", "x": 0, "yref": "container", "y": 0, "yanchor": "bottom"},
                         margin={"l": 60, "r": 20, "t": 60, "b": 140})
    # the x title 6 px under the tick labels, and room under it for the legend's three rows on a
    # phone: plotly keeps an axis title clear of a legend in the margin, and with less room it moved
    # "x₁" up onto the "0" above it
    layout["xaxis"] = {"range": [-limit, limit], "title": {"text": "x₁", "standoff": 6}, "gridcolor": "#eee", "zeroline": False,
                       "constrain": "domain"}
    layout["yaxis"] = {"range": [-limit, limit], "title": {"text": "x₂"}, "gridcolor": "#eee", "zeroline": False,
                       "scaleanchor": "x"}
    if paths is None:
        return figure(traces, layout)
    if field is not None:
        points, score = field
        length = np.linalg.norm(score, axis=1)
        spacing = 2 * limit / (np.sqrt(len(points)) - 1)
        unit = score / np.maximum(length, 1e-8)[:, None]
        # arrow length grows with |score| but never beyond 0.9 grid cells, so arrows never overlap
        reach = 0.9 * spacing * np.minimum(1.0, length / max(np.percentile(length, 90), 1e-8))
        ends = points + unit * reach[:, None]
        xs = np.stack([points[:, 0], ends[:, 0], np.full(len(points), np.nan)], 1).ravel()
        ys = np.stack([points[:, 1], ends[:, 1], np.full(len(points), np.nan)], 1).ravel()
        traces += [{"type": "scatter", "mode": "lines", "x": xs, "y": ys, "name": translate("dif_2d_field", lang),
                    "line": {"color": "#d62728", "width": 1.3}, "hoverinfo": "skip", "legendgroup": "field"},
                   {"type": "scatter", "mode": "markers", "x": ends[:, 0], "y": ends[:, 1], "showlegend": False,
                    "legendgroup": "field", "hoverinfo": "skip",
                    "marker": {"symbol": "triangle-up", "size": 6, "color": "#d62728", "angle": _arrow_angles(unit)}}]
    if drawn_paths:
        # where the first few particles came from, faint and under the particles
        lines = paths[:index + 1, :drawn_paths]                      # (steps so far, k, 2)
        gaps = np.full((1, lines.shape[1], 2), np.nan)
        joined = np.concatenate([lines, gaps]).transpose(1, 0, 2).reshape(-1, 2)
        traces.append({"type": "scatter", "mode": "lines", "x": joined[:, 0], "y": joined[:, 1],
                       "name": translate("dif_2d_paths", lang), "line": {"color": "rgba(230,110,0,0.45)", "width": 1.2},
                       "hoverinfo": "skip"})
    now = paths[index]
    traces.append({"type": "scatter", "mode": "markers", "x": now[:, 0], "y": now[:, 1], "name": translate("dif_2d_particles", lang),
                   "marker": {"size": 4, "color": "rgba(31,119,180,0.85)"}})
    when = "t = 0" if timestep < 0 else f"t = {timestep}"
    layout["title"]["text"] = translate("dif_2d_title", lang, when=when, step=index, total=len(paths) - 1)
    return figure(traces, layout)
