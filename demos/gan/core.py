"""GAN lab: the models, one unrolled training step, and the views of a run. No gradio here.

A ``GanRun`` holds everything one learner's training needs (networks, optimisers, its own
``torch.Generator``, the recorded curves); it deep-copies, so it can live in ``gr.State``.
Training randomness comes only from the run's generator, and the views use fixed tensors drawn
at the start, so looking at a run never changes where it goes: the same seed gives the same
run whether it was paused, stepped or streamed.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from components.i18n import InputError
from components.diverged import Diverged
from components.seeding import global_rng_seeded
from components.threads import one_thread
from components.settings import setting
from components.trainers import Log
from demos.gan import losses
from demos.gan.data import DIGITS, MODE_STD, DataSet
from demos.gan.data import NAMES as DATASETS

OPTIMIZERS = ("adam", "sgd")
ARCHITECTURES = ("mlp", "conv")
STEP_MODES = ("d", "g", "both")
# the curves recorded at every iteration
CURVES = ("d_loss", "g_loss", "d_real", "d_fake", "d_grad_norm", "g_grad_norm")


@dataclasses.dataclass(frozen=True)
class GanLimits:
    """What the lab computes and shows, beyond the learner's settings."""
    wgan_clip: float = 0.01           # Arjovsky et al. 2017, weight clipping c
    gp_weight: float = 10.0           # Gulrajani et al. 2017, lambda
    eval_samples: int = 2500          # generated samples scored by the metrics (as in VEEGAN)
    # what the page redraws up to ten times a second: each drawn point is an SVG element, so
    # these stay small (measured in a headless browser on 2 shared cores: a few frames a second)
    shown_samples: int = 300          # real and generated points drawn on the plane
    hq_stds: float = 3.0              # Srivastava 2017: a sample within 3 std of a mode is high quality
    min_hq_per_mode: int = 20         # a mode is covered when it gets this many HQ samples of eval_samples
    collapse_hq_share: float = 0.5    # good samples yet modes missing: mode collapse, not poor samples
    # issue 19: no warning merely because a few of many modes are still missing (the 25-mode grid
    # warned at 21 of 25). Shares, not counts, so one rule fits the ring and the grid:
    collapse_mode_share: float = 0.5  # good samples on at most half the modes: G settled on a few
    collapse_drop_share: float = 0.25  # a quarter of the best coverage lost: G abandoned modes
    plane_half_width: float = 3.0     # the plane shown and histogrammed is [-3, 3]^2
    heatmap_cells: int = 48           # D is evaluated on a 48 x 48 grid
    histogram_bins: int = 30          # KL / JS are estimated on a 30 x 30 grid
    real_histogram_samples: int = 20_000
    arrows: int = 40                  # generated points that show G's gradient
    manifold_lines: int = 15          # latent grid lines mapped through G
    digit_grid_side: int = 8          # 8 x 8 digits from fixed z
    digit_confidence: float = 0.8     # the classifier "sees" a digit above this confidence
    curve_points: int = 300           # curves are thinned to this many points per line


LIMITS = GanLimits()


