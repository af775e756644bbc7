"""The diffusion lab's maths against oracles: the scheduler-driven reference loop, the guidance
identities, the forward process's closed-form moments, and the 2D model's fit."""

import copy
import dataclasses

import numpy as np
import pytest
import torch
from diffusers import DDIMScheduler, DDPMScheduler, UNet2DModel

from components.i18n import InputError
from components.live import Diverged, LiveSession
from components.settings import defaults, parse
from components.threads import one_thread
from demos.diffusion import core, forward, images, toy2d


@pytest.fixture(scope="module")
def unet():
    torch.manual_seed(0)
    return UNet2DModel(sample_size=8, in_channels=1, out_channels=1, block_out_channels=(8, 16),
                       down_block_types=("DownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "UpBlock2D"),
                       layers_per_block=1, norm_num_groups=4, num_class_embeds=11).eval()


# like the bundled model: cosine schedule, x̂0 not clipped
CONFIG = DDPMScheduler(num_train_timesteps=100, beta_schedule="squaredcos_cap_v2", clip_sample=False).config


def test_guidance_one_is_conditional_and_zero_is_unconditional(unet):
    x = torch.randn(3, 1, 8, 8)
    labels = torch.tensor([1, 4, 7])
    with torch.no_grad():
        cond = unet(x, 10, class_labels=labels).sample
        uncond = unet(x, 10, class_labels=torch.full_like(labels, core.NO_CLASS)).sample
    torch.testing.assert_close(core.guided_eps(unet, x, 10, labels, 1.0), cond)
    torch.testing.assert_close(core.guided_eps(unet, x, 10, labels, 0.0), uncond)
    torch.testing.assert_close(core.guided_eps(unet, x, 10, labels, 3.0), uncond + 3 * (cond - uncond),
                               rtol=1e-4, atol=1e-5)
    # the combination itself (which w = 0 and 1 skip): at w = 1 the conditional, at w = 0 the unconditional
    torch.testing.assert_close(core.cfg_combine(cond, uncond, 1.0), cond)
    torch.testing.assert_close(core.cfg_combine(cond, uncond, 0.0), uncond)


@pytest.mark.parametrize("name,cls,eta", [("ddpm", DDPMScheduler, 0.0), ("ddim", DDIMScheduler, 0.0),
                                          ("ddim", DDIMScheduler, 0.7)])
def test_loop_equals_the_scheduler_driven_reference(unet, name, cls, eta):
    noise = torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    labels = torch.tensor([2, 5])
    x, traj = core.sample(unet, core.make_scheduler(name, CONFIG), noise, labels, 1.0, 10,
                          generator=torch.Generator().manual_seed(2), eta=eta)
    ref = cls.from_config(CONFIG)
    ref.set_timesteps(10)
    gen = torch.Generator().manual_seed(2)
    extra = {"eta": eta} if name == "ddim" else {}
    y = noise * ref.init_noise_sigma
    with torch.no_grad():
        for t in ref.timesteps:
            y = ref.step(unet(y, t, class_labels=labels).sample, t, y, generator=gen, **extra).prev_sample
    torch.testing.assert_close(x, y)
    assert traj.x_t.shape == (10, 2, 1, 8, 8) and traj.pred_x0.shape == (10, 2, 1, 8, 8)
    np.testing.assert_allclose(traj.x_t[-1], x.numpy())


@pytest.mark.parametrize("name", list(core.SAMPLERS))
def test_every_scheduler_records_the_x0_its_noise_prediction_implies(unet, name):
    """x̂0 = (x_t − √(1−ᾱ_t) ε̂)/√ᾱ_t (Ho et al., eq. 15) on the variance-preserving scale, recomputed
    from the recorded sample entering each step and the model's ε̂ there. Euler schedulers use
    interpolated (fractional) t, so their ᾱ comes from σ: ᾱ = 1/(1+σ²)."""
    noise = torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(3))
    labels = torch.tensor([0, 9])
    scheduler = core.make_scheduler(name, CONFIG)
    _, traj = core.sample(unet, scheduler, noise, labels, 1.0, 6, generator=torch.Generator().manual_seed(4))
    alphas_cumprod = DDPMScheduler.from_config(CONFIG).alphas_cumprod
    for i in range(1, len(traj.timesteps)):
        t = traj.timesteps[i]
        alpha_bar = (1 / (1 + scheduler.sigmas[i] ** 2) if core.SAMPLERS[name].sigma_space
                     else alphas_cumprod[int(t)])
        x_before = torch.from_numpy(traj.x_t[i - 1])
        with torch.no_grad():
            eps = unet(x_before, torch.tensor(t), class_labels=labels).sample
        expected = (x_before - (1 - alpha_bar).sqrt() * eps) / alpha_bar.sqrt()
        torch.testing.assert_close(torch.from_numpy(traj.pred_x0[i]), expected, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("name", ["euler", "euler_a"])
def test_euler_trajectory_ends_on_the_returned_sample(unet, name):
    """The last σ is 0, so the display scale 1/√(1+σ²) is 1 there and the recording ends on x0."""
    noise = torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(5))
    x, traj = core.sample(unet, core.make_scheduler(name, CONFIG), noise, torch.tensor([1, 2]), 1.0, 5,
                          generator=torch.Generator().manual_seed(6))
    np.testing.assert_allclose(traj.x_t[-1], x.numpy())


