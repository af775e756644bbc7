"""Diffusion: the reverse process written out, so every step can be recorded. No gradio here.

Classifier-free guidance (Ho & Salimans, 2022): one network predicts both eps(x_t, t, c) and
eps(x_t, t, none); the sampler uses eps_none + w (eps_c - eps_none). w = 1 is the plain
conditional prediction, w = 0 the unconditional one, w > 1 pushes samples towards the class.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Iterator

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

from components import models
from components.i18n import InputError
from components.settings import setting
from components.validation import as_int

NO_CLASS = 10  # class id meaning "no class" in the bundled digits model
DIGITS = ("any",) + tuple(str(d) for d in range(10))   # "any": sample unconditionally


@dataclasses.dataclass(frozen=True)
class SamplingLimits:
    """Bounds that are not one control's own."""
    # A hub model (google/ddpm-cifar10-32: 35.7 M parameters at 32×32×3) costs about 0.9 s per step
    # for 16 images on 2 cores, 30× the digits model: smaller bounds keep a request under about 15 s.
    hub_max_steps: int = 50
    hub_max_images: int = 4
    max_compared: int = 4         # schedulers side by side in one comparison


LIMITS = SamplingLimits()


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

    def step_number(self, value) -> int:
        """``value`` checked as a step of this trajectory, 1 to its length (the step slider's
        range follows the last run, so its bounds are not a setting's)."""
        return as_int("dif_step_view", value, 1, len(self.x_t))


@dataclasses.dataclass(frozen=True)
class StepCurves:
    """Two numbers per step of a trajectory: how the noise drains away, and when the model has
    made up its mind."""
    std: np.ndarray        # (steps,) pixel std of x_t after each step
    distance: np.ndarray   # (steps,) RMS distance of that step's x̂0 to the final image


def step_curves(trajectory: Trajectory) -> StepCurves:
    x_t, pred_x0 = trajectory.x_t, trajectory.pred_x0
    steps = len(x_t)
    return StepCurves(x_t.reshape(steps, -1).std(axis=1),
                      np.sqrt(((pred_x0 - x_t[-1]) ** 2).reshape(steps, -1).mean(axis=1)))


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


@dataclasses.dataclass(frozen=True)
class DenoisedStep:
    """One step of the reverse process, as the loop yields it."""
    number: int                  # from 1
    total: int                   # steps in this run
    timestep: float              # t entering the step
    x: torch.Tensor              # (B, C, H, W) the sample after the step, on the scheduler's own scale
    x_t: np.ndarray | None       # (B, C, H, W) the same on the √ᾱ x0 + √(1-ᾱ) ε scale, when recorded
    pred_x0: np.ndarray | None   # (B, C, H, W) the model's estimate of the clean image, when recorded


@torch.no_grad()
def denoising_steps(unet, scheduler, noise: torch.Tensor, labels: torch.Tensor | None, guidance: float, steps: int,
                    generator: torch.Generator | None = None, record: bool = True, eta: float = 0.0,
                    sampler: Sampler | None = None) -> Iterator[DenoisedStep]:
    """The reverse process one step at a time: 1. scale the input, 2. predict noise (guided),
    3. step. A caller may stop between two steps and go on later (the lab streams a sample in
    turns at the CPU, components/live.py), so the loop holds all of its state itself."""
    sampler = sampler or next((s for s in SAMPLERS.values() if s.cls is type(scheduler)),
                              SAMPLERS["ddpm"])
    step_options = {"eta": eta} if sampler.takes_eta else {}
    scheduler.set_timesteps(steps)
    total = len(scheduler.timesteps)
    x = noise * scheduler.init_noise_sigma
    for number, t in enumerate(scheduler.timesteps, start=1):
        x_in = scheduler.scale_model_input(x, t)                      # 1. Euler: x / √(σ² + 1)
        eps = guided_eps(unet, x_in, t, labels, guidance)             # 2. ε̂ = ε_none + w (ε_c − ε_none)
        out = scheduler.step(eps, t, x, generator=generator, **step_options)  # 3. x_t → x_{t−1}
        x = out.prev_sample
        if not torch.isfinite(x).all():
            # seen: Euler ancestral in float32 with ≤ 3 steps from σ_max ≈ 20,000 (cosine schedule at
            # t = 999), where σ_to² − σ_up² rounds below zero
            raise InputError("dif_err_unstable", scheduler=type(scheduler).__name__, step=number)
        shown = predicted = None
        if record:
            shown = (x * _display_scale(scheduler, sampler)).numpy()
            predicted = _predicted_x0(scheduler, out).numpy().copy()
        yield DenoisedStep(number, total, float(t), x, shown, predicted)


