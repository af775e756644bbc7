"""Gradio-side pieces every lab uses: the one ``gr.I18n`` object, passed to ``launch(i18n=...)``."""

from __future__ import annotations

import gradio as gr

from components.i18n import frontend_tables

I18N = gr.I18n(**frontend_tables())
