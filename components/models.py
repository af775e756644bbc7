"""Model registry: every model the labs can use, by id.

Bundled models live in ``assets/models/<id>/`` and load offline with the libraries' own
``from_pretrained``. Hub models are offered only when ``AIGC_ENABLE_HUB=1`` is set; when one
cannot be fetched the caller gets a ``ModelUnavailableError`` naming it and the bundled
alternatives. Loaders are lazy and cached by id, so ``import`` loads nothing.
"""

from __future__ import annotations

import dataclasses
import functools
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

log = logging.getLogger(__name__)

# One load at a time: transformers patches global torch state while it builds a model (weight
# initialisation is switched off), so two first requests loading at once can leave one model
# with uninitialised weights. Later calls return the cached model after a brief wait.
_LOAD_LOCK = threading.Lock()


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    model_id: str
    kind: str      # CAUSAL_LM or DDPM
    bundled: bool  # True: a folder under assets/models; False: a Hugging Face Hub repo

    @property
    def location(self) -> str:
        return str(ASSETS_DIR / self.model_id) if self.bundled else self.model_id


BUNDLED = (
    ModelSpec("shakespeare-gpt", CAUSAL_LM, bundled=True),
    ModelSpec("digits-ddpm", DDPM, bundled=True),
)
HUB = (
    ModelSpec("distilgpt2", CAUSAL_LM, bundled=False),
    ModelSpec("gpt2", CAUSAL_LM, bundled=False),
    ModelSpec("google/ddpm-cifar10-32", DDPM, bundled=False),
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


def load_causal_lm(model_id: str):
    """(model, tokenizer) in eval mode, with eager attention so attention weights are returned
    (under the default sdpa implementation ``output_attentions`` comes back empty)."""
    with _LOAD_LOCK:
        return _load_causal_lm(model_id)


def load_ddpm(model_id: str):
    """(unet, scheduler_config): the UNet in eval mode and the scheduler's config, from which each
    request builds a fresh scheduler (schedulers are stateful)."""
    with _LOAD_LOCK:
        return _load_ddpm(model_id)


@functools.lru_cache(maxsize=4)
def _load_causal_lm(model_id: str):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    spec = get_spec(model_id, CAUSAL_LM)
    try:
        tokenizer = AutoTokenizer.from_pretrained(spec.location)
        model = AutoModelForCausalLM.from_pretrained(
            spec.location, attn_implementation="eager", use_safetensors=True
        )
    except (OSError, ValueError) as exc:
        raise _unavailable(spec, exc) from exc
    return model.eval(), tokenizer


@functools.lru_cache(maxsize=4)
def _load_ddpm(model_id: str):
    from diffusers import DDPMScheduler, UNet2DModel

    spec = get_spec(model_id, DDPM)
    try:
        # bundled folders follow the pipeline layout (unet/, scheduler/); google/ddpm-cifar10-32
        # keeps its UNet and scheduler configs at the repository root
        unet = UNet2DModel.from_pretrained(spec.location, subfolder="unet" if spec.bundled else None,
                                           use_safetensors=True)
        scheduler = DDPMScheduler.from_pretrained(spec.location, subfolder="scheduler" if spec.bundled else None)
    except (OSError, ValueError) as exc:
        raise _unavailable(spec, exc) from exc
    return unet.eval(), scheduler.config


def model_context(model) -> int:
    """How many positions a causal LM can attend over (GPT-2 names it n_positions)."""
    config = model.config
    return int(getattr(config, "n_positions", None) or config.max_position_embeddings)


def loaded_model_count() -> int:
    """How many models the cached loaders hold (tests check that import loaded none)."""
    return _load_causal_lm.cache_info().currsize + _load_ddpm.cache_info().currsize
