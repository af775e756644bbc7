"""Shareable links: the query checked against a lab's settings, and a link opened in the browser."""

from __future__ import annotations

import dataclasses
import re

import pytest

from components import links
from components.settings import setting
from tests.conftest import screenshot


@dataclasses.dataclass(frozen=True)
class Steps:
    steps: int = setting(50, label="seed", low=1, high=200)
    mode: str = setting("a", label="seed", choices=("a", "b"))
    fast: bool = setting(False, label="seed")

    def check(self):
        if self.mode == "b" and self.steps > 100:
            raise links.InputError("err_out_of_range", name="seed", low=1, high=100, value=self.steps)


LINKED = {"toy": (Steps,)}


def test_a_good_link_sets_the_lab_values_hidden_controls_and_language():
    state = links.parse_query({"lab": "toy", "steps": "20", "mode": "b", "fast": "true", "hide": "mode",
                               "lang": "zh"}, LINKED)
    assert state == links.LinkState("toy", {"steps": 20, "mode": "b", "fast": True}, ("mode",), "zh")
    assert links.notice(state, "en") == ""


@pytest.mark.parametrize("query, kept, problem", [
    ({"lab": "nope"}, {}, "unknown lab"),
    ({"lab": "toy", "steps": "NaN"}, {}, "'steps=NaN' was left out"),
    ({"lab": "toy", "steps": "1e9", "mode": "b"}, {"mode": "b"}, "'steps=1e9' was left out"),
    ({"lab": "toy", "steps": "2.5"}, {}, "whole number"),
    ({"lab": "toy", "mode": "<script>alert(1)</script>"}, {}, "&lt;script&gt;"),
    ({"lab": "toy", "mode": "javascript:alert(1)"}, {}, "was left out"),
    ({"lab": "toy", "colour": "red"}, {}, "unknown setting 'colour'"),
    ({"lab": "toy", "steps": "150", "mode": "b"}, {}, "do not go together"),
    ({"lab": "toy", "lang": "fr"}, {}, "unknown language"),
    ({"steps": "3"}, {}, "no lab"),
    ({"lab": "toy", "steps": "9" * 10_000}, {}, "…"),
])
def test_bad_links_fall_back_to_defaults_with_a_notice(query, kept, problem):
    state = links.parse_query(query, LINKED)
    assert state.values == kept
    text = links.notice(state, "en")
    assert problem in text and "<script>" not in text and len(text) < 600


def test_a_link_carries_only_what_differs_from_the_defaults():
    assert links.query_for("toy", {"steps": 50, "mode": "b", "fast": True}, (Steps,)) == "lab=toy&mode=b&fast=true"
    back = links.parse_query(dict(pair.split("=") for pair in "lab=toy&mode=b&fast=true".split("&")), LINKED)
    assert back.values == {"mode": "b", "fast": True}


def test_a_link_opens_the_gan_lab_in_its_state_and_runs_it(page_factory):
    page = page_factory("en-US", "?lab=gan&seed=3&iterations=40&lr_g=0.004&hide=batch&lang=zh")
    page.wait_for_selector("#gan_status >> text=第 40 次迭代", timeout=120_000)   # started by the link, in Chinese
    assert page.locator("#gan_seed input").input_value() == "3"
    assert page.locator("#gan_lr_g input").input_value() == "0.004"
    assert not page.locator("#gan_batch").is_visible()
    page.wait_for_selector("#gan_start >> text=开始", timeout=30_000)   # the labels follow lang= too
    screenshot(page, "link_gan_zh")


def test_a_bad_link_shows_a_notice_and_the_defaults(page_factory):
    page = page_factory("en-US", "?lab=gan&seed=-4&loss=%3Cscript%3Ealert(1)%3C/script%3E&colour=red")
    notice = page.locator("#link_notice")
    notice.wait_for(timeout=60_000)
    text = notice.text_content()
    assert "could not be followed" in text and "colour" in text and "<script>" in text
    assert page.locator("#link_notice script").count() == 0
    assert page.locator("#gan_seed input").input_value() == "0"
    # issue 15: the footer's Settings turn the page Chinese, and the notice is composed again in Chinese
    from tests.browser import choose_language

    choose_language(page, "简体中文")
    chinese = links.translate("link_notice", "zh").replace("**", "")   # drawn in bold
    page.wait_for_function("text => document.querySelector('#link_notice').textContent.includes(text)", arg=chinese,
                           timeout=60_000)
    assert "<script>" in notice.text_content() and page.locator("#link_notice script").count() == 0


def test_a_change_of_language_composes_the_link_notice_again_and_a_good_link_needs_none():
    import gradio as gr

    from components import links_ui

    linkables = {"toy": links_ui.Linkable((Steps,), {}, None, None)}
    again = links_ui._notice_again("?lab=toy&steps=NaN", linkables, "zh")
    assert again.value == links.notice(links.parse_query({"lab": "toy", "steps": "NaN"}, LINKED), "zh")
    assert isinstance(links_ui._notice_again("?lab=toy&steps=3", linkables, "zh"), type(gr.skip()))


