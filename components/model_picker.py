"""The model dropdown that labs share."""

from __future__ import annotations

import gradio as gr

from components import models
from components.ui import I18N


def model_picker(kind: str) -> gr.Dropdown:
    """A dropdown of the models a user may pick for ``kind``, bundled model first. Other values
    are let through to the handler, whose registry check answers in the user's language (and
    names the allowed ids) instead of gradio's English-only choice check."""
    return gr.Dropdown(
        choices=models.available(kind), value=models.default_model(kind),
        label=I18N("model"), info=I18N("model_info"), allow_custom_value=True,
    )
