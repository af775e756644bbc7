"""Files handed to the page: named by content, never seen half-written, pruned after an hour."""

import os
import threading
import time

from components import exports


def test_a_file_is_named_by_its_content_and_old_files_are_removed(tmp_path):
    old = tmp_path / "x-old.gif"
    old.write_bytes(b"old")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    first = exports.content_named_file(tmp_path, "x", ".gif", b"GIF89a-one", max_age_s=3600)
    assert exports.content_named_file(tmp_path, "x", ".gif", b"GIF89a-one", max_age_s=3600) == first
    assert exports.content_named_file(tmp_path, "x", ".gif", b"GIF89a-two", max_age_s=3600) != first
    assert not old.exists() and open(first, "rb").read() == b"GIF89a-one"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".part-")]


def test_a_reader_never_sees_a_file_another_request_is_rewriting(tmp_path):
    """Learners on the same settings write the same file at once while gradio reads it: every
    read gets the whole content (a plain rewrite truncated it for the reader)."""
    data = os.urandom(2_000_000)
    path = exports.content_named_file(tmp_path, "same", ".bin", data)
    stop, short_reads = threading.Event(), []

    def rewrite():
        while not stop.is_set():
            exports.content_named_file(tmp_path, "same", ".bin", data)

    writers = [threading.Thread(target=rewrite) for _ in range(2)]
    for w in writers:
        w.start()
    try:
        for _ in range(200):
            with open(path, "rb") as f:
                if len(f.read()) != len(data):
                    short_reads.append(1)
    finally:
        stop.set()
        for w in writers:
            w.join()
    assert not short_reads
