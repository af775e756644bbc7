"""What the VAE lab shows of a run: the latent plane, the decoded manifold, prior against
aggregate posterior, the reparameterisation step, samples from the prior and interpolations.
No gradio here; numpy out.

Views draw their noise from their own generators (seeded from the run's seed, or from a seed
the learner gives), never from the run's, so looking at a run never changes its training.
For d > 2 the plane is spanned by the first two principal axes of the held-out μ; the projection
is orthonormal and not centred, so the prior N(0, I) projects to N(0, I₂) on it.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import torch

from components.i18n import InputError
from components.threads import one_thread
from components.validation import as_int
from demos.vae import data
from demos.vae.core import (
    MAX_SEED,
    VaeRun,
    VaeSettings,
    decode_mean,
    encode,
    kl_to_prior,
    reparameterize,
)

S = VaeSettings


def latent_axes(run: VaeRun, held_out_mu: torch.Tensor | None = None) -> np.ndarray:
    """(d, 2) orthonormal axes of the latent plane. d = 1: the line is the plane's x axis
    (its y is 0); d = 2: the identity; d > 2: the first two principal axes of the held-out μ,
    each signed so that its largest entry is positive (the picture does not flip between views)."""
    d = run.settings.latent_dim
    if d <= 2:
        return np.eye(d, 2, dtype=np.float32)
    mu = encode(run, run.data.held_out)[0] if held_out_mu is None else held_out_mu
    centred = (mu - mu.mean(0)).double().numpy()
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axes = vt[:2].T                                                    # (d, 2)
    axes *= np.sign(axes[np.abs(axes).argmax(0), [0, 1]])
    return axes.astype(np.float32)


def project(z: torch.Tensor, axes: np.ndarray) -> np.ndarray:
    """(..., d) latent rows -> (..., 2) coordinates on the plane."""
    return z.numpy() @ axes


def ellipse_outlines(mu: torch.Tensor, log_var: torch.Tensor, axes: np.ndarray, points: int) -> np.ndarray:
    """(E, points, 2) the 1σ contour of each q(z|x) = N(μ, diag σ²) on the plane: the projected
    covariance Aᵀ diag(σ²) A = V Λ Vᵀ maps the unit circle to V Λ^½ (cos t, sin t)."""
    angle = np.linspace(0, 2 * np.pi, points)
    circle = np.stack([np.cos(angle), np.sin(angle)])                  # (2, P)
    outlines = []
    for m, v in zip(mu.numpy(), log_var.exp().numpy()):
        cov = axes.T @ np.diag(v) @ axes                               # (2, 2)
        lam, vec = np.linalg.eigh(cov)
        outlines.append((m @ axes)[:, None] + vec @ (np.sqrt(np.clip(lam, 0, None))[:, None] * circle))
    return np.transpose(np.array(outlines), (0, 2, 1))


@dataclasses.dataclass(frozen=True)
class LatentView:
    """The held-out rows on the latent plane."""
    iteration: int
    latent_dim: int
    axes: np.ndarray            # (d, 2) the plane's axes in latent space
    half_width: float           # the plane shown is [-h, h]²
    points: np.ndarray          # (N, 2) μ of every held-out row
    labels: np.ndarray          # (N,) their classes
    ellipses: np.ndarray        # (E, P, 2) 1σ outlines of q(z|x) for a few rows
    ellipse_labels: np.ndarray  # (E,)
    kl_per_dim: np.ndarray      # (d,) held-out KL of each latent dimension, nats
    activity: np.ndarray        # (d,) Var_x μ_u; active above VaeSettings.active_threshold
    knn_accuracy: float         # 5-NN on held-out μ (neighbours: the training rows' μ)

    @property
    def active_units(self) -> int:
        return int((self.activity > S.active_threshold).sum())


def half_width(points: np.ndarray) -> float:
    """The plane's half width: the prior's bulk, widened to the codes' 99th percentile."""
    reach = float(np.quantile(np.abs(points), 0.99)) * 1.1 if len(points) else 0.0
    return min(S.max_half_width, max(S.min_half_width, reach))


def latent_view(run: VaeRun, mu: torch.Tensor, log_var: torch.Tensor) -> LatentView:
    """The plane from the held-out rows' (μ, log σ²); the per-dimension figures come from the
    run's latest held-out evaluation."""
    axes = latent_axes(run, mu)
    points = project(mu, axes)
    chosen = np.linspace(0, len(mu) - 1, S.ellipses).round().astype(int)
    record = run.held_out[-1]
    return LatentView(run.iteration, run.settings.latent_dim, axes, half_width(points), points,
                      run.data.held_out_labels, ellipse_outlines(mu[chosen], log_var[chosen], axes, S.ellipse_points),
                      run.data.held_out_labels[chosen], np.array(record["kl_per_dim"]), np.array(record["activity"]),
                      record["knn"])


