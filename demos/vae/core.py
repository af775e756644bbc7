"""VAE lab: the settings, the model, the objective, and a run trained live. No gradio here.

A VAE (Kingma & Welling 2014, https://arxiv.org/abs/1312.6114) maximises the evidence lower bound

    log p(x) ≥ ELBO = E_{z~q(z|x)}[log p(x|z)] − KL(q(z|x) ‖ p(z)),

with a Gaussian encoder q(z|x) = N(μ(x), diag σ²(x)), the prior p(z) = N(0, I) and a decoder
likelihood p(x|z). A β-VAE (Higgins et al. 2017) minimises −E[log p(x|z)] + β·KL; the curves
always show the β = 1 bound (−ELBO, in nats per image) split into its two terms.

A ``VaeRun`` holds one learner's training (model, optimiser, its own ``torch.Generator``, the
recorded curves) and deep-copies, so it lives in ``gr.State``. Training draws only from the run's
generator and the views draw from their own, so looking at a run never changes where it goes.
"""

from __future__ import annotations

import dataclasses
import math
from typing import ClassVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from components.i18n import InputError
from components.diverged import Diverged
from components.seeding import global_rng_seeded
from components.settings import parse, setting
from components.trainers import Log
from components.threads import one_thread
from demos.vae import data

# Decoder likelihoods p(x|z). "binomial": each digit pixel counts the inked bits of a 4x4 block
# (0..16, data.INK_LEVELS), so p(x|z) = Π Binomial(count; 16, sigmoid(logit)) — sixteen Bernoulli
# bits per pixel — a proper distribution over the data the digits really are, so nats are true
# (discrete) log-likelihoods. "gaussian": N(x; decoder mean, s² I) with one learned variance s²
# shared by all outputs; the only choice for 2D points. A shared variance cannot collapse: its
# optimum is the mean squared error (Rybkin et al. 2021, σ-VAE), whereas a per-pixel one would
# shrink to 0 on the digits' always-blank corners and send the likelihood to infinity.
LIKELIHOODS = ("binomial", "gaussian")
CURVES = ("recon", "kl")  # recorded every iteration, nats per image on the training batch
MAX_SEED = 2**31 - 1


