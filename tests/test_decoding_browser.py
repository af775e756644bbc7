"""The decoding lab in headless Chromium: one flow per view (the Chinese locale is visited in
tests/test_attention_browser.py). Screenshots go to artifacts/."""

from tests.conftest import screenshot, title_contains


def test_decoding_tab_compares_and_walks_the_steps(page_factory):
    page = page_factory("en-US")
    page.get_by_role("tab", name="Decoding", exact=True).click()
    # a preset sets the strategies
    page.get_by_label("Search: greedy, beam, contrastive").check()
    page.wait_for_function(
        "() => document.querySelectorAll('#decoding_kinds input[type=checkbox]:checked').length === 3", timeout=30_000)
    page.get_by_label("All eight strategies").check()
    page.wait_for_function(
        "() => document.querySelectorAll('#decoding_kinds input[type=checkbox]:checked').length === 8", timeout=30_000)
    page.locator("#decoding_run").click()
    page.wait_for_selector("text=beam search (B = 4", timeout=120_000)
    page.wait_for_selector("text=contrastive search (α = 0.6", timeout=30_000)
    screenshot(page, "decoding_outputs")
    page.get_by_role("tab", name="Next-token distribution", exact=True).click()
    title_contains(page, "greedy, step 0", timeout=30_000)
    target = page.locator("input[aria-label='number input for Step']")
    assert target.count() == 1
    target.fill("4")
    target.press("Enter")
    title_contains(page, "greedy, step 4", timeout=30_000)
    screenshot(page, "decoding_distribution")
    page.get_by_role("tab", name="Beam search tree", exact=True).click()
    title_contains(page, "Beam search: the winner scored", timeout=30_000)
    screenshot(page, "decoding_beam_tree")
    page.get_by_role("tab", name="Metrics", exact=True).click()
    title_contains(page, "Diversity and repetition per strategy", timeout=30_000)
    # a header and one row per strategy: the samples of each sampled one together
    table = page.locator("#decoding_metrics_table")
    assert table.get_by_role("row").count() == 1 + 8
    assert table.get_by_text("min-p (min-p = 0.1, T = 1)", exact=True).count() == 1
    screenshot(page, "decoding_metrics")
    page.get_by_role("tab", name="Temperature sweep", exact=True).click()
    new_tokens = page.locator("input[aria-label='number input for New tokens']")
    new_tokens.fill("8")      # 8 temperatures x 4 samples: short ones keep the test light
    new_tokens.press("Enter")
    page.get_by_role("button", name="Run the sweep").click()
    title_contains(page, "Temperature sweep: higher T", timeout=120_000)
    screenshot(page, "decoding_sweep")
