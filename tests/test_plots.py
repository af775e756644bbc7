"""components.plots: the subplot grid and what it tells the page's reflow (components.plot_fit)."""

from __future__ import annotations

import json

import pytest

from components import plot_fit
from components.plots import axis_names, figure, fit_meta, grid, with_meta


@pytest.mark.parametrize("rows, cols, hspace, vspace", [(1, 3, 0.09, 0.12), (2, 4, 0.06, 0.2), (3, 1, 0.06, 0.1)])
def test_grid_places_cells_row_major_and_records_them_for_the_page(rows, cols, hspace, vspace):
    titles = [f"panel {n}" for n in range(rows * cols)]
    layout = grid(rows, cols, titles, hspace=hspace, vspace=vspace)
    width = (1 - hspace * (cols - 1)) / cols
    height = (1 - vspace * (rows - 1)) / rows
    meta = layout["meta"]["grid"]
    assert meta["rows"] == rows and meta["cols"] == cols
    assert meta["hspace"] == hspace and meta["vspace"] == vspace and meta["min_px"] == 150
    # each row's cells left to right, top row first, numbered row-major
    assert meta["cells"] == [[r * cols + c for c in range(cols)] for r in range(rows)]
    for n in range(rows * cols):
        r, c = divmod(n, cols)
        _, _, x_key, y_key = axis_names(n)
        x0, y1 = c * (width + hspace), 1 - r * (height + vspace)
        assert layout[x_key]["domain"] == pytest.approx([x0, x0 + width], abs=1e-6)
        assert layout[y_key]["domain"] == pytest.approx([y1 - height, y1], abs=1e-6)
        # the page reads the domains from the meta (plotly narrows constrained ones in its copy)
        assert meta["domains"][n] == [*layout[x_key]["domain"], *layout[y_key]["domain"]]
        # cell n's title: the annotation the meta names, centred above the cell
        note = layout["annotations"][meta["titles"][n]]
        assert note["text"] == f"panel {n}"
        assert note["x"] == pytest.approx(x0 + width / 2) and note["y"] == pytest.approx(y1)
        assert (note["xref"], note["yref"], note["yanchor"]) == ("paper", "paper", "bottom")


def test_untitled_cells_have_no_title_index():
    meta = grid(1, 3, ["only the first"])["meta"]["grid"]
    assert meta["titles"] == [0, None, None]
    layout = grid(1, 3, ["a", "", "c"])   # an empty title makes no annotation
    assert layout["meta"]["grid"]["titles"] == [0, None, 1] and [a["text"] for a in layout["annotations"]] == ["a", "c"]
    assert grid(2, 2)["meta"]["grid"]["titles"] == [None] * 4


def test_min_px_zero_opts_out_and_meta_survives_json():
    layout = grid(1, 4, list("abcd"), min_px=0)
    assert layout["meta"]["grid"]["min_px"] == 0
    sent = json.loads(figure([], layout).to_json())
    assert sent["layout"]["meta"]["grid"] == json.loads(json.dumps(layout["meta"]["grid"]))


def test_with_meta_keeps_the_grid_beside_other_entries():
    layout = with_meta(grid(1, 2, ["a", "b"]), tokens={"xaxis": ["x"]})
    assert set(layout["meta"]) == {"grid", "tokens"}


def test_fit_meta_for_hand_placed_panels():
    layout = {"xaxis": {"domain": [0.0, 0.4]}, "yaxis": {"domain": [0.5, 1.0]},
              "xaxis2": {"domain": [0.6, 1.0]}, "yaxis2": {"domain": [0.0, 0.4]}}
    meta = fit_meta(layout, [[0], [1]], [None, 0], 0.02, 110, aspect=1)
    assert meta == {"cells": [[0], [1]], "titles": [None, 0], "hspace": 0.02, "min_px": 110,
                    "domains": [[0.0, 0.4, 0.5, 1.0], [0.6, 1.0, 0.0, 0.4]], "aspect": 1}


def test_the_page_script_is_one_guarded_script_tag():
    assert plot_fit.HEAD.startswith("<script>") and plot_fit.HEAD.endswith("</script>")
    assert plot_fit.HEAD.count("<script") == 1 and "window.plotFit" in plot_fit.SCRIPT
    import app

    assert plot_fit.HEAD in app.launch_kwargs()["head"]
