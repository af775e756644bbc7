"""The shared live-training mechanism: fair turns at the CPU, streaming, pause, divergence, and,
through the GAN lab's API, fairness by order."""

from __future__ import annotations

import collections
import copy
import threading
import time

import pytest
from gradio_client import Client

from components import live, turns
from components.i18n import InputError


class CountingRun:
    """A run whose iteration costs ``cost_s`` of busy CPU; it diverges at ``diverge_at``."""

    def __init__(self, cost_s: float = 0.002, diverge_at: int | None = None):
        self.iteration, self.target = 0, 0
        self.cost_s, self.diverge_at = cost_s, diverge_at

    def train_step(self):
        if self.iteration + 1 == self.diverge_at:
            raise live.Diverged(self.iteration + 1, "G")
        end = time.perf_counter() + self.cost_s
        while time.perf_counter() < end:
            pass
        self.iteration += 1


def render(run, note):
    return run.iteration, note


def _a_slice_of_work_then_a_checkpoint():
    """One step of a long one-shot job: a slice of busy CPU, then ``turns.checkpoint()``."""
    end = time.perf_counter() + live.LIMITS.slice_s
    while time.perf_counter() < end:
        pass
    turns.checkpoint()


def test_turns_are_handed_out_first_come_first_served():
    share = live.FairShare(slots=1)
    order, started = [], []
    with share.turn():               # hold the only slot while the others queue up
        threads = []
        for n in range(5):
            def take(n=n):
                with share.turn():
                    order.append(n)
            thread = threading.Thread(target=take)
            thread.start()
            threads.append(thread)
            while share.waiting() < n + 1:   # n is queued before n + 1 asks
                time.sleep(0.001)
    for thread in threads:
        thread.join()
    assert order == [0, 1, 2, 3, 4]


def test_a_streams_first_turn_goes_ahead_of_the_turns_of_streams_already_shown():
    """Regular turns a, b queue; then first turns f1, f2 (f2 gives up while waiting), then f3 and
    a regular c: the first turns go first, in their order, then the regular ones in theirs."""
    share = live.FairShare(slots=1)
    order, threads = [], []
    give_up = threading.Event()

    def take(name, queued, first=False, cancelled=lambda: False):
        def body():
            with share.turn(cancelled=cancelled, first=first) as got:
                if got:
                    order.append(name)
        thread = threading.Thread(target=body)
        thread.start()
        threads.append(thread)
        while share.waiting() < queued:   # it is in the queue before the next one asks
            time.sleep(0.001)

    with share.turn():               # hold the only slot while the others queue up
        take("a", 1)
        take("b", 2)
        take("f1", 3, first=True)
        take("f2", 4, first=True, cancelled=give_up.is_set)
        give_up.set()
        while share.waiting() > 3:   # f2 left the queue
            time.sleep(0.001)
        take("f3", 4, first=True)
        take("c", 5)
    for thread in threads:
        thread.join(5)
    assert order == ["f1", "f3", "a", "b", "c"]


