"""Gradio-side pieces every lab uses: ``I18N(key)`` for a translated label, the translations
passed to ``launch(i18n=...)``, and the explanation panel with LaTeX formulas."""

from __future__ import annotations

import gradio as gr

from components import sketch  # noqa: F401  (registers the sketch pad's own words in Chinese)
from components.i18n import frontend_tables

# I18N(key) marks a label for the browser to translate; the tables go to the page at launch,
# once every lab has registered its strings (``translations()``)
I18N = gr.I18n()


def translations() -> gr.I18n:
    return gr.I18n(**frontend_tables())


LATEX_DELIMITERS = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]


def explanation(key: str) -> gr.Markdown:
    """A lab's explanation panel: translated Markdown with $inline$ and $$display$$ LaTeX."""
    return gr.Markdown(I18N(key), latex_delimiters=LATEX_DELIMITERS)


def export_panel(prefix: str) -> tuple[gr.Button, gr.File]:
    """An "Export" button and the files it makes (``components.exports``): the result as JSON,
    and for a training lab its curves as CSV. The files appear under the button to download."""
    button = gr.Button(I18N("export_button"), size="sm", min_width=60, elem_id=f"{prefix}_export")
    files = gr.File(label=I18N("export_files"), file_count="multiple", interactive=False, height=90,
                    elem_id=f"{prefix}_export_files")
    return button, files
