"""2D diffusion trained live: a small MLP learns to predict the noise added to 2D points. No gradio.

Training minimises L_simple = E_{x0, t, ε} ‖ε − ε_θ(√ᾱ_t x0 + √(1−ᾱ_t) ε, t)‖² (Ho et al., 2020, eq. 14).
Sampling runs diffusers' DDPMScheduler on the points; the learned field is the score
∇ log p_t(x) ≈ −ε_θ(x, t) / √(1−ᾱ_t) (Song et al., 2021), which points towards the data.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch
from diffusers import DDIMScheduler, DDPMScheduler
from torch import nn

from components.i18n import InputError
from components.seeding import global_rng_seeded
from components.validation import as_int

DATASETS = ("swiss_roll", "moons", "eight_gaussians", "checkerboard", "sketch")
# DDPM adds fresh noise at every step (jagged paths); DDIM with η = 0 follows the probability-flow
# ODE, so each particle moves along a smooth curve from its noise to the data.
SAMPLERS_2D = ("ddim", "ddpm")


@dataclasses.dataclass(frozen=True)
class Toy2DLimits:
    timesteps: int = 100          # T of the 2D model: enough for smooth paths, fast to sample
    data_points: int = 4000       # the fixed training set drawn from the chosen distribution
    batch: int = 512
    max_train_steps: int = 6000   # ≈ 15 s on 2 cores
    default_train_steps: int = 3000
    learning_rate: float = 1e-2   # Adam, cosine-decayed to 5%: 8 Gaussians fit in ~1,500 steps (2e-3 needs >3,000)
    particles: int = 1000         # points denoised after training
    drawn_paths: int = 40         # particles whose whole path is drawn as a line
    field_resolution: int = 17    # arrows per side of the score-field grid
    min_sketch_pixels: int = 20   # fewer inked pixels than this is an empty drawing
    max_seed: int = 2**31 - 1


LIMITS_2D = Toy2DLimits()


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


def training(model: NoisePredictor, data: np.ndarray, steps: int, seed: int):
    """Train ε_θ with L_simple; yields (step, loss) after every optimiser step."""
    steps = as_int("dif_train_steps", steps, 1, LIMITS_2D.max_train_steps)
    alpha_bar = make_scheduler().alphas_cumprod
    points = torch.from_numpy(data)
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=LIMITS_2D.learning_rate)
    # cosine decay to 5% of the rate: large steps early, a fine fit at the end
    decay = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, steps, eta_min=LIMITS_2D.learning_rate / 20)
    model.train()
    for step in range(steps):
        x0 = points[torch.randint(0, len(points), (LIMITS_2D.batch,), generator=generator)]   # 1. data
        t = torch.randint(0, LIMITS_2D.timesteps, (LIMITS_2D.batch,), generator=generator)    # 2. t ~ U{0..T-1}
        noise = torch.randn(x0.shape, generator=generator)                                      # 3. ε ~ N(0, I)
        ab = alpha_bar[t][:, None]
        x_t = ab.sqrt() * x0 + (1 - ab).sqrt() * noise                                          # 4. q(x_t | x0)
        loss = (noise - model(x_t, t)).pow(2).mean()                                           # 5. L_simple
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        decay.step()
        yield step, loss.item()
    model.eval()


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


@torch.no_grad()
def score_field(model: NoisePredictor, t: int, limit: float, resolution: int = LIMITS_2D.field_resolution):
    """(grid points (R², 2), score (R², 2)) at timestep t: s_θ(x, t) = −ε_θ(x, t) / √(1−ᾱ_t)."""
    t = min(max(int(t), 0), LIMITS_2D.timesteps - 1)
    axis = torch.linspace(-limit, limit, resolution)
    grid = torch.cartesian_prod(axis, axis)                                   # (R², 2)
    alpha_bar = make_scheduler().alphas_cumprod[t]
    eps = model(grid, torch.full((len(grid),), t))
    return grid.numpy(), (-eps / (1 - alpha_bar).sqrt()).numpy()
