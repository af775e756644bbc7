"""Server-side checks of numbers that arrive from sliders or the API.

The API bypasses sliders, so every handler re-checks its values against the lab's limits
dataclass. Bad values raise ``InputError`` naming the control (by its label key) and what is
allowed; nothing is silently clamped.
"""

from __future__ import annotations

import math

from components.i18n import InputError


def as_float(name: str, value, low: float, high: float) -> float:
    """``value`` as a finite float in [low, high]; ``name`` is the control's label key."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError("err_not_number", name=name, value=repr(value)[:40]) from None
    if not math.isfinite(number):
        raise InputError("err_not_number", name=name, value=repr(value)[:40])
    if not low <= number <= high:
        raise InputError("err_out_of_range", name=name, low=low, high=high, value=f"{number:g}")
    return number


def as_int(name: str, value, low: int, high: int) -> int:
    """``value`` as an int in [low, high]; floats with a fractional part are refused."""
    number = as_float(name, value, low, high)
    if number != int(number):
        raise InputError("err_not_integer", name=name, value=f"{number:g}")
    return int(number)
