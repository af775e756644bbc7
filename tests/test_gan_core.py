"""GAN lab core: losses against their formulas, the gradient penalty against a hand derivation,
metrics against hand counts, determinism, divergence, and the quality bar of issue 7."""

import copy
import math

import numpy as np
import pytest
import torch

from components.i18n import InputError
from components.live import Diverged, LiveSession
from components.settings import apply, defaults, parse
from components.sketch import ink_mask
from demos.gan import core, losses, tab
from demos.gan.data import (
    MODE_STD,
    make_dataset,
    points_from_mask,
    ring_modes,
)

S_REAL = torch.tensor([0.5, -1.0, 2.0])
S_FAKE = torch.tensor([2.0, -0.3, -4.0])


def sig(v):
    return 1 / (1 + math.exp(-v))


def mean(values):
    return sum(values) / len(values)


R, F = S_REAL.tolist(), S_FAKE.tolist()
HAND_D = {
    "minimax": -mean([math.log(sig(r)) for r in R]) - mean([math.log(1 - sig(f)) for f in F]),
    "wgan": mean(F) - mean(R),
    "hinge": mean([max(0, 1 - r) for r in R]) + mean([max(0, 1 + f) for f in F]),
    "lsgan": 0.5 * mean([(r - 1) ** 2 for r in R]) + 0.5 * mean([f ** 2 for f in F]),
}
HAND_D |= {"nonsaturating": HAND_D["minimax"], "wgan_gp": HAND_D["wgan"]}
HAND_G = {
    "minimax": mean([math.log(1 - sig(f)) for f in F]),
    "nonsaturating": -mean([math.log(sig(f)) for f in F]),
    "wgan": -mean(F), "wgan_gp": -mean(F), "hinge": -mean(F),
    "lsgan": 0.5 * mean([(f - 1) ** 2 for f in F]),
}


@pytest.mark.parametrize("name", losses.NAMES)
def test_losses_match_the_papers_formulas(name):
    assert losses.d_loss(name, S_REAL, S_FAKE).item() == pytest.approx(HAND_D[name], rel=1e-6)
    assert losses.g_loss(name, S_FAKE).item() == pytest.approx(HAND_G[name], rel=1e-6)


def test_minimax_gradient_vanishes_where_the_non_saturating_one_does_not():
    """d/ds of log(1 - sigmoid(s)) is -sigmoid(s): tiny when D rejects a fake (s << 0)."""
    s = torch.tensor([-8.0], requires_grad=True)
    (saturating,) = torch.autograd.grad(losses.g_loss("minimax", s), s)
    (non_saturating,) = torch.autograd.grad(losses.g_loss("nonsaturating", s), s)
    assert abs(saturating.item()) == pytest.approx(sig(-8.0), rel=1e-5)
    assert abs(non_saturating.item()) == pytest.approx(1 - sig(-8.0), rel=1e-5)


def test_gradient_penalty_against_a_hand_derivation():
    """For f(x) = sum(x^2), grad f(x_hat) = 2 x_hat; x_hat uses the same eps the function draws."""
    real = torch.tensor([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    fake = torch.tensor([[0.0, 0.0], [1.0, -1.0], [-2.0, 0.5]])
    eps = torch.rand(3, 1, generator=torch.Generator().manual_seed(7))
    x_hat = eps * real + (1 - eps) * fake
    expected = ((2 * x_hat).norm(dim=1) - 1).pow(2).mean()
    got = losses.gradient_penalty(lambda x: (x ** 2).sum(dim=1), real, fake, torch.Generator().manual_seed(7))
    assert got.item() == pytest.approx(expected.item(), rel=1e-6)


def test_gradient_penalty_of_a_linear_critic_is_exact_and_differentiable():
    critic = torch.nn.Linear(2, 1)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[3.0, 4.0]]))  # |grad| = 5 everywhere
    gp = losses.gradient_penalty(lambda x: critic(x).squeeze(-1), torch.randn(4, 2), torch.randn(4, 2),
                                 torch.Generator().manual_seed(0))
    assert gp.item() == pytest.approx(16.0)
    (grad_w,) = torch.autograd.grad(gp, critic.weight)  # d/dw (|w| - 1)^2 = 2 (|w| - 1) w / |w|
    assert torch.allclose(grad_w, torch.tensor([[2 * 4 * 3 / 5, 2 * 4 * 4 / 5]]))


