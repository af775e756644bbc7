"""The labs, one package each. ``labs()`` is the registry: every package here whose
``__init__`` declares ``LAB = components.labs.Lab(...)``, in tab order. Adding a lab is adding a
package; nothing outside it lists the labs."""

from __future__ import annotations

import importlib
import pkgutil


def labs() -> list:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.ispkg:
            lab = getattr(importlib.import_module(f"{__name__}.{info.name}"), "LAB", None)
            if lab is not None:
                found.append(lab)
    return sorted(found, key=lambda lab: lab.order)
