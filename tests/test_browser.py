"""One flow per tab in headless Chromium, plus the Chinese locale. Screenshots go to artifacts/."""

import pytest

from tests.conftest import screenshot


def plot_count(page) -> int:
    return page.locator(".js-plotly-plot").count()


def test_attention_tab_draws_and_reacts_to_a_head_choice(page_factory):
    page = page_factory("en-US")
    page.get_by_role("button", name="Show attention").click()
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    title = page.locator(".js-plotly-plot .gtitle").first
    assert "Layer 0, head 0" in title.text_content()
    # choose another head by typing into the slider's number box
    number = page.locator("input[type=number]").nth(1)
    number.fill("1")
    number.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot .gtitle')].some(t => t.textContent.includes('head 1'))",
        timeout=30_000)
    screenshot(page, "attention_head")
    page.get_by_role("tab", name="Model view").click()
    page.wait_for_selector("img[src*='gradio_api'], img[src*='file=']", timeout=30_000)
    screenshot(page, "attention_model_view")


def test_chinese_locale_shows_chinese_labels(page_factory):
    page = page_factory("zh-CN")
    assert page.get_by_role("button", name="显示注意力").is_visible()
    assert page.get_by_role("tab", name="注意力", exact=True).is_visible()
    page.get_by_role("button", name="显示注意力").click()
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    assert "第 0 层" in page.locator(".js-plotly-plot .gtitle").first.text_content()
    screenshot(page, "attention_zh")
