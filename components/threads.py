"""Tiny networks train faster on one CPU thread.

A 2D GAN or diffusion MLP does matrix products of a few hundred rows; splitting each over two
OpenMP threads costs more in synchronisation than it saves, and when another process (or
request) also computes, the spinning threads slow training down about tenfold (measured: 1,000
steps of the 2D diffusion MLP took 7 s on one thread and 71 s on two on a busy 2-core machine).

``torch.set_num_threads`` sets the calling thread's count (and the default for threads started
later), so each use restores its own thread's count. Gradio runs each step of a streaming
handler on whichever worker thread is free, so a ``with one_thread()`` block must not span a
``yield``: ``take_for`` computes one chunk of work inside it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import torch


@contextlib.contextmanager
def one_thread():
    """Run the body with torch on a single intra-op thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


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
