"""Lessons are data: every file has both languages and a link the app can follow."""

from __future__ import annotations

import dataclasses

import pytest

from components import links
from demos.lessons import core


def test_every_lesson_has_both_languages_and_a_link_the_app_accepts():
    import app  # noqa: F401 - builds the page, so every lab's linked settings are known
    from components.links_ui import LINKED_SETTINGS

    assert len(core.lessons()) >= 2
    for lesson in core.lessons():
        state = links.parse_query(dict(p.split("=", 1) for p in lesson.link.split("&")), LINKED_SETTINGS)
        assert state.lab == lesson.lab and not state.problems, (lesson.key, state.problems)
        assert all(lesson.texts[lang]["question"] for lang in core.LANGS)


def test_a_lesson_file_missing_a_text_is_refused(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('order = 1\nlink = "lab=gan"\n[en]\ntitle = "t"\ncontext = "c"\nquestion = "q"\nanswer = "a"\n'
                    '[zh]\ntitle = "t"\ncontext = "c"\nquestion = "q"\n')
    with pytest.raises(ValueError, match="zh.answer"):
        core.read(path)


def test_a_lesson_walks_from_question_to_lab_to_answer(page_factory, monkeypatch):
    """The server is in this process; it streams one update a second, as in the GAN's browser test:
    at 10, headless Chromium on a busy 2-core CI machine fell behind and never answered the wait."""
    from components import live

    monkeypatch.setattr(live, "LIMITS", dataclasses.replace(live.LIMITS, stream_interval_s=1.0))
    page = page_factory("zh-CN")
    page.get_by_role("tab", name="课程", exact=True).click()
    lesson = core.lessons()[0]
    page.locator(f"#lesson_{lesson.key}").get_by_text(lesson.texts["zh"]["title"]).click()
    answer = page.locator(f"#lesson_{lesson.key}_answer")
    assert not page.get_by_text(lesson.texts["zh"]["answer"][:12]).is_visible()   # hidden until asked
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="打开本课的实验").first.click()
    lab_page = opened.value
    lab_page.wait_for_selector("#gan_status >> text=次迭代", timeout=120_000)   # the lab ran, in Chinese
    answer.get_by_text("查看答案").click()
    page.get_by_text(lesson.texts["zh"]["answer"][:12]).wait_for(timeout=30_000)