@dataclasses.dataclass(frozen=True)
class ManifoldView:
    """The decoder over an evenly spaced grid of the latent plane, laid out where each z lies
    (Kingma & Welling 2014, fig. 4): the same square [-h, h]² the latent map shows, so a
    region of codes and the digits decoded there can be compared."""
    ticks: np.ndarray           # (side,) coordinates along each axis of the plane
    decoded: np.ndarray         # (rows, side, D) E[x|z]; row r is y = ticks[r] (1 row when d = 1)


def manifold(run: VaeRun, axes: np.ndarray, half: float, side: int = S.manifold_side) -> ManifoldView:
    ticks = torch.linspace(-half, half, side)                          # (side,)
    w = torch.from_numpy(axes)                                         # (d, 2)
    ys = ticks if run.settings.latent_dim > 1 else torch.zeros(1)
    z = ticks.view(1, -1, 1) * w[:, 0] + ys.view(-1, 1, 1) * w[:, 1]  # (rows, side, d)
    decoded = decode_mean(run, z.reshape(-1, run.settings.latent_dim))
    return ManifoldView(ticks.numpy(), decoded.reshape(len(ys), side, -1).numpy())


@dataclasses.dataclass(frozen=True)
class DensityView:
    """Prior p(z) against the aggregate posterior q(z) = E_x[q(z|x)] over the training rows,
    as probability mass per cell of the plane (per bin of the line when d = 1). Where q puts
    much less mass than p, decoding a prior sample gives something the decoder never learned:
    a "hole". A plain autoencoder leaves many; the KL term fills them. Holes are counted on a
    coarse grid over the prior's bulk, where every cell expects dozens of samples if q = p, so
    sampling noise alone never makes one."""
    edges: np.ndarray           # (cells + 1,) cell edges along each axis
    prior: np.ndarray           # (cells, cells) rows = y; (cells,) when d = 1
    aggregate: np.ndarray       # same shape, from z ~ q(z|x) samples
    hole_edges: np.ndarray      # (hole_cells + 1,) the coarse grid over [-3, 3]
    holes: np.ndarray           # (hole_cells, hole_cells) bool, rows = y: q < hole_ratio · p there
    hole_mass: float            # prior mass in the holes


def cell_masses(samples: np.ndarray, edges: np.ndarray, one_d: bool) -> tuple[np.ndarray, np.ndarray]:
    """(prior mass, share of the samples) in each cell of the grid ``edges`` (square, rows = y);
    samples off the grid count in the total but in no cell."""
    cells = len(edges) - 1
    line_mass = np.diff(torch.special.ndtr(torch.from_numpy(edges)).numpy())   # N(0, 1) per cell
    # the cell of each sample (np.histogram2d is five times slower)
    cell = np.floor((samples - edges[0]) / (edges[-1] - edges[0]) * cells).astype(np.int64)  # (K·N, 2)
    if one_d:
        inside = (cell[:, 0] >= 0) & (cell[:, 0] < cells)
        return line_mass, np.bincount(cell[inside, 0], minlength=cells) / len(samples)
    inside = ((cell >= 0) & (cell < cells)).all(1)
    flat = cell[inside, 1] * cells + cell[inside, 0]
    # N(0, I₂) factorises into the two axes' masses
    counts = np.bincount(flat, minlength=cells * cells).reshape(cells, cells)
    return np.outer(line_mass, line_mass), counts / len(samples)


def density(run: VaeRun, axes: np.ndarray, half: float) -> DensityView:
    mu, log_var = encode(run, run.data.train)
    gen = torch.Generator().manual_seed(run.settings.seed + 2)
    eps = torch.randn(S.density_samples, *mu.shape, generator=gen)    # (K, N, d)
    samples = project(reparameterize(mu, log_var, eps), axes).reshape(-1, 2)
    one_d = run.settings.latent_dim == 1
    edges = np.linspace(-half, half, S.density_cells + 1)
    prior, aggregate = cell_masses(samples, edges, one_d)
    hole_edges = np.linspace(-S.min_half_width, S.min_half_width, S.hole_cells + 1)
    coarse_prior, coarse_aggregate = cell_masses(samples, hole_edges, one_d)
    holes = coarse_aggregate < S.hole_ratio * coarse_prior
    return DensityView(edges, prior, aggregate, hole_edges, holes, float(coarse_prior[holes].sum()))


@dataclasses.dataclass(frozen=True)
class PlaneView:
    """2D data only: the data plane with the held-out points, their reconstructions, samples
    of the model x ~ p(x|z) p(z), and the decoder's image of a latent grid."""
    real: np.ndarray            # (N, 2) held-out points
    labels: np.ndarray          # (N,)
    reconstructed: np.ndarray   # (N, 2) E[x|z = μ(x)]
    samples: np.ndarray         # (M, 2) z ~ N(0, I), x ~ p(x|z)
    manifold: np.ndarray        # (rows, side, 2) E[x|z] over the latent grid


