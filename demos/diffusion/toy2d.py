"""2D diffusion trained live: a small MLP learns to predict the noise added to 2D points. No gradio.

Training minimises L_simple = E_{x0, t, ε} ‖ε − ε_θ(√ᾱ_t x0 + √(1−ᾱ_t) ε, t)‖² (Ho et al., 2020, eq. 14).
Sampling runs diffusers' DDPMScheduler on the points; the learned field is the score
∇ log p_t(x) ≈ −ε_θ(x, t) / √(1−ᾱ_t) (Song et al., 2021), which points towards the data.

A ``Toy2DRun`` is one learner's training, driven by the shared live-training mechanism
(``components.live``: ``iteration``, ``target``, ``train_step()``); it deep-copies, so it lives in
the session's state. Its particles are a view of it: sampled (``sample``) when it rests, kept with
the weights they came from.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch
from diffusers import DDIMScheduler, DDPMScheduler
from torch import nn

from components.i18n import InputError
from components.diverged import Diverged
from components.seeding import global_rng_seeded
from components.settings import setting
from components.trainers import Log

DATASETS = ("swiss_roll", "moons", "eight_gaussians", "checkerboard", "sketch")
# DDPM adds fresh noise at every step (jagged paths); DDIM with η = 0 follows the probability-flow
# ODE, so each particle moves along a smooth curve from its noise to the data.
SAMPLERS_2D = ("ddim", "ddpm")


@dataclasses.dataclass(frozen=True)
class Toy2DLimits:
    """What the 2D lab computes and shows, beyond the learner's settings."""
    timesteps: int = 100          # T of the 2D model: enough for smooth paths, fast to sample
    data_points: int = 4000       # the fixed training set drawn from the chosen distribution
    batch: int = 512
    learning_rate: float = 1e-2   # Adam, cosine-decayed to 5%: 8 Gaussians fit in ~1,500 steps (2e-3 needs >3,000)
    final_rate_share: float = 0.05   # the rate the cosine decay ends at, as a share of learning_rate
    particles: int = 1000         # points denoised from N(0, I) each time the run is sampled
    drawn_paths: int = 40         # particles whose whole path is drawn as a line
    # training points drawn (evenly through the data set): the view is redrawn while training
    # streams, and each point is an SVG element on the page
    shown_data: int = 1000
    field_resolution: int = 17    # arrows per side of the score-field grid
    min_sketch_pixels: int = 20   # fewer inked pixels than this is an empty drawing
    loss_window: int = 50         # the smoothed loss is the mean of the last 50 steps
    curve_points: int = 6000      # loss values drawn; a longer (resumed) run is thinned to this many


LIMITS_2D = Toy2DLimits()


@dataclasses.dataclass(frozen=True)
class Toy2DSettings:
    """Everything a learner sets for one 2D run: the controls, the API parameters of
    /diffusion_2d_start, _step and _reset, and the server-side checks come from these fields."""
    dataset: str = setting("swiss_roll", label="dif_2d_dataset", choices=DATASETS, choice_label="dif_ds_{}",
                           widget="radio")
    # per press of Start (Resume continues to the same mark); 6,000 steps ≈ 15 s on 2 cores; the
    # run's learning rate decays over this many steps, then holds (``learning_rate``)
    train_steps: int = setting(3000, label="dif_train_steps", low=100, high=6000, step=100)
    sampler: str = setting("ddim", label="dif_2d_sampler", choices=SAMPLERS_2D, choice_label="dif_2d_sampler_{}",
                           widget="radio")
    seed: int = setting(0, label="seed", low=0, high=2**31 - 1, widget="number")


@dataclasses.dataclass(frozen=True)
class ParticleView:
    """Which denoising step of the sampled particles the view shows, and whether with the field
    and the paths (which, drawn, can hide where the particles ended)."""
    step: int = setting(LIMITS_2D.timesteps, label="dif_2d_step", low=0, high=LIMITS_2D.timesteps)
    show_field: bool = setting(True, label="dif_2d_show_field")
    show_paths: bool = setting(True, label="dif_2d_show_paths")


