"""The model registry: bundled models load offline; hub models only when enabled, with a readable
error when they cannot be fetched."""

import subprocess
import sys

import pytest

from components import models
from components.i18n import InputError


def test_bundled_models_are_offered_first(monkeypatch):
    monkeypatch.delenv(models.HUB_ENV_VAR, raising=False)
    assert models.available(models.CAUSAL_LM) == ["shakespeare-gpt"]
    assert models.available(models.DDPM) == ["digits-ddpm"]


def test_hub_models_appear_only_when_enabled(monkeypatch):
    monkeypatch.setenv(models.HUB_ENV_VAR, "1")
    assert models.available(models.CAUSAL_LM)[0] == "shakespeare-gpt"
    assert "gpt2" in models.available(models.CAUSAL_LM)
    assert "google/ddpm-cifar10-32" in models.available(models.DDPM)


def test_text_to_image_offers_the_bundled_pipeline_then_stable_diffusion_when_enabled(monkeypatch):
    monkeypatch.delenv(models.HUB_ENV_VAR, raising=False)
    assert models.available(models.TEXT_TO_IMAGE) == ["shapes-sd"]
    monkeypatch.setenv(models.HUB_ENV_VAR, "1")
    assert models.available(models.TEXT_TO_IMAGE)[0] == "shapes-sd"
    assert "stabilityai/sd-turbo" in models.available(models.TEXT_TO_IMAGE)


def test_hub_model_refused_when_disabled(monkeypatch):
    monkeypatch.delenv(models.HUB_ENV_VAR, raising=False)
    with pytest.raises(InputError) as err:
        models.get_spec("gpt2", models.CAUSAL_LM)
    assert err.value.key == "err_hub_disabled" and models.HUB_ENV_VAR in str(err.value)


def test_unknown_model_names_the_allowed_ones(monkeypatch):
    monkeypatch.delenv(models.HUB_ENV_VAR, raising=False)
    with pytest.raises(InputError, match="shakespeare-gpt"):
        models.get_spec("../../etc/passwd", models.CAUSAL_LM)
    with pytest.raises(InputError):
        models.get_spec("digits-ddpm", models.CAUSAL_LM)  # right id, wrong kind


def test_hub_model_offline_gives_a_readable_error(monkeypatch):
    monkeypatch.setenv(models.HUB_ENV_VAR, "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    models.CAUSAL_LMS.clear()
    with pytest.raises(InputError) as err:
        models.load_causal_lm("distilgpt2")
    assert err.value.key == "err_model_unavailable"
    assert "distilgpt2" in str(err.value) and "shakespeare-gpt" in str(err.value)


def test_bundled_gpt_loads_with_eager_attention():
    model, tokenizer = models.load_causal_lm("shakespeare-gpt")
    assert model.config._attn_implementation == "eager"
    assert not model.training
    assert tokenizer.decode(tokenizer("To be, or not")["input_ids"]) == "To be, or not"
    assert models.load_causal_lm("shakespeare-gpt")[0] is model  # cached


def test_bundled_ddpm_loads_unet_and_scheduler_config():
    unet, scheduler_config = models.load_ddpm("digits-ddpm")
    assert unet.config.num_class_embeds == 11 and unet.config.sample_size == 16
    assert scheduler_config["num_train_timesteps"] == 1000


def test_bundled_weights_are_safetensors_only():
    files = [p.name for p in models.ASSETS_DIR.rglob("*") if p.is_file()]
    assert any(name.endswith(".safetensors") for name in files)
    assert not [n for n in files if n.endswith((".bin", ".pt", ".pth", ".ckpt", ".pkl"))]


def test_import_app_loads_no_model():
    code = ("import app; from components import models; "
            "assert models.loaded_model_count() == 0, models.loaded_model_count(); print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-2000:]


def test_concurrent_first_loads_share_one_model():
    """Two requests arriving together must not build two models at once (see ModelCache)."""
    from concurrent.futures import ThreadPoolExecutor

    models.CAUSAL_LMS.clear()
    with ThreadPoolExecutor(4) as pool:
        loaded = list(pool.map(lambda _: models.load_causal_lm("shakespeare-gpt")[0], range(4)))
    assert all(m is loaded[0] for m in loaded)
    assert all(bool(p.isfinite().all()) for p in loaded[0].parameters())
