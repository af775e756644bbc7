"""Multi-panel figures and long titles on a phone (390×844), in headless Chromium: the page script
components.plot_fit wraps a title wider than its plot and reflows a row of panels too narrow for
their titles into fewer columns; on a projector (1280×720) the same figure keeps its rows.
Checked on the attention lab's arithmetic (2 rows of 4 heatmaps, a title and subtitle wider than
a phone), the diffusion lab's noise schedules (3 line plots a row, axis titles on each) and the
text-to-image lab's guidance figure (4 latent mosaics and 3 pictures, hand-placed). Screenshots
go to artifacts/."""

from __future__ import annotations

from tests.browser import no_sideways_scroll, overlapping, show_view, texts_outside
from tests.conftest import screenshot

PHONE, PROJECTOR = (390, 844), (1280, 720)

# the plot's panels (each grid cell's axes) as the page draws them, and its titles' boxes, all
# relative to the plot's own box
GEOMETRY = """id => {
    const gd = document.querySelector(`#${id} .js-plotly-plot`), outer = gd.getBoundingClientRect();
    const full = gd._fullLayout, grid = gd.layout.meta.grid;
    const rel = (r) => ({left: r.left - outer.left, right: r.right - outer.left, top: r.top - outer.top,
                         bottom: r.bottom - outer.top});
    const panels = grid.cells.flat().map((n) => {
        const x = full[n ? `xaxis${n + 1}` : 'xaxis'], y = full[n ? `yaxis${n + 1}` : 'yaxis'];
        return {n, left: x._offset, right: x._offset + x._length, top: y._offset, bottom: y._offset + y._length};
    });
    const titleOf = (text) => ({text: text.textContent, ...rel(text.getBoundingClientRect())});
    const axisTitles = [...gd.querySelectorAll('.infolayer text[class*=title]')]
        .filter((t) => /^[xy]\\d*title$/.test(t.getAttribute('class')) && t.textContent.trim())
        .map((t) => {
            const name = t.getAttribute('class').replace('title', '');
            return {axis: name[0], n: name.length > 1 ? Number(name.slice(1)) - 1 : 0, ...titleOf(t)};
        });
    const title = gd.querySelector('.gtitle');
    return {width: outer.width, height: outer.height, panels, axisTitles,
            title: title && titleOf(title), notes: [...gd.querySelectorAll('.annotation-text')].map(titleOf)};
}"""


def settled(page, element_id: str) -> dict:
    """The plot's geometry once the page script has looked at it and nothing is being redrawn."""
    page.wait_for_function("""id => { const gd = document.querySelector(`#${id} .js-plotly-plot`);
        return gd && gd._fit && gd._fit.layout === gd.layout && !gd._fitBusy; }""", arg=element_id, timeout=60_000)
    page.wait_for_timeout(800)
    return page.evaluate(GEOMETRY, element_id)


def rows_of(panels: list[dict]) -> list[list[int]]:
    """The panels grouped by the height they stand at (one group per row on the page)."""
    rows: dict[int, list[int]] = {}
    for p in panels:
        rows.setdefault(round((p["top"] + p["bottom"]) / 2), []).append(p["n"])
    return [sorted(rows[k]) for k in sorted(rows)]


def overlaps(a: dict, b: dict, slack: float = 0.5) -> bool:
    return (min(a["right"], b["right"]) - max(a["left"], b["left"]) > slack
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack)


def assert_readable(page, element_id: str, geometry: dict) -> None:
    """No two panel titles overlap; the title and every text stay inside the plot; each x-axis
    title lies under its own panel and no axis title lies on another panel."""
    assert overlapping(page, f"#{element_id} .annotation-text") == []
    assert texts_outside(page, element_id) == []
    title = geometry["title"]
    assert title["left"] >= 0 and title["right"] <= geometry["width"] and title["top"] >= 0, title
    panels = {p["n"]: p for p in geometry["panels"]}
    for axis_title in geometry["axisTitles"]:
        own = panels.get(axis_title["n"])
        if own is None:
            continue
        if axis_title["axis"] == "x":
            assert own["left"] - 2 <= axis_title["left"] and axis_title["right"] <= own["right"] + 2, axis_title
        for n, other in panels.items():
            assert n == axis_title["n"] or not overlaps(axis_title, other), (axis_title, other)
    # panel titles sit above their own panel, clear of every panel
    for note in geometry["notes"]:
        assert not any(overlaps(note, p) for p in panels.values()), note


