"""The lab's model: the bundled pipeline ``assets/models/shapes-sd`` (diffusers' layout, made by
training/train_shapes_sd.py), loaded lazily and cached by id with ``components.models.ModelCache``
as the other labs' models are, so ``import app`` loads nothing.

Loading wraps the UNet's attention processors once (``core.install_recording``): a request then
records cross-attention by passing its own recorder, and the shared model keeps no request's state.
"""

from __future__ import annotations

import dataclasses

from components import models
from components.i18n import InputError
from demos.text2image import core

MODEL_ID = "shapes-sd"
MODELS = (MODEL_ID,)


@dataclasses.dataclass(frozen=True)
class Loaded:
    pipe: object              # diffusers.StableDiffusionPipeline, eval mode, recording processors installed
    words: core.WordMap       # the caption words' embeddings on a plane (computed once)
    pixel_unet: object        # the same UNet built for pixels, untrained: the VAE view times it


def from_folder(folder) -> Loaded:
    """A pipeline folder in diffusers' layout, ready for the lab."""
    from diffusers import StableDiffusionPipeline

    # one build at a time across the app: transformers patches process-wide torch state while it builds
    with models._BUILD_LOCK:
        pipe = StableDiffusionPipeline.from_pretrained(folder, safety_checker=None, feature_extractor=None,
                                                       requires_safety_checker=False, local_files_only=True)
        pixel_unet = core.pixel_unet(pipe)
    pipe.set_progress_bar_config(disable=True)
    core.install_recording(pipe.unet)
    return Loaded(pipe, core.word_map(pipe), pixel_unet)


def _build(model_id: str) -> Loaded:
    try:
        return from_folder(models.ASSETS_DIR / model_id)
    except (OSError, ValueError) as exc:
        models.log.warning("could not load %s: %s", model_id, exc)
        raise InputError("err_model_unavailable", model=model_id, bundled=", ".join(MODELS)) from exc


PIPELINES = models.ModelCache(_build, size=len(MODELS))


def load(model_id: str = MODEL_ID) -> Loaded:
    if model_id not in MODELS:
        raise InputError("err_unknown_model", model=str(model_id)[:80], allowed=", ".join(MODELS))
    return PIPELINES.get(model_id)
