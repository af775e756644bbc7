"""Every raw value checked against its component before gradio touches it.

A raw API call whose value does not fit the component (a list or "abc" for a number, NaN, an
unknown choice, a 100 KB string, too few or too many values, a malformed image) fails in gradio's
preprocessing, before any handler runs: the caller got ``{"error": null}`` or gradio's English
text ("Value 0 is less than minimum value 1."), a message could echo the whole input, and the
server log got a traceback. Worse, ``gr.Image`` opens ``{"path": "/any/server/file.png"}`` sent
without gradio's ``meta`` tag (its path check is skipped then): a caller could make the server
read a file of its choosing.

``install(blocks)`` wraps the instance's ``process_api``, which every way of running an event
goes through (the queue, the direct route, the validator step) and which receives the raw values
and the request. Each value is checked against its component (the session's updated copy when a
``gr.update`` changed its limits) with ``components.validation``; a refusal is an ``InputError``
naming the control, shown in the caller's language by ``components.errors``, logged as one
WARNING line, never a traceback. An image is measured from its file header (``PIL.Image.open``
decodes nothing) and refused when it has more pixels than its control needs, before gradio
decodes it: a 20,000 × 20,000 PNG compresses to a few megabytes but decodes to 1.6 GB. What
gradio still cannot read after our checks becomes "… could not be read". ``install`` also
translates the "queue is full" answer and the answer to a body that is not ``{"data": [...]}``
(FastAPI's repeats the whole input), and keeps a slow reader's pending frames from piling up
(``behind``).
"""

from __future__ import annotations

import io
import logging
import re
import warnings

import gradio as gr
import PIL.Image
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from gradio import utils
from gradio.components import Checkbox, CheckboxGroup, Dropdown, Image, ImageEditor, Number, Radio, Slider, Textbox

from components.errors import request_language
from components.i18n import InputError, register, translate
from components.validation import as_bool, as_choice, as_float, as_int, as_text, echo

log = logging.getLogger("aigc_playground.input")

TEXT_LIMIT = 2000   # characters a Textbox without its own max_length accepts (gradio never checks max_length)
ID_LIMIT = 64       # a sketch pad's blob id is a short random string
IMAGE_PIXELS = 1024 * 1024   # an image control without a canvas: the labs show at most ~512 px a side
CANVAS_SCALE = 4    # a sketch pad sends its canvas; a high-density screen may send up to 4 device pixels per side

register(
    {"err_image_too_large": "{name} is too large: {pixels} pixels; at most {limit} are accepted.",
     "err_bad_request": "The request could not be read: send JSON {\"data\": [the values, in order]}.",
     "err_text_invalid": "{name} holds something that is not text (a lone UTF-16 surrogate): {value}."},
    {"err_image_too_large": "{name} 太大：{pixels} 像素，最多接受 {limit} 像素。",
     "err_bad_request": "无法读取请求：请发送 JSON {\"data\": [按顺序排列的各个值]}。",
     "err_text_invalid": "{name} 含有不是文本的内容（孤立的 UTF-16 代理项）：{value}。"},
)


def _label(block, index: int) -> str:
    """The control's label key (its I18n key), or "input N"."""
    label = getattr(block, "label", None)
    label = getattr(label, "key", label)
    return str(label) if label else f"#{index + 1}"


def _check_number(name: str, block, value) -> None:
    low = -float("inf") if block.minimum is None else block.minimum
    high = float("inf") if block.maximum is None else block.maximum
    # JSON numbers only: gradio would read "3" or True as numbers, and round 2.7 silently
    if isinstance(value, str):
        raise InputError("err_not_number", name=name, value=echo(value))
    integer = getattr(block, "precision", None) == 0 or (
        isinstance(block, Slider) and float(block.step).is_integer() and float(block.minimum).is_integer())
    (as_int if integer else as_float)(name, value, low, high)


def _check_choice(name: str, block, value) -> None:
    allowed = [str(v) for _, v in block.choices]
    if getattr(block, "allow_custom_value", False):
        as_text(name, value, TEXT_LIMIT)   # the handler's settings check which values it accepts
    elif getattr(block, "multiselect", False) or isinstance(block, CheckboxGroup):
        if not isinstance(value, list):
            raise InputError("err_choice", name=name, value=echo(value), allowed=", ".join(allowed))
        for item in value:
            as_choice(name, item, allowed)
    else:
        as_choice(name, value, allowed)


