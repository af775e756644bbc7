"""The VAE lab in headless Chromium: live training (start, pause, resume, step) with the curves
and the latent map growing, a drawing encoded onto the latent map, a shared link in Chinese, and
the layout on a projector (1280×720) and a phone (390×844). Screenshots go to artifacts/."""

import dataclasses
import re
import time

from tests.browser import box, overlapping, overlapping_labels, press, texts_outside
from tests.conftest import screenshot


ENCODED = "the encoded input (μ)"


def shown_iteration(page) -> int:
    title = page.evaluate("() => (document.querySelector('#vae_curves .gtitle') || {}).textContent || ''")
    found = re.search(r"iteration (\d+)", title)
    return int(found.group(1)) if found else -1


def latent_points(page) -> list:
    """The x of every μ drawn on the latent map (one trace per class)."""
    return page.evaluate("""() => {
        const plot = document.querySelector('#vae_latent .js-plotly-plot');
        return plot ? plot.data.filter(t => t.mode === 'markers' && /^\\d$/.test(t.name)).flatMap(t => [...t.x]) : [];
    }""")


def wait_until(check, timeout=120) -> None:
    deadline = time.time() + timeout
    while not check():
        assert time.time() < deadline, "the page did not update in time"
        time.sleep(0.2)


def test_vae_trains_live_pauses_resumes_steps_and_encodes_a_drawing(page_factory, monkeypatch):
    """At 1280×720, a projector's screen: the curves and the latent map begin on the first
    screen. The server (in this process) streams one update a second, as in the GAN's test:
    headless Chromium on two shared cores falls behind at 10."""
    from components import live

    monkeypatch.setattr(live, "LIMITS", dataclasses.replace(live.LIMITS, stream_interval_s=1.0))
    page = page_factory("en-US", viewport=(1280, 720))
    page.get_by_role("tab", name="VAE", exact=True).click()
    iterations = page.locator("#vae_iterations input")
    iterations.fill("100000")
    iterations.press("Enter")
    press(page, "vae_start")
    wait_until(lambda: shown_iteration(page) > 0)
    for plot in ("vae_curves", "vae_latent"):
        top = box(page, plot)["y"]
        assert top < 720 - 200, (plot, top)   # at least its top 200 px in view without scrolling
    first, first_points = shown_iteration(page), latent_points(page)
    assert len(first_points) > 300
    wait_until(lambda: shown_iteration(page) > first)   # the curves grow ...
    wait_until(lambda: latent_points(page) != first_points)   # ... and the codes move

    press(page, "vae_pause")
    wait_until(lambda: "paused" in page.locator("#vae_status").text_content())
    # taken paused: Chromium waits for the fonts before a screenshot, and a page that redraws
    # twice a second kept that wait open past a minute
    screenshot(page, "vae_projector")
    at_pause = shown_iteration(page)
    time.sleep(1)
    assert shown_iteration(page) == at_pause   # nothing trains while paused
    press(page, "vae_resume")
    wait_until(lambda: shown_iteration(page) > at_pause)
    press(page, "vae_pause")
    wait_until(lambda: "paused" in page.locator("#vae_status").text_content())
    time.sleep(1)
    before_step = shown_iteration(page)
    press(page, "vae_step")
    wait_until(lambda: shown_iteration(page) == before_step + 1)

    sketch = page.locator("#vae_sketch")
    sketch.scroll_into_view_if_needed()
    page.locator("#vae_sketch button[aria-label='Brush']").click()
    canvas = page.locator("#vae_sketch canvas").first.bounding_box()
    x, y0 = canvas["x"] + canvas["width"] * 0.5, canvas["y"] + canvas["height"] * 0.15
    page.mouse.move(x, y0)
    page.mouse.down()
    page.mouse.move(x, y0 + canvas["height"] * 0.7, steps=20)   # one vertical stroke: a 1
    page.mouse.up()
    press(page, "vae_encode_drawing")
    page.wait_for_selector("#vae_reparam_table >> text=z₁", timeout=90_000)
    names = page.evaluate("() => document.querySelector('#vae_latent .js-plotly-plot').data.map(t => t.name)")
    assert ENCODED in names
    drawn = page.evaluate("() => document.querySelector('#vae_reparam .js-plotly-plot').data[0].z")
    middle = [row[3] + row[4] for row in drawn]
    assert max(middle) > 0.5 and max(row[0] + row[7] for row in drawn) == 0   # ink in the middle columns only
    page.locator("#vae_reparam").scroll_into_view_if_needed()
    screenshot(page, "vae")


def test_vae_shared_link_opens_in_chinese_in_its_state(page_factory):
    page = page_factory("zh-CN", "?lab=vae&beta=2.5&iterations=30&latent_dim=3")
    # the link selected the tab, set the controls and pressed Start
    page.wait_for_selector("#vae_status >> text=第 30 次迭代", timeout=180_000)
    assert page.locator("#vae_beta input").input_value() == "2.5"
    assert page.get_by_text("潜变量维数 d").first.is_visible()
    title = page.evaluate("() => document.querySelector('#vae_curves .gtitle').textContent")
    assert "训练曲线" in title and "β = 2.5" in title
    bars = page.evaluate("() => document.querySelector('#vae_kl_bars .js-plotly-plot').data[0].x.length")
    assert bars == 3
    screenshot(page, "vae_zh")


def test_vae_on_a_phone_does_not_scroll_sideways(page_factory):
    """With the most latent dimensions (the longest panel title), every plot's titles stay inside
    it (the curves' panel titles once ran past the right edge), the curves' panel titles apart,
    and no tick labels overlap."""
    page = page_factory("en-US", "?lab=vae&iterations=20&latent_dim=16", viewport=(390, 844))
    page.wait_for_selector("#vae_status >> text=Iteration 20", timeout=180_000)
    page.wait_for_timeout(500)
    width, viewport = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= viewport
    for plot in ("vae_curves", "vae_latent", "vae_kl_bars", "vae_decoded", "vae_density"):
        shown = box(page, plot)
        assert shown["x"] >= 0 and shown["x"] + shown["width"] <= 390, plot
        assert texts_outside(page, plot) == [], plot
    assert overlapping(page, "#vae_curves .infolayer .annotation-text") == []
    assert overlapping_labels(page, "vae_curves") == []
    screenshot(page, "vae_phone")


def test_vae_manifold_on_a_phone_has_no_blank_space(page_factory):
    """The decoded manifold is a square picture in a figure drawn tall enough for a projector; on a
    phone the page (components.plot_fit, ``meta.aspect``) shortens the figure to the picture, which
    sat in ~300 px of blank space before."""
    page = page_factory("en-US", "?lab=vae&iterations=20&latent_dim=2", viewport=(390, 844))
    page.wait_for_selector("#vae_status >> text=Iteration 20", timeout=180_000)
    page.wait_for_function("""() => { const gd = document.querySelector('#vae_decoded .js-plotly-plot');
        const s = gd && gd.layout.meta && gd._fullLayout._size;
        return s && s.w > 0 && s.h <= s.w * gd.layout.meta.aspect + 2; }""", timeout=30_000)
    assert texts_outside(page, "vae_decoded") == []
    page.locator("#vae_decoded").scroll_into_view_if_needed()
    screenshot(page, "vae_manifold_phone")
