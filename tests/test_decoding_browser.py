"""The decoding lab in headless Chromium: a shared link on a projector (1280×720) that ticks its
strategies and compares them, every view at full width with its labels apart, the step slider,
the sweep, Copy link and Export; the longest output on a phone (390×844) with a preset; the
Chinese locale. Screenshots go to artifacts/."""

import html
import re

from playwright.sync_api import expect

from components.settings import controls, defaults
from demos.decoding import core, tab
from tests.browser import box, no_sideways_scroll, overlapping_labels, plot_width_share, show_view
from tests.conftest import screenshot, title_contains

MODEL = "shakespeare-gpt"
PLOTS = {"Next-token distribution": "decoding_distribution", "Beam search tree": "decoding_beam_plot",
         "Metrics": "decoding_metrics_plot"}   # drawn by a comparison







def ticked(page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('#decoding_kinds input:checked')]"
                         ".map(e => e.parentElement.textContent.trim())")


def card_texts(html_out: str) -> list[str]:
    """Each output card's label and tokens, as the page's text shows them."""
    cards = html_out.split("font-weight:600")[1:]
    return [html.unescape(re.search(r'">([^<]*)</div>', c).group(1)
                          + "".join(re.findall(r'font-family:monospace;">([^<]*)</span>', c))) for c in cards]


def test_a_link_compares_its_strategies_on_a_projectors_first_screen(page_factory):
    query = "?lab=decoding&strategies=greedy,beam,top_p&top_p_top_p=0.8&seed=3&new_tokens=12"
    page = page_factory("en-US", query, viewport=(1280, 720))
    page.wait_for_selector("#decoding_outputs >> text=top-p (nucleus) (p = 0.8, T = 1) #3", timeout=120_000)
    # the link's state ...
    assert ticked(page) == ["greedy", "beam search", "top-p (nucleus)"]
    assert page.locator("#decoding_seed input").input_value() == "3"
    # ... and its result: the same seed gives the same outputs as the handler called here
    values = defaults(core.DecodingSettings) | {"top_p_top_p": 0.8, "seed": 3, "new_tokens": 12}
    *_, expected = tab.decode(*[values[n] for n in controls(core.DecodingSettings)], MODEL, ["greedy", "beam", "top_p"])
    shown = page.locator("#decoding_outputs").text_content()
    assert all(card in shown for card in card_texts(expected[1]))
    assert 0 <= box(page, "decoding_outputs")["top"] < 720 - 200   # the outputs begin on the first screen
    screenshot(page, "decoding_projector")

    show_view(page, "decoding_views", "Next-token distribution", PLOTS["Next-token distribution"])
    title_contains(page, "greedy, step 0", timeout=30_000)
    legend = page.evaluate("() => [...document.querySelectorAll('#decoding_distribution .legendtext')]"
                           ".map(t => t.textContent)")
    assert legend == ["kept", "dropped", "chosen"]
    step = page.locator("#decoding_step input[type=number]")
    step.fill("4")
    step.press("Enter")
    title_contains(page, "greedy, step 4", timeout=30_000)
    assert overlapping_labels(page, "decoding_distribution", points=True) == []
    screenshot(page, "decoding_distribution")

    show_view(page, "decoding_views", "Beam search tree", PLOTS["Beam search tree"])
    title_contains(page, "Beam search (B = 4, lp = 1)", timeout=30_000)
    assert plot_width_share(page, "decoding_beam_plot") >= 0.9
    assert overlapping_labels(page, "decoding_beam_plot", points=True) == []
    winner = page.evaluate("() => document.querySelector('#decoding_beam_plot .js-plotly-plot').data"
                           ".find(t => t.name === \"the winner's path\").x.length")
    assert winner == 12   # one node per step
    screenshot(page, "decoding_beam_tree")

    show_view(page, "decoding_views", "Metrics", PLOTS["Metrics"])
    assert page.locator("#decoding_metrics_table").get_by_role("row").count() == 1 + 3
    assert plot_width_share(page, "decoding_metrics_plot") >= 0.9
    assert overlapping_labels(page, "decoding_metrics_plot", points=True) == []

    show_view(page, "decoding_views", "Temperature sweep")
    page.locator("#decoding_sweep_run").click()
    title_contains(page, "Temperature sweep: higher T", timeout=120_000)
    assert plot_width_share(page, "decoding_sweep_plot") >= 0.9

    page.locator("#decoding_export").click()
    page.wait_for_selector("#decoding_export_files >> text=.json", timeout=60_000)
    page.locator("#decoding_copy_link").click()
    page.wait_for_function("() => (document.querySelector('#decoding_link textarea, #decoding_link input') || {})"
                           ".value", timeout=30_000)
    link = page.locator("#decoding_link textarea, #decoding_link input").first.input_value()
    assert "new_tokens=12&seed=3&" in link and "top_p_top_p=0.8" in link
    assert link.endswith("strategies=greedy%2Cbeam%2Ctop_p"), link