def test_wgan_clips_every_critic_weight_after_its_step():
    run = core.GanRun(core.GanSettings(loss="wgan", lr_d=0.5, optimizer="sgd"), make_dataset("ring"))
    core.train(run, 3)
    c = core.LIMITS.wgan_clip
    weights = torch.cat([p.detach().flatten() for p in run.D.parameters()])
    assert weights.abs().max().item() <= c + 1e-9
    assert (weights.abs() == c).any()  # the clip was active, not a no-op


def test_mode_metrics_against_hand_counts():
    modes = ring_modes()
    near = MODE_STD  # one std away: high quality
    samples = torch.cat([
        modes[0].repeat(30, 1) + torch.tensor([near, 0.0]),   # 30 HQ at mode 0: covered
        modes[1].repeat(10, 1),                               # 10 HQ at mode 1: too few to cover it
        torch.zeros(10, 2),                                   # 10 in the middle: not HQ
    ])
    m = core.mode_metrics(samples, modes, MODE_STD)
    assert m.hq_per_mode.tolist() == [30, 10, 0, 0, 0, 0, 0, 0]
    assert m.hq_share == pytest.approx(40 / 50)
    assert m.modes_covered == 1 and m.n_modes == 8


def test_kl_and_js_against_hand_values():
    same = np.array([[4.0, 0.0], [0.0, 4.0]])
    kl, js = core.kl_js(same, same)
    assert kl == pytest.approx(0.0) and js == pytest.approx(0.0)
    _, js = core.kl_js(np.array([[8.0, 0.0]]), np.array([[0.0, 8.0]]))
    assert js == pytest.approx(1.0)  # disjoint supports: one bit
    real, fake = np.array([[3.0, 1.0]]), np.array([[1.0, 1.0]])
    p, q = np.array([3.5, 1.5]) / 5, np.array([1.5, 1.5]) / 3
    kl, js = core.kl_js(real, fake)
    assert kl == pytest.approx(float(np.sum(p * np.log2(p / q))))
    pr, qr = np.array([0.75, 0.25]), np.array([0.5, 0.5])
    m = (pr + qr) / 2
    assert js == pytest.approx(0.5 * np.sum(pr * np.log2(pr / m)) + 0.5 * np.sum(qr * np.log2(qr / m)))


def test_same_seed_same_run_however_it_is_paused_or_watched():
    a = core.GanRun(core.GanSettings(seed=3), make_dataset("ring"))
    core.train(a, 60)
    b = core.GanRun(core.GanSettings(seed=3), make_dataset("ring"))
    core.train(b, 25)
    core.snapshot(b)  # looking at a run must not change where it goes
    core.train(b, 35)
    assert a.history == b.history
    for pa, pb in zip(a.G.parameters(), b.G.parameters()):
        assert torch.equal(pa, pb)
    c = core.GanRun(core.GanSettings(seed=4), make_dataset("ring"))
    core.train(c, 60)
    assert c.history["g_loss"] != a.history["g_loss"]


def test_a_session_deep_copies_and_the_copy_trains_alone():
    session = LiveSession()
    session.run = core.GanRun(core.GanSettings(), make_dataset("ring"))
    core.train(session.run, 5)
    twin = copy.deepcopy(session)
    core.train(twin.run, 10)
    assert session.run.iteration == 5 and twin.run.iteration == 15
    core.train(session.run, 10)
    assert session.run.history == twin.run.history  # same RNG state was copied, nothing shared


def test_divergence_stops_with_the_last_good_weights():
    run = core.GanRun(core.GanSettings(), make_dataset("ring"))
    core.train(run, 3)
    with torch.no_grad():
        next(run.G.parameters())[0, 0] = float("nan")
    d_before = [p.clone() for p in run.D.parameters()]
    with pytest.raises(Diverged) as err:
        core.train(run, 1)
    assert err.value.what == "D" and err.value.iteration == 4
    assert all(torch.equal(a, b) for a, b in zip(d_before, run.D.parameters()))
    assert run.iteration == 3


def test_an_absurd_learning_rate_diverges_into_a_message_not_a_crash():
    run = core.GanRun(core.GanSettings(loss="lsgan", optimizer="sgd", lr_g=1.0, lr_d=1.0), make_dataset("ring"))
    with pytest.raises(Diverged):
        core.train(run, 50)
    assert all(torch.isfinite(p).all() for p in run.D.parameters())


