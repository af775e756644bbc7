"""Diffusion: the reverse process written out, so every step can be recorded. No gradio here.

Classifier-free guidance (Ho & Salimans, 2022): one network predicts both eps(x_t, t, c) and
eps(x_t, t, none); the sampler uses eps_none + w (eps_c - eps_none). w = 1 is the plain
conditional prediction, w = 0 the unconditional one, w > 1 pushes samples towards the class.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import torch

# Imported here, not inside handlers: diffusers resolves names lazily, and two requests resolving
# them at once in different threads can fail with "cannot import name" (seen in a browser test).
from diffusers import (
    DDIMScheduler,
    DDPMScheduler,
    DPMSolverMultistepScheduler,
    EulerAncestralDiscreteScheduler,
    EulerDiscreteScheduler,
)

from components.i18n import InputError
from components.validation import as_float, as_int

NO_CLASS = 10  # class id meaning "no class" in the bundled digits model


@dataclasses.dataclass(frozen=True)
class SamplingLimits:
    max_steps: int = 200          # a DDPM step costs one (two with guidance) UNet call: 200 ≈ 8 s on 2 cores
    default_steps: int = 50
    max_images: int = 16          # one batch; 16 digits × 50 guided steps ≈ 1.5 s
    default_images: int = 8
    max_guidance: float = 10.0    # classifier-free guidance scale w
    default_guidance: float = 3.0
    max_eta: float = 1.0          # DDIM η: 0 deterministic, 1 as stochastic as DDPM
    max_seed: int = 2**31 - 1
    max_compared: int = 4         # schedulers side by side in one comparison


LIMITS = SamplingLimits()
# A hub model (google/ddpm-cifar10-32: 35.7 M parameters at 32×32×3) costs about 0.9 s per step for
# 16 images on 2 cores, 30× the digits model: smaller bounds keep a request under about 15 s.
HUB_LIMITS = dataclasses.replace(LIMITS, max_steps=50, default_steps=25, max_images=4, default_images=4)


@dataclasses.dataclass(frozen=True)
class Sampler:
    """How to build and drive one diffusers scheduler."""
    cls: type
    options: dict           # passed to from_config
    sigma_space: bool       # samples live in x = x0 + σ ε (Karras et al., 2022), not x = √ᾱ x0 + √(1-ᾱ) ε
    takes_eta: bool = False


SAMPLERS = {
    "ddpm": Sampler(DDPMScheduler, {}, sigma_space=False),
    "ddim": Sampler(DDIMScheduler, {}, sigma_space=False, takes_eta=True),
    # DPM-Solver++ (Lu et al., 2022): a second-order multistep solver of the probability-flow ODE in x0.
    "dpmpp": Sampler(DPMSolverMultistepScheduler, {"algorithm_type": "dpmsolver++", "solver_order": 2},
                     sigma_space=False),
    "euler": Sampler(EulerDiscreteScheduler, {}, sigma_space=True),
    "euler_a": Sampler(EulerAncestralDiscreteScheduler, {}, sigma_space=True),
}


def make_scheduler(name: str, config):
    """A fresh scheduler per request (schedulers are stateful), built from the model's config.
    Its timestep spacing stays the config's "leading" one: few steps then start below t = T − 1
    (5 steps at t = 800), but "trailing" spacing, which starts at t = 999, made DDIM blow up on the
    bundled cosine-schedule model: there ᾱ ≈ 2·10⁻⁹, so x̂0 = (x_t − √(1−ᾱ) ε̂)/√ᾱ multiplies the
    error of ε̂ by 20,000 and the samples' pixel std grew to 600."""
    if name not in SAMPLERS:
        raise InputError("dif_err_scheduler", value=str(name)[:40], allowed=", ".join(SAMPLERS))
    sampler = SAMPLERS[name]
    return sampler.cls.from_config(config, **sampler.options)


@torch.no_grad()
def guided_eps(unet, x: torch.Tensor, t, labels: torch.Tensor | None, guidance: float) -> torch.Tensor:
    """eps_none + w (eps_c - eps_none), with both predictions from one batched forward pass.
    ``labels`` None means an unconditional model (no class embedding)."""
    if labels is None:
        return unet(x, t).sample
    if guidance == 1.0:
        return unet(x, t, class_labels=labels).sample
    none = torch.full_like(labels, NO_CLASS)
    if guidance == 0.0:
        return unet(x, t, class_labels=none).sample
    eps_c, eps_none = unet(torch.cat([x, x]), t, class_labels=torch.cat([labels, none])).sample.chunk(2)
    return cfg_combine(eps_c, eps_none, guidance)


