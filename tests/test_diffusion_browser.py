"""The diffusion lab in headless Chromium: one flow per view, and the Chinese locale. Screenshots go to artifacts/."""

from tests.conftest import screenshot, title_contains


def test_diffusion_tab_denoises_scrubs_and_trains_in_2d(page_factory, monkeypatch):
    """The 2D run streams 2 updates a second here, as in the GAN's browser test: headless
    Chromium on 2 shared cores falls behind at 10."""
    import dataclasses

    from components import live

    monkeypatch.setattr(live, "LIMITS", dataclasses.replace(live.LIMITS, stream_interval_s=0.5))
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
    steps = page.locator("input[aria-label='number input for Training steps']")
    steps.fill("6000")
    steps.press("Enter")
    press(page, "diffusion_2d_start")
    page.wait_for_selector("#diffusion_2d_status >> text=training…", timeout=90_000)
    title_contains(page, "Training loss L_simple")             # the loss curve streams while training runs
    press(page, "diffusion_2d_pause")
    page.wait_for_selector("#diffusion_2d_status >> text=paused", timeout=60_000)
    title_contains(page, "1,000 particles at step 100 of 100")  # a paused run is sampled
    page.get_by_label("DDPM (fresh noise each step)").check()
    press(page, "diffusion_2d_sample")
    page.wait_for_selector("#diffusion_2d_status >> text=sampled again", timeout=60_000)
    assert "DDPM" in page.locator("#diffusion_2d_status").text_content()
    number = page.locator("input[aria-label='number input for Denoising step']")
    number.fill("40")
    number.press("Enter")
    title_contains(page, "at step 40 of 100")
    screenshot(page, "diffusion_2d")


def press(page, button_id: str) -> None:
    """By id, not by role and name: on a page starved by live training a role query walks every
    plot's SVG (see tests/test_gan_browser.py)."""
    page.locator(f"#{button_id}").dispatch_event("click", timeout=90_000)


def test_diffusion_tab_in_chinese(page_factory):
    page = page_factory("zh-CN")
    page.get_by_role("tab", name="扩散模型", exact=True).click()
    assert page.get_by_role("tab", name="二维扩散（现场训练）", exact=True).is_visible()
    page.get_by_role("button", name="去噪", exact=True).click()
    page.wait_for_selector("text=第 50 步，共 50 步", timeout=120_000)
    assert page.get_by_text("数字分类器的识别结果").is_visible()
    title_contains(page, "去噪过程中的 x_t 与 x̂₀")
    screenshot(page, "diffusion_zh")
    page.get_by_role("tab", name="二维扩散（现场训练）", exact=True).click()
    press(page, "diffusion_2d_reset")                             # a fresh run, sampled untrained
    page.wait_for_selector("#diffusion_2d_status >> text=训练步 0", timeout=60_000)
    title_contains(page, "1,000 个粒子，第 100 步，共 100 步")
    screenshot(page, "diffusion_2d_zh")
