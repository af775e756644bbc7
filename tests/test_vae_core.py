"""VAE lab core against oracles: the closed-form KL against Monte Carlo and torch.distributions,
the likelihoods against torch.distributions, IWAE against the ELBO, gradients through the
reparameterised sample against finite differences, a linear autoencoder against PCA's subspace,
the k-NN score against scikit-learn, hand-computed drawings and ellipses; determinism, bad input,
divergence, and the quality bars of issue 16 (with fixed iteration counts, not time)."""

import copy
import dataclasses
import math

import numpy as np
import pytest
import torch
from scipy.linalg import subspace_angles
from scipy.stats import norm

from components.i18n import InputError
from components.live import Diverged
from demos.vae import compression, core, data, views

# Issue 16's quality bar is "within 20 seconds of training on 2 cores". Measured on this
# project's 2-core machine (one thread, as the live mechanism trains): see the issue note and
# benchmarks; these counts take well under 20 s there.
QUALITY_ITERATIONS = 1500


@pytest.fixture(scope="module")
def trained():
    """The default settings (digits, d = 2, β = 1) trained for QUALITY_ITERATIONS."""
    run = core.VaeRun(core.validated())
    core.train(run, QUALITY_ITERATIONS)
    return run


# ---------------------------------------------------------------------------------------------
# the objective's pieces


def test_closed_form_kl_matches_monte_carlo_within_its_standard_error():
    mu = torch.tensor([0.5, -1.2, 2.0], dtype=torch.float64)
    log_var = torch.tensor([-0.7, 0.4, -2.0], dtype=torch.float64)
    closed = core.kl_to_prior(mu, log_var).sum().item()
    # KL = E_q[log q(z) − log p(z)], estimated from 200,000 samples of q
    z = mu + (0.5 * log_var).exp() * torch.randn(200_000, 3, generator=torch.Generator().manual_seed(0),
                                                  dtype=torch.float64)
    terms = core.log_normal(z, mu, log_var) - core.log_normal(z, torch.zeros(3), torch.zeros(3))
    standard_error = terms.std().item() / math.sqrt(len(terms))
    assert abs(terms.mean().item() - closed) < 3 * standard_error
    # and torch.distributions' own closed form
    q = torch.distributions.Normal(mu, (0.5 * log_var).exp())
    p = torch.distributions.Normal(torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64))
    assert closed == pytest.approx(torch.distributions.kl_divergence(q, p).sum().item(), rel=1e-12)


def test_likelihoods_match_torch_distributions():
    gen = torch.Generator().manual_seed(1)
    x = torch.randint(0, data.INK_LEVELS + 1, (4, 64), generator=gen).float() / data.INK_LEVELS
    logits = torch.randn(4, 64, generator=gen)
    model = core.build_model(core.DEFAULTS, 64)
    expected = torch.distributions.Binomial(data.INK_LEVELS, logits=logits).log_prob(x * data.INK_LEVELS).sum(-1)
    torch.testing.assert_close(model.log_likelihood(x, logits), expected, rtol=1e-5, atol=1e-3)

    gaussian = core.build_model(core.validated(likelihood="gaussian"), 64)
    with torch.no_grad():
        gaussian.log_var_x.fill_(-1.3)
    means = torch.rand(4, 64, generator=gen)
    expected = torch.distributions.Normal(means, math.exp(-0.65)).log_prob(x).sum(-1)
    torch.testing.assert_close(gaussian.log_likelihood(x, means), expected, rtol=1e-5, atol=1e-3)


def test_iwae_bounds_the_elbo_and_grows_with_k(trained):
    """Burda et al. 2016: E[IWAE_k] ≥ E[IWAE_m] for k ≥ m, and IWAE_1 is the ELBO. Compared on
    the same held-out digits, each difference beyond 3 standard errors of its mean."""
    x = trained.data.held_out
    bounds = {k: core.iwae_bound(trained.model, x, k, torch.Generator().manual_seed(k)) for k in (1, 10, 100)}
    with torch.no_grad():
        terms = core.elbo_terms(trained.model, x, core.held_out_noise(trained))
    elbo = -(terms.recon + terms.kl)      # the ELBO with the closed-form KL: same expectation as IWAE_1
    for low, high in ((elbo, bounds[10]), (bounds[1], bounds[10]), (bounds[10], bounds[100])):
        gain = high - low
        assert gain.mean() > 3 * gain.std() / math.sqrt(len(gain))


