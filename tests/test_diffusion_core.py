"""The diffusion lab's maths against oracles: the scheduler-driven reference loop, the guidance
identities, the forward process's closed-form moments, and the 2D model's fit."""

import dataclasses

import numpy as np
import pytest
import torch
from diffusers import DDIMScheduler, DDPMScheduler, UNet2DModel

from components.i18n import InputError
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
    base = core.validated("ddim", 8, 2, 3, 2.0, 0.0, 0)
    gaps = core.determinism_gaps(unet, CONFIG, base)
    assert gaps["ddim"] == 0.0 and gaps["ddpm"] > 1e-3


def test_compare_starts_every_scheduler_from_the_same_noise(unet):
    base = core.validated("ddim", 5, 2, 1, 1.0, 0.0, 7)
    ddim, = core.compare(unet, CONFIG, [("ddim", 5)], base)
    direct, _ = core.run(unet, CONFIG, base, record=False)
    np.testing.assert_array_equal(ddim.images, direct.numpy())
    assert ddim.model_calls == 5
    guided, = core.compare(unet, CONFIG, [("ddim", 5)], dataclasses.replace(base, guidance=3.0))
    assert guided.model_calls == 10          # conditional + unconditional prediction per step


@pytest.mark.parametrize("values,key", [
    (("ddim", 0, 4, 3, 3.0, 0.0, 0), "err_out_of_range"),
    (("ddim", core.LIMITS.max_steps + 1, 4, 3, 3.0, 0.0, 0), "err_out_of_range"),
    (("ddim", 20, 4, 3, float("nan"), 0.0, 0), "err_not_number"),
    (("ddim", 20, 4, 3, -1.0, 0.0, 0), "err_out_of_range"),
    (("ddim", 20, 4, 10, 3.0, 0.0, 0), "err_out_of_range"),
    (("ddim", 20, core.LIMITS.max_images + 1, 3, 3.0, 0.0, 0), "err_out_of_range"),
    (("heun", 20, 4, 3, 3.0, 0.0, 0), "dif_err_scheduler"),
    (("ddim", 2.5, 4, 3, 3.0, 0.0, 0), "err_not_integer"),
])
def test_bad_requests_are_refused_with_a_message(values, key):
    with pytest.raises(InputError) as caught:
        core.validated(*values)
    assert caught.value.key == key


def test_any_digit_means_unconditional():
    assert core.validated("ddim", 20, 4, "any", 5.0, 0.0, 0).effective_guidance == 1.0
    assert core.validated("ddim", 20, 4, "7", 5.0, 0.0, 0).digit == 7


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


def test_2d_training_fits_eight_gaussians():
    """After 1,500 steps (≈3 s) the denoised particles sit on the 8 modes: with DDPM ≥ 90% within
    0.2 (data std units; a mode's own std is 0.07) of a mode centre; DDIM's noise-free paths keep
    every error of ε_θ (measured 85% within 0.2), so its bar is 90% within 0.3. Every mode holds
    5–25% of the particles (an eighth is 12.5%; none missing, none doubled)."""
    data = toy2d.make_data("eight_gaussians", 0)
    model = toy2d.new_model(0)
    losses = [loss for _, loss in toy2d.training(model, data, 1500, 0)]
    assert np.mean(losses[-100:]) < np.mean(losses[:100])
    directions = np.array([[np.cos(a), np.sin(a)] for a in np.arange(8) * np.pi / 4])
    nearest = (data @ directions.T).argmax(1)             # which of the 8 modes a data point belongs to
    centres = np.stack([data[nearest == k].mean(0) for k in range(8)])
    for sampler, radius in (("ddpm", 0.2), ("ddim", 0.3)):
        paths = toy2d.denoise(model, 1, n=800, sampler=sampler).paths
        # no step throws particles far out (the unclipped first step reached |x| ≈ 20)
        assert np.abs(paths).max() < np.abs(paths[0]).max() + 1, sampler
        final = paths[-1]
        distance = np.linalg.norm(final[:, None] - centres[None], axis=-1)
        assert (distance.min(1) < radius).mean() >= 0.9, sampler
        shares = np.bincount(distance.argmin(1), minlength=8) / len(final)
        assert shares.min() >= 0.05 and shares.max() <= 0.25, sampler


def test_2d_denoising_is_seeded_and_the_score_points_to_the_data():
    data = toy2d.make_data("moons", 0)
    model = toy2d.new_model(0)
    for _ in toy2d.training(model, data, 300, 0):
        pass
    a, b = toy2d.denoise(model, 3, n=50, sampler="ddpm"), toy2d.denoise(model, 3, n=50, sampler="ddpm")
    np.testing.assert_array_equal(a.paths, b.paths)
    assert a.paths.shape == (toy2d.LIMITS_2D.timesteps + 1, 50, 2) and a.timesteps[-1] == -1
    points, score = toy2d.score_field(model, 5, limit=3.0, resolution=9)
    far = np.linalg.norm(points, axis=1) > 2.5      # far from the (standardised) data the score points inwards
    assert (np.sum(points[far] * score[far], axis=1) < 0).mean() > 0.9


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
    request = core.validated("dpmpp", 4, 2, 3, 5.0, 0.0, 0, conditional=False)
    assert request.digit is None and core.class_labels(rgb, request) is None
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


def test_hub_models_get_tighter_limits():
    assert core.HUB_LIMITS.max_steps < core.LIMITS.max_steps and core.HUB_LIMITS.max_images < core.LIMITS.max_images
    with pytest.raises(InputError):
        core.validated("ddim", core.HUB_LIMITS.max_steps + 1, 2, None, 1.0, 0.0, 0, limits=core.HUB_LIMITS)
    with pytest.raises(InputError):
        core.validated("ddim", 10, core.HUB_LIMITS.max_images + 1, None, 1.0, 0.0, 0, limits=core.HUB_LIMITS)


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
        x, _ = core.run(unet, config, core.validated(name, steps, 8, 3, 3.0, 0.0, 0), record=False)
        assert x.abs().max() < 2 and 0.4 < x.std() < 1.0, steps
