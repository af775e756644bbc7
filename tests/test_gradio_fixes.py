"""gradio's image cache under a classroom's concurrency (components/gradio_fixes.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from gradio import processing_utils
from PIL import Image

from components import gradio_fixes


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
