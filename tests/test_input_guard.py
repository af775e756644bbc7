"""The input guard (components/input_guard.py): each raw value checked against its component
(the session's updated copy included) before gradio reads it, argument counts, images that are
not uploads or larger than their control needs, the translated queue-full answer, and the check
a live stream makes before yielding a frame."""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import math
import struct
import types
import uuid
import zlib
from pathlib import Path

import gradio as gr
import httpx
import numpy as np
import pytest
from gradio import utils
from gradio.components.image_editor import EditorDataBlobs
from PIL import Image

from components import input_guard
from components.i18n import InputError, translate
from tests.conftest import free_port

FILE_META = {"_type": "gradio.FileData"}


def handler(*values):
    return "ran"


@pytest.fixture(scope="module")
def controls():
    """A Blocks with one control of every kind the guard checks, and the event that takes them."""
    with gr.Blocks() as blocks:
        c = types.SimpleNamespace(
            steps=gr.Number(3, label="Steps", precision=0, minimum=1, maximum=10),
            rate=gr.Slider(0.0, 1.0, value=0.5, step=0.01, label="Rate"),
            layers=gr.Slider(1, 6, value=2, step=1, label="Layers"),
            loss=gr.Dropdown(["a", "b"], value="a", label="Loss"),
            mode=gr.Radio(["x", "y"], value="x", label="Mode"),
            kinds=gr.CheckboxGroup(["p", "q"], value=["p"], label="Kinds"),
            field=gr.Checkbox(False, label="Field"),
            text=gr.Textbox("hi", label="Text", max_length=100),
            seed=gr.Number(0, label="seed", precision=0, minimum=0),   # an i18n key as its label
            photo=gr.Image(label="Photo", type="numpy"),
            sketch=gr.Sketchpad(label="Sketch", type="numpy", canvas_size=(240, 240)),
            state=gr.State(7),
            out=gr.Textbox(),
        )
        inputs = [c.steps, c.rate, c.layers, c.loss, c.mode, c.kinds, c.field, c.text, c.seed, c.photo, c.sketch,
                  c.state]
        gr.Button().click(handler, inputs, c.out, api_name="everything")
    c.fn = next(f for f in blocks.fns.values() if f.api_name == "everything")
    c.good = [3, 0.5, 2, "a", "x", ["p"], False, "hi", 0, None, None, None]
    return c


def with_value(c, index: int, value) -> list:
    values = list(c.good)
    values[index] = value
    return values


def refusal(c, values, state=None) -> InputError:
    with pytest.raises(InputError) as caught:
        input_guard.check_inputs(c.fn, values, state)
    return caught.value


def test_good_values_pass(controls):
    input_guard.check_inputs(controls.fn, controls.good, None)
    input_guard.check_inputs(controls.fn, with_value(controls, 1, 1), None)   # an int for a float slider
    input_guard.check_inputs(controls.fn, with_value(controls, 5, []), None)  # no box ticked


@pytest.mark.parametrize("index, value, key", [
    (0, "3", "err_not_number"), (0, [1, 2], "err_not_number"), (0, None, "err_not_number"),
    (0, math.nan, "err_not_number"), (0, math.inf, "err_not_number"), (0, -math.inf, "err_not_number"),
    (0, True, "err_not_number"), (0, {}, "err_not_number"),
    (0, 0, "err_out_of_range"), (0, 11, "err_out_of_range"), (0, 2.5, "err_not_integer"),
    (1, 1.5, "err_out_of_range"), (1, "z" * 100_000, "err_not_number"),
    (2, 2.5, "err_not_integer"),                       # an integer slider: whole numbers only
    (3, "c", "err_choice"), (3, None, "err_choice"), (3, ["a"], "err_choice"), (3, "", "err_choice"),
    (4, 1, "err_choice"),
    (5, "p", "err_choice"), (5, ["r"], "err_choice"), (5, [None], "err_choice"),
    (6, "yes", "err_not_bool"), (6, 1, "err_not_bool"), (6, None, "err_not_bool"),
    (7, None, "err_not_text"), (7, 5, "err_not_text"), (7, "z" * 101, "err_text_too_long"),
    (7, "a\ud800b", "err_text_invalid"),               # a lone surrogate: no tokenizer can encode it
    (8, -1, "err_at_least"),
])
def test_each_bad_value_is_refused_naming_its_control(controls, index, value, key):
    error = refusal(controls, with_value(controls, index, value))
    assert error.key == key
    assert error.values["name"] == controls.fn.inputs[index].label
    assert len(str(error)) < 200   # the 100 KB string is cut (components.validation.echo)