def test_gradients_reach_mu_and_log_var_through_the_sample_only():
    mu = torch.tensor([0.3, -0.5], requires_grad=True)
    log_var = torch.tensor([-1.0, 0.2], requires_grad=True)
    eps = torch.tensor([1.5, -0.4])
    z = core.reparameterize(mu, log_var, eps)
    grad_mu, grad_log_var = torch.autograd.grad((z ** 2).sum(), [mu, log_var])
    sigma = (0.5 * log_var).exp()
    # d(z²)/dμ = 2z · ∂z/∂μ = 2z;  d(z²)/d log σ² = 2z · ½ σ ε
    torch.testing.assert_close(grad_mu, 2 * z.detach())
    torch.testing.assert_close(grad_log_var, (z * sigma * eps).detach())
    # a sample drawn by the distribution itself is a constant to autograd
    assert not torch.distributions.Normal(mu, sigma).sample().requires_grad


def test_reparameterisation_view_gradients_match_finite_differences(trained):
    x, _ = views.held_out_row(trained, 7)
    view = views.reparam_view(trained, x, seed=3)
    assert not view.plain_sample_grad
    np.testing.assert_allclose(view.z, view.mu + view.sigma * view.eps, rtol=1e-5, atol=1e-6)

    def objective(mu, log_var):
        """the one-sample −ELBO at (μ, log σ²) with the view's ε, in float64"""
        mu, log_var = torch.from_numpy(mu), torch.from_numpy(log_var)
        z = core.reparameterize(mu, log_var, torch.from_numpy(view.eps).double())
        recon = -model.log_likelihood(x.double()[None], model.decode(z[None])).item()
        return recon + trained.settings.beta * core.kl_to_prior(mu, log_var).sum().item()

    model = copy.deepcopy(trained.model).double()

    mu, log_var = view.mu.astype(np.float64), 2 * np.log(view.sigma.astype(np.float64))
    h = 1e-4
    for i in range(len(mu)):
        step = np.eye(len(mu))[i] * h
        d_mu = (objective(mu + step, log_var) - objective(mu - step, log_var)) / (2 * h)
        d_log_var = (objective(mu, log_var + step) - objective(mu, log_var - step)) / (2 * h)
        assert view.grad_mu[i] == pytest.approx(d_mu, rel=1e-2, abs=1e-2)
        assert view.grad_log_var[i] == pytest.approx(d_log_var, rel=1e-2, abs=1e-2)


def test_knn_accuracy_matches_scikit_learn():
    from sklearn.neighbors import KNeighborsClassifier

    gen = np.random.default_rng(0)
    train_x, held_x = gen.normal(size=(300, 2)), gen.normal(size=(100, 2))
    train_y, held_y = (train_x[:, 0] > 0) + 2 * (train_x[:, 1] > 0), (held_x[:, 0] > 0) + 2 * (held_x[:, 1] > 0)
    flip = gen.random(300) < 0.3   # noisy labels, so votes split
    train_y = np.where(flip, gen.integers(0, 4, 300), train_y)
    expected = (KNeighborsClassifier(5).fit(train_x, train_y).predict(held_x) == held_y).mean()
    got = core.knn_accuracy(torch.from_numpy(train_x), train_y, torch.from_numpy(held_x), held_y)
    assert got == pytest.approx(expected)


def test_a_linear_autoencoder_spans_pcas_subspace():
    """Baldi & Hornik 1989: with β = 0 (no KL term), linear maps and squared error, the
    decoder's columns span the first d principal components. Trained to convergence: Adam's
    rate is lowered twice, since a constant rate leaves the weights jittering by ~2°."""
    d = 3
    run = core.VaeRun(core.validated(depth=0, likelihood="gaussian", beta=0, latent_dim=d, lr=1e-2, batch=1024))
    for lr, iterations in ((1e-2, 600), (1e-3, 600), (1e-4, 300)):
        for group in run.optimizer.param_groups:
            group["lr"] = lr
        core.train(run, iterations)
    decoder_columns = run.model.decoder[0].weight.detach().double().numpy()      # (64, d)
    principal = compression.pca("digits", d).components_.T                         # (64, d)
    assert np.degrees(subspace_angles(decoder_columns, principal)).max() < 1.0


# ---------------------------------------------------------------------------------------------
# the data