def test_ddim_with_eta_zero_is_deterministic_and_ddpm_is_not(unet):
    base = core.SampleSettings(scheduler="ddim", steps=8, images=2, digit="3", guidance=2.0)
    gaps = core.determinism_gaps(unet, CONFIG, base)
    assert gaps["ddim"] == 0.0 and gaps["ddpm"] > 1e-3


def test_compare_starts_every_scheduler_from_the_same_noise(unet):
    base = core.SampleSettings(scheduler="ddim", steps=5, images=2, digit="1", guidance=1.0, seed=7)
    ddim, = core.compare(unet, CONFIG, [("ddim", 5)], base)
    direct, _ = core.run(unet, CONFIG, base, record=False)
    np.testing.assert_array_equal(ddim.images, direct.numpy())
    assert ddim.model_calls == 5
    guided, = core.compare(unet, CONFIG, [("ddim", 5)], dataclasses.replace(base, guidance=3.0))
    assert guided.model_calls == 10          # conditional + unconditional prediction per step


@pytest.mark.parametrize("change,key", [
    ({"steps": 0}, "err_out_of_range"),
    ({"steps": 201}, "err_out_of_range"),
    ({"guidance": float("nan")}, "err_not_number"),
    ({"guidance": -1.0}, "err_out_of_range"),
    ({"digit": "10"}, "err_choice"),
    ({"digit": 3}, "err_choice"),
    ({"images": 17}, "err_out_of_range"),
    ({"scheduler": "heun"}, "err_choice"),
    ({"steps": 2.5}, "err_not_integer"),
    ({"eta": [0.5]}, "err_not_number"),
    ({"model": "no-such-model"}, "err_unknown_model"),
    ({"model": "google/ddpm-cifar10-32"}, "err_hub_disabled"),
    ({"model": "x" * 100_000}, "err_text_too_long"),
])
def test_bad_requests_are_refused_with_a_message(change, key, monkeypatch):
    monkeypatch.delenv("AIGC_ENABLE_HUB", raising=False)
    with pytest.raises(InputError) as caught:
        parse(core.SampleSettings, defaults(core.SampleSettings) | change)
    assert caught.value.key == key
    assert len(str(caught.value)) < 300


def test_any_digit_means_unconditional():
    assert core.SampleSettings(digit="any", guidance=5.0).effective_guidance == 1.0
    assert core.SampleSettings(digit="any").digit_class is None
    chosen = parse(core.SampleSettings, {"digit": "7", "guidance": 5.0})
    assert chosen.digit_class == 7 and chosen.effective_guidance == 5.0


def test_compared_schedulers_are_checked_and_put_in_order():
    assert core.compared_schedulers(["dpmpp", "ddpm"]) == ["ddpm", "dpmpp"]
    for names, key in ((["ddim"], "dif_err_compare_count"), (list(core.SAMPLERS), "dif_err_compare_count"),
                       (["ddim", "heun"], "dif_err_scheduler"), (None, "dif_err_compare_count")):
        with pytest.raises(InputError) as caught:
            core.compared_schedulers(names)
        assert caught.value.key == key


def test_a_comparison_starts_every_scheduler_from_its_deterministic_ddim_base():
    settings = core.CompareSettings(steps_ddim=7, images=3, digit="5", guidance=2.0, seed=9)
    assert settings.base() == core.SampleSettings(scheduler="ddim", steps=7, images=3, digit="5", guidance=2.0,
                                                  eta=0.0, seed=9)
    assert [settings.steps_of(n) for n in core.SAMPLERS] == [100, 7, 10, 25, 50]


