"""The forward (noising) process q(x_t | x_0) and the noise schedules it is built from. No gradio.

DDPM (Ho et al., 2020) adds Gaussian noise in T small steps, q(x_t | x_{t-1}) = N(√(1-β_t) x_{t-1}, β_t I);
composing them gives the closed form q(x_t | x_0) = N(√ᾱ_t x_0, (1-ᾱ_t) I) with ᾱ_t = Π_{s≤t} (1-β_s),
so any x_t is one draw away: x_t = √ᾱ_t x_0 + √(1-ᾱ_t) ε, ε ~ N(0, I).
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import torch
from diffusers import DDPMScheduler

from components.i18n import InputError
from components.settings import setting
from components.validation import as_int

T = 1000  # training timesteps of the bundled model and of the schedules drawn here

# Our name -> diffusers' beta_schedule. Linear: Ho et al. (2020); scaled linear: Stable Diffusion;
# cosine: Nichol & Dhariwal (2021), ᾱ_t = cos²(((t/T + s)/(1 + s)) π/2), which destroys information
# more evenly over t than the linear schedule (the bundled digits model uses it).
SCHEDULES = {"linear": "linear", "scaled_linear": "scaled_linear", "cosine": "squaredcos_cap_v2"}
PHOTOS = ("china", "flower")  # the two photos scikit-learn ships
PHOTO_SIZE = 64
SOURCES = ("digit", "index", "photo")
DIGIT_COUNT = 1797            # scikit-learn's digits data set: indices 0 to 1796
STRIP_TIMESTEPS = (0, 50, 100, 200, 300, 400, 500, 600, 700, 800, 999)


@dataclasses.dataclass(frozen=True)
class ForwardSettings:
    """What the forward-process view noises, with which schedule, to which t."""
    source: str = setting("digit", label="dif_fwd_source", choices=SOURCES, choice_label="dif_src_{}", widget="radio")
    digit: str = setting("3", label="dif_digit", choices=tuple(str(d) for d in range(10)), choice_label="dif_digit_{}")
    index: int = setting(0, label="dif_index", low=0, high=DIGIT_COUNT - 1, widget="number")
    photo: str = setting("china", label="dif_photo", choices=PHOTOS, choice_label="dif_photo_{}")
    schedule: str = setting("cosine", label="dif_schedule", choices=tuple(SCHEDULES), choice_label="dif_schedule_{}",
                            widget="radio")
    t: int = setting(300, label="dif_t", low=0, high=T - 1)
    seed: int = setting(0, label="seed", low=0, high=2**31 - 1, widget="number")


@dataclasses.dataclass(frozen=True)
class Schedule:
    name: str
    betas: np.ndarray      # (T,) β_t
    alpha_bar: np.ndarray  # (T,) ᾱ_t
    snr: np.ndarray        # (T,) ᾱ_t / (1 - ᾱ_t)


@functools.lru_cache(maxsize=len(SCHEDULES))
def schedule(name: str) -> Schedule:
    """β_t, ᾱ_t and the signal-to-noise ratio, as diffusers' DDPMScheduler computes them."""
    if name not in SCHEDULES:
        raise InputError("dif_err_schedule", value=str(name)[:40], allowed=", ".join(SCHEDULES))
    scheduler = DDPMScheduler(num_train_timesteps=T, beta_schedule=SCHEDULES[name])
    alpha_bar = scheduler.alphas_cumprod.double().numpy()
    return Schedule(name, scheduler.betas.double().numpy(), alpha_bar, alpha_bar / (1 - alpha_bar))


@dataclasses.dataclass(frozen=True)
class Coefficients:
    """The closed form's numbers at one t."""
    alpha_bar: float   # ᾱ_t
    signal: float      # √ᾱ_t, the weight of x_0 in x_t
    noise: float       # √(1-ᾱ_t), the weight of ε
    snr: float         # ᾱ_t / (1-ᾱ_t) = (signal / noise)²


def coefficients(name: str, t: int) -> Coefficients:
    """ᾱ_t of the schedule ``name`` and the weights it gives x_0 and ε in x_t."""
    chosen = schedule(name)
    alpha_bar = float(chosen.alpha_bar[t])
    return Coefficients(alpha_bar, alpha_bar**0.5, (1 - alpha_bar) ** 0.5, float(chosen.snr[t]))


def noised(x0: torch.Tensor, weights: Coefficients, noise: torch.Tensor) -> torch.Tensor:
    """x_t = √ᾱ_t x_0 + √(1-ᾱ_t) ε (the closed form of q(x_t | x_0))."""
    return weights.signal * x0 + weights.noise * noise


@functools.lru_cache(maxsize=1)
def _digits() -> tuple[torch.Tensor, np.ndarray]:
    """scikit-learn's 1,797 digits as (N, 1, 16, 16) in [-1, 1] (+1 = ink): the bundled model's data."""
    from components.datasets import load_digits_images

    images, labels = load_digits_images(16)
    return torch.from_numpy(images), labels


def digit_image(digit: int | None = None, index: int | None = None) -> torch.Tensor:
    """(1, 16, 16): the first example of ``digit``, or the digit at ``index`` in the data set."""
    images, targets = _digits()
    if index is None:
        digit = as_int("dif_digit", digit, 0, 9)
        index = int(np.flatnonzero(targets == digit)[0])
    index = as_int("dif_index", index, 0, len(targets) - 1)
    return images[index]


def source_image(settings: ForwardSettings) -> torch.Tensor:
    """(C, H, W) x_0 the settings pick: a digit by class or by index, or a photo."""
    if settings.source == "photo":
        return photo(settings.photo)
    if settings.source == "index":
        return digit_image(index=settings.index)
    return digit_image(digit=int(settings.digit))


@functools.lru_cache(maxsize=len(PHOTOS))
def photo(name: str) -> torch.Tensor:
    """(3, 64, 64) in [-1, 1]: a centre crop of one of scikit-learn's sample photos."""
    from PIL import Image
    from sklearn.datasets import load_sample_image

    if name not in PHOTOS:
        raise InputError("dif_err_image", value=str(name)[:40], allowed=", ".join(PHOTOS))
    array = load_sample_image(f"{name}.jpg")                       # (427, 640, 3) uint8
    h, w, _ = array.shape
    side = min(h, w)
    crop = array[(h - side) // 2:(h + side) // 2, (w - side) // 2:(w + side) // 2]
    small = np.asarray(Image.fromarray(crop).resize((PHOTO_SIZE, PHOTO_SIZE), Image.Resampling.LANCZOS))
    return torch.tensor(small, dtype=torch.float32).permute(2, 0, 1) / 127.5 - 1


def strip(x0: torch.Tensor, name: str, timesteps: list[int], seed: int) -> np.ndarray:
    """(len(timesteps), C, H, W): x_t for each t, all with the same ε so only t changes."""
    noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed))
    return np.stack([noised(x0, coefficients(name, t), noise).numpy() for t in timesteps])
