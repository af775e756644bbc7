"""Lessons tab: every lesson as a panel — its context, the question, the link that opens the
lab, and the answer behind a fold. Pure layout: the texts are labels the page translates, the
link is the lab's shareable link, so there are no handlers."""

from __future__ import annotations

import gradio as gr

from components.ui import I18N
from demos.lessons.core import lessons


def build_tab(blocks: gr.Blocks) -> None:
    gr.Markdown(I18N("les_intro"))
    for lesson in lessons():
        with gr.Accordion(I18N(f"les_{lesson.key}_title"), open=False, elem_id=f"lesson_{lesson.key}"):
            gr.Markdown(I18N(f"les_{lesson.key}_body_md"), elem_classes=["lesson-body"])
            with gr.Accordion(I18N("les_reveal"), open=False, elem_id=f"lesson_{lesson.key}_answer"):
                gr.Markdown(I18N(f"les_{lesson.key}_answer_md"))
