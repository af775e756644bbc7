"""Lessons tab: every lesson as a panel — its context, the question, the link that opens the
lab, and the answer behind a fold. The texts are labels the page translates, the link is the
lab's shareable link. The tab is a link target itself: ``?lab=lessons&lesson=<key>`` opens it
with that lesson unfolded (``open_lesson``), so a teacher can send the class to one lesson."""

from __future__ import annotations

import gradio as gr

from components.links_ui import Linkable
from components.ui import I18N
from demos.lessons.core import LessonLink, lessons


def open_lesson(key: str) -> list:
    """Unfold the lesson a link named (the others stay as they are)."""
    return [gr.Accordion(open=True) if lesson.key == key else gr.skip() for lesson in lessons()]


def build_tab(blocks: gr.Blocks) -> Linkable:
    gr.Markdown(I18N("les_intro"))
    panels = []
    for lesson in lessons():
        with gr.Accordion(I18N(f"les_{lesson.key}_title"), open=False, elem_id=f"lesson_{lesson.key}") as panel:
            gr.Markdown(I18N(f"les_{lesson.key}_body_md"), elem_classes=["lesson-body"])
            with gr.Accordion(I18N("les_reveal"), open=False, elem_id=f"lesson_{lesson.key}_answer"):
                gr.Markdown(I18N(f"les_{lesson.key}_answer_md"))
        panels.append(panel)
    linked = gr.Textbox(visible=False)   # the lesson a link names; a link sets it, and it unfolds that lesson

    linked.change(open_lesson, [linked], panels, api_visibility="private", queue=False)
    return Linkable(settings=(LessonLink,), controls={"lesson": linked}, run=None, copy=None)