def _check_text(name: str, block, value) -> None:
    as_text(name, value, getattr(block, "max_length", None) or TEXT_LIMIT)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:   # a lone surrogate ("\\ud800" in JSON): tokenizers raise on it
        raise InputError("err_text_invalid", name=name, value=echo(value)) from None


def _pixel_limit(block) -> int:
    canvas = getattr(block, "canvas_size", None)
    if canvas:
        return CANVAS_SCALE * int(canvas[0]) * CANVAS_SCALE * int(canvas[1])
    return IMAGE_PIXELS


def _check_pixels(name: str, limit: int, source) -> None:
    """Refuse an image (a path or bytes) with more than ``limit`` pixels, or that is no image,
    reading only its header."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PIL.Image.DecompressionBombWarning)   # the size is judged below
            with PIL.Image.open(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source) as image:
                pixels = image.width * image.height
    except PIL.Image.DecompressionBombError as bomb:   # PIL refuses > 2 x MAX_IMAGE_PIXELS at open
        found = re.search(r"\((\d+) pixels\)", str(bomb))
        pixels = int(found.group(1)) if found else limit + 1
    except (OSError, ValueError, SyntaxError):   # not an image PIL knows (its header parsers raise these)
        raise InputError("err_unreadable", name=name) from None
    if pixels > limit:
        raise InputError("err_image_too_large", name=name, pixels=f"{pixels:,}", limit=f"{limit:,}")


def _check_file(name: str, block, value) -> None:
    """An image the server received through its upload route, tagged as gradio's FileData, and
    not larger than ``block`` needs."""
    if value is None:
        return
    path = value.get("path") if isinstance(value, dict) else None
    if (not isinstance(path, str) or value.get("meta") != {"_type": "gradio.FileData"}
            or not utils.is_in_or_equal(path, utils.get_upload_folder())):
        raise InputError("err_not_upload", name=name, value=echo(value))
    _check_pixels(name, _pixel_limit(block), path)


def _check_editor(name: str, block, value) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or set(value) - {"background", "layers", "composite", "id"}:
        raise InputError("err_not_upload", name=name, value=echo(value))
    blob_id = value.get("id")
    if blob_id is not None and not (isinstance(blob_id, str) and len(blob_id) <= ID_LIMIT):
        raise InputError("err_not_upload", name=name, value=echo(value))
    layers = value.get("layers") or []
    if not isinstance(layers, list):
        raise InputError("err_not_upload", name=name, value=echo(value))
    for item in (value.get("background"), value.get("composite"), *layers):
        _check_file(name, block, item)
    # the browser sends a drawing as blobs first (the component's accept_blobs) and then only
    # their id: gradio decodes what the blob store holds under it
    store = getattr(block, "blob_storage", {})
    blobs = store.get(blob_id) if blob_id is not None else None
    if blobs is not None:
        try:
            for blob in (blobs.background, blobs.composite, *blobs.layers):
                if blob is not None:
                    _check_pixels(name, _pixel_limit(block), blob)
        except InputError:
            store.pop(blob_id, None)   # gradio drops a blob only once it has decoded it
            raise


CHECKS = (
    (Slider, _check_number), (Number, _check_number),
    (Dropdown, _check_choice), (Radio, _check_choice), (CheckboxGroup, _check_choice),
    (Checkbox, lambda name, block, value: as_bool(name, value)),
    (Textbox, _check_text),
    (ImageEditor, _check_editor),
    (Image, _check_file),
)


def with_server_slots(block_fn, inputs):
    """The raw values with a placeholder where the server holds the value (a ``gr.State``), when
    the caller sent only the others: the API page lists only those, and gradio_client and the
    browser insert the placeholders themselves."""
    held = [block.stateful for block in block_fn.inputs]
    if not any(held) or not isinstance(inputs, list) or len(inputs) != held.count(False):
        return inputs
    values = iter(inputs)
    return [None if stateful else next(values) for stateful in held]


def check_inputs(block_fn, inputs: list, state) -> None:
    """Raise InputError for the first raw value that does not fit its component."""
    if not isinstance(inputs, list) or len(inputs) != len(block_fn.inputs):
        got = len(inputs) if isinstance(inputs, list) else 0
        visible = sum(not block.stateful for block in block_fn.inputs)
        raise InputError("err_argument_count", expected=visible, got=got)
    for index, (block, value) in enumerate(zip(block_fn.inputs, inputs)):
        if block.stateful or index in block_fn.component_prop_inputs:
            continue                              # gr.State lives on the server
        if state is not None and block._id in state:
            block = state[block._id]              # choices or limits changed by a gr.update
        for cls, check in CHECKS:
            if isinstance(block, cls):
                check(_label(block, index), block, value)
                break


class _Unreadable(Exception):
    """gradio's own preprocessing failed on a value our checks let through."""


