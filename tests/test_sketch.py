"""components.sketch: the inked pixels of a sketch-pad value, and the pad's words in Chinese."""

import re

import numpy as np

from components.sketch import ink_mask


def test_ink_comes_from_the_stroke_layers_or_else_the_composite():
    layer = np.zeros((6, 6, 4), np.uint8)
    layer[2, 1:5, 3] = 255
    assert ink_mask({"layers": [layer], "composite": None}).sum() == 4
    composite = np.full((6, 6, 4), 255, np.uint8)      # opaque white paper ...
    composite[4, :, :3] = 0                             # ... with one black row
    assert ink_mask({"layers": [], "composite": composite}).sum() == 6
    odd = [layer, np.zeros((3, 3, 4), np.uint8)]        # layers of different sizes: use the composite
    assert ink_mask({"layers": odd, "composite": composite}).sum() == 6
    assert ink_mask(None) is None and ink_mask({"layers": [], "composite": None}) is None


def gradio_editor_english() -> dict[str, str]:
    """Gradio's own English for its image editor, read from the page gradio serves (its built
    lang/en.json: the ``image_editor`` table of the core module)."""
    from pathlib import Path

    import gradio

    assets = Path(gradio.__file__).parent / "templates" / "frontend" / "assets"
    for core in assets.glob("core-*.js"):
        text = core.read_text(encoding="utf-8")
        name = re.search(r"image_editor:([\w$]+)[,}]", text)
        table = name and re.search(r"(?<![\w$.])" + re.escape(name.group(1)) + r"=\{([^{}]*)\}", text)
        if table:
            return {f"image_editor.{k}": v for k, v in re.findall(r"(\w+):`([^`]*)`", table.group(1))}
    raise AssertionError(f"no image_editor table in {assets}/core-*.js")


def test_every_word_of_the_sketch_pad_has_chinese_on_the_page():
    from components.sketch import EDITOR_EN, EDITOR_ZH
    from components.ui import translations

    assert EDITOR_EN == gradio_editor_english()   # the same words gradio shows in English
    chinese = translations().translations["zh-CN"]
    for key in EDITOR_EN:
        assert re.search(r"[\u4e00-\u9fff]", chinese[key]) and chinese[key] == EDITOR_ZH[key], key