def test_the_message_names_the_control_in_the_callers_language(controls):
    error = refusal(controls, with_value(controls, 8, -1))
    assert translate(error.key, "zh", **error.values) == "随机种子 不能小于 0，收到的是 -1。"
    assert str(error) == "Seed must be at least 0, got -1."


@pytest.mark.parametrize("values, got", [([], 0), ([3], 1), ([*"x" * 13], 13), ("abc", 0), (None, 0)])
def test_a_wrong_number_of_values_is_refused(controls, values, got):
    """The count a caller is told is the API page's: the values the server holds (gr.State) are
    not among them."""
    error = refusal(controls, values)
    assert error.key == "err_argument_count" and error.values == {"expected": 11, "got": got}


def test_a_caller_may_leave_out_the_values_the_server_holds(controls):
    """The API page lists no gr.State; gradio_client and the browser send a placeholder for it."""
    visible = controls.good[:-1]
    completed = input_guard.with_server_slots(controls.fn, visible)
    assert completed == [*visible, None]
    input_guard.check_inputs(controls.fn, completed, None)
    assert input_guard.with_server_slots(controls.fn, controls.good) == controls.good
    assert input_guard.with_server_slots(controls.fn, visible[:-1]) == visible[:-1]


def test_the_sessions_updated_component_is_the_one_checked(controls):
    """A gr.update that widened a slider or changed a dropdown's choices lives in the session's
    state; the guard checks against it, not against the component as the page was built."""
    wider = gr.Number(3, label="Steps", precision=0, minimum=1, maximum=100)
    state = {controls.steps._id: wider}
    input_guard.check_inputs(controls.fn, with_value(controls, 0, 50), state)
    assert refusal(controls, with_value(controls, 0, 50)).key == "err_out_of_range"
    other_choices = gr.Dropdown(["c"], value="c", label="Loss")
    state = {controls.loss._id: other_choices}
    input_guard.check_inputs(controls.fn, with_value(controls, 3, "c"), state)
    assert refusal(controls, with_value(controls, 3, "a"), state).key == "err_choice"


def uploaded(image: Image.Image | bytes, suffix: str = ".png") -> dict:
    """A file in gradio's upload folder, as the upload route hands it back."""
    folder = Path(utils.get_upload_folder()) / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path = folder / f"image{suffix}"
    if isinstance(image, bytes):
        path.write_bytes(image)
    else:
        image.save(path)
    return {"path": str(path), "meta": FILE_META}