def test_a_drawn_rectangle_becomes_the_hand_counted_digit():
    """A filled 100 x 50 rectangle: centred in a 100 x 100 square it covers bitmap columns 8..23
    of 32, widened to 7..24; so pixel columns 2..5 are full (16 of 16 bits), columns 1 and 6
    hold one bit column of four (4 of 16), the others none."""
    mask = np.zeros((300, 300), dtype=bool)
    mask[100:200, 40:90] = True
    digit = data.digit_from_mask(mask).reshape(8, 8).numpy()
    expected_row = np.array([0, 0.25, 1, 1, 1, 1, 0.25, 0])
    np.testing.assert_array_equal(digit, np.tile(expected_row, (8, 1)))


@pytest.mark.parametrize("mask", [None, np.zeros((50, 50), dtype=bool), np.eye(5, dtype=bool)])
def test_an_empty_drawing_is_refused(mask):
    with pytest.raises(InputError) as info:
        data.digit_from_mask(mask)
    assert info.value.key == "vae_err_empty_sketch"


def test_the_data_sets_are_fixed_splits():
    from components.datasets import digit_split

    digits = data.load("digits")
    train, held_out = digit_split()
    assert (len(digits.train), len(digits.held_out)) == (len(train), len(held_out))
    counts = digits.train.numpy() * data.INK_LEVELS
    np.testing.assert_array_equal(counts, counts.round())           # ink counts 0..16, exactly
    assert counts.min() == 0 and counts.max() == data.INK_LEVELS
    for name in data.TOYS:
        toy = data.load(name)
        assert toy.dim == 2 and len(toy.held_out) == round(data.TOY_POINTS * data.TOY_HELD_OUT_SHARE)


# ---------------------------------------------------------------------------------------------
# the views


def test_ellipses_are_the_one_sigma_contours():
    mu = torch.tensor([[1.0, -2.0]])
    log_var = torch.log(torch.tensor([[0.25, 4.0]]))
    outline = views.ellipse_outlines(mu, log_var, np.eye(2, dtype=np.float32), 41)[0]
    radius = ((outline[:, 0] - 1) / 0.5) ** 2 + ((outline[:, 1] + 2) / 2.0) ** 2
    np.testing.assert_allclose(radius, 1, rtol=1e-5)


def test_slerp_follows_the_arc_and_interpolates_the_length():
    a, b = torch.tensor([2.0, 0.0, 0.0]), torch.tensor([0.0, 2.0, 0.0])
    t = torch.linspace(0, 1, 5)
    path = views.slerp(a, b, t)
    # equal lengths: Shoemake's formula sin((1-t)Ω)/sin Ω a + sin(tΩ)/sin Ω b, here Ω = π/2
    omega = math.pi / 2
    expected = (torch.sin((1 - t) * omega)[:, None] * a + torch.sin(t * omega)[:, None] * b) / math.sin(omega)
    np.testing.assert_allclose(path.numpy(), expected.numpy(), atol=1e-6)
    np.testing.assert_allclose(path.norm(dim=1).numpy(), 2, rtol=1e-6)
    # unequal lengths: the length goes linearly, the direction as before
    longer = views.slerp(a, 3 * b, t)
    np.testing.assert_allclose(longer.norm(dim=1).numpy(), (2 + 4 * t).numpy(), rtol=1e-6)
    np.testing.assert_allclose((longer / longer.norm(dim=1, keepdim=True)).numpy(), (path / 2).numpy(), atol=1e-6)


def test_the_manifold_decodes_the_grid_of_the_latent_map(trained):
    """Row r, column c decodes z = (ticks[c], ticks[r]): x along z₁, y along z₂."""
    grid = views.manifold(trained, views.latent_axes(trained), 2.5)
    side = core.VaeSettings.manifold_side
    np.testing.assert_allclose(grid.ticks, np.linspace(-2.5, 2.5, side), rtol=1e-6)
    assert grid.decoded.shape == (side, side, 64)
    for r, c in ((0, 0), (2, 7), (9, 4)):
        z = torch.tensor([[grid.ticks[c], grid.ticks[r]]], dtype=torch.float32)
        np.testing.assert_allclose(grid.decoded[r, c], core.decode_mean(trained, z)[0].numpy(), rtol=1e-5, atol=1e-6)


