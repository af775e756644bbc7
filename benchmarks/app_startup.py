"""Foundation rows: `import app` against the bare library imports, and time to the first HTTP 200
of `python app.py` against a one-button Blocks app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks.timing import Row, interleaved_medians, python_seconds

ROOT = Path(__file__).resolve().parents[1]
BARE_IMPORTS = "import gradio, torch, transformers, diffusers"
ONE_BUTTON_APP = (
    "import os, gradio as gr\n"
    "with gr.Blocks() as demo:\n"
    "    gr.Button('hi')\n"
    "demo.launch(server_name='127.0.0.1', server_port=int(os.environ['GRADIO_SERVER_PORT']))\n"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seconds_to_first_200(args: list[str], timeout: float = 180) -> float:
    port = _free_port()
    env = os.environ | {"GRADIO_SERVER_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False"}
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < timeout:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as resp:
                    if resp.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"no HTTP 200 from {args} within {timeout} s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def rows(runs: int = 5) -> list[Row]:
    os.chdir(ROOT)
    app_import, bare = interleaved_medians(
        lambda: python_seconds("import app"), lambda: python_seconds(BARE_IMPORTS), runs)
    serve_app, serve_plain = interleaved_medians(
        lambda: seconds_to_first_200([sys.executable, "app.py"]),
        lambda: seconds_to_first_200([sys.executable, "-c", ONE_BUTTON_APP]), runs)
    return [
        Row("`import app` (fresh interpreter)", app_import, f"`{BARE_IMPORTS}`", bare, "ratio ≤ 1.3"),
        Row("`python app.py` to first HTTP 200", serve_app, "one-button Blocks app", serve_plain, "reported"),
    ]
