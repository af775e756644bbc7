"""gradio's image cache under a classroom's concurrency (components/gradio_fixes.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from gradio import processing_utils
from PIL import Image

from components import gradio_fixes
from tests.conftest import free_port


def short_reads_while_saving(save, folder: Path, rounds: int = 300) -> int:
    """Two threads save the same picture over and over (learners with the same settings) while a
    third reads the file the first save named: how many reads found fewer bytes than the picture."""
    picture = Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    folder.mkdir(parents=True, exist_ok=True)
    path = Path(save(picture, str(folder), format="png"))
    size = path.stat().st_size
    short, stop = [0], threading.Event()

    def writer():
        for _ in range(rounds):
            save(picture, str(folder), format="png")
        stop.set()

    def reader():
        while not stop.is_set():
            if len(path.read_bytes()) != size:
                short[0] += 1

    threads = [threading.Thread(target=writer), threading.Thread(target=writer), threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return short[0]


def test_a_picture_saved_while_another_request_reads_it_is_never_seen_half_written(tmp_path):
    assert short_reads_while_saving(gradio_fixes.save_pil_to_cache, tmp_path / "fixed") == 0
    # gradio's own is (tens of thousands of short reads here); when it no longer is, drop the fix
    assert short_reads_while_saving(gradio_fixes.GRADIO_SAVE_PIL_TO_CACHE, tmp_path / "gradio") > 0


def test_installed_it_is_what_gr_image_uses_and_the_bytes_are_the_picture(tmp_path, monkeypatch):
    import gradio as gr

    monkeypatch.setattr(processing_utils, "save_pil_to_cache", processing_utils.save_pil_to_cache)
    gradio_fixes.install()
    assert processing_utils.save_pil_to_cache is gradio_fixes.save_pil_to_cache
    pixels = np.zeros((8, 8, 3), np.uint8)
    pixels[2:5, 3] = (255, 0, 0)
    image = gr.Image(format="png")
    image.GRADIO_CACHE = str(tmp_path)
    saved = image.postprocess(pixels)
    np.testing.assert_array_equal(np.asarray(Image.open(saved.path).convert("RGB")), pixels)


def gradio_session(blocks):
    """A session state as gradio 6.31 builds it, every block's config built up front: the oracle."""
    from gradio.state_holder import SessionState

    session = SessionState.__new__(SessionState)
    gradio_fixes.GRADIO_SESSION_INIT(session, blocks)
    return session


def test_a_sessions_block_configs_are_built_when_read_and_equal_gradios_own():
    import app
    from gradio.state_holder import SessionState

    gradio_fixes.install()
    ours, theirs = SessionState(app.demo), gradio_session(app.demo)
    assert dict.__len__(ours.config_values) == 0       # nothing built when the session begins
    assert len(ours.config_values) == len(theirs.config_values) > 100
    some = next(iter(theirs.config_values))
    assert some in ours.config_values and ours.config_values.get(some) == theirs.config_values[some]
    assert dict.__len__(ours.config_values) == 1       # reading one builds one
    # a value set through gradio's own path lands in both alike, then the deep-link view agrees
    textbox = next(k for k, v in app.demo.blocks.items() if type(v).__name__ == "Textbox")
    for session in (ours, theirs):
        session._update_value_in_config(textbox, "changed")
    assert list(ours.components) == list(theirs.components)
    assert ours.config_values[textbox]["props"]["value"] == "changed"


def test_a_session_with_an_event_in_flight_keeps_its_messages_however_many_sessions_come():
    import app
    from gradio.utils import LRUCache

    assert isinstance(app.demo._queue.pending_messages_per_session, gradio_fixes._SessionMessages)
    in_flight = {"streaming": {"event-1"}}
    for messages in (gradio_fixes._SessionMessages(2000, in_flight), LRUCache(2000)):
        messages["streaming"] = "its queue"
        for n in range(2000):
            messages[f"new-{n}"] = "a queue"
            in_flight[f"new-{n}"] = set()       # answered and done, as gradio leaves it
        evicted = {"streaming", *in_flight} - set(messages)
        assert len(messages) == 2000
        # ours drops the oldest idle session and keeps the stream; gradio's own drops the stream
        ours = isinstance(messages, gradio_fixes._SessionMessages)
        assert evicted == ({"new-0"} if ours else {"streaming"})
    # once every session is busy the cache grows rather than cut a stream off
    busy = gradio_fixes._SessionMessages(2, {"a": {"e1"}, "b": {"e2"}, "c": {"e3"}})
    for session in "abc":
        busy[session] = session
    assert list(busy) == ["a", "b", "c"]


def stream_while_new_sessions_come(queue_init, monkeypatch) -> tuple[list, str | None]:
    """A two-frame stream in one session; between its frames, five calls from new sessions, with
    gradio's message cache cut to 3 sessions. What the stream's caller received, and its error."""
    import threading
    import time

    import gradio as gr
    from gradio import queueing
    from gradio_client import Client

    monkeypatch.setattr(queueing.Queue, "__init__", queue_init)
    others_done = threading.Event()

    def stream():
        yield "first"
        others_done.wait(30)
        yield "second"

    with gr.Blocks() as blocks:
        out = gr.Textbox()
        gr.Button().click(stream, None, out, api_name="stream")
        gr.Button().click(lambda: "quick", None, out, api_name="quick")
    blocks.queue()
    blocks._queue.pending_messages_per_session.max_size = 3
    port = free_port()
    blocks.launch(server_port=port, prevent_thread_lock=True, quiet=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        job = Client(url, ssl_verify=False, verbose=False).submit(api_name="/stream")
        deadline = time.monotonic() + 30
        while not job.outputs() and time.monotonic() < deadline:
            time.sleep(0.05)
        for _ in range(5):
            assert Client(url, ssl_verify=False, verbose=False).predict(api_name="/quick") == "quick"
        others_done.set()
        try:
            job.result(timeout=30)
            error = None
        except Exception as failure:   # noqa: BLE001 - what the caller reads is the point
            error = str(failure)
        return job.outputs(), error
    finally:
        others_done.set()
        blocks.close()


def test_end_to_end_a_stream_outlives_more_new_sessions_than_gradio_keeps(monkeypatch):
    outputs, error = stream_while_new_sessions_come(gradio_fixes._queue_init, monkeypatch)
    assert (outputs, error) == (["first", "second"], None)
    # gradio's own cache loses the stream's queue: the caller got no second frame, only an error
    outputs, error = stream_while_new_sessions_come(gradio_fixes.GRADIO_QUEUE_INIT, monkeypatch)
    assert outputs == ["first"] and error is not None
