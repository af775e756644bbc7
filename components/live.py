"""Live training, shared by every lab that trains in front of the learner, fair under load.

A lab's run object (kept per session, deep-copyable and picklable) offers:

- ``iteration: int`` — iterations done so far;
- ``target: int`` — Start / Resume train until ``iteration`` reaches it;
- ``train_step() -> None`` — one iteration, from the run's own ``torch.Generator``; on a
  non-finite loss or gradient it restores the weights of the last good step and raises
  ``Diverged``.
- its records of each iteration (curves, evaluations) as ``components.trainers.Log`` lists, which
  ``train_step`` only appends to: a slice in a training worker carries only what it appended.

``LiveSession`` holds one browser session's run; ``start`` / ``resume`` stream it, ``pause``,
``step`` and ``reset`` act on it. A lab's handlers build a run from their settings and call these;
they never write a training loop of their own.

Fairness. A classroom shares one 2-core machine. Gradio gives each streaming event a worker thread
for as long as it streams, so a run that trained to completion inside its handler made everyone
else wait in line (eight GAN learners saw their first update after up to 61 s). Here a run trains
in short slices (``worker_slice_s``; ``slice_s`` in the server's threads), and each slice first
takes a turn at ``CPU``: a first-come-first-served queue with one place per core. After its slice
the run goes to the back of the queue, so N runs each progress at about 1/N of the speed, all of
them from their first second. A stream's first turn (the one whose view tells a learner that Start
was heard) goes ahead of the turns of streams already showing progress: a learner who just pressed
waits for one slice of the work in progress, not for a whole round of everyone's. A view due after
a slice is drawn in the same turn, so a frame costs one wait in the queue, not two. Heavy one-shot
work (sampling, decoding) takes its turn in the same queue (``CPU.turn``): on one thread for one
place, or ``cores=CPU.slots`` for work on the process's threads, so nothing oversubscribes the
cores; inside a library's loop it gives way after each slice at ``components.turns.checkpoint()``,
so its turn is a slice long too. Views cost CPU too: a run redraws at most every
``stream_interval_s`` and less often when many runs share the machine, so drawing stays a small
share of the work (``frame_interval``). Nothing holds a place across a ``yield``: the page may be
slow to take a frame.

Where a slice runs. A turn's slice of training goes to a worker process (``TRAINERS``, one per
place; ``components.trainers``) and the run comes back trained, so training does not wait for the
server's interpreter lock: with 30 GAN runs streaming, an iteration took 14 ms inside the server
against 2.5 ms alone, and the class trained at 0.35 of one headless trainer's rate; with the
workers, at 0.6–0.9 (the load benchmark, issue 14; its baseline alone moves by 15–30 %). A run therefore also pickles; one that does
not trains in the server's threads, as every run does with ``AIGC_TRAIN_WORKERS=0``. The views,
Step and everything else still use the run in the server.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import dataclasses
import os
import threading
import time
from collections.abc import Callable, Iterator

import gradio as gr

from components import trainers, turns
from components.diverged import Diverged
from components.handlers import Keep
from components.i18n import InputError, translate
from components.threads import one_thread


@dataclasses.dataclass(frozen=True)
class LiveLimits:
    slice_s: float = 0.05            # CPU time a run computes before giving way to the next in line
    # a slice in a training worker is longer: its run's trip there and back costs the server and
    # the worker CPU that trains nothing (see _train_slice)
    worker_slice_s: float = 0.1
    stream_interval_s: float = 0.1   # at most ~10 page updates a second (DESIGN: more floods the page)
    # drawing views may take at most this share of the machine under load: a frame costs about as
    # much again to deliver (gradio's postprocess, JSON and SSE: ~6 ms after a GAN view's ~8 ms
    # render, ~100 KB of plotly), so views and their delivery take about twice this share
    draw_share: float = 0.1
    max_interval_s: float = 2.0      # however busy the machine, a learner sees an update this often
    poll_s: float = 0.25             # a run waiting for its turn checks for Pause this often, unless nudged


LIMITS = LiveLimits()


class _Ticket:
    """One place in ``FairShare``'s queue: ``need`` slots, set ``granted`` (and ``woken``) once
    they are this ticket's."""

    __slots__ = ("need", "first", "cancellable", "granted", "woken")

    def __init__(self, need: int, first: bool, cancellable: bool):
        self.need, self.first, self.cancellable = need, first, cancellable
        self.granted = False
        self.woken = threading.Event()