def collect(steps: Iterable[DenoisedStep]) -> tuple[torch.Tensor, Trajectory | None]:
    """The final sample of a run's steps and, when they were recorded, their trajectory."""
    done = list(steps)
    if done[0].x_t is None:
        return done[-1].x, None
    return done[-1].x, Trajectory([s.timestep for s in done], np.stack([s.x_t for s in done]),
                                  np.stack([s.pred_x0 for s in done]))


def sample(unet, scheduler, noise: torch.Tensor, labels: torch.Tensor | None, guidance: float, steps: int,
           generator: torch.Generator | None = None, record: bool = True, eta: float = 0.0,
           sampler: Sampler | None = None) -> tuple[torch.Tensor, Trajectory | None]:
    """Run the reverse process to the end (``denoising_steps``)."""
    return collect(denoising_steps(unet, scheduler, noise, labels, guidance, steps, generator, record, eta, sampler))


# Fields the sampling views share, declared once: each call makes a field of a settings dataclass.
def _model():
    # any id of the model registry; components.models checks it (and whether hub models are on)
    return setting(models.default_model(models.DDPM), label="model", info="model_info", max_chars=200)


def _images():
    # one batch; 16 digits × 50 guided steps ≈ 1.5 s
    return setting(8, label="dif_images", low=1, high=16)


def _digit():
    return setting("3", label="dif_digit", choices=DIGITS, choice_label="dif_digit_{}")


def _guidance():
    # classifier-free guidance scale w
    return setting(3.0, label="dif_guidance", low=0.0, high=10.0, step=0.1, info="dif_guidance_info")


def _seed():
    return setting(0, label="seed", low=0, high=2**31 - 1, widget="number")


def _steps(default: int, label: str = "dif_steps"):
    # a DDPM step costs one (two with guidance) UNet call: 200 ≈ 8 s on 2 cores
    return setting(default, label=label, low=1, high=200)


def check_model_limits(model_id: str, steps: dict[str, int], images: int) -> None:
    """A hub model is much larger than the bundled one: its steps (by label key) and images must
    stay within the hub's bounds. Also refuses an unknown model, or a hub model when they are off."""
    if models.get_spec(model_id, models.DDPM).bundled:
        return
    for label, value in steps.items():
        if value > LIMITS.hub_max_steps:
            raise InputError("err_out_of_range", name=label, low=1, high=LIMITS.hub_max_steps, value=value)
    if images > LIMITS.hub_max_images:
        raise InputError("err_out_of_range", name="dif_images", low=1, high=LIMITS.hub_max_images, value=images)


@dataclasses.dataclass(frozen=True)
class SampleSettings:
    """One run of the reverse process: the Denoise button's controls and API parameters."""
    model: str = _model()
    scheduler: str = setting("ddim", label="dif_scheduler", choices=tuple(SAMPLERS), choice_label="dif_sched_{}")
    steps: int = _steps(50)
    images: int = _images()
    digit: str = _digit()
    guidance: float = _guidance()
    # DDIM η: 0 deterministic, 1 as stochastic as DDPM
    eta: float = setting(0.0, label="dif_eta", low=0.0, high=1.0, step=0.05, info="dif_eta_info")
    seed: int = _seed()

    def check(self) -> None:
        check_model_limits(self.model, {"dif_steps": self.steps}, self.images)

    @property
    def digit_class(self) -> int | None:
        """The class to condition on; None for any digit (unconditional)."""
        return None if self.digit == "any" else int(self.digit)

    @property
    def effective_guidance(self) -> float:
        """Guidance needs a class: for "any digit" the model runs once, unconditionally."""
        return self.guidance if self.digit_class is not None else 1.0


COMPARE_DEFAULT = ("ddpm", "ddim", "dpmpp")   # the schedulers a comparison starts with


@dataclasses.dataclass(frozen=True)
class CompareSettings:
    """The same x_T through several schedulers, each with its own step count (by default what it
    typically needs for a clean digit)."""
    model: str = _model()
    steps_ddpm: int = _steps(100, "dif_sched_ddpm")
    steps_ddim: int = _steps(25, "dif_sched_ddim")
    steps_dpmpp: int = _steps(10, "dif_sched_dpmpp")
    steps_euler: int = _steps(25, "dif_sched_euler")
    steps_euler_a: int = _steps(50, "dif_sched_euler_a")
    images: int = _images()
    digit: str = _digit()
    guidance: float = _guidance()
    seed: int = _seed()

    def check(self) -> None:
        check_model_limits(self.model, {f"dif_sched_{n}": self.steps_of(n) for n in SAMPLERS}, self.images)

    def steps_of(self, scheduler: str) -> int:
        return getattr(self, f"steps_{scheduler}")

    def base(self) -> SampleSettings:
        """The request every compared scheduler starts from (DDIM, η = 0: no per-step noise)."""
        return SampleSettings(model=self.model, scheduler="ddim", steps=self.steps_ddim, images=self.images,
                              digit=self.digit, guidance=self.guidance, eta=0.0, seed=self.seed)