def test_forward_samples_have_the_closed_form_mean_and_variance():
    """x_t | x0 ~ N(√ᾱ_t x0, (1−ᾱ_t) I), sampled through the lab's own path (forward.strip, one
    seed per draw): 4,000 draws per pixel, moments within about 5 standard errors."""
    x0 = forward.digit_image(digit=3)
    n = 4000
    for name, t in (("linear", 100), ("cosine", 400), ("scaled_linear", 900)):
        alpha_bar = float(forward.schedule(name).alpha_bar[t])
        draws = torch.from_numpy(np.concatenate([forward.strip(x0, name, [t], seed) for seed in range(n)]))
        sd = (1 - alpha_bar) ** 0.5
        # standard error of the mean is sd/√n; of the variance ≈ √(2/n)·var ≈ 0.022·var
        torch.testing.assert_close(draws.mean(0), alpha_bar**0.5 * x0, atol=5 * sd / n**0.5, rtol=0)
        torch.testing.assert_close(draws.var(0), torch.full_like(x0, 1 - alpha_bar), atol=0, rtol=0.12)


def test_forward_coefficients_are_the_closed_form_weights():
    """√ᾱ_t and √(1−ᾱ_t) from diffusers' own ᾱ (the oracle), and noised() uses exactly them:
    x_t of x0 = 1, ε = 0 is √ᾱ_t, of x0 = 0, ε = 1 is √(1−ᾱ_t)."""
    for name, beta_schedule in forward.SCHEDULES.items():
        alphas_cumprod = DDPMScheduler(num_train_timesteps=forward.T, beta_schedule=beta_schedule).alphas_cumprod
        for t in (0, 300, 999):
            weights = forward.coefficients(name, t)
            alpha_bar = float(alphas_cumprod[t])
            assert weights.alpha_bar == pytest.approx(alpha_bar, rel=1e-6)
            assert weights.signal == pytest.approx(alpha_bar**0.5, rel=1e-6)
            assert weights.noise == pytest.approx((1 - alpha_bar) ** 0.5, rel=1e-6)
            assert weights.signal**2 + weights.noise**2 == pytest.approx(1.0)
            assert weights.snr == pytest.approx(alpha_bar / (1 - alpha_bar), rel=1e-5)
            one, zero = torch.ones(1, 2, 2), torch.zeros(1, 2, 2)
            torch.testing.assert_close(forward.noised(one, weights, zero), torch.full((1, 2, 2), weights.signal))
            torch.testing.assert_close(forward.noised(zero, weights, one), torch.full((1, 2, 2), weights.noise))


def test_forward_settings_pick_the_image():
    assert forward.DIGIT_COUNT == len(forward._digits()[1])      # the index control's bound is the data set's
    by_class = forward.source_image(forward.ForwardSettings(source="digit", digit="7"))
    _, labels = forward._digits()
    torch.testing.assert_close(by_class, forward.digit_image(index=int(np.flatnonzero(labels == 7)[0])))
    torch.testing.assert_close(forward.source_image(forward.ForwardSettings(source="index", index=12)),
                               forward.digit_image(index=12))
    assert forward.source_image(forward.ForwardSettings(source="photo", photo="flower")).shape == (3, 64, 64)
    for change, key in (({"index": forward.DIGIT_COUNT}, "err_out_of_range"), ({"schedule": "sigmoid"}, "err_choice"),
                        ({"t": forward.T}, "err_out_of_range"), ({"source": "camera"}, "err_choice")):
        with pytest.raises(InputError) as caught:
            parse(forward.ForwardSettings, change)
        assert caught.value.key == key


def test_schedules_match_their_definitions():
    linear = forward.schedule("linear")
    np.testing.assert_allclose(linear.betas, np.linspace(1e-4, 0.02, forward.T), rtol=1e-5)
    np.testing.assert_allclose(linear.alpha_bar, np.cumprod(1 - linear.betas), rtol=1e-4)
    cosine = forward.schedule("cosine")
    f = np.cos((np.arange(forward.T + 1) / forward.T + 0.008) / 1.008 * np.pi / 2) ** 2
    expected = np.cumprod(np.minimum(1 - f[1:] / f[:-1], 0.999) * -1 + 1)
    np.testing.assert_allclose(cosine.alpha_bar, expected, rtol=1e-4)
    np.testing.assert_allclose(cosine.snr, cosine.alpha_bar / (1 - cosine.alpha_bar))
    with pytest.raises(InputError):
        forward.schedule("exponential")