def test_the_plane_of_a_larger_latent_space_is_pcas(trained):
    run = core.VaeRun(core.validated(latent_dim=5))
    core.train(run, 50)
    mu, _ = core.encode(run, run.data.held_out)
    axes = views.latent_axes(run)
    np.testing.assert_allclose(axes.T @ axes, np.eye(2), atol=1e-5)
    from sklearn.decomposition import PCA

    principal = PCA(2).fit(mu.numpy()).components_.T
    np.testing.assert_allclose(np.abs(axes.T @ principal), np.eye(2), atol=1e-3)


def test_density_masses(trained):
    snap = views.snapshot(trained)
    h = snap.latent.half_width
    inside = (norm.cdf(h) - norm.cdf(-h)) ** 2
    assert snap.density.prior.sum() == pytest.approx(inside, rel=1e-6)
    assert 0.9 < snap.density.aggregate.sum() <= 1.0
    assert 0 <= snap.density.hole_mass < (norm.cdf(3) - norm.cdf(-3)) ** 2


def test_samples_of_the_prior_leave_no_holes_and_a_point_leaves_only_holes():
    edges = np.linspace(-3, 3, 13)
    samples = np.random.default_rng(0).standard_normal((100_000, 2))
    prior, aggregate = views.cell_masses(samples, edges, one_d=False)
    np.testing.assert_allclose(aggregate, prior, atol=5 * np.sqrt(prior.max() / len(samples)))
    assert not (aggregate < 0.1 * prior).any()
    _, at_a_point = views.cell_masses(np.full((1000, 2), 0.1), edges, one_d=False)
    assert at_a_point.sum() == 1 and (at_a_point > 0).sum() == 1


def test_views_of_a_one_dimensional_latent_space():
    run = core.VaeRun(core.validated(latent_dim=1))
    core.train(run, 20)
    snap = views.snapshot(run)
    assert snap.manifold.decoded.shape == (1, 10, 64)
    assert snap.density.prior.shape == (core.VaeSettings.density_cells,)
    assert np.all(snap.latent.points[:, 1] == 0)


# ---------------------------------------------------------------------------------------------
# determinism, bad input, divergence


def test_same_seed_gives_identical_curves_and_pictures():
    settings = core.validated(latent_dim=3, batch=32)
    first, second = core.VaeRun(settings), core.VaeRun(settings)
    core.train(first, 30)
    copied = copy.deepcopy(first)          # a run in gr.State continues exactly as the original
    for run in (first, second, copied):
        core.train(run, 30 if run is not second else 60)
    for run in (second, copied):
        assert run.history == first.history and run.held_out == first.held_out
        a, b = views.snapshot(first), views.snapshot(run)
        np.testing.assert_array_equal(a.manifold.decoded, b.manifold.decoded)
        np.testing.assert_array_equal(a.density.aggregate, b.density.aggregate)
    other = core.VaeRun(dataclasses.replace(settings, seed=1))
    core.train(other, 60)
    assert other.history != first.history


@pytest.mark.parametrize("values, name", [
    ({"latent_dim": 0}, "vae_latent_dim"), ({"latent_dim": 1000}, "vae_latent_dim"),
    ({"beta": -0.5}, "vae_beta"), ({"beta": float("nan")}, "vae_beta"), ({"beta": "abc"}, "vae_beta"),
    ({"lr": 0}, "vae_lr"), ({"lr": -1e-3}, "vae_lr"), ({"lr": 5}, "vae_lr"),
    ({"batch": 0}, "vae_batch"), ({"width": 2.5}, "vae_width"), ({"depth": 9}, "vae_depth"),
    ({"dataset": "cifar"}, "vae_dataset"), ({"likelihood": "poisson"}, "vae_likelihood"),
    ({"seed": -1}, "seed"), ({"iterations": 0}, "vae_iterations"),
])
def test_bad_settings_name_the_control(values, name):
    with pytest.raises(InputError) as info:
        core.validated(**values)
    assert info.value.values["name"] == name


def test_the_binomial_likelihood_needs_digits():
    with pytest.raises(InputError) as info:
        core.validated(dataset="moons")
    assert info.value.key == "vae_err_binomial_points"
    assert core.validated(dataset="moons", likelihood="gaussian").dataset == "moons"


