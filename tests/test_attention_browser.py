"""The attention lab in headless Chromium: one flow per view, and the Chinese locale. Screenshots go to artifacts/."""

from tests.conftest import screenshot, title_contains


def test_attention_tab_draws_and_reacts_to_a_head_choice(page_factory):
    page = page_factory("en-US")
    page.get_by_role("button", name="Show attention").click()
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    title = page.locator(".js-plotly-plot .gtitle").first
    assert "Layer 0, head 0" in title.text_content()
    notice = page.locator("#attention_notice")
    assert "22 tokens" in notice.text_content()  # the default text; the query slider is on its last token
    # a new text typed but not analysed: a selection still redraws the analysed text (it used to
    # analyse "Hi", 2 tokens, with query 21 and fail)
    page.locator("#attention_text textarea").fill("Hi")
    # choose another head by typing into the slider's number box
    number = page.locator("input[aria-label='number input for Head']")
    number.fill("1")
    number.press("Enter")
    title_contains(page, "head 1", timeout=30_000)
    assert "22 tokens" in notice.text_content()
    assert page.locator(".toast-body").count() == 0  # no error message
    screenshot(page, "attention_head")
    page.get_by_role("tab", name="Model view").click()
    image = page.locator("img[src*='gradio_api'], img[src*='file=']").first
    image.wait_for(timeout=30_000)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=30_000)
    screenshot(page, "attention_model_view")
    # a click on the tile of layer 3, head 4 (tiles of 72 px, gaps of 6, margins 40 and 26)
    box = image.bounding_box()
    natural = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    x, y = 40 + 4 * 78 + 36, 26 + 3 * 78 + 36
    image.click(position={"x": x * box["width"] / natural[0], "y": y * box["height"] / natural[1]})
    page.get_by_role("tab", name="Head", exact=True).click()
    title_contains(page, "Layer 3, head 4", timeout=30_000)


def test_chinese_locale_shows_chinese_labels(page_factory):
    page = page_factory("zh-CN")
    assert page.get_by_role("button", name="显示注意力").is_visible()
    assert page.get_by_role("tab", name="注意力", exact=True).is_visible()
    page.get_by_role("button", name="显示注意力").click()
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    assert "第 0 层" in page.locator(".js-plotly-plot .gtitle").first.text_content()
    screenshot(page, "attention_zh")
    page.get_by_role("tab", name="解码", exact=True).click()
    assert page.get_by_role("button", name="比较策略").is_visible()
    assert page.get_by_text("要比较的策略").is_visible()
    page.get_by_role("button", name="比较策略").click()
    page.wait_for_selector("text=束搜索 (B = 4", timeout=120_000)
    screenshot(page, "decoding_zh")