def cfg_combine(eps_c: torch.Tensor, eps_none: torch.Tensor, guidance: float) -> torch.Tensor:
    """Classifier-free guidance (Ho & Salimans, 2022, eq. 6): ε̃ = ε_none + w (ε_c − ε_none)."""
    return eps_none + guidance * (eps_c - eps_none)


def model_calls_per_step(labels: torch.Tensor | None, guidance: float) -> int:
    """Images the UNet sees per image per step: guidance other than 0 or 1 needs two predictions."""
    return 1 if labels is None or guidance in (0.0, 1.0) else 2


@dataclasses.dataclass(frozen=True)
class Trajectory:
    timesteps: list[float]  # t entering each step: x̂0[i] is predicted from x_t at timesteps[i]
    x_t: np.ndarray       # (steps, B, C, H, W): the sample after each step (at the next timestep, 0 after
                          # the last), on the √ᾱ x0 + √(1-ᾱ) ε scale
    pred_x0: np.ndarray   # (steps, B, C, H, W): the model's estimate of the clean image at each step

    @property
    def timesteps_after(self) -> list[float]:
        """The timestep x_t[i] is at: the next step's t, and 0 after the last step."""
        return self.timesteps[1:] + [0.0]


def _predicted_x0(scheduler, out) -> torch.Tensor:
    """DDPM, DDIM and the Euler schedulers return x̂0; DPM-Solver++ keeps its x0 prediction (the
    converted model output) in ``model_outputs`` instead."""
    x0 = getattr(out, "pred_original_sample", None)
    return x0 if x0 is not None else scheduler.model_outputs[-1]


def _display_scale(scheduler, sampler: Sampler) -> float:
    """Factor that puts the current sample on the variance-preserving scale: an Euler sample
    x = x0 + σ ε has variance 1 + σ², so divide by √(1 + σ²) (what ``scale_model_input`` does)."""
    if not sampler.sigma_space:
        return 1.0
    sigma = float(scheduler.sigmas[scheduler.step_index])
    return 1.0 / (1.0 + sigma**2) ** 0.5


@torch.no_grad()
def sample(unet, scheduler, noise: torch.Tensor, labels: torch.Tensor | None, guidance: float, steps: int,
           generator: torch.Generator | None = None, record: bool = True, eta: float = 0.0,
           sampler: Sampler | None = None) -> tuple[torch.Tensor, Trajectory | None]:
    """Run the reverse process: 1. scale the input, 2. predict noise (guided), 3. step."""
    sampler = sampler or next((s for s in SAMPLERS.values() if s.cls is type(scheduler)),
                              SAMPLERS["ddpm"])
    step_options = {"eta": eta} if sampler.takes_eta else {}
    scheduler.set_timesteps(steps)
    x = noise * scheduler.init_noise_sigma
    xs, x0s = [], []
    for number, t in enumerate(scheduler.timesteps, start=1):
        x_in = scheduler.scale_model_input(x, t)                      # 1. Euler: x / √(σ² + 1)
        eps = guided_eps(unet, x_in, t, labels, guidance)             # 2. ε̂ = ε_none + w (ε_c − ε_none)
        out = scheduler.step(eps, t, x, generator=generator, **step_options)  # 3. x_t → x_{t−1}
        x = out.prev_sample
        if not torch.isfinite(x).all():
            # seen: Euler ancestral in float32 with ≤ 3 steps from σ_max ≈ 20,000 (cosine schedule at
            # t = 999), where σ_to² − σ_up² rounds below zero
            raise InputError("dif_err_unstable", scheduler=type(scheduler).__name__, step=number)
        if record:
            xs.append((x * _display_scale(scheduler, sampler)).numpy())
            x0s.append(_predicted_x0(scheduler, out).numpy().copy())
    trajectory = Trajectory([float(t) for t in scheduler.timesteps], np.stack(xs), np.stack(x0s)) if record else None
    return x, trajectory