@pytest.mark.parametrize("a, b, steps, name", [
    (-1, 3, 8, "vae_interp_from"), (0, 359, 8, "vae_interp_to"), (0, 2.5, 8, "vae_interp_to"),
    (0, 3, 2, "vae_interp_steps"), (0, 3, 17, "vae_interp_steps"),
])
def test_interpolation_endpoints_and_steps_out_of_range_are_refused(trained, a, b, steps, name):
    with pytest.raises(InputError) as info:
        views.interpolate(trained, a, b, steps)
    assert info.value.values["name"] == name


def test_digit_only_views_refuse_the_toy_sets():
    run = core.VaeRun(core.validated(dataset="ring", likelihood="gaussian"))
    for call in (lambda: compression.compression(run), lambda: views.drawn_row(run, np.ones((20, 20), bool)),
                 lambda: next(compression.rate_distortion(run.settings))):
        with pytest.raises(InputError):
            call()


def test_nan_stops_training_and_keeps_the_last_good_weights():
    run = core.VaeRun(core.validated(batch=16))
    core.train(run, 5)
    weights = copy.deepcopy(run.model.state_dict())
    adam_state = copy.deepcopy(run.optimizer.state_dict())
    run.data = dataclasses.replace(run.data, train=torch.full_like(run.data.train, math.nan))
    with pytest.raises(Diverged) as info:
        run.train_step()
    assert info.value.iteration == 6 and run.iteration == 5 and len(run.history["recon"]) == 5
    for name, tensor in run.model.state_dict().items():
        torch.testing.assert_close(tensor, weights[name], rtol=0, atol=0)
    assert run.optimizer.state_dict()["state"][0]["step"] == adam_state["state"][0]["step"]


# ---------------------------------------------------------------------------------------------
# compression, autoencoder vs VAE


def test_psnr_and_the_rate_in_bits(trained):
    assert compression.psnr(0.01) == pytest.approx(20.0)
    point = compression.compression(trained)
    assert point.rate_bits == pytest.approx(trained.held_out[-1]["kl"] / math.log(2), rel=1e-5)
    assert point.rate_bits_per_dim.sum() == pytest.approx(point.rate_bits, rel=1e-5)
    assert point.psnr == pytest.approx(10 * math.log10(1 / point.mse))
    from sklearn.decomposition import PCA

    model = PCA(2).fit(trained.data.train.numpy())
    held = trained.data.held_out.numpy()
    expected = ((model.inverse_transform(model.transform(held)) - held) ** 2).mean()
    assert point.pca_mse == pytest.approx(expected, rel=1e-5)


def test_autoencoder_and_vae_start_from_the_same_weights_and_the_autoencoder_leaves_holes():
    pair = compression.PairRun(core.validated(batch=64))
    for a, b in zip(pair.autoencoder.model.parameters(), pair.vae.model.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    core.train(pair, 400)
    assert pair.autoencoder.iteration == pair.vae.iteration == 400
    holes = [views.snapshot(run).density.hole_mass for run in (pair.autoencoder, pair.vae)]
    assert holes[0] > holes[1] + 0.2


# ---------------------------------------------------------------------------------------------
# quality (issue 16)


def test_default_settings_separate_the_digits_in_the_latent_plane(trained):
    """5-NN on the held-out μ (neighbours: the training digits' μ) ≥ 80%."""
    assert trained.held_out[-1]["knn"] >= 0.8


def test_drawings_land_among_the_digits_they_show(trained):
    """A vertical stroke and an oval drawn on a 240 px pad, through the drawing's rasterisation
    and the encoder: the 5 training digits nearest to their μ vote 1 and 0."""
    stroke = np.zeros((240, 240), dtype=bool)
    stroke[30:210, 112:128] = True
    rows, cols = np.mgrid[:240, :240]
    radius = np.hypot(rows - 120, (cols - 120) * 1.5)
    oval = (radius > 70) & (radius < 86)
    train_mu, _ = core.encode(trained, trained.data.train)
    for mask, digit in ((stroke, 1), (oval, 0)):
        mu, _ = core.encode(trained, views.drawn_row(trained, mask)[None])
        nearest = torch.cdist(mu, train_mu)[0].topk(5, largest=False).indices.numpy()
        assert np.bincount(trained.data.train_labels[nearest], minlength=10).argmax() == digit


def test_eight_latent_dimensions_reconstruct_better_than_pca_with_eight_components():
    run = core.VaeRun(core.validated(latent_dim=8))
    core.train(run, QUALITY_ITERATIONS)
    codec = compression.compression(run)
    assert codec.mse_mean < codec.pca_mse          # both decode d numbers per digit