class FairShare:
    """Turns at the CPU, first come first served, ``slots`` at a time (one per core).

    ``threading.Semaphore`` wakes waiters in no particular order, so a run that just released a
    slot could take it straight back; here every waiter holds a ticket in a queue and released
    slots go to the oldest ticket. A ticket that needs several slots waits at the head of the
    queue until enough are free, and nobody overtakes it: it waits at most one slice. A ``first``
    ticket (a stream's first turn) queues behind the other first tickets only.

    The hand-over wakes only the ticket that got the slots. With a class of 30 streaming, a
    shared condition's ``notify_all`` woke all 30 waiters at every turn (~40 turns a second on 2
    cores), and each took the interpreter lock only to find it was not first; the training
    thread lost the lock to every one of them. A waiter that may be cancelled (a stream, whose
    Pause need not wait for a turn) is woken by ``nudge()`` when its learner presses something.
    Every waiter also looks on its own every ``poll_s`` (4 times a second, not 20 as before):
    whether it was cancelled, and whether free slots wait for the head of the queue, so no
    missed hand-over can stall the queue for longer than that."""

    def __init__(self, slots: int):
        self.slots = slots
        self._busy = 0
        self._queue: collections.deque[_Ticket] = collections.deque()
        self._firsts = 0               # first tickets, all at the front of the queue
        self._lock = threading.Lock()
        self._runs: set[int] = set()   # live runs streaming now (ids), for the frame interval
        self._draw_cost_s = 0.01       # running mean of one view's cost (seconds)

    @contextlib.contextmanager
    def turn(self, cancelled: Callable[[], bool] | None = None, cores: int = 1, first: bool = False):
        """Wait for ``cores`` slots (the threads the body computes on), hold them for the body,
        give them back. Yields False without a slot when ``cancelled()`` becomes true while
        waiting (a Pause need not wait for its turn; see ``nudge``). ``first``: a stream's first
        turn, served before the turns of streams that have shown something already."""
        need = max(1, min(cores, self.slots))
        if not self._acquire(need, first, cancelled):
            yield False
            return
        began = [time.perf_counter()]
        try:
            with turns.holding(lambda: self._give_way(need, began, first)):
                yield True
        finally:
            self._release(need)

    def _acquire(self, need: int, first: bool, cancelled: Callable[[], bool] | None) -> bool:
        """Queue a ticket (a first one behind the other first tickets only) and wait until it has
        its ``need`` slots (True); False, the ticket gone, when ``cancelled()`` becomes true first."""
        ticket = _Ticket(need, first, cancelled is not None)
        with self._lock:
            if first:
                self._queue.insert(self._firsts, ticket)
                self._firsts += 1
            else:
                self._queue.append(ticket)
            self._hand_over()
        while True:
            with self._lock:
                self._hand_over()      # a no-op unless slots are free, as every change hands them over
                if ticket.granted:
                    return True
                ticket.woken.clear()   # under the lock: a grant after this sets it again
                if cancelled is not None and cancelled():
                    self._queue.remove(ticket)
                    self._firsts -= first
                    self._hand_over()   # the ticket may have been at the head, waiting for slots
                    return False
            ticket.woken.wait(LIMITS.poll_s)

    def _hand_over(self) -> None:
        """Under ``self._lock``: give free slots to the tickets at the head of the queue, in order."""
        while self._queue and self._busy + self._queue[0].need <= self.slots:
            ticket = self._queue.popleft()
            self._firsts -= ticket.first
            self._busy += ticket.need
            ticket.granted = True
            ticket.woken.set()

    def _release(self, need: int) -> None:
        with self._lock:
            self._busy -= need
            self._hand_over()

    def nudge(self) -> None:
        """Wake the turns that may be cancelled, so a Pause, Reset or new Start is seen at once
        by a stream waiting for its turn."""
        with self._lock:
            for ticket in self._queue:
                if ticket.cancellable:
                    ticket.woken.set()

    def _give_way(self, need: int, began: list[float], first: bool) -> None:
        """``turns.checkpoint()`` inside a turn: after a slice, and only when somebody waits, give
        the slots back and queue again for them, as ``turn`` does (``began[0]``: when the current
        slice began). A stream's first turn gives way to other first turns only, and queues again
        among them: its learner still waits for a first view, which goes ahead of the turns of
        streams already showing progress. Giving way to those too handed the slot to a training
        slice and took it back a slice later, every slice: under a class's load a decoding's
        first strategy (0.16 s of CPU alone) took 3–4.6 s to show."""
        if time.perf_counter() - began[0] < LIMITS.slice_s:
            return
        # a glance without the lock: a waiter that just missed it waits one slice more
        if self._firsts if first else self._queue:
            self._release(need)
            self._acquire(need, first, None)
        began[0] = time.perf_counter()

    def waiting(self) -> int:
        """Turns queued now (the benchmark and the tests read it)."""
        with self._lock:
            return len(self._queue)

    @contextlib.contextmanager
    def streaming(self, run) -> Iterator[None]:
        with self._lock:
            self._runs.add(id(run))
        try:
            yield
        finally:
            with self._lock:
                self._runs.discard(id(run))

    def record_draw(self, seconds: float) -> None:
        self._draw_cost_s = 0.8 * self._draw_cost_s + 0.2 * seconds

    def frame_interval(self) -> float:
        """Seconds between two views of one run: ``stream_interval_s`` on a quiet machine; with
        N runs streaming, long enough that N runs' views take at most ``draw_share`` of the
        cores (N · cost / interval ≤ share · slots), capped at ``max_interval_s``."""
        streaming = max(1, len(self._runs))
        needed = streaming * self._draw_cost_s / (LIMITS.draw_share * self.slots)
        return min(LIMITS.max_interval_s, max(LIMITS.stream_interval_s, needed))