def test_forward_images():
    assert forward.photo("flower").shape == (3, 64, 64)
    assert forward.digit_image(index=5).shape == (1, 16, 16)
    with pytest.raises(InputError):
        forward.digit_image(index=1797)             # scikit-learn ships 1,797 digits: 0..1796
    with pytest.raises(InputError):
        forward.photo("../../etc/passwd")


def test_image_grid_and_gif():
    batch = np.stack([np.full((1, 4, 4), v, np.float32) for v in (-1.0, 1.0, np.nan)])
    picture = images.tile(batch, columns=2, scale=3)
    assert picture.shape == (2 * 12 + images.PAD, 2 * 12 + images.PAD, 3)
    assert picture[0, 0, 0] == 255 and picture[0, 12 + images.PAD, 0] == 0   # blank paper white, ink black
    x = np.random.default_rng(0).uniform(-1, 1, (5, 4, 1, 8, 8)).astype(np.float32)
    import io

    from PIL import Image

    gif = Image.open(io.BytesIO(images.trajectory_gif(x, x)))
    assert gif.format == "GIF" and gif.n_frames == 5
    long = np.random.default_rng(1).uniform(-1, 1, (200, 1, 1, 4, 4)).astype(np.float32)
    assert Image.open(io.BytesIO(images.trajectory_gif(long, long))).n_frames == images.MAX_GIF_FRAMES


def test_samples_are_shown_two_a_row_at_128_pixels():
    assert [images.shown_columns(n) for n in (1, 2, 8, 16)] == [1, 2, 2, 2]
    sixteen = np.zeros((8, 1, 16, 16), np.float32)
    picture = images.tile(sixteen, images.shown_columns(8), images.scale_for(16, images.DIGIT_PX))
    assert picture.shape[1] == 2 * images.DIGIT_PX + images.PAD and picture.shape[0] == 4 * images.DIGIT_PX + 3 * images.PAD


def test_step_curves_by_hand():
    """std of x_t per step, and the RMS distance of x̂0 to the final sample, on a 2-step trajectory."""
    x_t = np.array([[[[[0.0, 2.0]]]], [[[[1.0, 1.0]]]]])          # (steps, B, C, H, W)
    pred_x0 = np.array([[[[[4.0, 1.0]]]], [[[[1.0, 1.0]]]]])
    curves = core.step_curves(core.Trajectory([10.0, 5.0], x_t, pred_x0))
    np.testing.assert_allclose(curves.std, [1.0, 0.0])
    np.testing.assert_allclose(curves.distance, [np.sqrt((9 + 0) / 2), 0.0])


@pytest.fixture()
def single_thread():
    """The 2D model is a tiny MLP, trained and sampled on one thread as the lab runs it: on two
    threads of a busy 2-core machine, sampling 1,000 particles took 40–60 s instead of 5–8 s."""
    with one_thread():
        yield


def trained_run(dataset: str, steps: int, seed: int = 0, **change) -> toy2d.Toy2DRun:
    settings = toy2d.Toy2DSettings(dataset=dataset, train_steps=steps, seed=seed, **change)
    run = toy2d.Toy2DRun(settings, toy2d.make_data(dataset, seed))
    for _ in range(steps):
        run.train_step()
    return run


@pytest.mark.usefixtures("single_thread")
def test_2d_training_fits_eight_gaussians():
    """After 1,500 steps (≈3 s) the denoised particles sit on the 8 modes: with DDPM ≥ 90% within
    0.2 (data std units; a mode's own std is 0.07) of a mode centre; DDIM's noise-free paths keep
    every error of ε_θ (measured 85% within 0.2), so its bar is 90% within 0.3. Every mode holds
    5–25% of the particles (an eighth is 12.5%; none missing, none doubled)."""
    run = trained_run("eight_gaussians", 1500)
    data, losses = run.data, run.losses
    assert run.iteration == len(losses) == 1500
    assert np.mean(losses[-100:]) < np.mean(losses[:100])
    directions = np.array([[np.cos(a), np.sin(a)] for a in np.arange(8) * np.pi / 4])
    nearest = (data @ directions.T).argmax(1)             # which of the 8 modes a data point belongs to
    centres = np.stack([data[nearest == k].mean(0) for k in range(8)])
    for sampler, radius in (("ddpm", 0.2), ("ddim", 0.3)):
        paths = toy2d.denoise(run.model, 1, n=800, sampler=sampler).paths
        # no step throws particles far out (the unclipped first step reached |x| ≈ 20)
        assert np.abs(paths).max() < np.abs(paths[0]).max() + 1, sampler
        final = paths[-1]
        distance = np.linalg.norm(final[:, None] - centres[None], axis=-1)
        assert (distance.min(1) < radius).mean() >= 0.9, sampler
        shares = np.bincount(distance.argmin(1), minlength=8) / len(final)
        assert shares.min() >= 0.05 and shares.max() <= 0.25, sampler


