"""A lab's current result as files a teacher or a student takes away.

- ``result_json``: the settings and the numbers behind the plots, one JSON document
  (``{"lab": …, "settings": {…}, "data": {…}}``; numpy arrays become lists, NaN becomes null);
- ``curves_csv``: training curves, one row per iteration, one column per curve.

Figures download as PNG from plotly's own modebar (the camera icon on every plot). Files go to
one folder under the system's temp directory, named by their content, and files older than
``MAX_AGE_S`` are removed whenever a new one is written, so the folder stays small; gradio copies
what it serves into its own cache, which ``gr.Blocks(delete_cache=…)`` empties. No gradio here.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import hashlib
import io
import json
import math
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

EXPORT_DIR = Path(tempfile.gettempdir()) / "aigc-playground-exports"
MAX_AGE_S = 3600


def plain(value):
    """``value`` as JSON-ready Python: arrays and tensors to lists, dataclasses to dicts,
    non-finite floats to None (JSON has no NaN)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "detach"):                     # a torch tensor
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def content_named_file(directory: Path, stem: str, suffix: str, data: bytes, max_age_s: float = MAX_AGE_S) -> str:
    """``data`` in ``directory/<stem>-<hash of data><suffix>`` (a file handed to the page), and the
    directory's files older than ``max_age_s`` removed, so they do not pile up. Learners with the
    same settings make the same file at the same moment: it is written to a temporary name and
    renamed into place, so nobody reads it half-written (the load benchmark's five samplers, all
    on the defaults, got truncated downloads while another request rewrote the GIF)."""
    directory.mkdir(exist_ok=True)
    now = time.time()
    for old in directory.iterdir():
        with contextlib.suppress(FileNotFoundError):   # another request may have removed it
            if now - old.stat().st_mtime > max_age_s:
                old.unlink()
    path = directory / f"{stem}-{hashlib.sha1(data).hexdigest()[:16]}{suffix}"
    with tempfile.NamedTemporaryFile(dir=directory, prefix=".part-", delete=False) as part:
        part.write(data)
    os.replace(part.name, path)   # atomic on one file system
    return str(path)


def _write(data: bytes, stem: str, suffix: str) -> str:
    return content_named_file(EXPORT_DIR, stem, suffix, data)


def result_json(lab: str, settings, data: Mapping) -> str:
    """A JSON file with the lab's key, its settings (a dataclass or a mapping) and ``data``."""
    document = {"lab": lab, "settings": plain(settings), "data": plain(data)}
    text = json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False)
    return _write(text.encode(), f"{lab}-result", ".json")


def curves_csv(lab: str, curves: Mapping[str, Sequence[float]], index_name: str = "iteration") -> str:
    """A CSV file: ``index_name`` 1..N, then one column per curve (shorter curves end blank)."""
    length = max((len(v) for v in curves.values()), default=0)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([index_name, *curves])
    for i in range(length):
        row = [i + 1]
        for values in curves.values():
            v = float(values[i]) if i < len(values) else math.nan
            row.append("" if not math.isfinite(v) else f"{v:.6g}")
        writer.writerow(row)
    return _write(out.getvalue().encode(), f"{lab}-curves", ".csv")