def check_phone_then_projector(page, element_id: str, name: str, phone_rows: int, wide_rows: list[list[int]]) -> None:
    phone = settled(page, element_id)
    rows = rows_of(phone["panels"])
    # narrower rows: no more than min_px of room lets fewer panels share a row
    assert len(rows) >= phone_rows and max(len(r) for r in rows) < max(len(r) for r in wide_rows), rows
    assert_readable(page, element_id, phone)
    assert no_sideways_scroll(page)
    page.locator(f"#{element_id} .js-plotly-plot").first.scroll_into_view_if_needed()
    screenshot(page, f"phone_{name}_390")
    # the phone turned into a projector: the figure as the server drew it, its rows as they were
    page.set_viewport_size({"width": PROJECTOR[0], "height": PROJECTOR[1]})
    page.wait_for_function("id => document.querySelector(`#${id} .main-svg`).getBoundingClientRect().width > 600",
                           arg=element_id, timeout=30_000)
    wide = settled(page, element_id)
    assert rows_of(wide["panels"]) == wide_rows
    assert wide["height"] < phone["height"]
    assert_readable(page, element_id, wide)
    screenshot(page, f"phone_{name}_1280")


def test_attention_arithmetic_reflows_on_a_phone(page_factory):
    page = page_factory("en-US", "?lab=attention&layer=4&head=0", viewport=PHONE)
    page.wait_for_selector("#attention_head_plot .gtitle", timeout=120_000)
    show_view(page, "attention_views", "The arithmetic", "attention_arithmetic_plot")
    # 8 panels of ~55 px side by side before: now at most two a row, 4 rows or more
    check_phone_then_projector(page, "attention_arithmetic_plot", "attention_arithmetic", 4,
                               [[0, 1, 2, 3], [4, 5, 6, 7]])


def test_diffusion_schedules_reflow_on_a_phone(page_factory):
    page = page_factory("en-US", "?lab=diffusion&steps=10&images=4", viewport=PHONE)
    page.wait_for_selector("#diffusion_caption >> text=Step 10 of 10", timeout=120_000)
    show_view(page, "diffusion_views", "Forward process", "diffusion_schedules")
    check_phone_then_projector(page, "diffusion_schedules", "diffusion_schedules", 2, [[0, 1, 2]])


def show_text2image_view(page, name: str) -> None:
    """The text-to-image sub-tab by name, from its tab strip or, on a phone, the strip's "More tabs" menu."""
    page.evaluate("""name => {
        const strip = document.querySelector('#text2image_view_denoise').closest('.tabs').querySelector(':scope > .tab-wrapper');
        const tab = [...strip.querySelectorAll('[role=tab]')].find(b => b.textContent.trim() === name);
        if (tab) return tab.click();
        strip.querySelector('.overflow-menu > button').click();
        [...strip.querySelectorAll('.overflow-dropdown button')].find(b => b.textContent.trim() === name).click();
    }""", name)


def open_text2image(page_factory):
    page = page_factory("en-US", "?lab=text2image&steps=10&seed=3", viewport=PHONE)
    page.wait_for_function("() => /10 of 10/.test(document.querySelector('#text2image_denoise .gtitle')?.textContent)",
                           timeout=120_000)
    return page


def test_text2image_guidance_reflows_on_a_phone(page_factory):
    page = open_text2image(page_factory)
    show_text2image_view(page, "Guidance")
    page.wait_for_function("() => document.querySelector('#text2image_guidance_figure .js-plotly-plot')?.data?.length > 0",
                           timeout=120_000)
    check_phone_then_projector(page, "text2image_guidance_figure", "text2image_guidance", 3,
                               [[0, 1, 2, 3], [4, 5, 6]])


def test_text2image_edit_reflows_on_a_phone(page_factory):
    """Two rows of x̂0 (prompt A, prompt B at 5 steps) and the difference: about 40 px a picture on a
    phone before; now two or three a row, each titled with its prompt's letter."""
    page = open_text2image(page_factory)
    show_text2image_view(page, "Prompt edit")
    page.locator("#text2image_edit").dispatch_event("click")
    page.wait_for_function("() => document.querySelector('#text2image_edit_figure .js-plotly-plot')?.data?.length > 0",
                           timeout=120_000)
    check_phone_then_projector(page, "text2image_edit_figure", "text2image_edit", 4,
                               [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9, 10]])
