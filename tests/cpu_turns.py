"""A stand-in for ``components.live.CPU`` in the tests of streamed work: it counts the turns a
handler takes and knows whether one is held now (a turn must never be held across a yield), and
makes every view due at once (no throttling), so a test counts work, not seconds."""

from __future__ import annotations

import contextlib


class CountingTurns:
    def __init__(self):
        self.taken, self.held = 0, False

    @contextlib.contextmanager
    def turn(self):
        self.taken, self.held = self.taken + 1, True
        try:
            yield True
        finally:
            self.held = False

    def frame_interval(self) -> float:
        return 0.0