@pytest.mark.usefixtures("single_thread")
def test_2d_denoising_is_seeded_and_the_score_points_to_the_data():
    model = trained_run("moons", 300).model
    a, b = toy2d.denoise(model, 3, n=50, sampler="ddpm"), toy2d.denoise(model, 3, n=50, sampler="ddpm")
    np.testing.assert_array_equal(a.paths, b.paths)
    assert a.paths.shape == (toy2d.LIMITS_2D.timesteps + 1, 50, 2) and a.timesteps[-1] == -1
    points, score = toy2d.score_field(model, 5, limit=3.0, resolution=9)
    far = np.linalg.norm(points, axis=1) > 2.5      # far from the (standardised) data the score points inwards
    assert (np.sum(points[far] * score[far], axis=1) < 0).mean() > 0.9


def test_2d_learning_rate_is_torch_s_cosine_annealing_then_holds():
    """The closed form against torch's own CosineAnnealingLR over the decay, then held at η_min."""
    high = toy2d.LIMITS_2D.learning_rate
    low = high * toy2d.LIMITS_2D.final_rate_share
    optimiser = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=high)
    decay = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, 40, eta_min=low)
    for iteration in range(40):
        assert toy2d.learning_rate(iteration, 40) == pytest.approx(optimiser.param_groups[0]["lr"], rel=1e-9)
        optimiser.step()
        decay.step()
    assert toy2d.learning_rate(40, 40) == toy2d.learning_rate(500, 40) == pytest.approx(low)


@pytest.mark.usefixtures("single_thread")
def test_2d_same_seed_same_run_however_it_is_sampled_or_paused():
    """Sampling uses its own generator: looking at a run never changes where it goes."""
    a = trained_run("moons", 60, seed=3)
    settings = toy2d.Toy2DSettings(dataset="moons", train_steps=60, seed=3)
    b = toy2d.Toy2DRun(settings, toy2d.make_data("moons", 3))
    for _ in range(25):
        b.train_step()
    toy2d.sample(b)
    for _ in range(35):
        b.train_step()
    assert a.losses == b.losses
    assert all(torch.equal(p, q) for p, q in zip(a.model.parameters(), b.model.parameters()))
    assert trained_run("moons", 60, seed=4).losses != a.losses


@pytest.mark.usefixtures("single_thread")
def test_2d_sampling_is_kept_until_the_run_or_the_sampler_changes():
    run = trained_run("moons", 20)
    weights_now = copy.deepcopy(run.model.state_dict())
    first = toy2d.sample(run)
    assert first.iteration == 20 and first.sampler == run.settings.sampler == "ddim"
    assert toy2d.sample(run) is first                          # nothing changed: the same particles
    run.train_step()
    second = toy2d.sample(run)
    assert second.iteration == 21
    # the kept weights are a copy: training on does not move the field drawn with the particles
    assert all(torch.equal(first.weights[k], v) for k, v in weights_now.items())
    assert not torch.equal(first.weights["net.0.weight"], run.model.state_dict()["net.0.weight"])
    run.sampler = "ddpm"
    third = toy2d.sample(run)
    assert third.sampler == "ddpm" and not np.array_equal(third.particles.paths, second.particles.paths)
    expected = toy2d.denoise(run.model, run.settings.seed, sampler="ddpm")
    np.testing.assert_array_equal(third.particles.paths, expected.paths)


@pytest.mark.usefixtures("single_thread")
def test_2d_a_non_finite_loss_stops_with_the_last_good_weights():
    run = trained_run("moons", 3)
    run.points = torch.full_like(run.points, float("nan"))     # every batch now holds NaN
    before = [p.clone() for p in run.model.parameters()]
    with pytest.raises(Diverged) as caught:
        run.train_step()
    assert caught.value.iteration == 4 and caught.value.what == "ε_θ"
    assert run.iteration == 3 and len(run.losses) == 3
    assert all(torch.equal(p, q) for p, q in zip(before, run.model.parameters()))


