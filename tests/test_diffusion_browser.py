"""The diffusion lab in headless Chromium: a shared link on a projector (1280×720) that denoises
its digit, with the samples on the first screen at 128 px, scrubbing, Play and Pause, the
forward process and the scheduler comparison at full width, Copy link; the 2D model trained live
with its particles in view, paths optional, Play, another sampler and Export; a phone (390×844);
the Chinese locale. Screenshots go to artifacts/."""

import dataclasses
import io
import re
import time

import numpy as np
from PIL import Image

from components import models
from demos.diffusion import core
from demos.diffusion import images as pictures
from tests.browser import box, no_sideways_scroll, overlapping, overlapping_labels, plot_width_share, press, show_view, wait_full_width
from tests.conftest import screenshot, title_contains







def shown_sample(page, element_id: str) -> dict:
    """The sample picture's size on the page against its own pixels."""
    return page.evaluate("""id => { const i = document.querySelector('#' + id + ' img'); const r = i.getBoundingClientRect();
        return {width: r.width, natural: i.naturalWidth, top: r.top, bottom: r.bottom, src: i.src}; }""", element_id)


def shown_step(page) -> int:
    return int(re.search(r"Step (\d+) of", page.locator("#diffusion_caption").text_content()).group(1))



def test_a_link_denoises_its_digit_on_a_projectors_first_screen(page_factory):
    page = page_factory("en-US", "?lab=diffusion&scheduler=dpmpp&steps=20&seed=3&digit=7", viewport=(1280, 720))
    page.wait_for_selector("#diffusion_caption >> text=Step 20 of 20", timeout=120_000)
    assert page.locator("#diffusion_sample_steps input[type=number]").input_value() == "20"
    assert page.locator("#diffusion_sample_seed input").input_value() == "3"
    # the result: the same seed gives the same digits as the loop run here, drawn 128 px a side
    unet, config = models.load_ddpm("digits-ddpm")
    final, _ = core.run(unet, config, core.SampleSettings(scheduler="dpmpp", steps=20, seed=3, digit="7"), record=False)
    expected = pictures.tile(final.numpy(), pictures.shown_columns(8), pictures.scale_for(16, pictures.DIGIT_PX))
    shown = shown_sample(page, "diffusion_xt")
    drawn = np.asarray(Image.open(io.BytesIO(page.request.get(shown["src"]).body())))[..., :3]
    np.testing.assert_array_equal(drawn, expected)
    assert shown["natural"] == 2 * pictures.DIGIT_PX + pictures.PAD and shown["width"] >= shown["natural"] - 1
    # on the first screen: the top of the samples, and at least 90% of them
    assert 0 <= shown["top"] < 720 and (720 - shown["top"]) / (shown["bottom"] - shown["top"]) >= 0.9
    screenshot(page, "diffusion_projector")

    number = page.locator("#diffusion_step input[type=number]")
    number.fill("5")
    number.press("Enter")
    page.wait_for_selector("#diffusion_caption >> text=Step 5 of 20", timeout=30_000)
    page.wait_for_function("src => document.querySelector('#diffusion_xt img').src !== src", arg=shown["src"],
                           timeout=30_000)
    # Play walks on from step 5; Pause stops it where it is
    press(page, "diffusion_play")
    page.wait_for_function("() => !/Step 5 of/.test(document.querySelector('#diffusion_caption').textContent)",
                           timeout=30_000)
    press(page, "diffusion_pause")
    time.sleep(1.0)
    paused = shown_step(page)
    time.sleep(1.5)
    assert shown_step(page) == paused and 5 < paused <= 20

    page.locator("#diffusion_copy_link").click()
    page.wait_for_function("() => (document.querySelector('#diffusion_link textarea, #diffusion_link input') || {})"
                           ".value", timeout=30_000)
    link = page.locator("#diffusion_link textarea, #diffusion_link input").first.input_value()
    assert link.endswith("?lab=diffusion&scheduler=dpmpp&steps=20&digit=7&seed=3"), link

    # the forward process, drawn while its sub-tab was hidden, at full width; only its source's control
    show_view(page, "diffusion_views", "Forward process")
    for plot in ("diffusion_strip", "diffusion_schedules"):
        wait_full_width(page, plot)
    assert page.locator("#diffusion_forward_digit").is_visible()
    page.get_by_label("a digit, by number").check()
    page.locator("#diffusion_forward_index").wait_for(timeout=30_000)
    assert not page.locator("#diffusion_forward_digit").is_visible()
    assert not page.locator("#diffusion_forward_photo").is_visible()
    screenshot(page, "diffusion_forward")

    show_view(page, "diffusion_views", "Compare schedulers")
    press(page, "diffusion_compare")
    page.wait_for_selector("#diffusion_compare_note >> text=is deterministic", timeout=120_000)
    wait_full_width(page, "diffusion_compare_plot")
    assert box(page, "diffusion_compare_plot")["top"] < 720
    # three panels of two samples a row: each sample at least 128 px a side
    widths = page.evaluate("() => [...document.querySelectorAll('#diffusion_compare_plot image')]"
                           ".map(i => i.getBoundingClientRect().width)")
    assert len(widths) == 3 and min(widths) / 2 >= pictures.DIGIT_PX
    screenshot(page, "diffusion_compare")