def test_a_comparison_under_way_shows_each_strategy_as_it_is_done(page_factory):
    """A long comparison (the default strategies, 64 tokens, 5 samples: long enough to look at)
    streams: the strategies done have their cards, the next one says it is decoding, the others
    wait their turn; then every card, and nothing pending."""
    query = "?lab=decoding&strategies=greedy,beam,sampling,top_k,top_p,min_p&new_tokens=64&samples=5"
    page = page_factory("en-US", query, viewport=(1280, 720))
    page.wait_for_selector("#decoding_outputs >> text=strategies decoded", timeout=120_000)
    cards = page.locator("#decoding_outputs .dec-pending")
    assert cards.count() >= 1 and "decoding…" in cards.first.text_content()
    assert 0 <= box(page, "decoding_outputs")["top"] < 720 - 200
    screenshot(page, "decoding_streaming")
    # a metrics row per strategy from the first view on, "…" for those pending (the plot waits
    # for the whole comparison)
    page.locator("#decoding_views").get_by_role("tab", name="Metrics", exact=True).click()
    expect(page.locator("#decoding_metrics_table").get_by_role("row")).to_have_count(1 + 6, timeout=30_000)
    screenshot(page, "decoding_streaming_metrics")
    page.wait_for_selector("#decoding_outputs >> text=min-p (min-p = 0.1, T = 1) #5", state="attached",
                           timeout=180_000)
    assert cards.count() == 0
    assert page.locator("#decoding_outputs >> text=strategies decoded").count() == 0


def test_the_longest_output_on_a_phone_fits_the_width_and_keeps_labels_apart(page_factory):
    longest = controls(core.PromptSettings)["new_tokens"].high
    page = page_factory("en-US", f"?lab=decoding&strategies=beam,top_p&samples=1&new_tokens={longest}",
                        viewport=(390, 844))
    page.wait_for_selector("#decoding_outputs >> text=beam search (B = 4", timeout=180_000)
    assert no_sideways_scroll(page)
    for name in ("Next-token distribution", "Beam search tree", "Metrics"):
        show_view(page, "decoding_views", name, PLOTS.get(name))
        page.wait_for_timeout(300)
        assert no_sideways_scroll(page), name
        assert overlapping_labels(page, PLOTS[name], points=True) == [], name
        page.locator(f"#{PLOTS[name]}").scroll_into_view_if_needed()
        screenshot(page, f"decoding_phone_{PLOTS[name].removeprefix('decoding_')}")
        if name == "Beam search tree":   # its columns keep their width: it scrolls sideways in its own box
            assert page.evaluate("() => { const b = document.getElementById('decoding_beam_plot');"
                                 " return b.scrollWidth > 2 * b.clientWidth; }")
    # a preset ticks its strategies, and Copy link carries them
    page.get_by_label("Search: greedy, beam, contrastive").check()
    page.wait_for_function("() => document.querySelectorAll('#decoding_kinds input:checked').length === 3",
                           timeout=30_000)
    page.locator("#decoding_copy_link").click()
    page.wait_for_function("() => ((document.querySelector('#decoding_link textarea, #decoding_link input') || {})"
                           ".value || '').includes('contrastive')", timeout=30_000)


def test_chinese_locale(page_factory):
    page = page_factory("zh-CN", "?lab=decoding&strategies=greedy,beam&new_tokens=8")
    page.wait_for_selector("#decoding_outputs >> text=束搜索 (B = 4", timeout=120_000)
    assert page.get_by_role("button", name="比较策略").is_visible()
    assert page.get_by_text("要比较的策略").is_visible()
    page.locator("#decoding_views").get_by_role("tab", name="束搜索树", exact=True).click()
    title_contains(page, "束搜索（B = 4", timeout=30_000)
    screenshot(page, "decoding_zh")