@pytest.mark.usefixtures("single_thread")
def test_2d_a_session_deep_copies_and_the_copy_trains_alone():
    session = LiveSession()
    session.run = trained_run("moons", 5)
    toy2d.sample(session.run)
    twin = copy.deepcopy(session)
    for _ in range(10):
        twin.run.train_step()
    assert session.run.iteration == 5 and twin.run.iteration == 15
    assert not torch.equal(next(session.run.model.parameters()), next(twin.run.model.parameters()))


def test_2d_loss_curve_by_hand():
    curve = toy2d.loss_curve([float(v) for v in range(1, 11)], window=3, max_points=100)
    np.testing.assert_array_equal(curve.steps, np.arange(1, 11))
    np.testing.assert_array_equal(curve.smooth_steps, np.arange(3, 11))
    np.testing.assert_allclose(curve.smooth, np.arange(2, 10))       # mean of (k−2, k−1, k) = k − 1
    short = toy2d.loss_curve([4.0, 2.0], window=3)                   # fewer values than the window: as they are
    np.testing.assert_array_equal(short.smooth, [4.0, 2.0])
    thinned = toy2d.loss_curve([float(v) for v in range(1, 12)], window=3, max_points=4)
    np.testing.assert_array_equal(thinned.steps, [1, 4, 8, 11])      # evenly spaced, first and last kept
    np.testing.assert_allclose(thinned.raw, [1, 4, 8, 11])
    np.testing.assert_array_equal(thinned.smooth_steps, [3, 6, 8, 11])
    np.testing.assert_allclose(thinned.smooth, [2, 5, 7, 10])
    assert len(toy2d.loss_curve([]).steps) == 0


def test_2d_plot_limit_fits_the_data_and_the_noise():
    assert toy2d.plot_limit(np.array([[1.0, -2.0]])) == 3.2             # N(0, I)'s ±3σ is wider
    assert toy2d.plot_limit(np.array([[0.5, -4.0]])) == pytest.approx(4.6)


def test_2d_settings_are_checked():
    for change, key in (({"dataset": "spiral"}, "err_choice"), ({"train_steps": 50}, "err_out_of_range"),
                        ({"sampler": "heun"}, "err_choice"), ({"seed": -1}, "err_out_of_range"),
                        ({"train_steps": "lots"}, "err_not_number")):
        with pytest.raises(InputError) as caught:
            parse(toy2d.Toy2DSettings, change)
        assert caught.value.key == key
    with pytest.raises(InputError) as caught:
        parse(toy2d.ParticleView, {"step": toy2d.LIMITS_2D.timesteps + 1})
    assert caught.value.key == "err_out_of_range"


def test_sketch_points_follow_the_ink_and_an_empty_sketch_is_refused():
    ink = np.zeros((40, 40), bool)
    with pytest.raises(InputError) as caught:
        toy2d.make_data("sketch", 0, sketch=ink)
    assert caught.value.key == "dif_err_sketch_empty"
    with pytest.raises(InputError):
        toy2d.make_data("sketch", 0, sketch=None)
    ink[10, 5:35] = True                            # a horizontal stroke
    points = toy2d.make_data("sketch", 0, sketch=ink)
    assert points[:, 0].std() > 10 * points[:, 1].std()
    with pytest.raises(InputError):
        toy2d.make_data("spiral", 0)
    with pytest.raises(InputError):
        toy2d.check_sampler("heun")