# One place per core. AIGC_CPU_SLOTS overrides it (a bigger machine; or 1 to test queueing).
CPU = FairShare(int(os.environ.get("AIGC_CPU_SLOTS") or os.cpu_count() or 2))
# A worker process per place trains the slices (components.trainers); AIGC_TRAIN_WORKERS=0 trains
# them in the server's threads instead.
TRAINERS = trainers.Pool(int(os.environ.get("AIGC_TRAIN_WORKERS") or CPU.slots))


class LiveSession:
    """One browser session's live lab: its current run and the flags its buttons set. gr.State
    deep-copies the initial value for each session, so sessions share nothing."""

    def __init__(self):
        self.run = None
        self.active = None                # the run a Start / Resume stream is training now
        self.pause_requested = False
        self.closed = False               # its browser tab has gone (app.end_session)
        # one update of the run at a time: two optimiser steps on the same networks at once
        # corrupt them (a double-clicked Step raised "modified by an inplace operation")
        self.lock = threading.Lock()

    def __deepcopy__(self, memo) -> LiveSession:
        """A lock cannot be copied: the copy gets its own."""
        clone = type(self)()
        clone.run = copy.deepcopy(self.run, memo)
        return clone

    def close(self) -> None:
        """Stop whatever this session trains (its browser tab has gone)."""
        self.closed = True
        self.pause_requested = True
        self.run = None
        CPU.nudge()

    def as_state(self):
        """What a handler gives the session's gr.State: the session, or once its tab has gone,
        gradio's "leave it as it is". gradio writes a stream's outputs into the session's state
        at every yield, recreating the state if it was freed, so a frame drawn before the tab
        closed and yielded after would otherwise bring the session back for an hour."""
        return gr.skip() if self.closed else self


def session_of(value) -> LiveSession:
    """The session a handler received; a fresh one when the API sent none."""
    return value if isinstance(value, LiveSession) else LiveSession()


# A render function turns (run, note) into the values the page shows for it.
Render = Callable[[object, str], tuple]


def _train_slice(session: LiveSession, run, stop: Callable[[], bool]) -> None:
    """Iterations for about ``worker_slice_s`` in a training worker process (``TRAINERS``), else
    for about ``slice_s`` on one thread of the server (at least one), under the session's lock.

    A worker's slice is the longer because each one costs a trip: the run pickled, sent, read,
    and the same back. With 30 GAN runs in the load benchmark and 50 ms slices, trips took a
    third of the server's Python time and a sixth of the workers' (py-spy): about 0.3 of the 2
    cores trained nothing. 100 ms slices halve that (the class's rate against one headless
    trainer: 0.77 and 0.98 before, 0.94–1.31 in five runs after). A Pause waits for at most the
    slice in progress: 0.1 s."""
    with session.lock:
        try:
            TRAINERS.train(run, LIMITS.worker_slice_s)
            return
        except trainers.Unavailable:
            pass
        with one_thread():
            deadline = time.perf_counter() + LIMITS.slice_s
            while run.iteration < run.target and not stop():
                run.train_step()
                if time.perf_counter() >= deadline:
                    break


def slow_views_clock(lang: str, every_s: float) -> Callable[..., bool]:
    """A clock for one stream's costly views (a model run on an example, big heatmaps): they are
    due on every frame of a run at rest (paused, done, diverged, ready), when ``changed`` (the
    learner chose another input), and otherwise every ``every_s`` seconds; the cheap views come
    with every frame. A browser redrawing every view ten times a second fell behind the stream
    and froze (headless Chromium on 2 cores, the VAE lab's heatmaps)."""
    drawn_at = -float("inf")
    running = translate("live_running", lang)

    def due(note: str, changed: bool = False) -> bool:
        nonlocal drawn_at
        now = time.monotonic()
        if note != running or changed or now - drawn_at >= every_s:
            drawn_at = now
            return True
        return False

    return due


def _draw(render: Render, run, note: str) -> tuple:
    start = time.perf_counter()
    with one_thread():
        frame = render(run, note)
    CPU.record_draw(time.perf_counter() - start)
    return frame


