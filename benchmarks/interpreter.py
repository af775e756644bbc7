"""The interpreter lock under a classroom's mix of work: a tiny network training on one thread
while another thread runs Python, as the server's event loop and view drawing do.

Each row times 100 iterations of the GAN lab's default networks (one torch thread) with a thread
spinning in pure Python beside them, against the same 100 iterations alone, measured alternately
in the same run; once at CPython's default switch interval and once at the app's
(``components.threads.SWITCH_INTERVAL_S``). With the interpreter shared fairly, the busy thread
should at most halve the training (ratio ≤ 2); the convoy effect makes it far worse.
"""

from __future__ import annotations

import sys
import threading

from benchmarks.timing import Row, interleaved_medians

ITERATIONS = 100
CPYTHON_DEFAULT_S = 0.005


def _gan_iterations():
    import torch

    from demos.gan import core
    from demos.gan.data import make_dataset

    torch.set_num_threads(1)
    run = core.GanRun(core.GanSettings(), make_dataset("ring"))
    core.train(run, 20)
    return lambda: core.train(run, ITERATIONS)


def _with_busy_thread(work):
    """``work`` run while another thread spins in Python."""
    def timed():
        stop = threading.Event()

        def spin():
            n = 0
            while not stop.is_set():
                n += 1

        spinner = threading.Thread(target=spin, daemon=True)
        spinner.start()
        try:
            work()
        finally:
            stop.set()
            spinner.join()
    return timed


def rows(runs: int) -> list[Row]:
    from components.threads import SWITCH_INTERVAL_S

    work = _gan_iterations()
    found = []
    before = sys.getswitchinterval()
    try:
        for interval in (CPYTHON_DEFAULT_S, SWITCH_INTERVAL_S):
            sys.setswitchinterval(interval)
            busy, alone = interleaved_medians(_with_busy_thread(work), work, runs)
            found.append(Row(f"{ITERATIONS} GAN iterations beside a thread running Python, switch interval "
                             f"{interval * 1000:g} ms", busy, "the same alone", alone,
                             "≤ 2 (the app's interval)" if interval == SWITCH_INTERVAL_S else "CPython's default"))
    finally:
        sys.setswitchinterval(before)
    return found
