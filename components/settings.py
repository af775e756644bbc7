"""Settings as data: one frozen dataclass per lab declares every control once.

Each field is made with ``setting(default, label=…, …)``: its default, its limits, the label key
of its control and the kind of control. From that one declaration come

- the controls (``components.controls.build``),
- the API parameters, named after the fields (``components.controls.bind``),
- the server-side check of every value (``parse``), because the API bypasses the sliders,
- the presets (``apply`` over the defaults), and the keys of shareable links.

No gradio here: a lab's ``core.py`` declares its settings and a test can validate values
without a server. A dataclass may define ``check(self)`` for rules that tie fields together
(e.g. "d_model must be divisible by heads"); ``parse`` calls it after the per-field checks.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

from components.i18n import InputError
from components.validation import as_bool, as_choice, as_float, as_int, as_text

WIDGETS = ("slider", "number", "dropdown", "radio", "checkbox", "textbox")


@dataclasses.dataclass(frozen=True)
class Control:
    """How one setting is shown and checked."""
    label: str                             # i18n key of the control's label (also names it in errors)
    kind: type                             # int, float, str or bool: what the value must be
    widget: str                            # one of WIDGETS
    low: float | None = None               # inclusive bounds of a number
    high: float | None = None
    step: float | None = None              # a slider's step
    choices: tuple[str, ...] = ()          # allowed values of a choice
    choice_label: str | None = None        # i18n key pattern of each choice's label, e.g. "gan_loss_{}"
    info: str | None = None                # i18n key of the help line under the control
    max_chars: int | None = None           # a text's longest accepted length
    positive: bool = False                 # a number that must be > low (a learning rate > 0)


def setting(default, *, label: str, low=None, high=None, step=None, choices: Sequence[str] = (),
            choice_label: str | None = None, widget: str | None = None, info: str | None = None,
            max_chars: int | None = None, positive: bool = False):
    """A dataclass field with its control. The kind follows the default's type; the widget
    defaults to a dropdown for choices, a checkbox for booleans, a textbox for free text, a slider
    for bounded numbers and a number box otherwise."""
    kind = type(default)
    if widget is None:
        widget = ("dropdown" if choices else "checkbox" if kind is bool else "textbox" if kind is str
                  else "slider" if low is not None and high is not None else "number")
    if widget not in WIDGETS:
        raise ValueError(f"unknown widget {widget!r}")
    control = Control(label, kind, widget, low, high, step, tuple(choices), choice_label, info, max_chars, positive)
    return dataclasses.field(default=default, metadata={"control": control})


def controls(cls) -> dict[str, Control]:
    """Field name -> Control, in declaration order."""
    return {f.name: f.metadata["control"] for f in dataclasses.fields(cls) if "control" in f.metadata}


def defaults(cls) -> dict[str, Any]:
    return {f.name: f.default for f in dataclasses.fields(cls) if "control" in f.metadata}


def check_value(control: Control, value):
    """One value, checked against its control (``components.validation``)."""
    if control.kind in (int, float):
        low = -math.inf if control.low is None else control.low
        high = math.inf if control.high is None else control.high
        if control.kind is int:
            return as_int(control.label, value, low, high)
        return as_float(control.label, value, low, high, above_low=control.positive)
    if control.kind is bool:
        return as_bool(control.label, value)
    if control.choices:
        return as_choice(control.label, value, control.choices)
    return as_text(control.label, value, control.max_chars)


def parse(cls, values: Mapping[str, Any] | Sequence[Any]):
    """An instance of the settings dataclass ``cls`` from raw values (a mapping by field name, or
    a sequence in field order), every value checked; then ``cls.check`` if it has one. A missing
    field takes its default."""
    specs = controls(cls)
    if not isinstance(values, Mapping):
        if len(values) != len(specs):
            raise InputError("err_argument_count", expected=len(specs), got=len(values))
        values = dict(zip(specs, values))
    checked = {name: check_value(spec, values[name]) for name, spec in specs.items() if name in values}
    settings = cls(**checked)
    if hasattr(settings, "check"):
        settings.check()
    return settings


def apply(cls, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The defaults with ``changes`` over them (a preset), every value checked."""
    return dataclasses.asdict(parse(cls, defaults(cls) | dict(changes)))
