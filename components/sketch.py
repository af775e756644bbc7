"""What was drawn on a ``gr.Sketchpad``: the inked pixels, for the labs that turn a drawing into
2D training data (GAN, diffusion). No gradio import: the value arrives as a dict of arrays."""

from __future__ import annotations

import numpy as np


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
