"""components.threads: one thread inside, the process's count restored after, chunks by time."""

import threading
import time

import torch

from components.threads import one_thread, take_for


def test_one_thread_inside_and_the_process_count_after_even_when_nested():
    before = torch.get_num_threads()
    seen = []
    with one_thread():
        seen.append(torch.get_num_threads())
        with one_thread():
            seen.append(torch.get_num_threads())
        seen.append(torch.get_num_threads())   # the inner exit gave the process count back
    assert seen[:2] == [1, 1] and torch.get_num_threads() == before


def test_overlapping_uses_in_two_threads_leave_the_process_count():
    before = torch.get_num_threads()
    entered, release = threading.Barrier(2), threading.Event()

    def work():
        with one_thread():
            entered.wait()
            release.wait(5)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for w in workers:
        w.start()
    release.set()
    for w in workers:
        w.join()
    assert torch.get_num_threads() == before
    fresh = []
    thread = threading.Thread(target=lambda: fresh.append(torch.get_num_threads()))
    thread.start()
    thread.join()
    assert fresh == [before]                   # threads started later get the process count too


def test_take_for_returns_chunks_until_the_iterator_ends():
    def slow():
        for i in range(6):
            time.sleep(0.02)
            yield i

    items = slow()
    chunks = []
    while chunk := take_for(items, 0.05):
        chunks.append(chunk)
    assert [i for chunk in chunks for i in chunk] == list(range(6)) and len(chunks) >= 2
    assert take_for(iter([]), 1.0) == []


def test_a_worker_born_inside_one_thread_gets_the_process_count_back_in_a_handler():
    """A thread whose first torch call comes while another thread is inside one_thread() starts
    on one thread; every handler (via user_errors) gives it the process's count again."""
    from components.errors import user_errors

    before = torch.get_num_threads()
    seen = {}
    inside, done = threading.Event(), threading.Event()

    def holder():
        with one_thread():
            inside.set()
            done.wait(5)

    @user_errors
    def handler():
        return torch.get_num_threads()

    def worker():
        inside.wait(5)
        seen["born"] = torch.get_num_threads()
        done.set()
        seen["handler"] = handler()

    threads = [threading.Thread(target=holder), threading.Thread(target=worker)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["born"] == 1                   # the premise: born inside, the worker got one thread
    assert seen["handler"] == before


def test_the_app_hands_the_interpreter_over_at_its_switch_interval():
    """The server runs with a short GIL switch interval (the convoy effect: components/threads.py)."""
    import sys

    import app  # noqa: F401 - importing the app sets it
    from components.threads import SWITCH_INTERVAL_S

    assert sys.getswitchinterval() == SWITCH_INTERVAL_S < 0.005   # CPython's default is 5 ms