@dataclasses.dataclass(frozen=True)
class VaeSettings:
    """Everything a learner sets for one run (``components.settings``: default, accepted range,
    label and control of each field; the controls, the API parameters and the server-side checks
    come from these), and the lab's fixed constants (class variables)."""
    dataset: str = setting(data.DIGITS, label="vae_dataset", choices=data.NAMES, choice_label="vae_dataset_{}")
    # see LIKELIHOODS; the 2D sets need "gaussian" (check)
    likelihood: str = setting("binomial", label="vae_likelihood", choices=LIKELIHOODS,
                              choice_label="vae_likelihood_{}", widget="radio", info="vae_likelihood_info")
    # d = 2: the latent plane is the latent space itself; up to 16 the KL-per-dimension bars stay readable
    latent_dim: int = setting(2, label="vae_latent_dim", low=1, high=16)
    width: int = setting(128, label="vae_width", low=8, high=512, step=8)  # units per hidden layer
    # hidden layers of the encoder and of the decoder; 0 = linear maps (Baldi & Hornik 1989: PCA)
    depth: int = setting(2, label="vae_depth", low=0, high=4)
    # weight of the KL term (Higgins et al. 2017): 1 = the true ELBO, 0 = a plain autoencoder
    # (nothing keeps σ from shrinking to 0, so z → μ); above 100 every dimension is the prior
    beta: float = setting(1.0, label="vae_beta", low=0.0, high=100.0, step=0.05, widget="number",
                          info="vae_beta_info")
    # Adam's rate; any rate diverges above 1 (surely a typo), and one ≤ 0 never learns
    lr: float = setting(2e-3, label="vae_lr", low=0.0, high=1.0, positive=True, widget="number", step=1e-4)
    batch: int = setting(128, label="vae_batch", low=1, high=1024)  # an iteration stays in milliseconds
    seed: int = setting(0, label="seed", low=0, high=MAX_SEED, widget="number")  # weights, batches, ε
    # per press of Start (Resume continues to the same mark); the default networks train
    # 130-180 iterations a second on one core, so 3,000 take about 20 s
    iterations: int = setting(3000, label="vae_iterations", low=1, high=100_000, widget="number")

    # with β = 0 nothing stops log σ² falling for ever; at e^-87 σ² would turn into a denormal
    # float, which a CPU computes ~100x slower. σ ≥ e^-10 ≈ 5e-5 is a point on any plane shown.
    min_log_var: ClassVar[float] = -20.0
    eval_every: ClassVar[int] = 25           # iterations between held-out evaluations (a few ms each)
    curve_points: ClassVar[int] = 300        # curves are thinned to this many points per line
    active_threshold: ClassVar[float] = 0.01  # Burda et al. 2016: unit u is active if Var_x(μ_u) > 0.01
    knn_k: ClassVar[int] = 5                 # the classifier on held-out μ
    ellipses: ClassVar[int] = 12             # held-out rows whose 1σ posterior is drawn
    ellipse_points: ClassVar[int] = 41       # points on each ellipse's outline
    manifold_side: ClassVar[int] = 10        # the decoded grid is side x side images (or lines, 2D data)
    density_cells: ClassVar[int] = 48        # prior vs aggregate posterior on a 48 x 48 grid
    density_samples: ClassVar[int] = 8       # z ~ q(z|x) drawn per training row for q(z)
    hole_ratio: ClassVar[float] = 0.1        # a cell is a "hole" where q(z) < 10% of p(z) ...
    hole_cells: ClassVar[int] = 12           # ... on a 12 x 12 grid over [-3, 3]² (cells 0.5 wide)
    min_half_width: ClassVar[float] = 3.0    # the latent plane shows at least [-3, 3]² (the prior's bulk)
    max_half_width: ClassVar[float] = 50.0   # and at most [-50, 50]² (an autoencoder's codes wander)
    cloud: ClassVar[int] = 200               # z ~ q(z|x) drawn around one digit's μ (reparameterisation)
    prior_samples: ClassVar[int] = 32        # "generate": 4 rows of 8
    interp_steps: ClassVar[tuple[int, int, int]] = (3, 8, 16)  # points on a path: min, default, max
    shown_reconstructions: ClassVar[int] = 8  # held-out digits shown original / VAE / PCA
    sweep_betas: ClassVar[tuple[float, ...]] = (0.1, 0.3, 1.0, 3.0, 10.0)  # the rate–distortion curve
    sweep_iterations: ClassVar[int] = 1500   # training per β of the sweep
    iwae_k: ClassVar[tuple[int, int]] = (50, 1000)  # importance samples of the IWAE bound: default, max

    def check(self) -> None:
        if self.likelihood == "binomial" and self.dataset != data.DIGITS:
            raise InputError("vae_err_binomial_points")


DEFAULTS = VaeSettings()


def validated(**values) -> VaeSettings:
    """Settings from values that may come straight from the API (a missing one takes its
    default); InputError names the first wrong value and what is allowed."""
    return parse(VaeSettings, values)


# ---------------------------------------------------------------------------------------------
# the model


def mlp(in_dim: int, width: int, depth: int, out_dim: int) -> nn.Sequential:
    """``depth`` hidden ReLU layers of ``width`` units; depth 0 is one linear map."""
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(in_dim if i == 0 else width, width), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(width if depth else in_dim, out_dim))


