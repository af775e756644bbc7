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

# the longest piece of a bad value a message repeats back (a 100 KB string is not echoed)
ECHO_CHARS = 40

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


def _echo(value) -> str:
    text = repr(value)
    return text if len(text) <= ECHO_CHARS else text[:ECHO_CHARS] + "…"


def as_number(control: Control, value):
    """``value`` as the control's int or float, inside its bounds; InputError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError("err_not_number", name=control.label, value=_echo(value))
    try:
        number = float(value)
    except ValueError:
        raise InputError("err_not_number", name=control.label, value=_echo(value)) from None
    if not math.isfinite(number):
        raise InputError("err_not_number", name=control.label, value=_echo(value))
    low = -math.inf if control.low is None else control.low
    high = math.inf if control.high is None else control.high
    if control.positive and not low < number <= high:
        raise InputError("err_positive_range", name=control.label, low=f"{low:g}", high=f"{high:g}",
                         value=f"{number:g}")
    if not low <= number <= high:
        key = "err_out_of_range" if control.low is not None and control.high is not None else (
            "err_at_least" if control.low is not None else "err_at_most")
        raise InputError(key, name=control.label, low=f"{low:g}", high=f"{high:g}", value=f"{number:g}")
    if control.kind is int:
        if number != int(number):
            raise InputError("err_not_integer", name=control.label, value=f"{number:g}")
        return int(number)
    return number


def check_value(control: Control, value):
    """One value, checked against its control."""
    if control.kind in (int, float):
        return as_number(control, value)
    if control.kind is bool:
        if isinstance(value, bool):
            return value
        raise InputError("err_not_bool", name=control.label, value=_echo(value))
    if control.choices:
        if isinstance(value, str) and value in control.choices:
            return value
        raise InputError("err_choice", name=control.label, value=_echo(value), allowed=", ".join(control.choices))
    if not isinstance(value, str):
        raise InputError("err_not_text", name=control.label, value=_echo(value))
    if control.max_chars is not None and len(value) > control.max_chars:
        raise InputError("err_text_too_long", name=control.label, n=len(value), limit=control.max_chars)
    return value


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
