"""The sketch pad (``gr.Sketchpad`` / ``gr.ImageEditor``) shared by the labs: what was drawn on it
(the inked pixels, for the labs that turn a drawing into data: GAN, diffusion, VAE), and its own
words in Chinese. No gradio import: the value arrives as a dict of arrays.

Gradio's Chinese tables (``zh-CN``) have no entry for the image editor at all, so every sketch
pad showed its hint "select the draw tool to start" and its tool tips (Brush, Erase, Redo, Clear
canvas, …) in English on a Chinese page. The pad looks its words up under ``image_editor.<key>``
in the page's tables; registering them here, with the same English as gradio's, fills the gap
for every pad at once (``components/ui.py`` imports this module, so the tables have them).
"""

from __future__ import annotations

import numpy as np

from components import i18n

# gradio 6.31's ``image_editor`` strings (its lang/en.json), English as gradio has them
EDITOR_EN = {f"image_editor.{key}": text for key, text in {
    "add_layer": "Add Layer", "brush": "Brush", "brush_size": "Brush Size", "clear_canvas": "Clear canvas",
    "color": "Color", "confirm_crop": "Confirm crop", "crop": "Crop", "erase": "Erase",
    "eraser_size": "Eraser Size", "fit_to_screen": "Fit to screen", "layer": "Layer", "layers": "Layers",
    "pan": "Pan", "paste": "Paste", "redo": "Redo", "resize": "Resize", "save_changes": "Save changes",
    "select_draw_tool": "select the draw tool to start", "show_layers": "Show Layers", "upload": "Upload",
    "upload_image": "Upload an image", "webcam": "Webcam", "zoom_in": "Zoom in", "zoom_out": "Zoom out",
}.items()}
EDITOR_ZH = {f"image_editor.{key}": text for key, text in {
    "add_layer": "添加图层", "brush": "画笔", "brush_size": "画笔大小", "clear_canvas": "清空画布",
    "color": "颜色", "confirm_crop": "确认裁剪", "crop": "裁剪", "erase": "橡皮擦",
    "eraser_size": "橡皮擦大小", "fit_to_screen": "适应屏幕", "layer": "图层", "layers": "图层列表",
    "pan": "平移", "paste": "粘贴", "redo": "重做", "resize": "调整大小", "save_changes": "保存更改",
    "select_draw_tool": "先选中画笔工具，再开始画", "show_layers": "显示图层", "upload": "上传",
    "upload_image": "上传图片", "webcam": "摄像头", "zoom_in": "放大", "zoom_out": "缩小",
}.items()}
i18n.register(EDITOR_EN, EDITOR_ZH)


def ink_mask(editor_value) -> np.ndarray | None:
    """The drawn pixels (H, W) of a sketch-pad value ({"layers": [...], "composite": ...} with
    RGBA arrays): opaque pixels of the stroke layers, else (no layers, or layers of different
    sizes) dark opaque pixels of the composite."""
    if not isinstance(editor_value, dict):
        return None
    layers = [np.asarray(layer) for layer in editor_value.get("layers") or [] if layer is not None]
    layers = [layer for layer in layers if layer.ndim == 3 and layer.shape[-1] == 4]
    if layers and all(layer.shape == layers[0].shape for layer in layers):
        return np.any([layer[..., 3] > 0 for layer in layers], axis=0)
    composite = editor_value.get("composite")
    if composite is None:
        return None
    image = np.asarray(composite, dtype=np.float32)
    if image.ndim != 3:
        return None
    opaque = image[..., 3] > 0 if image.shape[-1] == 4 else np.ones(image.shape[:2], dtype=bool)
    return opaque & (image[..., :3].mean(axis=-1) < 200)