def stream(session: LiveSession, run, render: Render, lang: str, quick_rest: Render | None = None) -> Iterator[tuple]:
    """Train ``run`` to its target in fair slices, yielding ``(session, *render(run, note))``
    about every ``frame_interval()`` seconds: the first after one slice, the last when the run
    is done, paused, diverged, or replaced by a new Start or Reset in this session (then the
    new run's outputs stand and nothing more is yielded).

    ``quick_rest``: for a lab whose view of a run at rest is costly (the 2D diffusion lab samples
    1,000 particles, ~0.4 s of CPU): a cheap view of the run at rest, yielded at once, before the
    full one is drawn in a CPU turn of its own; a Pause then shows on the page without waiting
    for that work or for a turn."""
    session.active, session.pause_requested = run, False

    def stop() -> bool:
        return session.pause_requested or session.run is not run

    note = None
    last_frame = -float("inf")   # the first view comes with the first slice
    try:
        with CPU.streaming(run):
            while run.iteration < run.target and not stop():
                frame = None
                before_first_view = last_frame == -float("inf")
                with CPU.turn(cancelled=stop, first=before_first_view) as got_turn:
                    if got_turn:
                        _train_slice(session, run, stop)
                        due = time.monotonic() - last_frame >= CPU.frame_interval()
                        if due and run.iteration < run.target and not stop():
                            frame = _draw(render, run, translate("live_running", lang))
                if frame is not None:
                    last_frame = time.monotonic()
                    # the first view, which tells the learner that Start was heard, is sent even
                    # when gradio's own messages for the page have not all gone yet
                    # (components.handlers.Keep); held, it waited for the next frame, seconds
                    # later with 30 runs streaming
                    values = (session.as_state(), *frame)
                    yield Keep(values) if before_first_view else values
    except Diverged as exc:
        note = translate("live_diverged", lang, iteration=exc.iteration, what=exc.what)
    finally:
        if session.active is run:
            session.active = None
    if session.run is run:
        if note is None:
            note = translate("live_done" if run.iteration >= run.target else "live_paused", lang)
        # the views of a run at rest reach the page even when it is behind (components.handlers.Keep)
        if quick_rest is None:
            yield Keep((session.as_state(), *_draw(render, run, note)))
            return
        yield Keep((session.as_state(), *_draw(quick_rest, run, note)))
        with CPU.turn(), session.lock:   # a Step or Reset pressed meanwhile waits for this view
            frame = _draw(render, run, note) if session.run is run else None
        if frame is not None:
            yield Keep((session.as_state(), *frame))


def start(session: LiveSession, run, iterations: int, render: Render, lang: str,
          quick_rest: Render | None = None) -> Iterator[tuple]:
    """A fresh run in this session (any run it streamed stops), trained ``iterations``
    (``quick_rest``: see ``stream``)."""
    run.target = run.iteration + iterations
    session.run = run
    CPU.nudge()   # a stream of this session waiting for its turn stops now
    yield from stream(session, run, render, lang, quick_rest)


def resume(session: LiveSession, iterations: int, render: Render, lang: str,
           quick_rest: Render | None = None) -> Iterator[tuple]:
    """Continue this session's run to its target, or ``iterations`` further once it got there
    (``quick_rest``: see ``stream``)."""
    run = session.run
    if run is None:
        raise InputError("live_err_no_run")
    if session.active is not None:
        raise InputError("live_err_busy")
    if run.iteration >= run.target:
        run.target = run.iteration + iterations
    yield from stream(session, run, render, lang, quick_rest)


def pause(session) -> None:
    """Ask this session's stream to stop; it shows the paused run within one slice."""
    if isinstance(session, LiveSession):
        session.pause_requested = True
        CPU.nudge()


def step(session: LiveSession, new_run: Callable[[], object], render: Render, lang: str,
         train_step: Callable[[object], None] | None = None) -> tuple:
    """One iteration (``train_step(run)``, by default ``run.train_step()``) of this session's
    run, a fresh one from ``new_run()`` when there is none yet; returns (session, *views)."""
    if session.active is not None:
        raise InputError("live_err_busy")
    with CPU.turn(), session.lock:   # the view shows this step's result, even when Steps arrive together
        if session.run is None:
            session.run = new_run()
        run = session.run
        try:
            with one_thread():
                (train_step or type(run).train_step)(run)
            note = translate("live_paused", lang)
        except Diverged as exc:
            note = translate("live_diverged", lang, iteration=exc.iteration, what=exc.what)
        return session.as_state(), *_draw(render, run, note)


def reset(session: LiveSession, run, render: Render, lang: str) -> tuple:
    """Replace this session's run by ``run`` at iteration 0, shown but not trained (any stream of
    this session stops at its next check)."""
    session.run, session.pause_requested = run, False
    CPU.nudge()
    return session.as_state(), *_draw(render, run, translate("live_ready", lang))
