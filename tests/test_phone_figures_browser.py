"""Multi-panel figures and long titles on a phone (390×844), in headless Chromium: the page script
components.plot_fit wraps a title wider than its plot and reflows a row of panels too narrow for
their titles into fewer columns; on a projector (1280×720) the same figure keeps its rows.
Checked on the attention lab's arithmetic (2 rows of 4 heatmaps, a title and subtitle wider than
a phone), the diffusion lab's noise schedules (3 line plots a row, axis titles on each) and the
text-to-image lab's guidance figure (4 latent mosaics and 3 pictures, hand-placed). The labs'
training curves keep the x and y "0" at a panel's corner apart at both widths. Screenshots go to
artifacts/."""

from __future__ import annotations

import json

import pytest

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


def training_curves(lang: str) -> dict:
    """Each lab's training-curve figure (GAN, VAE, Transformer and its induction run, 2D diffusion)
    after a short run: each has a y tick label "0" and an x tick label "0" at a panel's corner."""
    from demos.diffusion import figures as diffusion_figures
    from demos.diffusion.toy2d import loss_curve
    from demos.gan import core as gan
    from demos.gan import figures as gan_figures
    from demos.gan.data import make_dataset
    from demos.transformer import core as transformer
    from demos.transformer import figures as transformer_figures
    from demos.transformer import induction
    from demos.vae import core as vae
    from demos.vae import figures as vae_figures

    gan_run = gan.GanRun(gan.GanSettings(seed=3), make_dataset("ring"))
    gan.train(gan_run, 40)
    vae_run = vae.VaeRun(vae.validated())
    vae.train(vae_run, 40)
    tr_run = transformer.TransformerRun(transformer.validated(task="date", d_model=16, heads=2, layers=1, batch=8))
    transformer.train(tr_run, 40)
    ind_run = induction.InductionRun(induction.validated_induction(ind_d_model=16, ind_heads=2, ind_batch=8))
    transformer.train(ind_run, 40)
    losses = loss_curve([1.0 / (1 + 0.01 * i) for i in range(400)])
    figures = {"gan": gan_figures.curves_figure(gan_run, lang), "vae": vae_figures.curves_figure(vae_run, lang),
               "transformer": transformer_figures.curves_figure(tr_run, lang),
               "induction": transformer_figures.induction_curves_figure(ind_run, lang),
               "diffusion_2d": diffusion_figures.loss_figure(losses, 3000, lang)}
    return {name: json.loads(fig.to_json()) for name, fig in figures.items()}


# draws a figure into a new plot of the given width on the page (fitted by components.plot_fit as
# the lab's own plots are), and once it has settled returns each x tick label against each y tick
# label of the same plot whose boxes overlap by more than half a pixel each way
CORNERS = """async ([figure, width]) => {
    const div = document.createElement('div');
    div.style.width = `${width}px`;
    document.body.prepend(div);
    await window.Plotly.newPlot(div, figure.data, figure.layout);
    const settled = () => div._fit && div._fit.layout === div.layout && !div._fitBusy;
    for (let i = 0; i < 100 && !settled(); i++) await new Promise((done) => setTimeout(done, 100));
    await new Promise((done) => setTimeout(done, 500));
    const labels = (axis) => [...div.querySelectorAll('g[class*=tick] text')]
        .filter((t) => {
            const group = t.closest('g[class*=tick]').getAttribute('class');
            return /^[xy]\\d*tick$/.test(group) && group[0] === axis && t.textContent.trim();
        })
        .map((t) => [t.textContent, t.getBoundingClientRect()]).filter(([, r]) => r.width > 0);
    const xs = labels('x'), ys = labels('y'), pairs = [];
    for (const [a, p] of xs) for (const [b, q] of ys) {
        if (Math.min(p.right, q.right) - Math.max(p.left, q.left) > 0.5
            && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 0.5) pairs.push([a, b]);
    }
    const zeros = [xs.filter(([t]) => t === '0').length, ys.filter(([t]) => t === '0').length];
    div.remove();
    return {pairs, zeros};
}"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_training_curves_corner_labels_stay_apart(page_factory, lang):
    """The first "0" of a training curve's x axis and of its y axis, at the panel's corner, had
    touched (the sweep left x-against-y tick pairs out for it): the y labels now stand a few
    pixels off the axis. Checked on a phone's plot width and a projector's."""
    page = page_factory("zh-CN" if lang == "zh" else "en-US", viewport=PHONE)
    page.wait_for_function("() => window.Plotly && window.plotFit", timeout=120_000)
    for name, fig in training_curves(lang).items():
        for width in (326, 900):   # a plot's box on a phone (390 px) and on a projector
            found = page.evaluate(CORNERS, [fig, width])
            assert found["zeros"][0] >= 1 and found["zeros"][1] >= 1, (name, width, found)   # a corner to check
            assert found["pairs"] == [], (name, width, found)
