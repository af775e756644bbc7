"""Server-side checks of values that arrive from controls or the API.

The API bypasses sliders and dropdowns, so every value is re-checked here. A bad value raises
``InputError`` naming the control (by its label key) and what is allowed; nothing is silently
clamped, and a message repeats at most ``ECHO_CHARS`` characters of what was sent (a 100 KB
string is not echoed back). ``components.settings`` checks a lab's settings with these; a
handler checks a value whose limits depend on the data (a layer of the analysed model) directly.
"""

from __future__ import annotations

import math

from components.i18n import InputError

ECHO_CHARS = 40


def echo(value) -> str:
    """``repr(value)``, cut to ``ECHO_CHARS`` characters."""
    text = repr(value)
    return text if len(text) <= ECHO_CHARS else text[:ECHO_CHARS] + "…"


def as_float(name: str, value, low: float = -math.inf, high: float = math.inf, *,
             above_low: bool = False) -> float:
    """``value`` as a finite float in [low, high] ((low, high] with ``above_low``: a learning
    rate must be > 0); ``name`` is the control's label key. Booleans, lists and None are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError("err_not_number", name=name, value=echo(value))
    try:
        number = float(value)
    except ValueError:
        raise InputError("err_not_number", name=name, value=echo(value)) from None
    if not math.isfinite(number):
        raise InputError("err_not_number", name=name, value=echo(value))
    if above_low and not low < number <= high:
        raise InputError("err_positive_range", name=name, low=f"{low:g}", high=f"{high:g}", value=f"{number:g}")
    if not low <= number <= high:
        key = ("err_out_of_range" if math.isfinite(low) and math.isfinite(high)
               else "err_at_least" if math.isfinite(low) else "err_at_most")
        raise InputError(key, name=name, low=f"{low:g}", high=f"{high:g}", value=f"{number:g}")
    return number


def as_int(name: str, value, low: float = -math.inf, high: float = math.inf) -> int:
    """``value`` as an int in [low, high]; floats with a fractional part are refused."""
    number = as_float(name, value, low, high)
    if number != int(number):
        raise InputError("err_not_integer", name=name, value=f"{number:g}")
    return int(number)


def as_choice(name: str, value, allowed) -> str:
    """``value`` if it is one of ``allowed`` (strings)."""
    if isinstance(value, str) and value in allowed:
        return value
    raise InputError("err_choice", name=name, value=echo(value), allowed=", ".join(allowed))


def as_bool(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    raise InputError("err_not_bool", name=name, value=echo(value))


def as_text(name: str, value, max_chars: int | None = None) -> str:
    """``value`` if it is a string of at most ``max_chars`` characters."""
    if not isinstance(value, str):
        raise InputError("err_not_text", name=name, value=echo(value))
    if max_chars is not None and len(value) > max_chars:
        raise InputError("err_text_too_long", name=name, n=len(value), limit=max_chars)
    return value
