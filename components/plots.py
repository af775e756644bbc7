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


MIN_CELL_PX = 150   # a panel narrower than this on the page is reflowed into fewer columns (plot_fit)


def grid(rows: int, cols: int, titles: list[str] | None = None, hspace: float = 0.06,
         vspace: float = 0.12, min_px: float = MIN_CELL_PX) -> dict:
    """Layout entries placing rows × cols subplots (row-major, top row first), each titled above.
    Put a trace in cell n with ``on_cell(trace, n)``; style its axes with ``cell_axes``.

    ``layout.meta.grid`` tells the page (``components.plot_fit``) how to reflow the grid into
    fewer columns where its panels would be narrower than ``min_px`` (a phone); ``min_px=0``
    keeps the columns at any width. Merge it with ``|`` or ``update`` before any other meta,
    or add to it with ``with_meta``."""
    width = (1 - hspace * (cols - 1)) / cols
    height = (1 - vspace * (rows - 1)) / rows
    layout: dict = {"annotations": []}
    title_of = []
    for n in range(rows * cols):
        r, c = divmod(n, cols)
        x_ref, y_ref, x_key, y_key = axis_names(n)
        x0 = c * (width + hspace)
        y1 = 1 - r * (height + vspace)
        layout[x_key] = {"domain": [_unit(x0), _unit(x0 + width)], "anchor": y_ref}
        layout[y_key] = {"domain": [_unit(y1 - height), _unit(y1)], "anchor": x_ref}
        if titles and n < len(titles) and titles[n]:   # an empty title: no annotation
            title_of.append(len(layout["annotations"]))
            layout["annotations"].append({
                "text": titles[n], "x": x0 + width / 2, "y": y1, "xref": "paper", "yref": "paper",
                "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 13}})
        else:
            title_of.append(None)
    layout["meta"] = {"grid": fit_meta(layout, [list(range(r * cols, (r + 1) * cols)) for r in range(rows)],
                                       title_of, hspace, min_px) | {"rows": rows, "cols": cols, "vspace": vspace}}
    return layout


def fit_meta(layout: dict, cells: list[list[int]], titles: list[int | None], hspace: float,
             min_px: float = MIN_CELL_PX, aspect: float | None = None) -> dict:
    """What the page's reflow (``components.plot_fit``) needs of a figure made of panels in rows:
    ``cells``, the subplot numbers of each row, left to right (top row first); ``titles``, for
    each subplot number, the index in ``layout.annotations`` of its title (None: untitled);
    ``hspace``, the gap between columns as a share of the plot's width (kept in pixels as on a
    1000-px plot when reflowed); ``min_px``, the narrowest panel (pixels) kept side by side; and
    ``domains``, each subplot's [x0, x1, y0, y1] as placed here (plotly narrows the domain of an
    axis with ``constrain: "domain"`` in the page's copy of the layout, so the page reads them
    here); ``aspect``, for panels that show a picture of that height / width, so that a reflowed
    row is no taller than its pictures (without it a row keeps its height in pixels). For
    figures that place their panels by hand: ``with_meta(layout, grid=fit_meta(...))``."""
    domains = []
    for n in range(max(n for row in cells for n in row) + 1):
        _, _, x_key, y_key = axis_names(n)
        x, y = layout.get(x_key, {}).get("domain"), layout.get(y_key, {}).get("domain")
        domains.append([*x, *y] if x and y else None)
    return {"cells": cells, "titles": titles, "hspace": hspace, "min_px": min_px, "domains": domains,
            **({"aspect": aspect} if aspect else {})}


def with_meta(layout: dict, **entries) -> dict:
    """Add entries to ``layout.meta`` (plotly keeps it for the page) beside those already there."""
    layout["meta"] = {**(layout.get("meta") or {}), **entries}
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