def make_data(name: str, seed: int, sketch: np.ndarray | None = None, n: int = LIMITS_2D.data_points) -> np.ndarray:
    """(n, 2) float32 points of the named distribution, standardised to mean 0 and unit std."""
    rng = np.random.default_rng(seed)
    if name == "swiss_roll":
        from sklearn.datasets import make_swiss_roll

        points = make_swiss_roll(n, noise=0.4, random_state=seed)[0][:, [0, 2]]
    elif name == "moons":
        from sklearn.datasets import make_moons

        points = make_moons(n, noise=0.05, random_state=seed)[0]
    elif name == "eight_gaussians":
        angles = rng.integers(0, 8, n) * (2 * math.pi / 8)
        points = 2 * np.stack([np.cos(angles), np.sin(angles)], 1) + 0.1 * rng.standard_normal((n, 2))
    elif name == "checkerboard":
        # 4×4 board, points in the 8 "black" squares (FFJORD's checkerboard, Grathwohl et al., 2019)
        x = rng.uniform(-2, 2, n)
        y = rng.uniform(0, 1, n) + rng.integers(0, 2, n) * 2 - 2 + (np.floor(x) % 2)
        points = np.stack([x, y], 1)
    elif name == "sketch":
        points = sketch_points(sketch, n, rng)
    else:
        raise InputError("dif_err_dataset", value=str(name)[:40], allowed=", ".join(DATASETS))
    points = points - points.mean(0)
    return (points / points.std()).astype(np.float32)


def sketch_points(ink: np.ndarray | None, n: int, rng: np.random.Generator) -> np.ndarray:
    """Points spread over the inked pixels of a drawing (a boolean (H, W) mask)."""
    rows, cols = np.nonzero(ink) if ink is not None and np.ndim(ink) == 2 else ((), ())
    if len(rows) < LIMITS_2D.min_sketch_pixels:
        raise InputError("dif_err_sketch_empty")
    pick = rng.integers(0, len(rows), n)
    jitter = rng.uniform(-0.5, 0.5, (n, 2))
    return np.stack([cols[pick], -rows[pick]], 1) + jitter   # image rows grow downwards


class NoisePredictor(nn.Module):
    """ε_θ(x_t, t): an MLP on the point and a sinusoidal embedding of t (Vaswani et al., 2017)."""

    def __init__(self, hidden: int = 128, frequencies: int = 8):
        super().__init__()
        self.register_buffer("freqs", 2.0 ** torch.arange(frequencies) * math.pi)
        self.net = nn.Sequential(
            nn.Linear(2 + 2 * frequencies, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, 2),
        )

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """(B, 2) points and (B,) integer timesteps -> (B, 2) predicted noise."""
        phase = (t.float() / LIMITS_2D.timesteps)[:, None] * self.freqs          # (B, F)
        return self.net(torch.cat([x, phase.sin(), phase.cos()], dim=1))


def make_scheduler():
    """The 2D model's noise schedule: cosine (Nichol & Dhariwal, 2021) over T = 100 steps. At
    t = 99, ᾱ ≈ 2·10⁻⁷, so x̂0 = (x_t − √(1−ᾱ) ε̂)/√ᾱ multiplies ε̂'s error by ~2,000 and the first
    step threw particles out to |x| ≈ 20; x̂0 is clipped to ±3, where all standardised data lies
    (DDPM's own remedy, Ho et al. 2020, §3.3)."""
    return DDPMScheduler(num_train_timesteps=LIMITS_2D.timesteps, beta_schedule="squaredcos_cap_v2",
                         clip_sample=True, clip_sample_range=3.0)


def new_model(seed: int) -> NoisePredictor:
    with global_rng_seeded(seed):        # nn.Linear initialises from the global RNG
        return NoisePredictor()


