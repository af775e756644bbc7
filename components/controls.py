"""Gradio controls built from a lab's settings dataclass (``components.settings``).

``build(Settings)`` makes one component per field — label, default, limits, choices and help from
the field's declaration — and returns them by name; the layout places them. ``inputs`` lists them
in field order for an event whose handler takes ``settings`` (``components.handlers.handler``).
``preset_outputs`` / ``preset_values`` let a preset dropdown set the controls.
"""

from __future__ import annotations

import gradio as gr

from components.settings import Control, apply, controls, defaults
from components.ui import I18N


def _choices(control: Control) -> list[tuple]:
    if control.choice_label is None:
        return [(c, c) for c in control.choices]
    return [(I18N(control.choice_label.format(c)), c) for c in control.choices]


def component(name: str, control: Control, default, elem_prefix: str, **overrides) -> gr.Component:
    """One control. Number boxes carry no minimum/maximum and choices accept any value on the
    page: the server checks every value (``settings.parse``) and answers in the user's language,
    where gradio's own checks would answer in English."""
    common = dict(label=I18N(control.label), value=default, elem_id=f"{elem_prefix}_{name}")
    if control.info:
        common["info"] = I18N(control.info)
    common.update(overrides)
    if control.widget == "slider":
        return gr.Slider(control.low, control.high, step=control.step or (1 if control.kind is int else None),
                         **common)
    if control.widget == "number":
        return gr.Number(precision=0 if control.kind is int else None, step=control.step or 1, **common)
    if control.widget == "dropdown":
        return gr.Dropdown(_choices(control), allow_custom_value=True, **common)
    if control.widget == "radio":
        return gr.Radio(_choices(control), **common)
    if control.widget == "checkbox":
        return gr.Checkbox(**common)
    return gr.Textbox(max_length=control.max_chars, **common)


def build(settings_cls, elem_prefix: str, names=None, **overrides) -> dict[str, gr.Component]:
    """Components for the fields ``names`` (all by default), in declaration order; ``overrides``
    maps a field name to extra keyword arguments for its component (``scale``, ``visible``, …)."""
    specs, values = controls(settings_cls), defaults(settings_cls)
    wanted = list(specs) if names is None else list(names)
    return {name: component(name, specs[name], values[name], elem_prefix, **overrides.get(name, {}))
            for name in wanted}


def inputs(settings_cls, built: dict[str, gr.Component]) -> list[gr.Component]:
    """The components in the settings' field order: the inputs of a ``handler(settings_cls)``."""
    return [built[name] for name in controls(settings_cls)]


def preset_values(settings_cls, changes: dict) -> list:
    """Every field's value under a preset (the defaults with ``changes`` over them), in field order."""
    values = apply(settings_cls, changes)
    return [values[name] for name in controls(settings_cls)]