@dataclasses.dataclass(frozen=True)
class GanSettings:
    """Everything a learner sets for one run: the controls, the API parameters and the presets
    come from these fields."""
    dataset: str = setting("ring", label="gan_dataset", choices=DATASETS, choice_label="gan_dataset_{}")
    loss: str = setting("nonsaturating", label="gan_loss", choices=losses.NAMES, choice_label="gan_loss_{}")
    optimizer: str = setting("adam", label="gan_optimizer", choices=OPTIMIZERS, choice_label="gan_opt_{}",
                             widget="radio")
    # Adam, for G and D alike (tuned for the ring's quality test); any optimiser diverges at once
    # above 1, and a rate <= 0 never learns (or climbs the loss)
    lr_g: float = setting(2e-3, label="gan_lr_g", low=0.0, high=1.0, positive=True, widget="number", step=1e-4)
    lr_d: float = setting(2e-3, label="gan_lr_d", low=0.0, high=1.0, positive=True, widget="number", step=1e-4)
    d_steps: int = setting(1, label="gan_d_steps", low=1, high=10)     # WGAN (Arjovsky 2017) used 5 per G step
    batch: int = setting(128, label="gan_batch", low=1, high=1024)     # a CPU iteration stays in milliseconds
    width: int = setting(64, label="gan_width", low=4, high=512, step=4)
    depth: int = setting(2, label="gan_depth", low=1, high=6)          # hidden layers of each MLP
    # 2D noise: the manifold view shows the whole latent plane
    noise_dim: int = setting(2, label="gan_noise_dim", low=1, high=64)
    arch: str = setting("mlp", label="gan_arch", choices=ARCHITECTURES, choice_label="gan_arch_{}", widget="radio")
    seed: int = setting(0, label="seed", low=0, high=2**31 - 1, widget="number")
    # per press of Start (Resume continues to the same mark)
    iterations: int = setting(5000, label="gan_iterations", low=1, high=100_000, widget="number")

    def check(self) -> None:
        if self.arch == "conv" and self.dataset != DIGITS:
            raise InputError("gan_err_conv_2d")


# ---------------------------------------------------------------------------------------------
# models


def mlp(in_dim: int, width: int, depth: int, out_dim: int, activation: type[nn.Module]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(in_dim if i == 0 else width, width), activation()]
    return nn.Sequential(*layers, nn.Linear(width, out_dim))


class LeakyReLU(nn.LeakyReLU):
    """LeakyReLU(0.2) in D, as in DCGAN (Radford et al. 2016): fakes still get gradient where D is flat."""

    def __init__(self):
        super().__init__(0.2)