def particle_names(page) -> list:
    return page.evaluate("() => document.querySelector('#diffusion_2d_particles .js-plotly-plot').data"
                         ".map(t => t.name)")


def test_the_2d_model_trains_live_and_its_particles_stay_in_view(page_factory, monkeypatch):
    """The 2D run streams 2 updates a second here, as in the GAN's browser test: headless
    Chromium on 2 shared cores falls behind at 10."""
    from components import live

    monkeypatch.setattr(live, "LIMITS", dataclasses.replace(live.LIMITS, stream_interval_s=0.5))
    page = page_factory("en-US", viewport=(1280, 720))
    page.get_by_role("tab", name="Diffusion", exact=True).click()
    show_view(page, "diffusion_views", "2D diffusion, trained live")
    steps = page.locator("#diffusion_2d_train_steps input[type=number]")
    steps.fill("6000")
    steps.press("Enter")
    press(page, "diffusion_2d_start")
    page.wait_for_selector("#diffusion_2d_status >> text=training…", timeout=90_000)
    title_contains(page, "Training loss L_simple")             # the loss curve streams while training runs
    press(page, "diffusion_2d_pause")
    page.wait_for_selector("#diffusion_2d_status >> text=paused", timeout=60_000)
    title_contains(page, "1,000 particles at step 100 of 100")  # a paused run is sampled
    particles = box(page, "diffusion_2d_particles")
    assert 0 <= particles["top"] < 720 and (720 - particles["top"]) / (particles["bottom"] - particles["top"]) >= 0.8
    assert plot_width_share(page, "diffusion_2d_particles") >= 0.9
    names = particle_names(page)
    assert names.index("paths") < names.index("particles")     # the paths under the particles
    page.get_by_label("Show the paths of 40 particles").uncheck()
    page.wait_for_function("() => !document.querySelector('#diffusion_2d_particles .js-plotly-plot').data"
                           ".some(t => t.name === 'paths')", timeout=30_000)
    screenshot(page, "diffusion_2d")

    page.get_by_label("DDPM (fresh noise each step)").check()
    press(page, "diffusion_2d_sample")
    page.wait_for_selector("#diffusion_2d_status >> text=sampled again", timeout=60_000)
    assert "DDPM" in page.locator("#diffusion_2d_status").text_content()
    number = page.locator("#diffusion_2d_view_step input[type=number]")
    number.fill("90")
    number.press("Enter")
    title_contains(page, "at step 90 of 100")
    press(page, "diffusion_2d_play")                             # on to the last step
    title_contains(page, "at step 100 of 100")

    press(page, "diffusion_export")
    page.wait_for_selector("#diffusion_export_files >> text=.csv", timeout=60_000)
    assert page.locator("#diffusion_export_files").get_by_text(".json").count() == 1


def test_on_a_phone_the_samples_keep_128_pixels_and_nothing_scrolls_sideways(page_factory):
    page = page_factory("en-US", "?lab=diffusion&steps=10&images=4", viewport=(390, 844))
    page.wait_for_selector("#diffusion_caption >> text=Step 10 of 10", timeout=120_000)
    assert no_sideways_scroll(page)
    for element_id in ("diffusion_xt", "diffusion_x0"):
        shown = shown_sample(page, element_id)
        assert shown["width"] >= shown["natural"] - 1 and shown["natural"] >= 2 * pictures.DIGIT_PX
        assert box(page, element_id)["right"] <= 390
    page.locator("#diffusion_xt").scroll_into_view_if_needed()
    screenshot(page, "diffusion_phone")
    for name in ("Forward process", "2D diffusion, trained live"):
        show_view(page, "diffusion_views", name)
        page.wait_for_timeout(500)
        assert no_sideways_scroll(page), name
    press(page, "diffusion_2d_reset")                             # a fresh run, sampled untrained
    title_contains(page, "1,000 particles at step 100 of 100")
    assert no_sideways_scroll(page) and box(page, "diffusion_2d_particles")["right"] <= 390
    # the x ticks, the x title and the legend's three rows apart (plotly had moved "x₁" up onto
    # the "0" to keep it clear of the legend)
    page.wait_for_timeout(800)
    assert overlapping(page, ", ".join(f"#diffusion_2d_particles {part}" for part in
                                       (".xtick text", ".g-xtitle text", ".legendtext"))) == []
    screenshot(page, "diffusion_phone_2d")


