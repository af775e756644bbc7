"""The attention lab in headless Chromium: a shared link on a projector (1280×720) opening the head
it names, every plotted view at full width after sub-tab switches, clicks on the census and the
model view that open a head, Copy link; the longest text on a phone (390×844) with token labels
kept apart and no sideways scroll; the Chinese locale. Screenshots go to artifacts/."""

import re
from urllib.parse import quote

import numpy as np

from components import models
from demos.attention import core
from tests.browser import box, no_sideways_scroll, overlapping, overlapping_labels, plot_width_share, show_view
from tests.conftest import screenshot, title_contains

MODEL = "shakespeare-gpt"
TEXT = "The king is dead. Long live the king!"   # 11 tokens
LONGEST = "Now is the winter of our discontent made glorious summer by this sun of York. " * 20  # > 256 tokens
PLOTS = {"Head": "attention_head_plot", "Aggregates": "attention_aggregates_plot",
         "The arithmetic": "attention_arithmetic_plot"}







def colour_bar_overlaps(page, plot_id: str) -> list:
    """Texts of the plot's colour bar (its title "weight", its tick labels) lying on each other:
    the top label "1", centred on its tick, had lain under the title."""
    texts = page.evaluate(f"() => document.querySelectorAll('#{plot_id} .colorbar text').length")
    assert texts >= 3, texts   # the title and at least two tick labels drawn
    return overlapping(page, f"#{plot_id} .colorbar text")


def test_a_link_opens_its_head_on_a_projectors_first_screen_and_clicks_open_heads(page_factory):
    query = f"?lab=attention&text={quote(TEXT)}&layer=2&head=3&query=5&mode=mean"
    page = page_factory("en-US", query, viewport=(1280, 720))
    title_contains(page, "Layer 2, head 3", timeout=120_000)
    # the link's state: the controls, and the result drawn from them
    assert [page.locator(f"#attention_{n} input[type=number]").input_value() for n in ("layer", "head", "query")] \
        == ["2", "3", "5"]
    assert "11 tokens" in page.locator("#attention_notice").text_content()
    model, tokenizer = models.load_causal_lm(MODEL)
    oracle = core.attention_maps(model, tokenizer(TEXT)["input_ids"])[2, 3]   # the model's own attention
    drawn = page.evaluate("() => document.querySelector('#attention_head_plot .js-plotly-plot').data[0].z")
    np.testing.assert_allclose(np.nan_to_num(np.array(drawn, dtype=float)), oracle, atol=1e-6)
    # on the first screen: the whole heatmap, or at the very least 90% of it
    head = box(page, "attention_head_plot")
    assert 0 <= head["top"] < 720 and (min(head["bottom"], 720) - head["top"]) / (head["bottom"] - head["top"]) >= 0.9
    assert colour_bar_overlaps(page, "attention_head_plot") == []
    screenshot(page, "attention_projector")
    for name in ("Aggregates", "The arithmetic", "Head"):   # the first two were drawn while hidden
        show_view(page, "attention_views", name, PLOTS.get(name))
        assert plot_width_share(page, PLOTS[name]) >= 0.9, name
        assert overlapping_labels(page, PLOTS[name]) == [], name
    show_view(page, "attention_views", "Token view")
    assert "Token 5" in page.get_by_text("attends to").first.text_content()

    # the census names the heads that stand out; a click on a cell opens that head
    show_view(page, "attention_views", "Head census")
    assert page.locator("#attention_census .att-census-panel").count() == len(core.SCORES)
    assert page.locator("#attention_census td.att-standout").count() >= 1
    screenshot(page, "attention_census")
    page.locator("#attention_census td[data-layer='4'][data-head='1']").first.click()
    title_contains(page, "Layer 4, head 1", timeout=60_000)
    assert page.locator("#attention_head_plot").is_visible()   # the Head view came to the front
    assert plot_width_share(page, "attention_head_plot") >= 0.9

    # a tile of the model view opens its head too (tiles of 72 px, gaps of 6, margins 40 and 26)
    show_view(page, "attention_views", "Model view")
    image = page.locator("#attention_model_view img").first
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=30_000)
    screenshot(page, "attention_model_view")
    x, y = 40 + 4 * 78 + 36, 26 + 3 * 78 + 36   # in the image's own pixels
    # where that pixel is drawn: the image is scaled to fit its box and centred in it
    at = image.evaluate("""(img, [x, y]) => {
        const w = img.clientWidth, h = img.clientHeight, nw = img.naturalWidth, nh = img.naturalHeight;
        const scale = Math.min(w / nw, h / nh);
        return {x: (w - nw * scale) / 2 + x * scale, y: (h - nh * scale) / 2 + y * scale};
    }""", [x, y])
    image.click(position=at)
    title_contains(page, "Layer 3, head 4", timeout=60_000)
    assert page.locator("#attention_head_plot").is_visible()
    assert page.locator(".toast-body").count() == 0   # no error on the way

    page.locator("#attention_copy_link").click()
    page.wait_for_function("() => (document.querySelector('#attention_link textarea, #attention_link input') || {})"
                           ".value", timeout=30_000)
    link = page.locator("#attention_link textarea, #attention_link input").first.input_value()
    assert re.search(r"\?lab=attention&text=The\+king.*&layer=3&head=4&query=5&mode=mean$", link), link