def test_an_unconditional_colour_model_runs_through_the_same_loop():
    """The hub option (google/ddpm-cifar10-32) is an unconditional RGB UNet: no class labels, so
    digit and guidance are ignored and each step costs one evaluation."""
    torch.manual_seed(0)
    rgb = UNet2DModel(sample_size=8, in_channels=3, out_channels=3, block_out_channels=(8, 16),
                      down_block_types=("DownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "UpBlock2D"),
                      layers_per_block=1, norm_num_groups=4).eval()
    request = core.SampleSettings(scheduler="dpmpp", steps=4, images=2, digit="3", guidance=5.0)
    assert core.class_labels(rgb, request) is None
    assert core.model_calls_per_step(core.class_labels(rgb, request), request.effective_guidance) == 1
    x, traj = core.run(rgb, CONFIG, request)
    assert x.shape == (2, 3, 8, 8) and traj.x_t.shape == (4, 2, 3, 8, 8)
    assert images.tile(traj.x_t[-1], 2, 4).shape == (32, 2 * 32 + images.PAD, 3)


def test_a_sample_that_stops_being_a_number_is_reported():
    class Exploding(torch.nn.Module):
        config = None

        def forward(self, x, t, class_labels=None):
            return type("Out", (), {"sample": torch.full_like(x, float("nan"))})()

    with pytest.raises(InputError) as caught:
        core.sample(Exploding(), core.make_scheduler("ddim", CONFIG), torch.zeros(1, 1, 8, 8), None, 1.0, 4)
    assert caught.value.key == "dif_err_unstable" and caught.value.values["step"] == 1


def test_each_recorded_x_t_is_at_the_timestep_after_its_step(unet):
    """DDIM with η = 0 lands on x_t′ = √ᾱ_t′ x̂0 + √(1−ᾱ_t′) ε̂ (Song et al., 2021, eq. 12), with ε̂
    recovered from the sample entering the step: so the recorded x_t[i] must be at
    timesteps_after[i], the next step's t, and x̂0[i] at timesteps[i]."""
    noise = torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(8))
    _, traj = core.sample(unet, core.make_scheduler("ddim", CONFIG), noise, torch.tensor([1, 6]), 1.0, 5)
    alpha_bar = DDPMScheduler.from_config(CONFIG).alphas_cumprod.double().numpy()
    assert traj.timesteps_after[-1] == 0.0
    for i in range(1, len(traj.timesteps) - 1):
        t, after = int(traj.timesteps[i]), int(traj.timesteps_after[i])
        eps = (traj.x_t[i - 1] - alpha_bar[t] ** 0.5 * traj.pred_x0[i]) / (1 - alpha_bar[t]) ** 0.5
        expected = alpha_bar[after] ** 0.5 * traj.pred_x0[i] + (1 - alpha_bar[after]) ** 0.5 * eps
        np.testing.assert_allclose(traj.x_t[i], expected, rtol=1e-3, atol=1e-4)


def test_hub_models_get_tighter_limits(monkeypatch):
    monkeypatch.setenv("AIGC_ENABLE_HUB", "1")
    hub = "google/ddpm-cifar10-32"
    assert parse(core.SampleSettings, {"model": hub, "steps": 50, "images": 4}).steps == 50
    assert parse(core.SampleSettings, {"steps": 200, "images": 16}).steps == 200     # the bundled model's bounds
    for change in ({"steps": core.LIMITS.hub_max_steps + 1}, {"images": core.LIMITS.hub_max_images + 1}):
        with pytest.raises(InputError) as caught:
            parse(core.SampleSettings, {"model": hub, "images": 4} | change)
        assert caught.value.key == "err_out_of_range"
    # every scheduler's steps count in a comparison: DDPM's default 100 is too many for a hub model
    with pytest.raises(InputError) as caught:
        parse(core.CompareSettings, {"model": hub, "images": 4})
    assert caught.value.values["name"] == "dif_sched_ddpm" and caught.value.values["high"] == 50


def test_seeded_models_are_the_same_when_built_in_parallel():
    import threading

    expected = {seed: toy2d.new_model(seed).state_dict()["net.0.weight"] for seed in (0, 1)}
    built = {0: [], 1: []}

    def build(seed):
        for _ in range(50):
            built[seed].append(toy2d.new_model(seed).state_dict()["net.0.weight"])

    workers = [threading.Thread(target=build, args=(seed,)) for seed in (0, 1)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert all(torch.equal(w, expected[seed]) for seed in (0, 1) for w in built[seed])


@pytest.mark.parametrize("name", list(core.SAMPLERS))
def test_every_scheduler_gives_digit_like_pixels_on_the_bundled_model(name):
    """Real digits lie in [-1, 1] with pixel std ≈ 0.7. (The digit classifier alone is no oracle
    here: it read blown-up samples of std 600 as confident 3s.)"""
    from components import models

    unet, config = models.load_ddpm("digits-ddpm")
    for steps in (3, 25):
        settings = core.SampleSettings(scheduler=name, steps=steps, images=8, digit="3", guidance=3.0)
        x, _ = core.run(unet, config, settings, record=False)
        assert x.abs().max() < 2 and 0.4 < x.std() < 1.0, steps