# the time grid's x labels and its picture, against its plot area, once the page script has fitted it
TIME_GRID = """() => {
    const gd = document.querySelector('#diffusion_time_grid .js-plotly-plot'), full = gd._fullLayout;
    const labels = [...gd.querySelectorAll('.xtick text')].map((t) => t.textContent);
    const picture = gd.querySelector('.imagelayer image, image').getBoundingClientRect();
    return {labels, server: gd._fit.thin.length ? gd._fit.thin[0].text.length : null,
            plotHeight: full._size.h, pictureHeight: picture.height, pictureWidth: picture.width};
}"""
SETTLED_TIME_GRID = """() => { const gd = document.querySelector('#diffusion_time_grid .js-plotly-plot');
    return gd && gd._fit && gd._fit.layout === gd.layout && !gd._fitBusy; }"""


def test_the_time_grids_step_labels_stay_apart_on_a_phone_and_all_show_on_a_projector(page_factory):
    """Ten columns of ~25 px on a phone, each labelled "940 / →893" (~30 px wide): the page labels
    every k-th column, k the smallest that keeps the labels apart, and shortens the figure to its
    picture; on a projector every column keeps its label."""
    page = page_factory("en-US", "?lab=diffusion&steps=10&images=4", viewport=(390, 844))
    page.wait_for_selector("#diffusion_caption >> text=Step 10 of 10", timeout=120_000)
    page.wait_for_function(SETTLED_TIME_GRID, timeout=60_000)
    page.wait_for_timeout(800)
    phone = page.evaluate(TIME_GRID)
    assert overlapping_labels(page, "diffusion_time_grid") == []
    # every other or every third column: the first column's label, and at least four of ten
    assert phone["server"] == 10 and 4 <= len(phone["labels"]) < 10, phone
    assert phone["labels"][0].startswith("9") and phone["labels"][0].count("→") == 1, phone
    # the picture fills its plot area's height (no blank band above and below it)
    assert phone["pictureHeight"] >= phone["plotHeight"] - 4, phone
    assert box(page, "diffusion_time_grid")["right"] <= 390 and no_sideways_scroll(page)
    page.locator("#diffusion_time_grid").scroll_into_view_if_needed()
    screenshot(page, "diffusion_time_grid_390")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.wait_for_function("() => document.querySelector('#diffusion_time_grid .main-svg').getBoundingClientRect()"
                           ".width > 600", timeout=30_000)
    page.wait_for_function(SETTLED_TIME_GRID, timeout=60_000)
    page.wait_for_timeout(800)
    assert len(page.evaluate(TIME_GRID)["labels"]) == 10
    assert overlapping_labels(page, "diffusion_time_grid") == []
    screenshot(page, "diffusion_time_grid_1280")


def test_chinese_locale(page_factory):
    page = page_factory("zh-CN", "?lab=diffusion&steps=10")
    page.wait_for_selector("#diffusion_caption >> text=第 10 步，共 10 步", timeout=120_000)
    assert page.get_by_role("tab", name="二维扩散（现场训练）", exact=True).is_visible()
    assert page.get_by_text("数字分类器的识别结果").is_visible()
    title_contains(page, "去噪过程中的 x_t 与 x̂₀")
    screenshot(page, "diffusion_zh")
    show_view(page, "diffusion_views", "二维扩散（现场训练）")
    press(page, "diffusion_2d_reset")
    page.wait_for_selector("#diffusion_2d_status >> text=训练步 0", timeout=60_000)
    title_contains(page, "1,000 个粒子，第 100 步，共 100 步")
    assert page.get_by_text("显示 40 个粒子的轨迹").is_visible()
    screenshot(page, "diffusion_2d_zh")
