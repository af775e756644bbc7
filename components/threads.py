"""Tiny networks train faster on one CPU thread.

A 2D GAN or diffusion MLP multiplies matrices of a few hundred rows; splitting each product over
two OpenMP threads costs more in synchronisation than it saves, and when anything else keeps one
of the two cores busy the threads wait on each other. Measured on a busy 2-core machine: the GAN
lab's default networks ran 65 iterations/s on two threads and 680 on one; 1,000 steps of the 2D
diffusion MLP took 71 s on two threads and 7 s on one.

``torch.set_num_threads`` sets the calling thread's count and the default for threads started
later, so after the work the count goes back to the one found at import, not to the one found on
entry: two overlapping uses would otherwise leave the process on one thread for good. A worker
thread whose first torch call comes while another thread is inside ``one_thread`` starts with one
thread and keeps it, and gradio reuses its workers: so every handler first calls
``use_process_threads`` (``components.errors.user_errors`` does it). Gradio runs each step of a streaming
handler on whichever worker thread is free, so a ``with one_thread()`` block must not span a
``yield``: ``take_for`` computes one chunk of work inside it.

The interpreter's lock (GIL) is the other half of the story. torch lets go of it inside every
operator and takes it back after; when another thread is running Python (gradio's event loop
serialising a frame, a view being drawn), taking it back waits until that thread is made to let
go, every ``sys.getswitchinterval()`` (5 ms in CPython). A tiny network's iteration is a few
hundred short operators, so each can wait 5 ms: the "convoy effect" of CPython's GIL (Beazley,
"Understanding the Python GIL", 2010; bpo-7946). The app therefore switches every
``SWITCH_INTERVAL_S`` (``share_the_interpreter``); ``python -m benchmarks --only interpreter``
measures both intervals against the work alone.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator

import torch

_PROCESS_THREADS = torch.get_num_threads()
# 0.5 ms: a tenth of CPython's default. AIGC_SWITCH_INTERVAL_MS overrides it (the load benchmark
# compares intervals with it).
SWITCH_INTERVAL_S = float(os.environ.get("AIGC_SWITCH_INTERVAL_MS") or 0.5) / 1000


def share_the_interpreter(interval_s: float = SWITCH_INTERVAL_S) -> None:
    """Make a thread running Python hand the interpreter to a waiting thread after ``interval_s``
    (process-wide; the app sets it once, at import)."""
    sys.setswitchinterval(interval_s)


@contextlib.contextmanager
def one_thread():
    """Run the body with torch on a single intra-op thread."""
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(_PROCESS_THREADS)


def use_process_threads() -> None:
    """Give the calling thread the process's thread count (the UNets and GPTs gain from both cores)."""
    torch.set_num_threads(_PROCESS_THREADS)


def take_for(items: Iterator, seconds: float) -> list:
    """The next items of ``items`` computed for about ``seconds`` (at least one item unless the
    iterator is exhausted), on one thread."""
    chunk = []
    with one_thread():
        deadline = time.perf_counter() + seconds
        for item in items:
            chunk.append(item)
            if time.perf_counter() >= deadline:
                break
    return chunk
