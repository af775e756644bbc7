"""Seeded work that can only use torch's global RNG (``nn.Linear``'s initialisation,
``model.generate``'s sampling), made reproducible when requests run in parallel.

``torch.random.fork_rng`` + ``torch.manual_seed`` save, seed and restore one process-wide RNG;
two threads doing it at once draw from each other's stream (measured: 467 of 600 small models
built in two threads differed from the model their seed gives). One lock serialises these
regions; work that has its own ``torch.Generator`` does not need it.
"""

from __future__ import annotations

import contextlib
import threading

import torch

from components import turns

_GLOBAL_RNG = threading.Lock()


@contextlib.contextmanager
def global_rng_seeded(seed: int):
    """Run the body with torch's global CPU RNG seeded to ``seed``, alone, and restore it after."""
    # no giving way at the CPU meanwhile (components.turns): a turn that then waited on this lock
    # would hold a core the lock's owner needs to finish
    with _GLOBAL_RNG, torch.random.fork_rng(devices=[]), turns.holding(None):
        torch.manual_seed(seed)
        yield