def test_default_settings_cover_the_ring_within_5000_iterations():
    """Issue 7's bar: 8/8 modes and >= 80% high-quality samples (Srivastava et al. 2017) within
    5,000 iterations, seed 0. Checked every 500 iterations; seed 0 gets there at 1,500."""
    run = core.GanRun(core.GanSettings(seed=0), make_dataset("ring"))
    while run.iteration < 5000:
        core.train(run, 500)
        metrics = core.snapshot(run).modes
        if metrics.modes_covered == 8 and metrics.hq_share >= 0.8:
            break
    assert metrics.modes_covered == 8 and metrics.hq_share >= 0.8 and run.iteration <= 5000


def _preset_config(name):
    return parse(core.GanSettings, apply(core.GanSettings, tab.PRESETS[name]))


def test_the_saturating_preset_stalls_where_the_non_saturating_one_learns():
    runs = {}
    for name in ("gan_preset_saturating", "gan_preset_nonsaturating"):
        run = core.GanRun(_preset_config(name), make_dataset("ring"))
        core.train(run, 300)
        with torch.no_grad():
            radius = run.G(run.eval_z).norm(dim=1).mean().item()  # the ring has radius 2
        runs[name] = (radius, float(np.mean(run.history["g_grad_norm"][-100:])),
                      float(np.mean(run.history["d_fake"][-100:])))
    stalled, learning = runs["gan_preset_saturating"], runs["gan_preset_nonsaturating"]
    assert stalled[2] < 0.01            # D rejects the fakes: D(G(z)) ~ 0 ...
    assert stalled[1] < 0.05            # ... so log(1 - D(G(z))) gives G almost no gradient
    assert stalled[0] < 0.5             # and the samples stay near the origin
    assert learning[1] > 20 * stalled[1]
    assert learning[0] > 1.5            # the non-saturating G reached the ring


@pytest.mark.parametrize("arch", ["mlp", "conv"])
def test_digits_train_and_are_read_by_the_classifier(arch):
    run = core.GanRun(core.GanSettings(dataset="digits", arch=arch, noise_dim=8), make_dataset("digits"))
    core.train(run, 3)
    snap = core.snapshot(run)
    assert snap.digit_grid.shape == (64, 8, 8) and snap.plane is None
    assert snap.digits.labels.shape == (64,) and snap.digits.class_counts.shape == (10,)


def test_digit_metrics_count_what_the_classifier_reads_in_real_digits():
    """Oracle: 40 real 3s and 40 real 7s as the "generated" samples are counted as 3s and 7s."""
    from sklearn.datasets import load_digits

    from demos.gan.data import digit_vectors

    targets = load_digits().target
    vectors = digit_vectors()
    picked = np.concatenate([np.flatnonzero(targets == 3)[:40], np.flatnonzero(targets == 7)[:40]])
    metrics = core.digit_metrics(vectors[picked[:8]], vectors[picked])
    assert metrics.class_counts[3] >= 38 and metrics.class_counts[7] >= 38
    assert metrics.class_counts.sum() == round(metrics.confident_share * 80) and metrics.digits_seen <= 4


def test_the_classifier_reads_real_digits_through_the_lab_s_upsampling():
    from sklearn.datasets import load_digits

    from components.digits import classify

    digits = make_dataset("digits").points[:300]
    predicted, _ = classify(core.to_classifier_images(digits))
    accuracy = (predicted.numpy() == load_digits().target[:300]).mean()
    assert accuracy > 0.9


@pytest.mark.parametrize("change, key", [
    ({"lr_g": 0}, "err_positive_range"), ({"lr_d": -1e-3}, "err_positive_range"),
    ({"lr_g": 50}, "err_positive_range"), ({"batch": 0}, "err_out_of_range"), ({"d_steps": 11}, "err_out_of_range"),
    ({"width": 6.5}, "err_not_integer"), ({"dataset": "cats"}, "err_choice"), ({"loss": "wgan-gp"}, "err_choice"),
    ({"optimizer": "rmsprop"}, "err_choice"), ({"arch": "conv"}, "gan_err_conv_2d"),
    ({"lr_d": float("nan")}, "err_not_number"), ({"seed": -1}, "err_out_of_range"),
    ({"iterations": 0}, "err_out_of_range"), ({"batch": [1]}, "err_not_number"), ({"loss": None}, "err_choice"),
])
def test_bad_settings_raise_a_readable_error(change, key):
    values = defaults(core.GanSettings) | change
    with pytest.raises(InputError) as err:
        parse(core.GanSettings, values)
    assert err.value.key == key
    assert len(str(err.value)) < 200