class ConvGenerator(nn.Module):
    """z -> (width, 2, 2) -> (width/2, 4, 4) -> (1, 8, 8) with transposed convolutions (DCGAN-style)."""

    def __init__(self, noise_dim: int, width: int):
        super().__init__()
        self.width = width
        self.project = nn.Linear(noise_dim, width * 4)
        self.up = nn.Sequential(
            nn.ReLU(), nn.ConvTranspose2d(width, width // 2, 4, stride=2, padding=1),  # (w/2, 4, 4)
            nn.ReLU(), nn.ConvTranspose2d(width // 2, 1, 4, stride=2, padding=1),      # (1, 8, 8)
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.up(self.project(z).view(-1, self.width, 2, 2)).flatten(1)  # (B, 64)


class ConvDiscriminator(nn.Module):
    """(1, 8, 8) -> (w/2, 4, 4) -> (w, 2, 2) -> score, strided convolutions."""

    def __init__(self, width: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, width // 2, 4, stride=2, padding=1), LeakyReLU(),  # (w/2, 4, 4)
            nn.Conv2d(width // 2, width, 4, stride=2, padding=1), LeakyReLU(),  # (w, 2, 2)
            nn.Flatten(), nn.Linear(width * 4, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.view(-1, 1, 8, 8))


class Squeeze(nn.Module):
    """D's (B, 1) output as (B,) scores."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)


def build_models(config: GanSettings, data_dim: int) -> tuple[nn.Module, nn.Module]:
    """(G, D). Digits come out of tanh, since real pixels are in [-1, 1]."""
    if config.arch == "conv":
        width = max(4, config.width - config.width % 2)
        return nn.Sequential(ConvGenerator(config.noise_dim, width), nn.Tanh()), Squeeze(ConvDiscriminator(width))
    generator = mlp(config.noise_dim, config.width, config.depth, data_dim, nn.ReLU)
    if data_dim != 2:
        generator = nn.Sequential(generator, nn.Tanh())
    return generator, Squeeze(mlp(data_dim, config.width, config.depth, 1, LeakyReLU))


def make_optimizer(name: str, params, lr: float) -> torch.optim.Optimizer:
    if name == "adam":
        # beta1 = 0.5 (Radford et al. 2016): less momentum keeps the two-player game from orbiting
        return torch.optim.Adam(params, lr=lr, betas=(0.5, 0.999))
    return torch.optim.SGD(params, lr=lr)


# ---------------------------------------------------------------------------------------------
# a run and its training step


class GanRun:
    """One training run: G, D, their optimisers, the run's RNG and the recorded curves."""

    def __init__(self, config: GanSettings, data: DataSet):
        L = LIMITS
        self.config, self.data = config, data
        self.gen = torch.Generator().manual_seed(config.seed)
        with global_rng_seeded(config.seed):  # nn.Linear initialises from the global RNG
            self.G, self.D = build_models(config, data.dim)
        self.opt_g = make_optimizer(config.optimizer, self.G.parameters(), config.lr_g)
        self.opt_d = make_optimizer(config.optimizer, self.D.parameters(), config.lr_d)
        self.iteration = 0
        self.target = 0  # the iteration that Start / Resume trains up to
        self.history: dict[str, Log] = {name: Log() for name in CURVES}
        self.metric_history: Log = Log()  # one entry per view: iteration and the quality metrics
        # fixed inputs of the views, from their own generator (views never touch self.gen)
        view_gen = torch.Generator().manual_seed(config.seed + 1)
        self.eval_z = torch.randn(L.eval_samples, config.noise_dim, generator=view_gen)
        self.shown_real = data.sample(L.shown_samples, view_gen)
        self.real_histogram = (histogram(data.sample(L.real_histogram_samples, view_gen))
                               if data.dim == 2 else None)

    def train_step(self, mode: str = "both") -> None:
        """One iteration (the live-training interface, ``components.live``); see ``train_step``."""
        train_step(self, mode)


def grad_norm(grads) -> float:
    return float(torch.nn.utils.get_total_norm(grads))


def _apply(params: list[torch.Tensor], loss: torch.Tensor, optimizer: torch.optim.Optimizer,
           run: GanRun, who: str) -> float:
    """Backpropagate ``loss`` into ``params`` only (not into the other network), check that loss
    and gradient are finite, then step. Returns the gradient norm."""
    grads = torch.autograd.grad(loss, params)
    norm = grad_norm(grads)
    if not (math.isfinite(loss.item()) and math.isfinite(norm)):
        raise Diverged(run.iteration + 1, who)
    for p, g in zip(params, grads):
        p.grad = g
    optimizer.step()
    return norm


def check_step_mode(mode: str) -> None:
    if mode not in STEP_MODES:
        raise InputError("gan_err_step_mode", value=str(mode)[:20], allowed=", ".join(STEP_MODES))


def train_step(run: GanRun, mode: str = "both") -> None:
    """One iteration, unrolled: D takes ``d_steps`` steps on fresh batches ("d" and "both"), then
    G takes one ("g" and "both"). Appends one value to every curve (NaN for the half not run)."""
    cfg, loss_name = run.config, run.config.loss
    record = dict.fromkeys(CURVES, math.nan)
    if mode in ("d", "both"):
        d_params = list(run.D.parameters())
        for _ in range(cfg.d_steps):
            # 1. a real batch and a generated one; G is not updated here, so no graph through it
            real = run.data.sample(cfg.batch, run.gen)                          # (B, dim)
            z = torch.randn(cfg.batch, cfg.noise_dim, generator=run.gen)        # (B, nz)
            with torch.no_grad():
                fake = run.G(z)                                                 # (B, dim)
            # 2. score both in one pass: s_real, s_fake (B,)
            s_real, s_fake = run.D(torch.cat([real, fake])).split(cfg.batch)
            d_loss = losses.d_loss(loss_name, s_real, s_fake)
            if loss_name == "wgan_gp":
                d_loss = d_loss + LIMITS.gp_weight * losses.gradient_penalty(run.D, real, fake, run.gen)
            # 3. ascend V(D, G) in D's parameters
            record["d_grad_norm"] = _apply(d_params, d_loss, run.opt_d, run, "D")
            if loss_name == "wgan":
                losses.clip_weights(run.D, LIMITS.wgan_clip)
        record["d_loss"] = d_loss.item()
        record["d_real"] = losses.d_output(loss_name, s_real.detach()).mean().item()
        record["d_fake"] = losses.d_output(loss_name, s_fake.detach()).mean().item()
    if mode in ("g", "both"):
        # 4. G's step: gradients flow through D into G, but only G's weights change
        z = torch.randn(cfg.batch, cfg.noise_dim, generator=run.gen)
        s_fake = run.D(run.G(z))
        g_loss = losses.g_loss(loss_name, s_fake)
        record["g_grad_norm"] = _apply(list(run.G.parameters()), g_loss, run.opt_g, run, "G")
        record["g_loss"] = g_loss.item()
        if mode == "g":
            record["d_fake"] = losses.d_output(loss_name, s_fake.detach()).mean().item()
    run.iteration += 1
    for name in CURVES:
        run.history[name].append(record[name])


def train(run: GanRun, iterations: int) -> None:
    """``iterations`` full steps, headless (tests, benchmarks)."""
    with one_thread():
        for _ in range(iterations):
            train_step(run)


# ---------------------------------------------------------------------------------------------
# metrics


def histogram(points: torch.Tensor) -> np.ndarray:
    """Counts of 2D points on the metric grid over the plane, (bins, bins); points outside the
    plane fall into the border cells, so every sample counts."""
    L = LIMITS
    edges = np.linspace(-L.plane_half_width, L.plane_half_width, L.histogram_bins + 1)
    xy = np.clip(np.asarray(points, dtype=np.float64), edges[0], edges[-1])
    counts, _, _ = np.histogram2d(xy[:, 0], xy[:, 1], bins=[edges, edges])
    return counts


def kl_js(real_counts: np.ndarray, fake_counts: np.ndarray) -> tuple[float, float]:
    """(KL(P_real || P_gen), JS(P_real, P_gen)) in bits from two histograms. KL adds half a
    count to every cell of both (it is infinite wherever G puts no mass); JS is bounded by 1 bit
    and needs no smoothing."""
    def kl(p, q):
        mask = p > 0
        return float(np.sum(p[mask] * np.log2(p[mask] / q[mask])))

    p = (real_counts + 0.5) / (real_counts + 0.5).sum()
    q = (fake_counts + 0.5) / (fake_counts + 0.5).sum()
    p_raw = real_counts / real_counts.sum()
    q_raw = fake_counts / fake_counts.sum()
    m = (p_raw + q_raw) / 2
    return kl(p, q), 0.5 * kl(p_raw, m) + 0.5 * kl(q_raw, m)


@dataclasses.dataclass(frozen=True)
class ModeMetrics:
    """Srivastava et al. 2017: per mode, how many samples are high quality (within
    ``hq_stds`` std of it, and nearer to it than to any other mode)."""
    hq_per_mode: np.ndarray   # (M,) counts
    hq_share: float           # high-quality samples / all samples
    modes_covered: int        # modes with at least ``min_hq_per_mode`` HQ samples

    @property
    def n_modes(self) -> int:
        return len(self.hq_per_mode)


def mode_metrics(samples: torch.Tensor, modes: torch.Tensor, std: float) -> ModeMetrics:
    L = LIMITS
    dist = torch.cdist(samples.double(), modes.double())   # (N, M)
    nearest_dist, nearest = dist.min(dim=1)                # (N,)
    hq = nearest_dist <= L.hq_stds * std
    per_mode = torch.bincount(nearest[hq], minlength=len(modes)).numpy()
    return ModeMetrics(per_mode, float(hq.float().mean()), int((per_mode >= L.min_hq_per_mode).sum()))


@dataclasses.dataclass(frozen=True)
class DigitMetrics:
    labels: np.ndarray        # (N,) the classifier's digit for each grid sample
    confidence: np.ndarray    # (N,)
    class_counts: np.ndarray  # (10,) confident predictions per digit over the eval samples
    confident_share: float    # eval samples the classifier is confident about

    @property
    def digits_seen(self) -> int:
        return int((self.class_counts > 0).sum())


def to_classifier_images(vectors: torch.Tensor) -> torch.Tensor:
    """(N, 64) generated 8x8 digits -> (N, 1, 16, 16), upsampled bilinearly as the classifier's
    training images were (components/datasets.py: load_digits_images)."""
    images = vectors.view(-1, 1, 8, 8).clamp(-1, 1)
    return F.interpolate(images, size=(16, 16), mode="bilinear", align_corners=False).clamp(-1, 1)


def digit_metrics(grid_vectors: torch.Tensor, eval_vectors: torch.Tensor) -> DigitMetrics:
    from components.digits import classify

    labels, confidence = classify(to_classifier_images(grid_vectors))
    eval_labels, eval_confidence = classify(to_classifier_images(eval_vectors))
    confident = eval_confidence >= LIMITS.digit_confidence
    counts = torch.bincount(eval_labels[confident], minlength=10).numpy()
    return DigitMetrics(labels.numpy(), confidence.numpy(), counts, float(confident.float().mean()))


# ---------------------------------------------------------------------------------------------
# views of a run


@dataclasses.dataclass(frozen=True)
class PlaneView:
    """Everything the plane shows. Arrays are numpy."""
    grid: np.ndarray           # (cells,) coordinates along x and y
    d_values: np.ndarray       # (cells, cells) D's output, rows = y
    real: np.ndarray           # (n, 2)
    fake: np.ndarray           # (n, 2)
    arrow_from: np.ndarray     # (k, 2) generated points
    arrow_step: np.ndarray     # (k, 2) -dL_G/dx: the way G's loss pushes each point
    manifold: np.ndarray       # (lines, lines, 2) the latent grid mapped through G
    d_is_probability: bool


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """A run at one moment: the plane (2D) or the digit grid (digits), and the metrics."""
    iteration: int
    plane: PlaneView | None = None
    modes: ModeMetrics | None = None
    kl: float = math.nan
    js: float = math.nan
    digit_grid: np.ndarray | None = None   # (side * side, 8, 8) in [-1, 1]
    digits: DigitMetrics | None = None


def _plane_view(run: GanRun, fake_eval: torch.Tensor) -> PlaneView:
    L, cfg = LIMITS, run.config
    with torch.no_grad():
        ticks = torch.linspace(-L.plane_half_width, L.plane_half_width, L.heatmap_cells)
        yy, xx = torch.meshgrid(ticks, ticks, indexing="ij")
        plane = torch.stack([xx.flatten(), yy.flatten()], dim=1)                 # (cells^2, 2)
        d_values = losses.d_output(cfg.loss, run.D(plane)).view(L.heatmap_cells, L.heatmap_cells)
        # the manifold: a latent grid over [-2, 2]^2 in the first two noise dimensions (others 0)
        lat = torch.linspace(-2, 2, L.manifold_lines)
        z = torch.zeros(L.manifold_lines, L.manifold_lines, cfg.noise_dim)
        z[..., 0] = lat.view(-1, 1)
        if cfg.noise_dim > 1:
            z[..., 1] = lat.view(1, -1)
        manifold = run.G(z.view(-1, cfg.noise_dim)).view(L.manifold_lines, L.manifold_lines, 2)
    # G's gradient on a few generated points: per-sample -dL_G/dx (the mean's gradient times B)
    points = fake_eval[:L.arrows].clone().requires_grad_(True)
    g_loss = losses.g_loss(cfg.loss, run.D(points)) * len(points)
    (grad,) = torch.autograd.grad(g_loss, points)
    return PlaneView(ticks.numpy(), d_values.numpy(), run.shown_real.numpy(),
                     fake_eval[:L.shown_samples].numpy(), points.detach().numpy(), (-grad).numpy(),
                     manifold.numpy(), cfg.loss in losses.PROBABILISTIC)


def snapshot(run: GanRun) -> Snapshot:
    """The views and metrics of the run now; also appends the metrics to ``run.metric_history``."""
    with one_thread():
        return _snapshot(run)


def _snapshot(run: GanRun) -> Snapshot:
    with torch.no_grad():
        fake_eval = run.G(run.eval_z)                                            # (N, dim)
    if run.data.dim != 2:
        side = LIMITS.digit_grid_side
        grid = fake_eval[: side * side]
        metrics = digit_metrics(grid, fake_eval[:500])
        _record(run, digits_seen=metrics.digits_seen, confident_share=metrics.confident_share)
        return Snapshot(run.iteration, digit_grid=grid.view(-1, 8, 8).numpy(), digits=metrics)
    kl, js = kl_js(run.real_histogram, histogram(fake_eval))
    modes = mode_metrics(fake_eval, run.data.modes, MODE_STD) if run.data.modes is not None else None
    _record(run, kl=kl, js=js, **({"modes_covered": modes.modes_covered, "hq_share": modes.hq_share} if modes else {}))
    return Snapshot(run.iteration, plane=_plane_view(run, fake_eval), modes=modes, kl=kl, js=js)


def _record(run: GanRun, **metrics) -> None:
    if run.metric_history and run.metric_history[-1]["iteration"] == run.iteration:
        run.metric_history[-1] = {"iteration": run.iteration, **metrics}
    else:
        run.metric_history.append({"iteration": run.iteration, **metrics})


def few_modes(covered: int, total: int) -> bool:
    """At most ``collapse_mode_share`` of the modes covered: a minority of them."""
    return covered <= LIMITS.collapse_mode_share * total


def collapse_warning(run: GanRun) -> tuple[int, int, int] | None:
    """(covered now, best so far, iteration of the best) when the run once covered most modes
    and has since lost at least ``collapse_drop_share`` of them, in each of the last two views:
    G abandoned modes it had found, the signature of mode collapse. Both rules are shares, so
    they scale with the number of modes: on the 8-mode ring a loss of two modes (one is sampling
    noise at a mode's edge), on the 25-mode grid after 23 covered, of six, so a grid run at 20
    or 21 of 25 gets no warning. A run that never covered most modes has nothing to collapse
    from: early in training a mode or two found by chance and lost again is not collapse (a run
    that stays on a few modes with good samples gets ``missing_modes`` instead). None otherwise."""
    if run.data.modes is None:
        return None
    total = len(run.data.modes)
    covered = [(m["modes_covered"], m["iteration"]) for m in run.metric_history if "modes_covered" in m]
    if len(covered) < 2:
        return None
    best, best_at = max(covered, key=lambda c: (c[0], -c[1]))
    (before, before_at), (now, _) = covered[-2], covered[-1]
    lost = lambda c: c <= (1 - LIMITS.collapse_drop_share) * best  # noqa: E731
    if few_modes(best, total) or best_at >= before_at or not (lost(before) and lost(now)):
        return None
    return now, best, best_at


def missing_modes(modes: ModeMetrics) -> bool:
    """Most samples are good, yet they cover only a minority of the modes (``few_modes``): G
    dropped modes rather than failing to learn (the other face of mode collapse, beside coverage
    that drops). A few of many modes missing is not collapse: the 25-mode grid preset ends at 20
    of 25 with 90% high-quality samples."""
    return modes.hq_share >= LIMITS.collapse_hq_share and few_modes(modes.modes_covered, modes.n_modes)
