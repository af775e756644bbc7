"""Plot helpers the labs share: figures built from plain dicts, and subplot grids.

Plotly's object API validates every property, which costs tens of milliseconds per figure; the
labs redraw on every slider move, so figures are plain dicts in the plotly.js schema
(https://plotly.com/javascript/reference/), serialised by plotly's own JSON encoder (numpy arrays,
NaN as null). ``gr.Plot`` draws any value that has a plotly-style ``to_json()``.
"""

from __future__ import annotations

from plotly.io.json import to_json_plotly

FONT = {"size": 13}


class Figure(dict):
    """A plotly figure as a dict: ``{"data": [...], "layout": {...}}``."""

    def to_json(self) -> str:
        return to_json_plotly(self)


def figure(data: list[dict], layout: dict) -> Figure:
    return Figure(data=data, layout=layout)


def base_layout(title: str, height: int, **extra) -> dict:
    """Title top-left, readable font, margins that leave room for tick labels."""
    layout = {"title": {"text": title, "x": 0.01, "xanchor": "left"}, "height": height, "font": FONT,
              "margin": {"l": 70, "r": 30, "t": 70, "b": 70}, "plot_bgcolor": "white"}
    layout.update(extra)
    return layout


def axis_names(n: int) -> tuple[str, str, str, str]:
    """(trace x ref, trace y ref, layout x key, layout y key) of subplot n (0-based)."""
    suffix = "" if n == 0 else str(n + 1)
    return f"x{suffix}", f"y{suffix}", f"xaxis{suffix}", f"yaxis{suffix}"


def grid(rows: int, cols: int, titles: list[str] | None = None, hspace: float = 0.06,
         vspace: float = 0.12) -> dict:
    """Layout entries placing rows × cols subplots (row-major, top row first), each titled above.
    Put a trace in cell n with ``on_cell(trace, n)``; style its axes with ``cell_axes``."""
    width = (1 - hspace * (cols - 1)) / cols
    height = (1 - vspace * (rows - 1)) / rows
    layout: dict = {"annotations": []}
    for n in range(rows * cols):
        r, c = divmod(n, cols)
        x_ref, y_ref, x_key, y_key = axis_names(n)
        x0 = c * (width + hspace)
        y1 = 1 - r * (height + vspace)
        layout[x_key] = {"domain": [_unit(x0), _unit(x0 + width)], "anchor": y_ref}
        layout[y_key] = {"domain": [_unit(y1 - height), _unit(y1)], "anchor": x_ref}
        if titles and n < len(titles):
            layout["annotations"].append({
                "text": titles[n], "x": x0 + width / 2, "y": y1, "xref": "paper", "yref": "paper",
                "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 13}})
    return layout


def _unit(v: float) -> float:
    """A domain end in [0, 1] (float error can leave -1e-16)."""
    return min(1.0, max(0.0, round(v, 6)))


def on_cell(trace: dict, n: int) -> dict:
    x_ref, y_ref, _, _ = axis_names(n)
    return trace | {"xaxis": x_ref, "yaxis": y_ref}


def cell_axes(layout: dict, n: int, x: dict | None = None, y: dict | None = None) -> None:
    """Merge axis settings into subplot n's axes (keeps the grid's domain and anchor)."""
    _, _, x_key, y_key = axis_names(n)
    layout.setdefault(x_key, {}).update(x or {})
    layout.setdefault(y_key, {}).update(y or {})
