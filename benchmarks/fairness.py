"""Fair sharing without waste (issue 14, build 1): N live GAN runs trained at once through the
shared live-training mechanism (``components.live``: slices, turns at ``live.CPU``, views at the
frame interval), against one headless trainer doing the same total number of iterations, timed
alternately in the same run. The streams run in this process's threads, as in the server, and
their slices in the training worker processes (``components.trainers``), without HTTP or
browsers, so the row isolates what the mechanism itself costs: its turns, its wake-ups, the runs'
trips to the workers and the views it draws. A ratio of 1.25 means the runs together train at 0.8 of one headless
trainer (the issue's bar); below 1, the two cores did more than one core's work.
"""

from __future__ import annotations

import threading

from benchmarks.timing import Row, interleaved_medians

ITERATIONS = 60          # per run and measurement: about a quarter of a second of one core


def _make_run():
    from demos.gan import core
    from demos.gan.data import make_dataset

    return core.GanRun(core.GanSettings(), make_dataset("ring"))


def _shared(runs: int, draw: bool):
    """``runs`` learners pressing Start at once, each streaming ``ITERATIONS`` to the end."""
    from components import live
    from demos.gan import tab

    render = tab.renderer("en") if draw else (lambda run, note: (note,))

    def learner():
        for _frame in live.start(live.LiveSession(), _make_run(), ITERATIONS, render, "en"):
            pass

    def timed():
        threads = [threading.Thread(target=learner) for _ in range(runs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return timed


def _headless(runs: int):
    from demos.gan import core

    def timed():
        core.train(_make_run(), runs * ITERATIONS)
    return timed


def rows(runs: int) -> list[Row]:
    import app  # noqa: F401  (the server's interpreter settings: components.threads.share_the_interpreter)

    found = []
    for learners, draw in ((10, False), (30, False), (30, True)):
        shared, alone = interleaved_medians(_shared(learners, draw), _headless(learners), runs)
        views = "with the lab's views at the frame interval" if draw else "no views"
        found.append(Row(f"{learners} live GAN runs × {ITERATIONS} iterations, fair slices ({views})", shared,
                         "one headless trainer, the same iterations", alone, "≤ 1.25 (≥ 0.8 of one trainer)"))
    return found