@dataclasses.dataclass(frozen=True)
class Request:
    """One validated sampling request."""
    scheduler: str
    steps: int
    images: int
    digit: int | None     # None: any digit (unconditional)
    guidance: float
    eta: float
    seed: int

    @property
    def effective_guidance(self) -> float:
        """Guidance needs a class: for "any digit" the model runs once, unconditionally."""
        return self.guidance if self.digit is not None else 1.0


def validated(scheduler, steps, images, digit, guidance, eta, seed, conditional: bool = True,
              limits: SamplingLimits = LIMITS) -> Request:
    """Every value re-checked against the model's limits (the API bypasses the sliders)."""
    if scheduler not in SAMPLERS:
        raise InputError("dif_err_scheduler", value=str(scheduler)[:40], allowed=", ".join(SAMPLERS))
    steps = as_int("dif_steps", steps, 1, limits.max_steps)
    images = as_int("dif_images", images, 1, limits.max_images)
    guidance = as_float("dif_guidance", guidance, 0.0, limits.max_guidance)
    eta = as_float("dif_eta", eta, 0.0, limits.max_eta)
    seed = as_int("seed", seed, 0, limits.max_seed)
    if digit in (None, "", "any") or not conditional:
        digit = None
    else:
        digit = as_int("dif_digit", digit, 0, 9)
    return Request(scheduler, steps, images, digit, guidance, eta, seed)


def starting_noise(unet, images: int, seed: int) -> torch.Tensor:
    """x_T ~ N(0, I) for ``images`` samples, reproducible from the seed."""
    size = unet.config.sample_size
    shape = (images, unet.config.in_channels, size, size)
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def class_labels(unet, request: Request) -> torch.Tensor | None:
    """The class ids to condition on: the chosen digit, or "no class" for any digit; None for a
    model without class embeddings (e.g. the CIFAR-10 DDPM)."""
    if unet.config.num_class_embeds is None:
        return None
    return torch.full((request.images,), NO_CLASS if request.digit is None else request.digit)


def run(unet, config, request: Request, record: bool = True,
        noise_seed: int | None = None) -> tuple[torch.Tensor, Trajectory | None]:
    """A request through the recorded loop. x_T comes from the request's seed; the noise that
    stochastic schedulers add at each step from ``noise_seed`` (default seed + 1), so x_T is the
    same for every scheduler and the two sources of randomness can be varied apart."""
    labels = class_labels(unet, request)
    scheduler = make_scheduler(request.scheduler, config)
    step_noise = torch.Generator().manual_seed(request.seed + 1 if noise_seed is None else noise_seed)
    return sample(unet, scheduler, starting_noise(unet, request.images, request.seed), labels,
                  request.effective_guidance, request.steps, generator=step_noise, record=record, eta=request.eta,
                  sampler=SAMPLERS[request.scheduler])


@dataclasses.dataclass(frozen=True)
class ComparedRun:
    scheduler: str
    steps: int
    model_calls: int     # UNet evaluations per image (NFE)
    seconds: float
    images: np.ndarray   # (B, C, H, W) final samples


def compare(unet, config, runs: list[tuple[str, int]], base: Request) -> list[ComparedRun]:
    """The same x_T through each (scheduler, steps) pair."""
    results = []
    for name, steps in runs:
        request = dataclasses.replace(base, scheduler=name, steps=steps)
        start = time.perf_counter()
        x, _ = run(unet, config, request, record=False)
        calls = steps * model_calls_per_step(class_labels(unet, request), request.effective_guidance)
        results.append(ComparedRun(name, steps, calls, time.perf_counter() - start, x.numpy()))
    return results


def determinism_gaps(unet, config, base: Request) -> dict[str, float]:
    """Max |difference| between two runs from the same x_T with different per-step noise, for
    DDIM with η = 0 and for DDPM. DDIM with η = 0 follows an ODE and adds no noise, so its gap is
    exactly 0; DDPM adds fresh noise at every step."""
    gaps = {}
    for name in ("ddim", "ddpm"):
        request = dataclasses.replace(base, scheduler=name, eta=0.0)
        a, _ = run(unet, config, request, record=False, noise_seed=1)
        b, _ = run(unet, config, request, record=False, noise_seed=2)
        gaps[name] = float((a - b).abs().max())
    return gaps