def test_the_longest_text_on_a_phone_keeps_labels_apart_and_fits_the_width(page_factory):
    page = page_factory("en-US", viewport=(390, 844))
    page.locator("#attention_text textarea").fill(LONGEST)   # longer than a link may carry
    page.get_by_role("button", name="Show attention").click()
    page.wait_for_selector(f"#attention_notice >> text=cut to its first {core.LIMITS.max_tokens} tokens",
                           timeout=120_000)
    title_contains(page, "Layer 0, head 0")
    page.wait_for_timeout(500)
    for name in ("Head", "Aggregates", "The arithmetic"):
        show_view(page, "attention_views", name, PLOTS.get(name))
        plot = box(page, PLOTS[name])
        assert plot["left"] >= 0 and plot["right"] <= 390, name
        assert plot_width_share(page, PLOTS[name]) >= 0.9, name
        assert overlapping_labels(page, PLOTS[name]) == [], name
        assert no_sideways_scroll(page), name
        if name == "Head":
            assert colour_bar_overlaps(page, PLOTS[name]) == []
            page.locator("#attention_head_plot").scroll_into_view_if_needed()
            screenshot(page, "attention_phone")
    show_view(page, "attention_views", "Head census")
    assert no_sideways_scroll(page)
    page.locator("#attention_census").scroll_into_view_if_needed()
    screenshot(page, "attention_phone_census")
    # the same plot on a projector: the labels are redone for the room they have now
    show_view(page, "attention_views", "Head", PLOTS["Head"])
    page.set_viewport_size({"width": 1280, "height": 720})
    page.wait_for_function("() => { const b = document.getElementById('attention_head_plot');"
                           " const s = b.querySelector('.main-svg'); return s.getBoundingClientRect().width > 800; }",
                           timeout=30_000)
    page.wait_for_timeout(500)
    assert overlapping_labels(page, "attention_head_plot") == []
    ticks = page.evaluate("() => document.querySelectorAll('#attention_head_plot .xtick text').length")
    assert 20 < ticks < core.LIMITS.max_tokens   # thinned, yet more labels than on the phone
    screenshot(page, "attention_long_projector")


def test_chinese_locale_shows_chinese_labels_and_census(page_factory):
    page = page_factory("zh-CN")
    assert page.get_by_role("tab", name="注意力", exact=True).is_visible()
    assert page.get_by_role("button", name="显示注意力").is_visible()
    title_contains(page, "第 0 层", timeout=120_000)   # the default text, analysed as the page opens
    page.locator("#attention_views").get_by_role("tab", name="注意力头普查", exact=True).click()
    page.wait_for_selector("#attention_census >> text=前一词元", timeout=30_000)
    assert "均匀注意力" in page.locator("#attention_census").text_content()
    screenshot(page, "attention_zh")
