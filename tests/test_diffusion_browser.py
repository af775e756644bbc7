"""The diffusion lab in headless Chromium: one flow per view, and the Chinese locale. Screenshots go to artifacts/."""

from tests.conftest import screenshot, title_contains


def test_diffusion_tab_denoises_scrubs_and_trains_in_2d(page_factory):
    page = page_factory("en-US")
    page.get_by_role("tab", name="Diffusion", exact=True).click()
    page.get_by_role("button", name="Denoise").click()
    page.wait_for_selector("text=Step 50 of 50", timeout=120_000)
    xt = page.locator("#dif-xt img")
    final_src = xt.get_attribute("src")
    number = page.locator("input[aria-label='number input for Show step']")
    number.fill("10")
    number.press("Enter")
    page.wait_for_selector("text=Step 10 of 50", timeout=30_000)
    page.wait_for_function("([el, src]) => el.getAttribute('src') !== src", arg=[xt.element_handle(), final_src],
                           timeout=30_000)
    screenshot(page, "diffusion_reverse")

    page.get_by_role("tab", name="Forward process", exact=True).click()
    title_contains(page, "Noise schedules")
    screenshot(page, "diffusion_forward")

    page.get_by_role("tab", name="Compare schedulers", exact=True).click()
    page.get_by_role("button", name="Compare", exact=True).click()
    page.wait_for_selector("text=DDIM with η = 0 is deterministic", timeout=120_000)
    screenshot(page, "diffusion_compare")

    page.get_by_role("tab", name="2D diffusion, trained live", exact=True).click()
    page.get_by_role("button", name="Train and sample").click()
    page.wait_for_selector("text=Training… step", timeout=60_000)   # the curve streams while training runs
    page.wait_for_selector("text=Move the step slider", timeout=120_000)
    title_contains(page, "1,000 particles at step 100 of 100")
    number = page.locator("input[aria-label='number input for Denoising step']")
    number.fill("40")
    number.press("Enter")
    title_contains(page, "at step 40 of 100")
    screenshot(page, "diffusion_2d")


def test_diffusion_tab_in_chinese(page_factory):
    page = page_factory("zh-CN")
    page.get_by_role("tab", name="扩散模型", exact=True).click()
    assert page.get_by_role("tab", name="二维扩散（现场训练）", exact=True).is_visible()
    page.get_by_role("button", name="去噪", exact=True).click()
    page.wait_for_selector("text=第 50 步，共 50 步", timeout=120_000)
    assert page.get_by_text("数字分类器的识别结果").is_visible()
    title_contains(page, "去噪过程中的 x_t 与 x̂₀")
    screenshot(page, "diffusion_zh")
