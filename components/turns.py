"""Giving way inside long one-shot work, so a turn at the CPU stays one slice long.

``components.live.CPU`` shares the cores in turns, first come first served. A live run's turn is
one slice (``live.LIMITS.slice_s``), but one-shot work — a decoding strategy, a text-to-image
record — is one call into a library loop (``model.generate``, a denoising loop) that may run for
seconds. Held as one turn, it left everyone else waiting: in a class of 30 on 2 cores, the GAN
runs got 8% of the interpreter's time while five decodings took 41%, and a digit sample waited
behind them for three minutes.

Compute code therefore calls ``checkpoint()`` between its steps (a token, a denoising step). Inside
a turn that has lasted a slice, and only when somebody is waiting, the thread gives its place
back, queues again at the back and continues when its turn comes; outside a turn it does
nothing. This module has no gradio and no torch import, so ``core.py`` modules may call it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

_held = threading.local()


@contextlib.contextmanager
def holding(give_way: Callable[[], None]) -> Iterator[None]:
    """While the body runs on this thread, ``checkpoint()`` calls ``give_way`` (the turn's owner,
    ``live.FairShare``, sets it)."""
    outer = getattr(_held, "give_way", None)
    _held.give_way = give_way
    try:
        yield
    finally:
        _held.give_way = outer


def checkpoint() -> None:
    """A point between two steps of long work where the thread may give way (see the module)."""
    give_way = getattr(_held, "give_way", None)
    if give_way is not None:
        give_way()
