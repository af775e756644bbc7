"""A stand-in for ``components.live.CPU`` in the tests of streamed work: it counts the turns a
handler takes and knows whether one is held now (a turn must never be held across a yield), and
makes every view due at once (no throttling), so a test counts work, not seconds. ``firsts``
records, turn by turn, whether the handler asked for a stream's first turn (``first=True``)."""

from __future__ import annotations

import contextlib


class CountingTurns:
    def __init__(self):
        self.taken, self.held, self.firsts = 0, False, []

    @contextlib.contextmanager
    def turn(self, cancelled=None, cores: int = 1, first: bool = False):
        self.taken, self.held = self.taken + 1, True
        self.firsts.append(first)
        try:
            yield True
        finally:
            self.held = False

    def frame_interval(self) -> float:
        return 0.0
