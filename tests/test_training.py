"""The training scripts' quick modes run end to end and write what from_pretrained loads."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from training import data
from training.evaluate import nats_per_char
from training.train_classifier import split_indices
from training.train_gpt import get_batch, lm_loss


def run_module(module: str, *args: str) -> None:
    out = subprocess.run([sys.executable, "-m", module, *args], check=False, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]


def test_held_out_works_are_never_trained_on():
    works = data.load_works()
    assert len(works) == 42 and not any(n.endswith("_gut_f.txt") for n in works)
    train, val = data.split_works(works)
    assert set(val) == {"tempest_gut.txt", "macbeth_gut.txt"}
    assert not set(train) & set(val)


def test_digits_are_scaled_ink_positive():
    images, labels = data.load_digits_images(16)
    assert images.shape == (1797, 1, 16, 16) and images.min() == -1.0 and images.max() == 1.0
    assert (images[:, :, 0, 0] < -0.9).mean() > 0.95  # corners are blank paper (-1)
    assert images.mean() < -0.2  # more paper than ink
    assert sorted(set(labels.tolist())) == list(range(10))


def test_gpt_quick_mode(tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    run_module("training.train_gpt", "--quick", "--out", str(tmp_path))
    model = AutoModelForCausalLM.from_pretrained(tmp_path)
    tokenizer = AutoTokenizer.from_pretrained(tmp_path)
    assert tokenizer.decode(tokenizer("Thou art")["input_ids"]) == "Thou art"
    assert (tmp_path / "model.safetensors").exists() and (tmp_path / "training_loss.png").exists()
    rows = (tmp_path / "training_log.csv").read_text().splitlines()
    assert rows[0].startswith("step,train_loss,val_loss") and len(rows) >= 3
    assert model.config.n_positions == 64


def test_windows_start_at_works_at_the_asked_share():
    eos = 0
    stream = np.arange(1, 10_001)
    stream[[0, 4000, 7000]] = eos
    starts = np.flatnonzero(stream == eos)
    gen = np.random.default_rng(0)
    x, y = get_batch(stream, 16, 4000, gen, starts, 0.25)
    aligned = (x[:, 0] == eos).float().mean().item()
    assert 0.22 < aligned < 0.28                                      # ~25% begin at a work's start
    assert torch.equal(x[:, 1:], y[:, :-1])                           # y is x shifted by one
    x, _ = get_batch(stream, 16, 500, gen, starts, 1.0)
    assert set(x[:, 0].tolist()) == {eos} and set(x[:, 1].tolist()) == {2, 4002, 7002}
    x, _ = get_batch(stream, 16, 4000, gen)                            # plain random windows
    assert (x[:, 0] == eos).float().mean() < 0.01


def test_bf16_loss_matches_float32():
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    config = GPT2Config(vocab_size=50, n_positions=32, n_embd=32, n_layer=2, n_head=2, bos_token_id=0, eos_token_id=0)
    model = GPT2LMHeadModel(config).eval()                            # no dropout: both see one network
    x = torch.randint(0, 50, (4, 32))
    y = torch.randint(0, 50, (4, 32))
    exact = torch.nn.functional.cross_entropy(model(input_ids=x).logits.flatten(0, 1), y.flatten())
    assert lm_loss(model, x, y).item() == pytest.approx(exact.item(), rel=1e-6)
    half = lm_loss(model, x, y, bf16=True).item()
    assert half == pytest.approx(exact.item(), rel=0.02)
    assert half != exact.item()                                       # the matmuls really ran in bfloat16


def test_ddpm_quick_mode(tmp_path):
    from diffusers import DDPMScheduler, UNet2DModel

    run_module("training.train_ddpm", "--quick", "--out", str(tmp_path))
    unet = UNet2DModel.from_pretrained(tmp_path, subfolder="unet")
    scheduler = DDPMScheduler.from_pretrained(tmp_path, subfolder="scheduler")
    assert unet.config.num_class_embeds == 11 and scheduler.config.beta_schedule == "squaredcos_cap_v2"


def test_classifier_quick_mode(tmp_path):
    run_module("training.train_classifier", "--quick", "--out", str(tmp_path))
    summary = json.loads((tmp_path / "config.json").read_text())
    assert summary["held_out_images"] == 359 and 0 <= summary["held_out_accuracy"] <= 1


def test_classifier_split_is_stratified_and_disjoint():
    _, labels = data.load_digits_images(8)
    train, test = split_indices(labels)
    assert not set(train) & set(test) and len(train) + len(test) == len(labels)
    shares = np.bincount(labels[test], minlength=10) / np.bincount(labels, minlength=10)
    assert np.allclose(shares, 0.2, atol=0.01)


def test_nats_per_char_by_hand():
    """A model that gives every token of a 4-token vocabulary probability 1/4: each scored token
    costs log 4 nats, and every token after the given <|endoftext|> is scored exactly once."""
    class Uniform(torch.nn.Module):
        config = type("C", (), {"n_positions": 4})()

        def forward(self, ids):
            return type("O", (), {"logits": torch.zeros(ids.shape[0], ids.shape[1], 4)})()

    class Tok:
        eos_token_id = 0

        def __call__(self, text):
            return {"input_ids": [1 + (ord(c) % 3) for c in text]}  # one token per character

    text = "abcdefghij"
    assert nats_per_char(Uniform(), Tok(), [text]) == pytest.approx(math.log(4))