def test_sketch_points_come_from_the_drawn_pixels():
    ink = np.zeros((100, 200), dtype=bool)
    ink[50, 20:180] = True  # a horizontal stroke
    points, pixel = points_from_mask(ink)
    assert pixel == pytest.approx(5 / 159)
    assert points.shape == (160, 2)
    assert points[:, 0].min() == pytest.approx(-2.5) and points[:, 0].max() == pytest.approx(2.5)
    assert torch.allclose(points[:, 1], torch.zeros(160))
    rgba = np.zeros((100, 200, 4), dtype=np.uint8)
    rgba[ink] = (0, 0, 0, 255)
    assert (ink_mask({"background": None, "layers": [rgba], "composite": None}) == ink).all()
    data = make_dataset("sketch", ink)
    assert data.sample(64, torch.Generator().manual_seed(0)).shape == (64, 2)


@pytest.mark.parametrize("ink", [None, np.zeros((50, 50), dtype=bool)])
def test_an_empty_drawing_is_refused(ink):
    with pytest.raises(InputError) as err:
        make_dataset("sketch", ink)
    assert err.value.key == "gan_err_empty_sketch"


def _history(dataset, counts):
    run = core.GanRun(core.GanSettings(dataset=dataset), make_dataset(dataset))
    run.metric_history = [{"iteration": i, "modes_covered": c} for i, c in counts]
    return run


def test_collapse_warning_when_a_quarter_of_the_covered_modes_is_lost():
    """Issue 19: on the 8-mode ring a quarter is two modes: 8 -> 7 is a mode at its edge, not
    collapse; 8 -> 6 in two views in a row is."""
    run = _history("ring", [(100, 5), (200, 8), (300, 8)])
    assert core.collapse_warning(run) is None
    for view in [(400, 7), (500, 7), (600, 6)]:
        run.metric_history.append({"iteration": view[0], "modes_covered": view[1]})
        assert core.collapse_warning(run) is None      # 7, 7: less than a quarter lost; 6: one view
    run.metric_history.append({"iteration": 700, "modes_covered": 6})
    assert core.collapse_warning(run) == (6, 8, 200)   # two views in a row a quarter short
    run.metric_history.append({"iteration": 800, "modes_covered": 3})
    assert core.collapse_warning(run) == (3, 8, 200)
    run.metric_history.append({"iteration": 900, "modes_covered": 8})
    assert core.collapse_warning(run) is None          # all found again


def test_the_collapse_thresholds_are_shares_of_the_modes_not_counts():
    """The 25-mode grid (issue 19 saw a warning at 21 of 25): 20 after 23 is no collapse, 17
    (a quarter of 23 lost) is; good samples on 20 of 25 modes are not "missing modes", on 12 are."""
    run = _history("grid", [(100, 20), (200, 23), (300, 20), (400, 20), (500, 18)])
    assert core.collapse_warning(run) is None
    run.metric_history += [{"iteration": 600, "modes_covered": 17}, {"iteration": 700, "modes_covered": 17}]
    assert core.collapse_warning(run) == (17, 23, 200)
    good = 0.9
    assert not core.missing_modes(core.ModeMetrics(np.full(25, 90), good, 20))
    assert not core.missing_modes(core.ModeMetrics(np.full(25, 90), good, 13))   # 13 > 25 / 2
    assert core.missing_modes(core.ModeMetrics(np.full(25, 90), good, 12))
    assert core.missing_modes(core.ModeMetrics(np.full(8, 90), good, 4))         # 4 <= 8 / 2
    assert not core.missing_modes(core.ModeMetrics(np.full(8, 90), good, 5))
    assert not core.missing_modes(core.ModeMetrics(np.full(8, 90), 0.3, 4))      # poor samples: not collapse


