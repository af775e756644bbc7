"""A fix to gradio 6.31 that a classroom needs: images written to the cache atomically.

``gr.Image`` hands a numpy or PIL picture to ``processing_utils.save_pil_to_cache``, which names the
file by the hash of its bytes and writes it with ``Path.write_bytes``: truncate, then write. When
learners get the same picture at the same moment — a teacher's link, the lab's defaults — one
request truncates the file while the page of another is downloading it. The 30-learner load
benchmark saw it as "peer closed connection without sending complete message body (received 0
bytes, expected 40704)" on the attention lab's model view, and as uvicorn tracebacks ("Too little
data for declared Content-Length"). gradio's own ``save_file_to_cache`` already writes under a
temporary name and renames; here images do the same. Every gradio caller reaches the function
through the module (``processing_utils.save_pil_to_cache``), so replacing it there covers them all.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gradio import processing_utils

GRADIO_SAVE_PIL_TO_CACHE = processing_utils.save_pil_to_cache   # gradio's own (tests compare)


def save_pil_to_cache(img, cache_dir: str, name: str = "image", format: str = "webp") -> str:
    """gradio's function of the same name, written to a temporary file and renamed into place
    (atomic on one file system), and not rewritten when the same picture is already there."""
    data = processing_utils.encode_pil_to_bytes(img, format)
    folder = Path(cache_dir) / processing_utils.hash_bytes(data)
    folder.mkdir(exist_ok=True, parents=True)
    path = (folder / f"{name}.{format}").resolve()
    if not path.exists():
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".part-", delete=False) as part:
            part.write(data)
        os.replace(part.name, path)
    return str(path)


def install() -> None:
    processing_utils.save_pil_to_cache = save_pil_to_cache