def plane_view(run: VaeRun, held_out_mu: torch.Tensor, axes: np.ndarray) -> PlaneView:
    gen = torch.Generator().manual_seed(run.settings.seed + 3)
    z = torch.randn(len(run.data.held_out), run.settings.latent_dim, generator=gen)
    noise_std = math.exp(0.5 * run.model.log_var_x.item())
    samples = decode_mean(run, z) + noise_std * torch.randn(len(z), 2, generator=gen)
    lines = manifold(run, axes, S.min_half_width, side=2 * S.manifold_side).decoded
    return PlaneView(run.data.held_out.numpy(), run.data.held_out_labels, decode_mean(run, held_out_mu).numpy(),
                     samples.numpy(), lines)


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """The live views of a run at one moment."""
    iteration: int
    latent: LatentView
    manifold: ManifoldView | None   # None when the heatmaps were not asked for
    density: DensityView | None
    plane: PlaneView | None         # 2D data sets only


def snapshot(run: VaeRun, heatmaps: bool = True) -> Snapshot:
    """Everything the live page redraws (a few ms on one thread); without ``heatmaps``, the
    latent codes only (the manifold, density and data plane decode grids the page is not
    redrawing this frame)."""
    with one_thread():
        mu, log_var = encode(run, run.data.held_out)
        latent = latent_view(run, mu, log_var)
        if not heatmaps:
            return Snapshot(run.iteration, latent, None, None, None)
        plane = plane_view(run, mu, latent.axes) if not run.data.is_digits else None
        return Snapshot(run.iteration, latent, manifold(run, latent.axes, latent.half_width),
                        density(run, latent.axes, latent.half_width), plane)


# ---------------------------------------------------------------------------------------------
# one digit through the encoder: the reparameterisation trick


def held_out_row(run: VaeRun, index, name: str = "vae_digit_index") -> tuple[torch.Tensor, int]:
    """(row (D,), class) of held-out row ``index``; InputError naming the control ``name`` when
    out of range."""
    index = as_int(name, index, 0, len(run.data.held_out) - 1)
    return run.data.held_out[index], int(run.data.held_out_labels[index])


def drawn_row(run: VaeRun, ink: np.ndarray | None) -> torch.Tensor:
    """A sketch-pad drawing (``components.sketch.ink_mask``) as a digit; digits runs only."""
    if not run.data.is_digits:
        raise InputError("vae_err_sketch_digits")
    return data.digit_from_mask(ink)


@dataclasses.dataclass(frozen=True)
class ReparamView:
    """One row x through z = μ + σ ⊙ ε and back, with the gradients that reach the encoder."""
    x: np.ndarray               # (D,) the input
    mu: np.ndarray              # (d,)
    sigma: np.ndarray           # (d,)
    eps: np.ndarray             # (d,) ε ~ N(0, I), from ``seed``
    z: np.ndarray               # (d,) μ + σ ε
    decoded: np.ndarray         # (D,) E[x|z]
    decoded_mu: np.ndarray      # (D,) E[x|μ], the code without noise
    recon: float                # −log p(x|z), nats
    kl: float                   # KL(q(z|x) ‖ p(z)), nats
    grad_mu: np.ndarray         # (d,) ∂(−ELBO)/∂μ through z: ∂z/∂μ = 1
    grad_log_var: np.ndarray    # (d,) ∂(−ELBO)/∂log σ²: through z (∂z/∂log σ² = ½ σ ε) and the KL
    plain_sample_grad: bool     # does a sample from Normal(μ, σ).sample() carry a gradient? (no)
    mu_2d: np.ndarray           # (2,) μ on the latent plane
    z_2d: np.ndarray            # (2,) z on the plane
    ellipse: np.ndarray         # (P, 2) the 1σ outline of q(z|x)
    cloud: np.ndarray           # (cloud, 2) more z ~ q(z|x), from the same seed


