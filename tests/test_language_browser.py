"""The whole page follows its language, tab labels included, whichever way it was chosen: ``lang=``
in a link (the page is built in the browser's language first) or the footer's Settings.

Gradio translates the tab strips' labels once, when it builds the page; before
``components/links_ui.py`` re-applied them on a change of language, ``?lang=zh`` in an English
browser left every tab but the open ones in English in about 8 loads of 9. Several loads each,
because the old failure depended on which of two loads finished first.
"""

from __future__ import annotations

import pytest

import demos
from components import i18n
from tests.conftest import screenshot

LOADS = 3

# every tab label the page has, English -> Chinese (top-level tabs and each lab's sub-tabs)
TAB_TEXTS = """() => [...document.querySelectorAll('[role=tab]')].map((tab) => tab.textContent.trim())"""
TOP_TABS = """() => [...document.querySelector('[role=tablist]').querySelectorAll('[role=tab]')]
    .map((tab) => tab.textContent.trim())"""


def english_to_chinese() -> dict[str, str]:
    import app
    import gradio as gr
    from gradio.i18n import I18nData

    tables = i18n.tables()
    return {tables["en"][tab.label.key]: tables["zh"][tab.label.key] for tab in app.demo.blocks.values()
            if isinstance(tab, gr.Tab) and isinstance(tab.label, I18nData)}


def wait_all_chinese(page) -> None:
    """Until every tab on the page reads in Chinese: the top-level ones exactly as the tables say,
    and no sub-tab label left in English (a wait, not a retry: a stale label never changes)."""
    top = [i18n.tables()["zh"][lab.tab_label] for lab in demos.labs()]
    english = sorted(en for en, zh in english_to_chinese().items() if en != zh)
    page.wait_for_function("""([top, english]) => {
        const all = [...document.querySelectorAll('[role=tab]')].map((tab) => tab.textContent.trim());
        const first = [...document.querySelector('[role=tablist]').querySelectorAll('[role=tab]')]
            .map((tab) => tab.textContent.trim());
        return JSON.stringify(first) === JSON.stringify(top) && !all.some((text) => english.includes(text));
    }""", arg=[top, english], timeout=30_000)


@pytest.mark.parametrize("query", ["?lang=zh&lab=gan&iterations=1", "?lang=zh&lab=lessons"])
def test_a_chinese_link_turns_every_tab_label_chinese(page_factory, query):
    for load in range(LOADS):
        page = page_factory("en-US", query)
        try:
            wait_all_chinese(page)
        except Exception:
            screenshot(page, f"language_tabs_failed_{load}")
            raise AssertionError(f"load {load + 1} of {query}: tabs {page.evaluate(TAB_TEXTS)}") from None
        assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
        page.context.close()


@pytest.mark.xfail(strict=False, reason="issue 15, open: in 1 of 3 full runs on a busy machine "
                   "?lang=zh&lab=lessons left the Attention tab selected instead of Lessons (a race between "
                   "the link's tab selection and the relabelling on a change of language, not yet found)")
def test_a_chinese_link_keeps_each_lab_on_its_first_view_and_labels_the_others(page_factory):
    """Sub-tabs of a lab not open when the page was built (decoding) read in Chinese once opened, and
    the attention lab, open at the build, stays on its first view."""
    chinese = english_to_chinese()
    page = page_factory("en-US", "?lang=zh&lab=lessons")
    wait_all_chinese(page)
    selected = page.evaluate("""() => [...document.querySelectorAll('[role=tab][aria-selected=true]')]
        .map((tab) => tab.textContent.trim())""")
    assert selected[:2] == [chinese["Lessons"], chinese["Head"]], selected   # the lab's first view
    page.get_by_role("tab", name=chinese["Decoding"], exact=True).click()
    page.get_by_role("tab", name=chinese["Beam search tree"], exact=True).wait_for(timeout=30_000)
    wait_all_chinese(page)


def test_the_footer_language_switch_turns_every_tab_label_chinese(page_factory):
    page = page_factory("en-US")
    assert page.evaluate(TOP_TABS)[0] == "Attention"
    page.locator("button.settings").click()
    page.wait_for_function("() => [...document.querySelectorAll('input')].some((box) => box.value === 'English')",
                           timeout=30_000)
    next(box for box in page.locator("input").all() if box.input_value() == "English").click()
    page.locator("li", has_text="简体中文").first.click()
    page.keyboard.press("Escape")
    wait_all_chinese(page)


def test_the_sketch_pad_speaks_the_page_language(page_factory):
    """Gradio has no Chinese for its image editor: the pad's hint and tool tips come from
    ``components/sketch.py``."""
    from components.sketch import EDITOR_EN, EDITOR_ZH

    page = page_factory("zh-CN", "?lab=vae&iterations=1")
    hint = page.locator("#vae_sketch").get_by_text(EDITOR_ZH["image_editor.select_draw_tool"])
    hint.wait_for(timeout=60_000)
    assert EDITOR_EN["image_editor.select_draw_tool"] not in page.locator("#vae_sketch").inner_text()
    screenshot(page, "language_sketch_zh")