class VAE(nn.Module):
    """Encoder x -> (μ, log σ²), decoder z -> the likelihood's parameter (binomial logits or
    Gaussian means), and for the Gaussian one learned log s² shared by every output."""

    def __init__(self, data_dim: int, settings: VaeSettings):
        super().__init__()
        self.likelihood = settings.likelihood
        self.encoder = mlp(data_dim, settings.width, settings.depth, 2 * settings.latent_dim)
        self.decoder = mlp(settings.latent_dim, settings.width, settings.depth, data_dim)
        self.log_var_x = nn.Parameter(torch.zeros(())) if settings.likelihood == "gaussian" else None

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, log_var = self.encoder(x).chunk(2, dim=-1)                  # (B, d) each
        return mu, log_var.clamp(min=VaeSettings.min_log_var)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)                                          # (B, D) logits or means

    def mean(self, out: torch.Tensor) -> torch.Tensor:
        """E[x|z] from the decoder's output: the ink fraction sigmoid(logit), or the Gaussian mean."""
        return torch.sigmoid(out) if self.likelihood == "binomial" else out

    def log_likelihood(self, x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """log p(x|z) per row (B,), in nats, constants included (so IWAE bounds log p(x) itself)."""
        if self.likelihood == "binomial":
            n = data.INK_LEVELS
            k = (x * n).round()                                         # ink counts 0..16
            log_choose = torch.lgamma(torch.tensor(n + 1.0)) - torch.lgamma(k + 1) - torch.lgamma(n - k + 1)
            # log C(n, k) + k log p + (n − k) log(1 − p), with p = sigmoid(out)
            return (log_choose + k * F.logsigmoid(out) + (n - k) * F.logsigmoid(-out)).sum(-1)
        # −½ Σ [(x − m)² / s² + log s² + log 2π]
        return -0.5 * (((x - out) ** 2) * torch.exp(-self.log_var_x) + self.log_var_x
                       + math.log(2 * math.pi)).sum(-1)


def reparameterize(mu: torch.Tensor, log_var: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """z = μ + σ ⊙ ε with σ = exp(½ log σ²): the noise ε ~ N(0, I) is an input, so z is a
    differentiable function of μ and log σ² (∂z/∂μ = 1, ∂z/∂σ = ε) and gradients reach the encoder."""
    return mu + torch.exp(0.5 * log_var) * eps


def kl_to_prior(mu: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, diag σ²) ‖ N(0, I)) per latent dimension, (..., d), closed form:
    ½ (μ² + σ² − 1 − log σ²)."""
    return 0.5 * (mu ** 2 + log_var.exp() - 1 - log_var)


def log_normal(z: torch.Tensor, mu: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """log N(z; μ, diag σ²) summed over the last axis."""
    return -0.5 * (((z - mu) ** 2) * torch.exp(-log_var) + log_var + math.log(2 * math.pi)).sum(-1)


@dataclasses.dataclass(frozen=True)
class Terms:
    """The two terms of −ELBO per row, in nats."""
    recon: torch.Tensor        # (B,) −log p(x|z) for one z ~ q(z|x)
    kl_per_dim: torch.Tensor   # (B, d)

    @property
    def kl(self) -> torch.Tensor:
        return self.kl_per_dim.sum(-1)


def elbo_terms(model: VAE, x: torch.Tensor, eps: torch.Tensor) -> Terms:
    """One-sample −ELBO terms of a batch x (B, D) with noise eps (B, d)."""
    mu, log_var = model.encode(x)                                       # 1. q(z|x)
    z = reparameterize(mu, log_var, eps)                                # 2. z = μ + σ ε
    recon = -model.log_likelihood(x, model.decode(z))                   # 3. −log p(x|z)
    return Terms(recon, kl_to_prior(mu, log_var))                       # 4. KL(q ‖ p), closed form


def iwae_bound(model: VAE, x: torch.Tensor, k: int, gen: torch.Generator) -> torch.Tensor:
    """The importance-weighted bound (Burda et al. 2016, https://arxiv.org/abs/1509.00519) per
    row (B,): log (1/k) Σᵢ p(x|zᵢ) p(zᵢ) / q(zᵢ|x) with zᵢ ~ q(z|x). k = 1 is the ELBO; it rises
    towards log p(x) as k grows."""
    with torch.no_grad():
        mu, log_var = model.encode(x)                                   # (B, d)
        eps = torch.randn(k, *mu.shape, generator=gen)                  # (k, B, d)
        z = reparameterize(mu, log_var, eps)
        log_px_z = model.log_likelihood(x, model.decode(z))             # (k, B)
        log_pz = log_normal(z, torch.zeros_like(z), torch.zeros_like(z))
        log_w = log_px_z + log_pz - log_normal(z, mu, log_var)          # (k, B) log weights
        return torch.logsumexp(log_w, dim=0) - math.log(k)


# ---------------------------------------------------------------------------------------------
# a run and its training step


def build_model(settings: VaeSettings, data_dim: int) -> VAE:
    with global_rng_seeded(settings.seed):  # nn.Linear initialises from the global RNG
        return VAE(data_dim, settings)


class VaeRun:
    """One training run. The live mechanism (components/live.py) reads ``iteration`` and
    ``target`` and calls ``train_step``; the views read ``model``, ``history`` and ``held_out``."""

    def __init__(self, settings: VaeSettings):
        self.settings = settings
        self.data = data.load(settings.dataset)
        self.model = build_model(settings, self.data.dim)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=settings.lr)
        self.gen = torch.Generator().manual_seed(settings.seed)
        self.iteration = 0
        self.target = 0
        self.history: dict[str, Log] = {name: Log() for name in CURVES}
        # every eval_every iterations: {"iteration", "recon", "kl" (nats per image), "kl_per_dim",
        # "activity" (d floats: KL and Var μ of each dimension), "knn" (5-NN accuracy on μ)}
        self.held_out: Log = Log()
        self._evaluate_held_out()

    def train_step(self) -> None:
        """One Adam step on −E[log p(x|z)] + β·KL for a fresh batch. Loss and gradient are
        checked before the step is applied: a non-finite one raises ``Diverged`` and the weights
        stay those of the last good step."""
        cfg = self.settings
        x = self.data.batch(cfg.batch, self.gen)                            # (B, D)
        eps = torch.randn(cfg.batch, cfg.latent_dim, generator=self.gen)    # (B, d)
        terms = elbo_terms(self.model, x, eps)
        loss = (terms.recon + cfg.beta * terms.kl).mean()
        # named by β, since the comparison trains two (reads the same in both languages)
        what = f"VAE (β = {cfg.beta:g})"
        if not math.isfinite(loss.item()):
            raise Diverged(self.iteration + 1, what)
        params = list(self.model.parameters())
        grads = torch.autograd.grad(loss, params)
        if not math.isfinite(float(torch.nn.utils.get_total_norm(grads))):
            raise Diverged(self.iteration + 1, what)
        for p, g in zip(params, grads):
            p.grad = g
        self.optimizer.step()
        self.iteration += 1
        self.history["recon"].append(terms.recon.mean().item())
        self.history["kl"].append(terms.kl.mean().item())
        if self.iteration % VaeSettings.eval_every == 0:
            self._evaluate_held_out()

    def _evaluate_held_out(self) -> None:
        """Record the held-out terms, the KL and activity of each latent dimension, and the
        5-NN accuracy on the held-out μ (about a millisecond per hundred training steps)."""
        with torch.no_grad():
            mu, log_var = self.model.encode(self.data.held_out)
            z = reparameterize(mu, log_var, held_out_noise(self))
            recon = -self.model.log_likelihood(self.data.held_out, self.model.decode(z))
            kl_per_dim = kl_to_prior(mu, log_var).mean(0)               # (d,)
            train_mu, _ = self.model.encode(self.data.train)
        self.held_out.append({
            "iteration": self.iteration, "recon": recon.mean().item(), "kl": kl_per_dim.sum().item(),
            "kl_per_dim": kl_per_dim.tolist(), "activity": mu.var(0, unbiased=False).tolist(),
            "knn": knn_accuracy(train_mu, self.data.train_labels, mu, self.data.held_out_labels)})


def held_out_noise(run: VaeRun) -> torch.Tensor:
    """(N_held_out, d) fixed ε of the held-out evaluations: every evaluation of a run uses the
    same noise, so its held-out curve moves only because the model does."""
    gen = torch.Generator().manual_seed(run.settings.seed + 1)
    return torch.randn(len(run.data.held_out), run.settings.latent_dim, generator=gen)


def train(run, iterations: int) -> None:
    """``iterations`` steps of a run (a VaeRun, or anything with its ``train_step``), headless
    (tests, benchmarks, the β sweep), on one thread."""
    with one_thread():
        for _ in range(iterations):
            run.train_step()


def encode(run: VaeRun, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(μ, log σ²) of rows x (N, D), without a graph."""
    with torch.no_grad():
        return run.model.encode(x)


def decode_mean(run: VaeRun, z: torch.Tensor) -> torch.Tensor:
    """E[x|z] (N, D) of latent rows z (N, d)."""
    with torch.no_grad():
        return run.model.mean(run.model.decode(z))


def knn_accuracy(train_mu: torch.Tensor, train_labels: np.ndarray, held_mu: torch.Tensor,
                 held_labels: np.ndarray, k: int = VaeSettings.knn_k) -> float:
    """Share of held-out rows whose class the majority of their k nearest training rows (by μ,
    Euclidean) gets right: how well the latent space separates classes nobody told it about.
    A tie goes to the smallest class, as in scikit-learn's KNeighborsClassifier."""
    nearest = torch.cdist(held_mu, train_mu).topk(k, largest=False).indices   # (N_held, k)
    votes = torch.from_numpy(train_labels)[nearest]                        # (N_held, k)
    n_classes = int(max(train_labels.max(), held_labels.max())) + 1
    counts = F.one_hot(votes, n_classes).sum(1)                            # (N_held, classes)
    return float((counts.argmax(1).numpy() == held_labels).mean())