def test_a_live_note_is_said_again_in_the_new_language():
    from components import links_ui
    from components.i18n import translate

    diverged = translate("live_diverged", "en", iteration=12, what="G")
    assert links_ui._note_again(diverged, "en", "zh") == ("live_diverged", translate("live_diverged", "zh", iteration="12",
                                                                                     what="G"))
    assert links_ui._note_again(translate("live_paused", "zh"), "zh", "en") == ("live_paused",
                                                                                  translate("live_paused", "en"))
    assert links_ui._note_again("something else", "en", "zh") is None


def test_copy_link_writes_the_current_settings(page_factory):
    page = page_factory("en-US")
    page.get_by_role("tab", name="GAN", exact=True).click()
    seed = page.locator("#gan_seed input")
    seed.fill("7")
    seed.press("Enter")
    page.locator("#gan_copy_link").click()
    shown = page.locator("#gan_link textarea, #gan_link input").first
    shown.wait_for(timeout=30_000)
    page.wait_for_function("() => (document.querySelector('#gan_link textarea, #gan_link input') || {}).value",
                           timeout=30_000)
    assert re.search(r"\?lab=gan&seed=7$", shown.input_value())


def test_a_bad_link_says_nothing_was_run_and_a_link_without_a_lab_does_not():
    bad = links.notice(links.parse_query({"lab": "toy", "steps": "NaN"}, LINKED), "en")
    assert bad.endswith("Nothing was run: check the settings, then press the lab's button.")
    assert "没有自动运行" in links.notice(links.parse_query({"lab": "toy", "steps": "NaN"}, LINKED), "zh")
    assert "Nothing was run" not in links.notice(links.parse_query({"lang": "fr"}, LINKED), "en")


def test_a_link_may_name_the_lessons_tab_and_one_lesson():
    from demos.lessons.core import LESSON_DIR, LessonLink

    linked = {"lessons": (LessonLink,)}
    key = sorted(LESSON_DIR.glob("*.toml"))[0].stem          # a lesson is named by its file
    assert links.parse_query({"lab": "lessons"}, linked) == links.LinkState("lessons", {}, (), None)
    assert links.parse_query({"lab": "lessons", "lesson": key}, linked).values == {"lesson": key}
    state = links.parse_query({"lab": "lessons", "lesson": "no-such-lesson"}, linked)
    assert state.values == {} and "'lesson=no-such-lesson' was left out" in links.notice(state, "en")


def test_a_link_opens_the_lessons_tab_at_one_lesson(page_factory):
    from demos.lessons.core import lessons

    first, second = lessons()[:2]
    page = page_factory("en-US", f"?lab=lessons&lesson={second.key}")
    page.get_by_text(second.texts["en"]["question"]).wait_for(timeout=60_000)   # that lesson is unfolded
    assert not page.get_by_text(first.texts["en"]["question"]).is_visible()   # the others are not
    assert not page.locator("#link_notice").is_visible()


def test_a_bad_link_runs_nothing(page_factory):
    """A link with a bad value shows the notice and the defaults, and the lab's main action does
    not start: the GAN status never leaves its first line (a good link reaches an iteration within
    a second or two; the page presses the button 0.3 s after the link is applied)."""
    page = page_factory("en-US", "?lab=gan&iterations=3&seed=nan")
    notice = page.locator("#link_notice")
    notice.wait_for(timeout=60_000)
    assert "Nothing was run" in notice.text_content()
    assert page.locator("#gan_iterations input").input_value() == "3"   # what was right is set
    before = page.locator("#gan_status").text_content()
    page.wait_for_timeout(5_000)
    assert page.locator("#gan_status").text_content() == before and "Iteration" not in before


def test_the_redraws_go_as_one_event_and_one_that_fails_leaves_only_its_own_views():
    import gradio as gr

    from components import links_ui
    from components.handlers import handler

    @handler()
    def fine(value, lang: str):
        return f"{value} {lang}", lang

    @handler()
    def broken(value, lang: str):
        raise ValueError("boom")

    with gr.Blocks():
        a, b, c, d, e = (gr.Textbox() for _ in range(5))
    redraws = [links_ui.Redraw(fine, [a], [b, c]), links_ui.Redraw(broken, [a], [d]), links_ui.Redraw(fine, [e], [a, e])]
    both = links_ui._redraw_all(redraws)
    assert list(inspect_parameters(both)) == ["value_0", "value_1", "value_2", "request"]
    out = both("x", "y", "z", None)
    assert out[:2] == ["x en", "en"] and isinstance(out[2], type(gr.skip())) and out[3:] == ["z en", "en"]


def inspect_parameters(fn):
    import inspect

    return inspect.signature(fn).parameters


def test_the_page_wires_one_redraw_event_with_every_lab_s_redraws():
    import app

    [event] = [f for f in app.demo.fns.values() if f.fn is not None and f.fn.__name__ == "redraw_all"]
    ids = {getattr(block, "elem_id", None) for block in event.outputs}
    assert {"attention_head_plot", "gan_main", "vae_curves", "transformer_curves", "diffusion_2d_particles",
            "decoding_distribution", "text2image_denoise"} <= ids
    assert event.concurrency_id == "control" and event.api_visibility == "private" and event.show_progress == "hidden"
