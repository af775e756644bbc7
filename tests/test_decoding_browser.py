"""The decoding lab in headless Chromium: one flow per view, and the Chinese locale. Screenshots go to artifacts/."""

from tests.conftest import screenshot


def test_decoding_tab_compares_and_walks_the_steps(page_factory):
    page = page_factory("en-US")
    page.get_by_role("tab", name="Decoding", exact=True).click()
    page.get_by_role("button", name="Compare strategies").click()
    page.wait_for_selector("text=beam search (B = 4", timeout=120_000)
    screenshot(page, "decoding_outputs")
    page.get_by_role("tab", name="Next-token distribution", exact=True).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot .gtitle')].some(t => t.textContent.includes('step 0'))",
        timeout=30_000)
    target = page.locator("input[aria-label='number input for Step']")
    assert target.count() == 1
    target.fill("4")
    target.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot .gtitle')].some(t => t.textContent.includes('step 4'))",
        timeout=30_000)
    screenshot(page, "decoding_distribution")
    page.get_by_role("tab", name="Beam search tree", exact=True).click()
    page.wait_for_timeout(1000)
    screenshot(page, "decoding_beam_tree")
