"""The text-to-image lab in headless Chromium: type a prompt, watch it denoise (Play), see the word
maps; the layout on a projector (1280×720) and a phone (390×844); a shared link in Chinese.
Screenshots go to artifacts/."""

from urllib.parse import quote

from demos.text2image import core, figures, pipeline
from tests.browser import box, no_sideways_scroll, overlapping, texts_outside
from tests.conftest import screenshot

# the longest prompt accepted (core: 300 characters), in words the model knows: 33 words, more
# than the 30 the encoder reads between <start> and <end>
LONGEST = "triangle " * 33


def plot_title(page, element_id: str) -> str:
    return page.evaluate("id => (document.querySelector('#' + id + ' .gtitle') || {}).textContent || ''", element_id)


def wait_title(page, element_id: str, text: str, timeout: int = 120_000) -> None:
    page.wait_for_function("([id, text]) => ((document.querySelector('#' + id + ' .gtitle') || {}).textContent || '')"
                           ".includes(text)", arg=[element_id, text], timeout=timeout)


TITLES = "#{0} .infolayer text[class*=title], #{0} .infolayer .annotation-text"   # titles, subtitles, panel titles


def sub_tab(page, key: str) -> None:
    page.locator(f"#text2image_view_{key}-button").click()
    page.wait_for_timeout(400)


def test_type_a_prompt_watch_it_denoise_and_see_the_word_maps(page_factory):
    page = page_factory("en-US", "?lab=text2image", viewport=(1280, 720))
    wait_title(page, "text2image_denoise", "Step 25 of 25")                  # the link pressed Generate
    figure = box(page, "text2image_denoise")
    assert 0 <= figure["y"] < 720 - 300, figure                               # most of it on the first screen
    screenshot(page, "text2image_projector")

    prompt = page.locator("#text2image_prompt textarea")
    typed = "a small blue square at the bottom right"
    prompt.fill(typed)
    page.locator("#text2image_generate").click()
    # the notes give the judge's reading of the image drawn for the typed prompt (the loop, run here)
    record = core.denoise(pipeline.load().pipe, core.GenerateSettings(prompt=typed))
    page.wait_for_selector(f"#text2image_notes >> text={figures.reading_text(record.reading, 'en')}", timeout=120_000)
    page.locator("#text2image_play").click()
    page.wait_for_function("() => /Step [1-9] of 25/.test(document.querySelector('#text2image_denoise .gtitle')"
                           ".textContent)", timeout=60_000)              # Play starts over from step 1 …
    wait_title(page, "text2image_denoise", "Step 25 of 25", 60_000)          # … and walks to the end
    assert page.locator("#text2image_step input[type=number]").input_value() == "25"

    sub_tab(page, "attention")
    wait_title(page, "text2image_attention", "summed over all steps")
    plot = box(page, "text2image_attention", ".js-plotly-plot")
    assert plot["width"] >= 0.9 * box(page, "text2image_attention")["width"]   # full width after the switch
    assert 0 <= plot["y"] < 720 - 300
    titles = page.locator("#text2image_attention .annotation").all_text_contents()
    assert titles[0].startswith("<start>") and any(t.startswith("blue") for t in titles)   # a panel per word
    screenshot(page, "text2image_attention")

    sub_tab(page, "text")
    wait_title(page, "text2image_words", "Word embeddings")
    assert not overlapping(page, "#text2image_words .textpoint text")
    assert not overlapping(page, "#text2image_tokens .ytick text")
    screenshot(page, "text2image_words")

    # the longest accepted prompt: 32 tokens read, the rest cut off; no two labels overlap
    prompt.fill(LONGEST)
    page.locator("#text2image_generate").click()
    page.wait_for_selector("#text2image_notes >> text=cut off and not used", timeout=120_000)
    wait_title(page, "text2image_tokens", "32 tokens read")
    assert not overlapping(page, "#text2image_tokens .ytick text")
    sub_tab(page, "attention")
    wait_title(page, "text2image_attention", "summed over all steps")
    assert page.locator("#text2image_attention .annotation").count() == 32
    assert not overlapping(page, "#text2image_attention .annotation")
    screenshot(page, "text2image_attention_longest")

    sub_tab(page, "guidance")
    page.locator("#text2image_sweep").click()
    wait_title(page, "text2image_sweep_figure", "One seed at several guidance scales")
    plot = box(page, "text2image_guidance_figure", ".js-plotly-plot")
    assert plot["width"] >= 0.9 * box(page, "text2image_guidance_figure")["width"]
    screenshot(page, "text2image_guidance_figure")


def test_a_link_opens_the_lab_in_chinese_on_a_phone(page_factory):
    prompt = "右下角有一个小的蓝色正方形"
    page = page_factory("en-US", f"?lab=text2image&prompt={quote(prompt)}&steps=20&guidance=5&seed=3&lang=zh",
                        viewport=(390, 844))
    wait_title(page, "text2image_denoise", "第 20 步，共 20 步")
    assert page.locator("#text2image_prompt textarea").input_value() == prompt
    notes = page.locator("#text2image_notes").text_content()
    assert "20 步，引导强度 5" in notes and "评判程序读到" in notes
    assert no_sideways_scroll(page)
    controls, figure = box(page, "text2image_generate"), box(page, "text2image_denoise")
    assert controls["y"] < figure["y"] and figure["x"] >= 0 and figure["x"] + figure["width"] <= 390
    screenshot(page, "text2image_phone_zh")


def test_the_denoising_figure_keeps_its_titles_apart_and_inside_on_a_phone_and_a_projector(page_factory):
    """At 390 px the figure is ~330 px wide and plotly never wraps text: the title, the two panel
    titles and the strip's caption once ran past its edges and into each other."""
    for lang, viewport in (("en", (390, 844)), ("zh", (390, 844)), ("en", (1280, 720))):
        page = page_factory("en-US", f"?lab=text2image&steps=10&seed=3&lang={lang}", viewport=viewport)
        wait_title(page, "text2image_denoise", "10 of 10" if lang == "en" else "共 10 步")
        page.wait_for_timeout(300)
        assert texts_outside(page, "text2image_denoise") == [], (lang, viewport)
        assert overlapping(page, TITLES.format("text2image_denoise")) == [], (lang, viewport)
        assert no_sideways_scroll(page)
        screenshot(page, f"text2image_denoise_{lang}_{viewport[0]}")
        page.close()