def huge_png(width: int, height: int) -> bytes:
    """A real PNG of width × height black 1-bit pixels: ~50 KB that decode to width·height pixels
    (gradio converts to RGBA: 4 bytes each)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)   # filter byte, then the packed bits
    packer = zlib.compressobj(9)
    compressed = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)   # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", compressed) + chunk(b"IEND", b"")


def test_the_huge_png_helper_makes_an_image_of_that_size():
    with Image.open(io.BytesIO(huge_png(3000, 20))) as image:
        assert image.size == (3000, 20)
        image.load()
        assert np.asarray(image).shape == (20, 3000)


SERVER_FILE = str(Path(__file__))


@pytest.mark.parametrize("value", [
    SERVER_FILE, {"path": SERVER_FILE}, {"path": "/etc/passwd"},
    {"path": SERVER_FILE, "meta": FILE_META},                     # tagged, but not an upload
    {"path": f"{utils.get_upload_folder()}/../../etc/passwd", "meta": FILE_META},
    {"url": "data:image/png;base64,AAAA"}, 5, "z" * 100_000, [],
])
def test_an_image_must_be_an_upload_never_a_server_path(controls, value):
    error = refusal(controls, with_value(controls, 9, value))
    assert error.key == "err_not_upload" and len(str(error)) < 200


@pytest.mark.parametrize("value", [
    "abc", {"background": "abc"}, {"layers": "abc"}, {"other": 1}, {"id": "z" * 1000},
    {"background": None, "layers": [], "composite": {"path": SERVER_FILE}},
    {"background": None, "layers": [{"path": "/etc/passwd", "meta": FILE_META}], "composite": None},
])
def test_a_sketch_must_hold_uploads_only(controls, value):
    assert refusal(controls, with_value(controls, 10, value)).key == "err_not_upload"


def test_an_uploaded_image_within_its_limit_passes(controls):
    drawing = uploaded(Image.new("RGBA", (240, 240)))
    input_guard.check_inputs(controls.fn, with_value(controls, 10, {"background": None, "layers": [drawing],
                                                                    "composite": drawing}), None)
    input_guard.check_inputs(controls.fn, with_value(controls, 9, uploaded(Image.new("RGB", (1024, 1024)))), None)


def test_an_upload_that_is_no_image_cannot_be_read(controls):
    error = refusal(controls, with_value(controls, 9, uploaded(b"not an image at all", ".png")))
    assert error.key == "err_unreadable" and error.values == {"name": "Photo"}


def test_an_image_with_more_pixels_than_its_control_needs_is_refused_from_its_header(controls):
    """The sketch pad's canvas is 240 × 240: 4 device pixels a side at most, 960 × 960."""
    limit = (4 * 240) ** 2
    sketch = uploaded(huge_png(961, 960))
    error = refusal(controls, with_value(controls, 10, {"background": None, "layers": [], "composite": sketch}))
    assert error.key == "err_image_too_large"
    assert error.values == {"name": "Sketch", "pixels": f"{961 * 960:,}", "limit": f"{limit:,}"}
    assert translate(error.key, "zh", **error.values) == f"Sketch 太大：{961 * 960:,} 像素，最多接受 {limit:,} 像素。"
    error = refusal(controls, with_value(controls, 9, uploaded(huge_png(1025, 1024))))
    assert error.values["limit"] == f"{1024 * 1024:,}"


def test_a_20000_pixel_square_png_is_refused_without_being_decoded(controls):
    """PIL itself refuses to open more than 2 × MAX_IMAGE_PIXELS (a DecompressionBombError):
    the guard still names the control and the pixel count."""
    photo = uploaded(huge_png(20_000, 20_000))
    assert Path(photo["path"]).stat().st_size < 1_000_000
    error = refusal(controls, with_value(controls, 9, photo))
    assert error.key == "err_image_too_large" and error.values["pixels"] == "400,000,000"
    error = refusal(controls, with_value(controls, 9, uploaded(huge_png(12_000, 8_000))))   # under PIL's bomb limit
    assert error.values["pixels"] == "96,000,000"


def test_a_drawing_sent_as_blobs_is_measured_and_a_refused_one_dropped(controls):
    """The browser uploads a drawing's layers to the sketch pad's blob store and sends their id."""
    small, big = io.BytesIO(), io.BytesIO()
    Image.new("RGBA", (240, 240)).save(small, format="PNG")
    store = controls.sketch.blob_storage
    store["ok"] = EditorDataBlobs(background=None, layers=[small.getvalue()], composite=small.getvalue())
    input_guard.check_inputs(controls.fn, with_value(controls, 10, {"id": "ok"}), None)
    store["big"] = EditorDataBlobs(background=None, layers=[huge_png(5000, 5000)], composite=None)
    error = refusal(controls, with_value(controls, 10, {"id": "big", "background": None, "layers": [],
                                                        "composite": None}))
    assert error.key == "err_image_too_large" and "big" not in store
    store.pop("ok")