def test_no_collapse_warning_before_most_modes_were_ever_covered():
    """Seen in a screenshot at iteration 185: one mode found by chance, then lost, was called
    collapse; the non-saturating preset finds 2 modes at iteration 150 and loses them again long
    before it covers all 8."""
    assert core.collapse_warning(_history("ring", [(33, 0), (66, 1), (99, 0), (132, 0)])) is None
    assert core.collapse_warning(_history("ring", [(33, 2), (66, 0), (99, 0)])) is None
    assert core.collapse_warning(_history("ring", [(33, 4), (66, 0), (99, 0)])) is None   # 4 of 8 is not most
    assert core.collapse_warning(_history("ring", [(33, 5), (66, 0), (99, 0)])) == (0, 5, 33)


def test_an_unknown_step_mode_is_refused():
    with pytest.raises(InputError) as err:
        core.check_step_mode("everything")
    assert err.value.key == "gan_err_step_mode"


def _preset_run(name, view_every=100):
    """The preset's run, trained headless to its own iteration count, with a view (as the live
    page draws them) every ``view_every`` iterations, so the collapse warning sees a history."""
    config = _preset_config(name)
    run = core.GanRun(config, make_dataset(config.dataset))
    while run.iteration < config.iterations:
        core.train(run, min(view_every, config.iterations - run.iteration))
        snap = core.snapshot(run)
    return run, snap.modes


def test_the_mode_collapse_preset_ends_collapsed_with_good_samples():
    """Issue 19: a "mode collapse" preset collapses. With its own 3,000 iterations and seed 0 it
    covers 8 of 8 modes near iteration 700, then ends on 5 of 8 with 80% high-quality samples
    (torch 2.13's AVX2 and AVX-512 kernels; 4 of 8 with 85% on its plain kernel: a GAN's path
    is chaotic, so its last digits of rounding matter), and the status warns of it."""
    run, modes = _preset_run("gan_preset_collapse")
    assert modes.modes_covered <= 5 and modes.hq_share >= 0.75
    assert core.collapse_warning(run) is not None or core.missing_modes(modes)
    snap = core.snapshot(run)
    assert "Mode collapse" in tab.status_text(run, snap, "", "en")
    assert "模式坍塌" in tab.status_text(run, snap, "", "zh")


def test_the_non_saturating_preset_covers_the_ring_without_a_collapse_warning():
    """Issue 19: "non-saturating: G learns" ends with ≥ 7 of 8 modes covered, its own iteration
    count and seed, and no collapse warning while most modes are covered. Seed 0 covers 8 of 8
    from iteration 1,700 and ends at 8 of 8 with 33% high-quality samples."""
    run, modes = _preset_run("gan_preset_nonsaturating")
    assert modes.modes_covered >= 7
    assert core.collapse_warning(run) is None and not core.missing_modes(modes)
    assert "Mode collapse" not in tab.status_text(run, core.snapshot(run), "", "en")


def test_the_saturating_preset_still_stalls_after_its_own_iterations():
    """Issue 19: same settings, minimax loss: after the preset's 3,000 iterations G is still
    near the origin (seed 0: radius 0.31, the ring's is 2) and covers no mode."""
    run, modes = _preset_run("gan_preset_saturating", view_every=1000)
    with torch.no_grad():
        radius = run.G(run.eval_z).norm(dim=1).mean().item()
    assert radius < 1.0 and modes.modes_covered == 0


def test_the_two_loss_presets_differ_only_in_the_loss():
    saturating, non_saturating = tab.PRESETS["gan_preset_saturating"], tab.PRESETS["gan_preset_nonsaturating"]
    assert saturating.keys() == non_saturating.keys()
    assert {k for k in saturating if saturating[k] != non_saturating[k]} == {"loss"}


def test_the_grid_preset_ends_with_most_modes_covered_and_no_warning():
    """Issue 19: the 25-mode grid warned of mode collapse at 21 of 25. With its own 10,000
    iterations and seed 0 it ends at 20 of 25 with 90% high-quality samples (23 of 25 on torch's plain CPU kernel):
    most modes, no warning."""
    run, modes = _preset_run("gan_preset_grid", view_every=250)
    assert modes.n_modes == 25 and modes.modes_covered > 25 / 2
    assert core.collapse_warning(run) is None and not core.missing_modes(modes)
    assert "Mode collapse" not in tab.status_text(run, core.snapshot(run), "", "en")
