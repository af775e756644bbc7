"""The lab's models: the bundled pipeline ``assets/models/shapes-sd`` (diffusers' layout, made by
training/train_shapes_sd.py) and, when hub models are on (``AIGC_ENABLE_HUB=1``), real Stable
Diffusion checkpoints from the registry (``components.models``, kind ``TEXT_TO_IMAGE``). Every one
loads lazily through ``components.models.ModelCache`` (one lock per id; a hub download outside the
build lock), so ``import app`` loads nothing, and through the same ``from_folder``, so every view
runs the same code on it.

Loading wraps the UNet's attention processors once (``core.install_recording``): a request then
records cross-attention by passing its own recorder, and the shared model keeps no request's state.
"""

from __future__ import annotations

import dataclasses

from components import models
from demos.text2image import core

MODEL_ID = "shapes-sd"
# What a hub pipeline needs, and nothing more: the configs, the tokenizer's files and the fp32
# safetensors weights of the three networks. Not the safety checker, not the fp16 or EMA variants,
# not the single-file checkpoints at the repository root (several GB each).
PIPELINE_FILES = ["model_index.json", "scheduler/scheduler_config.json", "tokenizer/*.json", "tokenizer/*.txt",
                  "text_encoder/config.json", "text_encoder/model.safetensors", "unet/config.json",
                  "unet/diffusion_pytorch_model.safetensors", "vae/config.json",
                  "vae/diffusion_pytorch_model.safetensors"]
# the bundled pipeline and one hub pipeline (about 5 GB in fp32) in memory at once
CACHED = 2


@dataclasses.dataclass(frozen=True)
class Loaded:
    model_id: str
    pipe: object              # diffusers.StableDiffusionPipeline, eval mode, recording processors installed
    shapes_world: bool        # the bundled model: the judge, the caption words and the scenes apply to it
    words: core.WordMap | None  # the caption words' embeddings on a plane (shapes world only)
    pixel_unet: object | None   # the same UNet built for pixels, untrained: the VAE view times it (shapes world only)

    @property
    def side(self) -> int:
        """The image side the lab draws at, in pixels."""
        return core.image_side(self.pipe)


def from_folder(folder, shapes_world: bool = True, model_id: str = MODEL_ID) -> Loaded:
    """A pipeline folder in diffusers' layout, ready for the lab. A hub pipeline is drawn at
    ``core.LIMITS.hub_side`` pixels: its UNet's ``sample_size``, from which the lab and
    ``StableDiffusionPipeline.__call__`` both take the default size, is set to that side in latents."""
    from diffusers import StableDiffusionPipeline

    # one build at a time across the app: transformers patches process-wide torch state while it builds
    with models._BUILD_LOCK:
        pipe = StableDiffusionPipeline.from_pretrained(folder, safety_checker=None, feature_extractor=None,
                                                       requires_safety_checker=False, local_files_only=True,
                                                       use_safetensors=True)
        if not shapes_world:
            pipe.unet.register_to_config(sample_size=core.LIMITS.hub_side // pipe.vae_scale_factor)
        pixel_unet = core.pixel_unet(pipe) if shapes_world else None
    pipe.set_progress_bar_config(disable=True)
    core.install_recording(pipe.unet)
    return Loaded(model_id, pipe, shapes_world, core.word_map(pipe) if shapes_world else None, pixel_unet)


def _build(model_id: str) -> Loaded:
    spec = models.get_spec(model_id, models.TEXT_TO_IMAGE)
    try:
        # a hub pipeline is fetched (once, into the hub cache) here, outside the build lock
        folder = models._local_folder(spec, PIPELINE_FILES)
        return from_folder(folder, shapes_world=spec.bundled, model_id=model_id)
    except (OSError, ValueError) as exc:
        raise models._unavailable(spec, exc) from exc


PIPELINES = models.ModelCache(_build, size=CACHED)


def load(model_id: str = MODEL_ID) -> Loaded:
    """The pipeline for a registry id; an unknown id, or a hub id while hub models are off, is
    refused before it gets a lock of its own."""
    models.get_spec(model_id, models.TEXT_TO_IMAGE)
    return PIPELINES.get(model_id)
