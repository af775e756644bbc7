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