def test_server_held_values_and_component_props_are_not_checked(controls):
    """gr.State lives on the server: whatever the raw list holds in its place is ignored."""
    input_guard.check_inputs(controls.fn, with_value(controls, 11, {"anything": [1, 2]}), None)


# ---------------------------------------------------------------------------------------------
# the queue-full answer, and the stale-frame check


def on_own_loop(coroutine):
    """Await ``coroutine`` on a fresh event loop in its own thread: when a browser test ran
    before, Playwright's loop is running in this thread and asyncio.run refuses to start."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_the_queue_full_answer_is_translated():
    """Gradio answers a full queue with English text the page replaces by its own English line;
    the guard turns it into an error in the caller's language."""
    blocks = gr.Blocks()
    blocks.queue()

    async def full_queue(body, request, username):
        return False, "Queue is full.", "queue_full"

    async def accepted(body, request, username):
        return True, "event-1", "success"

    blocks._queue.push = full_queue
    input_guard.install(blocks)
    chinese = types.SimpleNamespace(headers={"accept-language": "zh-CN,zh;q=0.9"})
    english = types.SimpleNamespace(headers={"accept-language": "en-GB"})
    body = types.SimpleNamespace(fn_index=0)
    assert on_own_loop(blocks._queue.push(body, chinese, None)) == (False, translate("err_busy", "zh"), "error")
    assert on_own_loop(blocks._queue.push(body, english, None)) == (False, translate("err_busy", "en"), "error")
    blocks._queue.push = accepted
    input_guard.install(blocks)
    assert on_own_loop(blocks._queue.push(body, chinese, None)) == (True, "event-1", "success")


def test_a_caller_who_finds_the_queue_full_reads_why_in_their_language():
    """End to end: one event runs, one waits (max_size=1), the third caller is told the server is busy."""
    import threading

    started, release = threading.Event(), threading.Event()

    def hold():
        started.set()
        release.wait(30)
        return "done"

    with gr.Blocks() as blocks:
        out = gr.Textbox()
        gr.Button().click(hold, None, out, api_name="hold", concurrency_limit=1)
    blocks.queue(max_size=1)
    input_guard.install(blocks)
    port = free_port()
    blocks.launch(server_port=port, prevent_thread_lock=True, quiet=True)
    base = f"http://127.0.0.1:{port}/gradio_api"
    try:
        answers = []
        for _ in range(3):
            answers.append(httpx.post(f"{base}/call/hold", json={"data": []},
                                      headers={"accept-language": "zh-CN"}, timeout=30))
            assert started.wait(30)   # the first one runs before the others arrive
        assert [a.status_code for a in answers[:2]] == [200, 200]
        assert answers[2].status_code == 400
        assert answers[2].json()["detail"] == translate("err_busy", "zh")
    finally:
        release.set()
        blocks.close()


def test_behind_is_true_only_while_a_frame_waits_for_the_page():
    waiting: asyncio.Queue = asyncio.Queue()
    blocks = types.SimpleNamespace(_queue=types.SimpleNamespace(pending_messages_per_session={"s1": waiting}))
    app = types.SimpleNamespace(get_blocks=lambda: blocks)
    request = types.SimpleNamespace(session_hash="s1", request=types.SimpleNamespace(app=app))
    assert not input_guard.behind(request)
    waiting.put_nowait("frame")
    assert input_guard.behind(request)
    assert not input_guard.behind(types.SimpleNamespace(session_hash="other", request=request.request))
    assert not input_guard.behind(None)