def _unreadable_name(block_fn, exc: Exception) -> str:
    found = re.search(r"at index (\d+)", str(exc))   # gradio's ComponentProcessingError says which
    if found and int(found.group(1)) < len(block_fn.inputs):
        index = int(found.group(1))
        return _label(block_fn.inputs[index], index)
    return "err_input_any"


def _refuse(block_fn, session_hash, lang: str, error: InputError) -> gr.Error:
    log.warning("refused input to %s (session %s): %s", block_fn.api_name, session_hash, error)
    return gr.Error(translate(error.key, lang, **error.values), title=translate("error_title", lang),
                    print_exception=False)


def _first(request):
    """Batched events carry a list of requests."""
    return (request[0] if request else None) if isinstance(request, list) else request


def install(blocks: gr.Blocks) -> None:
    """Guard every event of ``blocks`` (call after ``blocks.queue(...)``); the server it launches
    answers a request body it cannot read with one short translated line."""
    original_process_api = blocks.process_api
    original_preprocess_data = blocks.preprocess_data
    original_push = blocks._queue.push

    async def preprocess_data(block_fn, inputs, state, explicit_call=False):
        try:
            return await original_preprocess_data(block_fn, inputs, state, explicit_call)
        except Exception as exc:  # noqa: BLE001 - gradio's own checks, gr.Error included
            raise _Unreadable(exc) from exc

    async def process_api(block_fn, inputs, state=None, request=None, iterator=None, session_hash=None,
                          *args, **kwargs):
        if isinstance(block_fn, int):
            block_fn = blocks.fns[block_fn]
        lang = request_language(_first(request))
        try:
            if iterator is None and not block_fn.batch:   # a generator's later steps carry no inputs
                inputs = with_server_slots(block_fn, inputs)
                check_inputs(block_fn, inputs, state)
            return await original_process_api(block_fn, inputs, state, request, iterator, session_hash,
                                              *args, **kwargs)
        except InputError as error:
            raise _refuse(block_fn, session_hash, lang, error) from None
        except _Unreadable as unreadable:
            error = InputError("err_unreadable", name=_unreadable_name(block_fn, unreadable.__cause__))
            raise _refuse(block_fn, session_hash, lang, error) from None

    async def push(body, request, username):
        accepted, message, kind = await original_push(body, request, username)
        if kind == "queue_full":
            # gradio's text is English and the page shows its own English line for this kind;
            # as an "error" the page shows ours, in the caller's language
            lang = request_language(request)
            log.warning("queue full: refused %s", getattr(body, "fn_index", None))
            return accepted, translate("err_busy", lang), "error"
        return accepted, message, kind

    original_launch = blocks.launch

    def launch(*args, app_kwargs: dict | None = None, **kwargs):
        app_kwargs = dict(app_kwargs or {})
        app_kwargs["exception_handlers"] = {RequestValidationError: _malformed_request,
                                            **(app_kwargs.get("exception_handlers") or {})}
        return original_launch(*args, app_kwargs=app_kwargs, **kwargs)

    blocks.process_api = process_api
    blocks.preprocess_data = preprocess_data
    blocks._queue.push = push
    blocks.launch = launch


async def _malformed_request(request, exc: RequestValidationError) -> JSONResponse:
    """A request body gradio's routes cannot read (no ``data`` list, not JSON): FastAPI would
    answer with its English detail, which repeats the whole input (a 100 KB string included)."""
    log.warning("malformed request to %s: %s", request.url.path, "; ".join(
        f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in exc.errors()[:3]))
    return JSONResponse({"detail": translate("err_bad_request", request_language(request))}, status_code=422)


def behind(request) -> bool:
    """True while the page of ``request``'s session still has a frame waiting to be sent: a live
    stream then skips the frame it is about to yield and sends a newer one later. Gradio queues
    every yielded frame per session, unbounded, and nothing slows a generator when its reader
    falls behind (a slow reader piled up 146 frames, 61 MB, in a measurement)."""
    session = getattr(request, "session_hash", None)
    starlette_request = getattr(request, "request", None)
    app = getattr(starlette_request, "app", None)
    blocks = app.get_blocks() if app is not None and hasattr(app, "get_blocks") else None
    if session is None or blocks is None or blocks._queue is None:
        return False
    waiting = blocks._queue.pending_messages_per_session.get(session)
    return waiting is not None and waiting.qsize() > 0
