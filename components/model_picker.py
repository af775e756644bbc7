"""The model dropdown that labs share."""

from __future__ import annotations

import gradio as gr

from components import models
from components.ui import I18N


def model_picker(kind: str) -> gr.Dropdown:
    """A dropdown of the models a user may pick for ``kind``, bundled model first."""
    return gr.Dropdown(
        choices=models.available(kind), value=models.default_model(kind),
        label=I18N("model"), info=I18N("model_info"),
    )
