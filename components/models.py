"""Model registry: every model the labs can use, by id.

Bundled models live in ``assets/models/<id>/`` and load offline with the libraries' own
``from_pretrained``. Hub models are offered only when ``AIGC_ENABLE_HUB=1`` is set; when one
cannot be fetched the caller gets a ``ModelUnavailableError`` naming it and the bundled
alternatives. Loaders are lazy and cached by id, so ``import`` loads nothing.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import os
import threading
from pathlib import Path

from components.i18n import InputError

# Where bundled models live; AIGC_ASSETS_DIR points elsewhere (e.g. a freshly trained copy).
ASSETS_DIR = Path(os.environ.get("AIGC_ASSETS_DIR") or Path(__file__).resolve().parents[1] / "assets" / "models")
HUB_ENV_VAR = "AIGC_ENABLE_HUB"
CAUSAL_LM = "causal-lm"
DDPM = "ddpm"
TEXT_TO_IMAGE = "text-to-image"   # a StableDiffusionPipeline folder (demos/text2image/pipeline.py loads it)

log = logging.getLogger(__name__)

# Building a model patches process-wide torch state (transformers switches weight initialisation
# off while it builds), so two builds at once can leave one model with uninitialised weights:
# builds from local files take this lock, one at a time. Downloads do not (see ModelCache).
_BUILD_LOCK = threading.Lock()
CACHED_PER_KIND = 4   # models of one kind kept in memory; the least recently used goes first


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    model_id: str
    kind: str      # CAUSAL_LM, DDPM or TEXT_TO_IMAGE
    bundled: bool  # True: a folder under assets/models; False: a Hugging Face Hub repo

    @property
    def location(self) -> str:
        return str(ASSETS_DIR / self.model_id) if self.bundled else self.model_id


BUNDLED = (
    ModelSpec("shakespeare-gpt", CAUSAL_LM, bundled=True),
    ModelSpec("digits-ddpm", DDPM, bundled=True),
    ModelSpec("shapes-sd", TEXT_TO_IMAGE, bundled=True),
)
HUB = (
    ModelSpec("distilgpt2", CAUSAL_LM, bundled=False),
    ModelSpec("gpt2", CAUSAL_LM, bundled=False),
    ModelSpec("google/ddpm-cifar10-32", DDPM, bundled=False),
    # Stable Diffusion in diffusers' layout: SD-Turbo (SD 2.1 distilled to 1-4 steps: the one a CPU
    # can afford) and SD 1.5 (the model of the course's articles)
    ModelSpec("stabilityai/sd-turbo", TEXT_TO_IMAGE, bundled=False),
    ModelSpec("stable-diffusion-v1-5/stable-diffusion-v1-5", TEXT_TO_IMAGE, bundled=False),
)


def hub_enabled() -> bool:
    return os.environ.get(HUB_ENV_VAR, "").strip().lower() in {"1", "true", "yes", "on"}


def available(kind: str) -> list[str]:
    """Ids a user may pick for this kind: bundled first, then hub ids when enabled."""
    specs = BUNDLED + (HUB if hub_enabled() else ())
    return [s.model_id for s in specs if s.kind == kind]


def default_model(kind: str) -> str:
    return next(s.model_id for s in BUNDLED if s.kind == kind)


def get_spec(model_id: str, kind: str) -> ModelSpec:
    """The spec for an id a user may pick, or an InputError that says what is allowed."""
    allowed = available(kind)
    for spec in BUNDLED + HUB:
        if spec.model_id == model_id and spec.kind == kind:
            if spec.model_id in allowed:
                return spec
            raise InputError("err_hub_disabled", model=model_id, env=HUB_ENV_VAR)
    raise InputError("err_unknown_model", model=str(model_id)[:80], allowed=", ".join(allowed))


def _unavailable(spec: ModelSpec, exc: Exception) -> InputError:
    log.warning("could not load %s: %s", spec.model_id, exc)
    bundled = ", ".join(s.model_id for s in BUNDLED if s.kind == spec.kind)
    return InputError("err_model_unavailable", model=spec.model_id, bundled=bundled)


class ModelCache:
    """Loaded models by id, least recently used out first.

    A cache hit takes no lock but a brief guard on the dictionary. A miss takes the lock of that
    id only, so concurrent first requests for one model build it once, while requests for other
    models go on: a hub model downloading for a minute delays nobody else. Only the build from
    local files takes the process-wide ``_BUILD_LOCK``."""

    def __init__(self, build, size: int = CACHED_PER_KIND):
        self._build, self._size = build, size
        self._items: collections.OrderedDict[str, object] = collections.OrderedDict()
        self._guard = threading.Lock()
        self._id_locks: dict[str, threading.Lock] = {}

    def _hit(self, model_id: str):
        with self._guard:
            if model_id in self._items:
                self._items.move_to_end(model_id)
                return self._items[model_id]
        return None

    def get(self, model_id: str):
        found = self._hit(model_id)
        if found is not None:
            return found
        with self._guard:
            id_lock = self._id_locks.setdefault(model_id, threading.Lock())
        with id_lock:
            found = self._hit(model_id)   # built meanwhile by the request we waited for
            if found is not None:
                return found
            loaded = self._build(model_id)
            with self._guard:
                self._items[model_id] = loaded
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
            return loaded

    def clear(self) -> None:
        with self._guard:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def _local_folder(spec: ModelSpec, patterns: list[str]) -> str:
    """Where the model's files are on this machine: the bundled folder, or the hub repo's files
    fetched (once, into the hub cache) outside the build lock."""
    if spec.bundled:
        return spec.location
    from huggingface_hub import snapshot_download

    return snapshot_download(spec.model_id, allow_patterns=patterns)


def _build_causal_lm(model_id: str):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    spec = get_spec(model_id, CAUSAL_LM)
    try:
        folder = _local_folder(spec, ["*.json", "*.txt", "*.safetensors", "*.model"])
        with _BUILD_LOCK:
            tokenizer = AutoTokenizer.from_pretrained(folder)
            model = AutoModelForCausalLM.from_pretrained(folder, attn_implementation="eager", use_safetensors=True)
    except (OSError, ValueError) as exc:
        raise _unavailable(spec, exc) from exc
    return model.eval(), tokenizer


def _build_ddpm(model_id: str):
    from diffusers import DDPMScheduler, UNet2DModel

    spec = get_spec(model_id, DDPM)
    try:
        folder = _local_folder(spec, ["*.json", "*.safetensors"])
        # bundled folders follow the pipeline layout (unet/, scheduler/); google/ddpm-cifar10-32
        # keeps its UNet and scheduler configs at the repository root
        subfolder = {"subfolder": "unet"} if spec.bundled else {}
        with _BUILD_LOCK:
            unet = UNet2DModel.from_pretrained(folder, use_safetensors=True, **subfolder)
            scheduler = DDPMScheduler.from_pretrained(folder, subfolder="scheduler" if spec.bundled else None)
    except (OSError, ValueError) as exc:
        raise _unavailable(spec, exc) from exc
    return unet.eval(), scheduler.config


CAUSAL_LMS = ModelCache(_build_causal_lm)
DDPMS = ModelCache(_build_ddpm)


def load_causal_lm(model_id: str):
    """(model, tokenizer) in eval mode, with eager attention so attention weights are returned
    (under the default sdpa implementation ``output_attentions`` comes back empty)."""
    get_spec(model_id, CAUSAL_LM)   # an unknown id is refused before it gets a lock of its own
    return CAUSAL_LMS.get(model_id)


def load_ddpm(model_id: str):
    """(unet, scheduler_config): the UNet in eval mode and the scheduler's config, from which each
    request builds a fresh scheduler (schedulers are stateful)."""
    get_spec(model_id, DDPM)
    return DDPMS.get(model_id)


def model_context(model) -> int:
    """How many positions a causal LM can attend over (GPT-2 names it n_positions)."""
    config = model.config
    return int(getattr(config, "n_positions", None) or config.max_position_embeddings)


def loaded_model_count() -> int:
    """How many models the cached loaders hold (tests check that import loaded none)."""
    return len(CAUSAL_LMS) + len(DDPMS)
