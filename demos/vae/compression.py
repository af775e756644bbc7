"""The VAE as an image codec, and the autoencoder against the VAE. No gradio here.

Rate: with bits-back coding (Hinton & van Camp 1993; Townsend et al. 2019, BB-ANS) sending a
code z ~ q(z|x) costs KL(q(z|x) ‖ p(z)) nats on average, so the rate is the held-out KL in bits.
Distortion: the mean squared error between a held-out digit and the decoding of that code
(E[x|z], pixels as ink fractions in [0, 1]), and PSNR = 10 log10(1 / MSE) in dB. Raising β buys
a lower rate with a higher distortion: a β sweep traces the rate–distortion curve
(Alemi et al. 2018, "Fixing a Broken ELBO").

Baseline: PCA with as many components as the latent space has dimensions. A linear autoencoder
trained on squared error learns exactly PCA's subspace (Baldi & Hornik 1989), so PCA is what a
latent space of that size achieves linearly; it compares with the VAE decoding its μ.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterator

import numpy as np
import torch
import torch.nn.functional as F

from components.i18n import InputError
from components.diverged import Diverged
from components.threads import one_thread
from components.validation import as_int
from demos.vae import data, views
from demos.vae.core import (
    VaeRun,
    VaeSettings,
    decode_mean,
    encode,
    held_out_noise,
    iwae_bound,
    kl_to_prior,
    reparameterize,
    train,
)

S = VaeSettings
LN2 = math.log(2)


def psnr(mse: float) -> float:
    """Peak signal-to-noise ratio in dB for pixels in [0, 1] (peak 1)."""
    return 10 * math.log10(1 / mse) if mse > 0 else math.inf


@functools.lru_cache(maxsize=32)
def pca(name: str, components: int):
    """scikit-learn's PCA with ``components`` components, fitted on the data set's training rows."""
    from sklearn.decomposition import PCA

    return PCA(components).fit(data.load(name).train.numpy())


def pca_reconstruct(name: str, components: int, rows: torch.Tensor) -> np.ndarray:
    model = pca(name, components)
    return model.inverse_transform(model.transform(rows.numpy()))


def pca_mse(name: str, components: int) -> float:
    """PCA's distortion on the held-out rows: the baseline line of the rate–distortion figure."""
    held_out = data.load(name).held_out
    return float(((pca_reconstruct(name, components, held_out) - held_out.numpy()) ** 2).mean())


@dataclasses.dataclass(frozen=True)
class Compression:
    """The trained model as a codec on the held-out digits."""
    iteration: int
    beta: float
    latent_dim: int
    rate_bits: float            # mean KL(q(z|x) ‖ p(z)) / ln 2: bits per digit
    rate_bits_per_dim: np.ndarray  # (d,)
    mse: float                  # decoding z ~ q(z|x): the code the rate pays for
    psnr: float                 # dB
    mse_mean: float             # decoding μ (no noise): compares with PCA
    psnr_mean: float
    pca_mse: float              # PCA with d components
    pca_psnr: float
    originals: np.ndarray       # (n, 64) held-out digits shown
    labels: np.ndarray          # (n,)
    decoded: np.ndarray         # (n, 64) E[x|μ]
    pca_decoded: np.ndarray     # (n, 64)


def _require_digits(run: VaeRun) -> None:
    if not run.data.is_digits:
        raise InputError("vae_err_digits_only")


def compression(run: VaeRun) -> Compression:
    _require_digits(run)
    d, x = run.settings.latent_dim, run.data.held_out
    mu, log_var = encode(run, x)
    kl = kl_to_prior(mu, log_var).mean(0)                              # (d,) nats
    sampled = decode_mean(run, reparameterize(mu, log_var, held_out_noise(run)))
    from_mu = decode_mean(run, mu)
    pca_rows = pca_reconstruct(run.settings.dataset, d, x)
    mse = F.mse_loss(sampled, x).item()
    mse_mean = F.mse_loss(from_mu, x).item()
    baseline = float(((pca_rows - x.numpy()) ** 2).mean())
    shown = np.linspace(0, len(x) - 1, S.shown_reconstructions).round().astype(int)
    return Compression(run.iteration, run.settings.beta, d, kl.sum().item() / LN2, (kl / LN2).numpy(), mse, psnr(mse),
                       mse_mean, psnr(mse_mean), baseline, psnr(baseline), x[shown].numpy(),
                       run.data.held_out_labels[shown], from_mu[shown].numpy(), pca_rows[shown])


@dataclasses.dataclass(frozen=True)
class RatePoint:
    """One β of the sweep."""
    beta: float
    rate_bits: float
    mse: float
    psnr: float
    diverged: bool = False      # training stopped early: the point is from its last good weights


def rate_distortion(settings: VaeSettings, betas=S.sweep_betas, iterations: int = S.sweep_iterations
                    ) -> Iterator[RatePoint]:
    """Train one model per β (all else as ``settings``, the same seed), ``iterations`` steps
    each, and yield its rate–distortion point as soon as it is done."""
    if settings.dataset != data.DIGITS:
        raise InputError("vae_err_digits_only")
    for beta in betas:
        run = VaeRun(dataclasses.replace(settings, beta=float(beta)))
        diverged = False
        try:
            train(run, iterations)
        except Diverged:
            diverged = True
        point = compression(run)
        yield RatePoint(float(beta), point.rate_bits, point.mse, point.psnr, diverged)


def held_out_bounds(run: VaeRun, k, seed: int = 0) -> tuple[float, float]:
    """(ELBO, IWAE_k) averaged over the held-out rows, nats per row: two lower bounds on
    log p(x), the second tighter (Burda et al. 2016)."""
    k = as_int("vae_iwae_k", k, 1, S.iwae_k[1])
    gen = torch.Generator().manual_seed(seed)
    with one_thread():
        elbo = iwae_bound(run.model, run.data.held_out, 1, gen).mean().item()
        iwae = iwae_bound(run.model, run.data.held_out, k, gen).mean().item()
    return elbo, iwae


# ---------------------------------------------------------------------------------------------
# autoencoder against VAE


class PairRun:
    """β = 0 (a plain autoencoder: no KL term) and β = 1 (the ELBO) from the same seed and
    settings, trained side by side. Offers the live-training interface (``iteration``,
    ``target``, ``train_step``), so the shared mechanism drives it like a single run."""

    def __init__(self, settings: VaeSettings):
        self.autoencoder = VaeRun(dataclasses.replace(settings, beta=0.0))
        self.vae = VaeRun(dataclasses.replace(settings, beta=1.0))
        self.target = 0

    @property
    def iteration(self) -> int:
        return self.vae.iteration

    def train_step(self) -> None:
        """One step of each. If the VAE diverges after the autoencoder stepped, the next call
        steps only the VAE, so the two never drift apart by more than one step."""
        if self.autoencoder.iteration <= self.vae.iteration:
            self.autoencoder.train_step()
        self.vae.train_step()


@dataclasses.dataclass(frozen=True)
class PairSide:
    """What the comparison shows of one of the two runs."""
    latent: views.LatentView
    density: views.DensityView
    samples: views.Samples


def pair_sides(pair: PairRun, seed) -> tuple[PairSide, PairSide]:
    """(autoencoder, VAE): their latent maps and aggregate posteriors, and the same prior
    samples (``seed``) decoded by each."""
    sides = []
    for run in (pair.autoencoder, pair.vae):
        snap = views.snapshot(run)
        sides.append(PairSide(snap.latent, snap.density, views.prior_samples(run, seed)))
    return sides[0], sides[1]