def compared_schedulers(names) -> list[str]:
    """The chosen schedulers in the lab's order: known names only, between 2 and ``max_compared``."""
    if not isinstance(names, (list, tuple)):
        names = [] if names is None else [names]
    unknown = [n for n in names if n not in SAMPLERS]
    if unknown:
        raise InputError("dif_err_scheduler", value=str(unknown[0])[:40], allowed=", ".join(SAMPLERS))
    chosen = [n for n in SAMPLERS if n in names]
    if not 2 <= len(chosen) <= LIMITS.max_compared:
        raise InputError("dif_err_compare_count", low=2, high=LIMITS.max_compared, count=len(chosen))
    return chosen


def starting_noise(unet, images: int, seed: int) -> torch.Tensor:
    """x_T ~ N(0, I) for ``images`` samples, reproducible from the seed."""
    size = unet.config.sample_size
    shape = (images, unet.config.in_channels, size, size)
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def class_labels(unet, request: SampleSettings) -> torch.Tensor | None:
    """The class ids to condition on: the chosen digit, or "no class" for any digit; None for a
    model without class embeddings (e.g. the CIFAR-10 DDPM)."""
    if unet.config.num_class_embeds is None:
        return None
    return torch.full((request.images,), NO_CLASS if request.digit_class is None else request.digit_class)


def run_steps(unet, config, request: SampleSettings, record: bool = True,
              noise_seed: int | None = None) -> Iterator[DenoisedStep]:
    """A request through the recorded loop, one step at a time. x_T comes from the request's
    seed; the noise that stochastic schedulers add at each step from ``noise_seed`` (default
    seed + 1), so x_T is the same for every scheduler and the two sources of randomness can be
    varied apart. An unknown scheduler is refused here, before any step."""
    labels = class_labels(unet, request)
    scheduler = make_scheduler(request.scheduler, config)
    step_noise = torch.Generator().manual_seed(request.seed + 1 if noise_seed is None else noise_seed)
    return denoising_steps(unet, scheduler, starting_noise(unet, request.images, request.seed), labels,
                           request.effective_guidance, request.steps, generator=step_noise, record=record,
                           eta=request.eta, sampler=SAMPLERS[request.scheduler])


def run(unet, config, request: SampleSettings, record: bool = True,
        noise_seed: int | None = None) -> tuple[torch.Tensor, Trajectory | None]:
    """``run_steps`` to the end: the final sample and, recorded, its trajectory."""
    return collect(run_steps(unet, config, request, record, noise_seed))


@dataclasses.dataclass(frozen=True)
class ComparedRun:
    scheduler: str
    steps: int
    model_calls: int     # UNet evaluations per image (NFE)
    seconds: float
    images: np.ndarray   # (B, C, H, W) final samples


def compare_steps(unet, config, runs: list[tuple[str, int]], base: SampleSettings) -> Iterator[ComparedRun | None]:
    """The same x_T through each (scheduler, steps) pair, one denoising step at a time (a caller
    may wait between two, as the lab's streamed handler does): None after each step, and each
    run's result after its last. Its seconds count the time spent computing only."""
    for name, steps in runs:
        request = dataclasses.replace(base, scheduler=name, steps=steps)
        denoising = run_steps(unet, config, request, record=False)
        seconds, last = 0.0, None
        while True:
            start = time.perf_counter()
            step = next(denoising, None)
            seconds += time.perf_counter() - start
            if step is None:
                break
            last = step
            yield None
        calls = steps * model_calls_per_step(class_labels(unet, request), request.effective_guidance)
        yield ComparedRun(name, steps, calls, seconds, last.x.numpy())


def compare(unet, config, runs: list[tuple[str, int]], base: SampleSettings) -> list[ComparedRun]:
    """``compare_steps`` to the end: every run's result."""
    return [result for result in compare_steps(unet, config, runs, base) if result is not None]


def determinism_steps(unet, config, base: SampleSettings) -> Iterator[dict[str, float] | None]:
    """``determinism_gaps`` one denoising step at a time: None after each step, the gaps last."""
    finals = {}
    for name in ("ddim", "ddpm"):
        request = dataclasses.replace(base, scheduler=name, eta=0.0)
        for noise_seed in (1, 2):
            for step in run_steps(unet, config, request, record=False, noise_seed=noise_seed):
                yield None
            finals[name, noise_seed] = step.x
    yield {name: float((finals[name, 1] - finals[name, 2]).abs().max()) for name in ("ddim", "ddpm")}


def determinism_gaps(unet, config, base: SampleSettings) -> dict[str, float]:
    """Max |difference| between two runs from the same x_T with different per-step noise, for
    DDIM with η = 0 and for DDPM. DDIM with η = 0 follows an ODE and adds no noise, so its gap is
    exactly 0; DDPM adds fresh noise at every step."""
    *_, gaps = determinism_steps(unet, config, base)
    return gaps