def reparam_view(run: VaeRun, x: torch.Tensor, seed) -> ReparamView:
    """The reparameterisation step for one row ``x`` (D,), ε drawn from ``seed`` ("Resample ε"
    is a new seed). The gradient of the one-sample −ELBO = −log p(x|z) + β·KL flows into μ and
    log σ² because z is computed from them; a sample drawn by the distribution itself is a
    constant to autograd."""
    seed = as_int("seed", seed, 0, MAX_SEED)
    model = run.model
    with torch.no_grad():
        mu, log_var = model.encode(x[None])                             # (1, d) each
    mu, log_var = mu.requires_grad_(), log_var.requires_grad_()
    gen = torch.Generator().manual_seed(seed)
    eps = torch.randn(mu.shape, generator=gen)                          # (1, d)
    z = reparameterize(mu, log_var, eps)
    out = model.decode(z)
    recon = -model.log_likelihood(x[None], out).sum()
    kl = kl_to_prior(mu, log_var).sum()
    grad_mu, grad_log_var = torch.autograd.grad(recon + run.settings.beta * kl, [mu, log_var])
    plain = torch.distributions.Normal(mu, (0.5 * log_var).exp()).sample()
    axes = latent_axes(run)
    with torch.no_grad():
        cloud = reparameterize(mu, log_var, torch.randn(S.cloud, mu.shape[1], generator=gen))
        return ReparamView(
            x.numpy(), mu[0].numpy(), (0.5 * log_var).exp()[0].numpy(), eps[0].numpy(), z[0].numpy(),
            model.mean(out)[0].numpy(), decode_mean(run, mu)[0].numpy(), recon.item(), kl.item(),
            grad_mu[0].numpy(), grad_log_var[0].numpy(), plain.requires_grad,
            project(mu[0], axes), project(z[0], axes),
            ellipse_outlines(mu, log_var, axes, S.ellipse_points)[0], project(cloud, axes))


# ---------------------------------------------------------------------------------------------
# generation and interpolation


@dataclasses.dataclass(frozen=True)
class Samples:
    """Decoded samples of the prior."""
    z: np.ndarray               # (n, d) z ~ N(0, I)
    z_2d: np.ndarray            # (n, 2) on the latent plane
    decoded: np.ndarray         # (n, D) E[x|z]


def prior_samples(run: VaeRun, seed, n: int = S.prior_samples) -> Samples:
    seed = as_int("seed", seed, 0, MAX_SEED)
    z = torch.randn(n, run.settings.latent_dim, generator=torch.Generator().manual_seed(seed))
    return Samples(z.numpy(), project(z, latent_axes(run)), decode_mean(run, z).numpy())


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation (Shoemake 1985; White 2016, https://arxiv.org/abs/1609.04468):
    the direction turns along the great circle, sin((1 − t)Ω)/sin Ω · â + sin(tΩ)/sin Ω · b̂ with
    Ω the angle between a and b, while the length goes linearly from ‖a‖ to ‖b‖ (for codes of
    equal length this is White's slerp; for unequal ones his formula overshoots, up to 1/sin Ω).
    In d dimensions the prior's mass lies near the sphere of radius √d: the straight line
    between two codes cuts inside it, the arc does not. (len(t), d); linear where a and b are
    (anti)parallel, since then no single arc joins them."""
    length_a, length_b = a.norm(), b.norm()
    unit_a, unit_b = a / length_a.clamp_min(1e-12), b / length_b.clamp_min(1e-12)
    omega = torch.arccos(torch.dot(unit_a, unit_b).clamp(-1, 1))
    if torch.sin(omega) < 1e-6:
        return (1 - t)[:, None] * a + t[:, None] * b
    direction = (torch.sin((1 - t) * omega)[:, None] * unit_a
                 + torch.sin(t * omega)[:, None] * unit_b) / torch.sin(omega)
    return ((1 - t) * length_a + t * length_b)[:, None] * direction


@dataclasses.dataclass(frozen=True)
class Interpolation:
    """Two held-out rows' μ joined by a straight line and by an arc, decoded at every step."""
    t: np.ndarray               # (S,) 0 .. 1
    endpoints: np.ndarray       # (2, D) the two rows
    endpoint_labels: np.ndarray  # (2,)
    linear_z: np.ndarray        # (S, d)
    slerp_z: np.ndarray         # (S, d)
    linear_2d: np.ndarray       # (S, 2) on the latent plane
    slerp_2d: np.ndarray        # (S, 2)
    linear: np.ndarray          # (S, D) decoded
    spherical: np.ndarray       # (S, D) decoded


def interpolate(run: VaeRun, a, b, steps) -> Interpolation:
    """Between held-out rows ``a`` and ``b`` (indices), ``steps`` points including both ends."""
    low, _, high = S.interp_steps
    steps = as_int("vae_interp_steps", steps, low, high)
    (xa, la), (xb, lb) = held_out_row(run, a, "vae_interp_from"), held_out_row(run, b, "vae_interp_to")
    mu, _ = encode(run, torch.stack([xa, xb]))                         # (2, d)
    t = torch.linspace(0, 1, steps)
    linear = (1 - t)[:, None] * mu[0] + t[:, None] * mu[1]             # (S, d)
    arc = slerp(mu[0], mu[1], t)
    axes = latent_axes(run)
    return Interpolation(t.numpy(), torch.stack([xa, xb]).numpy(), np.array([la, lb]), linear.numpy(), arc.numpy(),
                         project(linear, axes), project(arc, axes), decode_mean(run, linear).numpy(),
                         decode_mean(run, arc).numpy())