def load_model(weights: dict) -> NoisePredictor:
    """A trained predictor from its state dict, built on the meta device: no random
    initialisation, so it never draws from the global RNG another request may be seeding."""
    with torch.device("meta"):
        model = NoisePredictor()
    model.load_state_dict(weights, assign=True)
    return model.eval()


def learning_rate(iteration: int, decay_steps: int) -> float:
    """Adam's rate at ``iteration``: cosine decay from ``learning_rate`` to ``final_rate_share`` of
    it over ``decay_steps`` (Loshchilov & Hutter, 2017, without restarts), then held there, so a
    run resumed past its first target fine-tunes instead of climbing back up the cosine.
    η_t = η_min + (η_max − η_min) (1 + cos(π t / T)) / 2."""
    high = LIMITS_2D.learning_rate
    low = high * LIMITS_2D.final_rate_share
    progress = min(iteration, decay_steps) / decay_steps
    return low + (high - low) * (1 + math.cos(math.pi * progress)) / 2


class Toy2DRun:
    """One training run: ε_θ, its optimiser, the run's own generator, the loss curve, and the
    particles last sampled from it."""

    def __init__(self, settings: Toy2DSettings, data: np.ndarray):
        self.settings, self.data = settings, data
        self.points = torch.from_numpy(data)                          # (N, 2)
        self.alpha_bar = make_scheduler().alphas_cumprod              # (T,) ᾱ_t
        self.model = new_model(settings.seed)
        self.optimiser = torch.optim.Adam(self.model.parameters(), lr=LIMITS_2D.learning_rate)
        self.gen = torch.Generator().manual_seed(settings.seed)
        self.iteration = 0
        self.target = 0                    # the iteration that Start / Resume trains up to
        self.losses: Log = Log()
        self.sampler = settings.sampler    # the sampler of the next sample (the Sample button changes it)
        self.sampled: Sampled | None = None
        self.limit = plot_limit(data)
        self.shown_data = data[::-(-len(data) // LIMITS_2D.shown_data)]   # (≤ shown_data, 2)

    def train_step(self) -> None:
        """One optimiser step on L_simple; on a non-finite loss or gradient nothing is updated and
        ``Diverged`` is raised (the weights stay those of the last good step)."""
        batch = LIMITS_2D.batch
        x0 = self.points[torch.randint(0, len(self.points), (batch,), generator=self.gen)]   # 1. data (B, 2)
        t = torch.randint(0, LIMITS_2D.timesteps, (batch,), generator=self.gen)             # 2. t ~ U{0..T-1}
        noise = torch.randn(x0.shape, generator=self.gen)                                     # 3. ε ~ N(0, I)
        ab = self.alpha_bar[t][:, None]                                                       # (B, 1)
        x_t = ab.sqrt() * x0 + (1 - ab).sqrt() * noise                                        # 4. q(x_t | x0)
        loss = (noise - self.model(x_t, t)).pow(2).mean()                                    # 5. L_simple
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        value = loss.item()
        gradient = float(torch.nn.utils.get_total_norm([p.grad for p in self.model.parameters()]))
        if not (math.isfinite(value) and math.isfinite(gradient)):
            raise Diverged(self.iteration + 1, "ε_θ")
        for group in self.optimiser.param_groups:
            group["lr"] = learning_rate(self.iteration, self.settings.train_steps)
        self.optimiser.step()                                                                 # 6. descend
        self.iteration += 1
        self.losses.append(value)


def plot_limit(data: np.ndarray) -> float:
    """Half-width of the 2D view: the data and the N(0, I) start (±3σ) both fit."""
    return float(max(3.2, 1.15 * np.abs(data).max()))


@dataclasses.dataclass(frozen=True)
class LossCurve:
    steps: np.ndarray          # training steps (from 1) of the values drawn
    raw: np.ndarray            # the loss of each of those steps' batch
    smooth_steps: np.ndarray
    smooth: np.ndarray         # mean of the last ``window`` losses at each of smooth_steps


def loss_curve(losses: list[float], window: int = LIMITS_2D.loss_window,
               max_points: int = LIMITS_2D.curve_points) -> LossCurve:
    """The raw loss and its moving mean, each thinned to at most ``max_points`` evenly spaced
    values (always keeping the last); the mean is taken over every step before thinning."""
    values = np.asarray(losses, dtype=np.float64)
    steps = np.arange(1, len(values) + 1)
    if len(values) >= window:
        smooth = np.convolve(values, np.ones(window) / window, mode="valid")
        smooth_steps = steps[window - 1:]
    else:
        smooth, smooth_steps = values, steps

    def thin(n: int) -> np.ndarray:
        return np.unique(np.linspace(0, n - 1, min(n, max_points)).round().astype(int))

    keep, keep_smooth = thin(len(values)), thin(len(smooth))
    return LossCurve(steps[keep], values[keep], smooth_steps[keep_smooth], smooth[keep_smooth])


def check_sampler(name: str) -> str:
    if name not in SAMPLERS_2D:
        raise InputError("dif_err_scheduler", value=str(name)[:40], allowed=", ".join(SAMPLERS_2D))
    return name


@dataclasses.dataclass(frozen=True)
class Particles:
    timesteps: list[int]   # t before each denoising step, then -1 for the final points
    paths: np.ndarray      # (T + 1, n, 2): x_T, then the points after each step


@torch.no_grad()
def denoise(model: NoisePredictor, seed: int, n: int = LIMITS_2D.particles, sampler: str = "ddim") -> Particles:
    """n points from N(0, I) through the reverse process, every intermediate kept."""
    check_sampler(sampler)
    scheduler = make_scheduler()
    step_options = {}
    if sampler == "ddim":
        scheduler = DDIMScheduler.from_config(scheduler.config)
        # recompute ε from the clipped x̂0, or the update mixes a clipped x̂0 with the raw ε and diverges
        step_options = {"use_clipped_model_output": True}
    scheduler.set_timesteps(LIMITS_2D.timesteps)
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn((n, 2), generator=generator)
    paths = [x.numpy()]
    for t in scheduler.timesteps:
        eps = model(x, torch.full((n,), int(t)))
        x = scheduler.step(eps, t, x, generator=generator, **step_options).prev_sample
        paths.append(x.numpy())
    return Particles([int(t) for t in scheduler.timesteps] + [-1], np.stack(paths))


@dataclasses.dataclass(frozen=True)
class Sampled:
    """Particles denoised by a run's ε_θ at one training step, with those weights (the score
    field drawn with the particles is that model's, even after training moves on)."""
    iteration: int
    sampler: str
    particles: Particles
    weights: dict[str, torch.Tensor]


def sample(run: Toy2DRun) -> Sampled:
    """``run.sampled``, renewed when the run has trained or the sampler changed since: particles
    from the run's seed through ``run.sampler``."""
    current = run.sampled
    if current is None or (current.iteration, current.sampler) != (run.iteration, run.sampler):
        weights = {name: value.detach().clone() for name, value in run.model.state_dict().items()}
        run.sampled = Sampled(run.iteration, run.sampler, denoise(run.model, run.settings.seed, sampler=run.sampler),
                              weights)
    return run.sampled


@torch.no_grad()
def score_field(model: NoisePredictor, t: int, limit: float, resolution: int = LIMITS_2D.field_resolution):
    """(grid points (R², 2), score (R², 2)) at timestep t: s_θ(x, t) = −ε_θ(x, t) / √(1−ᾱ_t)."""
    t = min(max(int(t), 0), LIMITS_2D.timesteps - 1)
    axis = torch.linspace(-limit, limit, resolution)
    grid = torch.cartesian_prod(axis, axis)                                   # (R², 2)
    alpha_bar = make_scheduler().alphas_cumprod[t]
    eps = model(grid, torch.full((len(grid),), t))
    return grid.numpy(), (-eps / (1 - alpha_bar).sqrt()).numpy()