def test_long_work_gives_way_at_its_checkpoints_and_only_when_somebody_waits():
    """One slot: a long one-shot job (a decoding's token loop) holds its turn and calls
    ``turns.checkpoint()`` between steps. A turn asked for meanwhile is served before the job
    ends, as soon as the job's slice is over; alone, the job never leaves its turn."""
    share = live.FairShare(slots=1)
    order: list[str] = []
    asked = threading.Event()

    def job(steps: int):
        with share.turn():
            for n in range(steps):
                order.append(f"job {n}")
                if n == 0:
                    asked.set()
                    while share.waiting() < 1:   # the other turn is queued before step 1 ends
                        time.sleep(0.001)
                _a_slice_of_work_then_a_checkpoint()

    def other():
        asked.wait(5)
        with share.turn():
            order.append("other")

    threads = [threading.Thread(target=job, args=(4,)), threading.Thread(target=other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert order == ["job 0", "other", "job 1", "job 2", "job 3"]

    # nobody waiting: checkpoints keep the turn (no queue entry, nothing else to run)
    with share.turn():
        for _ in range(3):
            time.sleep(live.LIMITS.slice_s)
            turns.checkpoint()
            assert share.waiting() == 0
    # outside any turn, and inside the global-RNG lock, a checkpoint does nothing
    turns.checkpoint()
    from components.seeding import global_rng_seeded
    def waiter():
        with share.turn():
            order.append("waiter")

    order.clear()
    blocked = threading.Thread(target=waiter)
    with share.turn(), global_rng_seeded(0):
        blocked.start()
        while share.waiting() < 1:
            time.sleep(0.001)
        time.sleep(live.LIMITS.slice_s)
        turns.checkpoint()          # must not give the slot to the waiter while the RNG is held
        assert share.waiting() == 1 and order == []
    blocked.join(5)
    assert order == ["waiter"]


def test_a_first_turn_gives_way_at_its_checkpoints_to_other_first_turns_only():
    """One slot: a stream's first turn (a decoding's first strategy) runs a token loop with
    checkpoints while a regular turn queues: it keeps its turn to the end, since a first view goes
    ahead of streams already shown. A first turn asked for meanwhile is served at the job's next
    checkpoint, before the regular one."""
    share = live.FairShare(slots=1)
    order: list[str] = []
    queued = threading.Event()

    def job(steps: int):
        with share.turn(first=True):
            for n in range(steps):
                order.append(f"job {n}")
                if n == 0:
                    queued.wait(5)
                elif n == 1:
                    threads.append(threading.Thread(target=take, args=("first", True)))
                    threads[-1].start()
                    while share.waiting() < 2:   # the first turn is queued before step 1 ends
                        time.sleep(0.001)
                _a_slice_of_work_then_a_checkpoint()

    def take(name: str, first: bool = False):
        with share.turn(first=first):
            order.append(name)

    def regular():
        while not order:
            time.sleep(0.001)
        thread = threading.Thread(target=take, args=("regular",))
        thread.start()
        while share.waiting() < 1:
            time.sleep(0.001)
        queued.set()
        thread.join(10)

    threads = [threading.Thread(target=job, args=(4,))]
    threads[0].start()
    regular_thread = threading.Thread(target=regular)
    regular_thread.start()
    regular_thread.join(10)
    for thread in list(threads):
        thread.join(10)
    assert order == ["job 0", "job 1", "first", "job 2", "job 3", "regular"]


def test_a_cancelled_wait_gives_up_its_place():
    share = live.FairShare(slots=1)
    with share.turn():
        with share.turn(cancelled=lambda: True) as got:
            assert got is False
    assert share.waiting() == 0


def test_a_hand_over_wakes_only_the_turn_it_serves_and_a_nudge_wakes_a_cancelled_one(monkeypatch):
    """Five streams wait for the only slot and pass it on in order. With the poll far off, a
    waiter checks whether it was cancelled only when woken: a hand-over must not wake the
    waiters it does not serve (with 30 streams, waking all at every turn cost the training
    thread the interpreter lock 30 times a turn). A Pause's ``nudge`` wakes a waiting stream at
    once, without its poll."""
    monkeypatch.setattr(live, "LIMITS", live.LiveLimits(poll_s=600))
    share = live.FairShare(slots=1)
    checks, order, threads = collections.Counter(), [], []

    def stream(n):
        def cancelled():
            checks[n] += 1
            return False
        with share.turn(cancelled=cancelled) as got:
            if got:
                order.append(n)

    with share.turn():
        for n in range(5):
            threads.append(threading.Thread(target=stream, args=(n,)))
            threads[-1].start()
            while share.waiting() < n + 1:
                time.sleep(0.001)
    for thread in threads:
        thread.join(10)
    assert order == [0, 1, 2, 3, 4]
    assert set(checks.values()) == {1}   # each checked once, on queuing: no waiter was woken for another

    paused, got_turn = threading.Event(), []

    def paused_stream():
        with share.turn(cancelled=paused.is_set) as got:
            got_turn.append(got)

    with share.turn():
        waiter = threading.Thread(target=paused_stream)
        waiter.start()
        while share.waiting() < 1:
            time.sleep(0.001)
        paused.set()
        share.nudge()
        waiter.join(10)   # the poll is 600 s off: only the nudge can have woken it
        assert got_turn == [False] and share.waiting() == 0


def test_runs_streaming_together_advance_together():
    """Two runs on one slot: each slice is ~slice_s, so after both finish, neither finished its
    whole target before the other had started (no run-to-completion)."""
    share = live.FairShare(slots=1)
    firsts, ends = {}, {}

    def train(name):
        session, run = live.LiveSession(), CountingRun()
        frames = live.start(session, run, 150, lambda r, n: (r.iteration, n), "en")
        for _, iteration, _ in frames:
            firsts.setdefault(name, (time.perf_counter(), iteration))
        ends[name] = time.perf_counter()

    original = live.CPU
    live.CPU = share
    try:
        threads = [threading.Thread(target=train, args=(n,)) for n in "ab"]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        live.CPU = original
    assert max(t for t, _ in firsts.values()) < min(ends.values())
    assert all(iteration < 150 for _, iteration in firsts.values())


def test_a_stream_ends_with_the_done_view_and_a_paused_one_with_the_paused_view():
    session, run = live.LiveSession(), CountingRun(cost_s=0.0)
    frames = list(live.start(session, run, 50, render, "en"))
    assert frames[-1][1] == 50 and "target" in frames[-1][2]
    session, run = live.LiveSession(), CountingRun()   # 2 ms an iteration: 500 take about a second
    stream = live.start(session, run, 500, render, "en")
    next(stream)
    live.pause(session)
    *_, last = stream
    assert "paused" in last[2] and 0 < last[1] < 500
    more = list(live.resume(session, 20, render, "en"))   # target not reached: resumes to it, not 20 further
    assert more[-1][1] == run.iteration == 500 and "target" in more[-1][2]


def test_a_costly_rest_view_comes_after_a_quick_one_that_shows_the_pause_at_once():
    """With ``quick_rest`` the stream's end is two frames: the quick view (no turn needed) and then
    the full one, drawn in a CPU turn. While another run holds the only slot, the quick view
    still comes, and the full one waits for the turn."""
    share = live.FairShare(slots=1)
    original, live.CPU = live.CPU, share
    try:
        session, run = live.LiveSession(), CountingRun()
        stream = live.start(session, run, 500, render, "en", quick_rest=lambda r, note: ("quick", note))
        next(stream)
        live.pause(session)
        with share.turn():                       # somebody else computes: no slot is free
            quick = next(stream)
            assert quick[1:] == ("quick", live.translate("live_paused", "en"))
            full = []
            waiter = threading.Thread(target=lambda: full.extend(stream))
            waiter.start()
            while share.waiting() == 0:           # the full view waits for a turn
                time.sleep(0.001)
            assert not full
        waiter.join(5)
        assert len(full) == 1 and full[0][1] == run.iteration < 500 and "paused" in full[0][2]
    finally:
        live.CPU = original


def test_divergence_ends_the_stream_with_a_message():
    session = live.LiveSession()
    *_, last = live.start(session, CountingRun(cost_s=0.0, diverge_at=7), 100, render, "zh")
    assert last[1] == 6 and "第 7 次迭代发散" in last[2]


def test_a_new_start_in_the_same_session_stops_the_old_stream_silently():
    session = live.LiveSession()
    old = live.start(session, CountingRun(), 10**9, render, "en")
    next(old)
    new_run = CountingRun(cost_s=0.0)
    assert list(live.start(session, new_run, 5, render, "en"))[-1][1] == 5
    assert list(old) == []   # the old stream stops and shows nothing over the new run's views


def test_resume_without_a_run_and_step_while_streaming_are_refused():
    with pytest.raises(InputError, match="no run"):
        next(live.resume(live.LiveSession(), 10, render, "en"))
    session = live.LiveSession()
    stream = live.start(session, CountingRun(), 10**9, render, "en")
    next(stream)
    with pytest.raises(InputError, match="Pause first"):
        live.step(session, CountingRun, render, "en")
    live.pause(session)
    list(stream)
    assert live.step(session, CountingRun, render, "en")[1] == session.run.iteration


def test_a_session_copies_without_its_lock_and_closing_stops_its_run():
    session = live.LiveSession()
    session.run = CountingRun()
    twin = copy.deepcopy(session)
    assert twin.lock is not session.lock and twin.run is not session.run
    stream = live.start(session, CountingRun(), 10**9, render, "en")
    next(stream)
    session.close()
    assert list(stream) == []


def test_a_closed_session_never_writes_itself_back_into_the_state():
    """gradio recreates a freed state when a handler outputs into it: once the tab has closed,
    a frame drawn before and yielded after, and a Step or Reset in flight, leave the state as
    it is (gr.skip()) instead of the session."""
    import gradio as gr

    session = live.LiveSession()
    stream = live.start(session, CountingRun(), 10**9, render, "en")
    assert next(stream)[0] is session and session.as_state() is session   # open: the session itself
    session.close()
    assert list(stream) == []
    assert live.step(session, CountingRun, render, "en")[0] == gr.skip()
    assert live.reset(session, CountingRun(), render, "en")[0] == gr.skip()


def test_every_learner_sees_a_first_update_before_any_finishes(server_url):
    """Fairness by order, not by time: more sessions train at once than there are CPU slots,
    and every one of them gets its first update before any of them finishes."""
    from components.settings import defaults
    from demos.gan import core

    values = defaults(core.GanSettings) | {"iterations": 1000}   # dozens of slices each: longer than the clients take to connect
    clients = [Client(server_url, verbose=False) for _ in range(2 * live.CPU.slots + 2)]
    jobs = [c.submit(*values.values(), None, api_name="/gan_start") for c in clients]
    first, done = {}, {}
    deadline = time.time() + 300
    while len(done) < len(jobs):
        assert time.time() < deadline
        now = time.time()
        for n, job in enumerate(jobs):
            if n not in first and job.outputs():
                first[n] = now
            if n not in done and job.done():
                done[n] = now
        time.sleep(0.02)
    assert all("Iteration 1000" in job.result()[0] for job in jobs)
    assert max(first.values()) <= min(done.values())
