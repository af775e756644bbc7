"""The VAE lab's handlers, imported and called without a server: what each answers, checked
against the model itself (its encoder, a run trained apart), and the messages for input that
cannot be used."""

import json
import re

import numpy as np
import pytest
import torch

from components import i18n
from components.i18n import InputError
from components.live import LiveSession
from components.settings import defaults
from demos.vae import compression, core, strings, tab

SETTINGS = defaults(core.VaeSettings)
ENCODED = "the encoded input (μ)"


@pytest.fixture(scope="module", autouse=True)
def registered_strings():
    i18n.register(strings.EN, strings.ZH)


def settings(**change) -> list:
    """Every setting in field order: the first parameters of the start, step and reset handlers."""
    values = SETTINGS | change
    return [values[name] for name in SETTINGS]


def star(latent_figure) -> np.ndarray:
    trace = next(t for t in latent_figure["data"] if t.get("name") == ENCODED)
    return np.array([trace["x"][0], trace["y"][0]])


def mu_of_row(run, index) -> np.ndarray:
    """The oracle: the run's own encoder on held-out row ``index``."""
    with torch.no_grad():
        return run.model.encoder(run.data.held_out[index][None])[0, :run.settings.latent_dim].numpy()


def table_columns(table: str) -> np.ndarray:
    """(d, 4) μ, σ, ε, z of the reparameterisation table."""
    rows = re.findall(r"^\| z. \| (\S+) \| (\S+) \| (\S+) \| (\S+) \|", table, re.M)
    return np.array(rows, dtype=float)


def test_the_encoded_input_follows_the_model_while_it_trains():
    session, probe = LiveSession(), tab.Probe()
    tab.reset(*settings(), probe, session)
    _, table, latent = tab.encode(5, 0, probe, session)
    np.testing.assert_allclose(star(latent), mu_of_row(session.run, 5), atol=1e-6)
    before = star(latent)
    frames = list(tab.start(*settings(iterations=30), probe, session))
    _, status, _, latent, *_ = frames[-1]
    assert session.run.iteration == 30 and "Iteration 30" in status
    # the live view drew the probe through the model as it is now, not as it was when encoded
    np.testing.assert_allclose(star(latent), mu_of_row(session.run, 5), atol=1e-6)
    assert not np.allclose(star(latent), before)


def test_the_table_is_the_reparameterisation_and_resample_draws_the_next_seed():
    session, probe = LiveSession(), tab.Probe()
    tab.step(*settings(latent_dim=3), probe, session)
    _, table, _ = tab.encode(2, 41, probe, session)
    mu, sigma, eps, z = table_columns(table).T
    np.testing.assert_allclose(z, mu + sigma * eps, atol=2e-3)   # z = μ + σ ⊙ ε, from the printed numbers
    np.testing.assert_allclose(eps, torch.randn(1, 3, generator=torch.Generator().manual_seed(41))[0], atol=1e-3)
    seed, _, again, _ = tab.resample(41, probe, session)
    assert seed == probe.seed == 42
    mu2, sigma2, eps2, _ = table_columns(again).T
    np.testing.assert_array_equal(mu2, mu)
    np.testing.assert_allclose(eps2, torch.randn(1, 3, generator=torch.Generator().manual_seed(42))[0], atol=1e-3)


def test_a_drawing_is_encoded_as_the_digit_it_rasterises_to():
    session, probe = LiveSession(), tab.Probe()
    tab.reset(*settings(), probe, session)
    rgba = np.zeros((240, 240, 4), np.uint8)
    rgba[40:200, 100:140] = (0, 0, 0, 255)
    figure, _, latent = tab.encode_drawing({"layers": [rgba], "composite": rgba}, 0, probe, session)
    digit = torch.from_numpy(np.round(np.asarray(figure["data"][0]["z"], dtype=np.float32) * 16) / 16).reshape(64)
    with torch.no_grad():
        mu = session.run.model.encoder(digit[None])[0, :2].numpy()
    np.testing.assert_allclose(star(latent), mu, atol=1e-5)
    np.testing.assert_array_equal(probe.x, digit)


def test_toy_sets_show_the_data_plane_and_refuse_what_is_for_digits():
    session, probe = LiveSession(), tab.Probe()
    values = settings(dataset="moons", likelihood="gaussian")
    _, status, _, _, _, decoded, density = tab.reset(*values, probe, session)
    assert "Data plane" in decoded["layout"]["title"]["text"] and "Prior p(z)" in density["layout"]["title"]["text"]
    figure, _, _ = tab.encode(4, 0, probe, session)   # a point goes through the encoder too
    assert figure["data"][0]["type"] == "scatter"
    for call, key in ((lambda: tab.generate.__wrapped__(0, session, "en"), "vae_err_generate_digits"),
                      (lambda: tab.compress.__wrapped__(tab.Sweep(), session, "en"), "vae_err_digits_only"),
                      (lambda: tab.new_pair(core.validated(dataset="ring", likelihood="gaussian")),
                       "vae_err_compare_digits"),
                      (lambda: tab.encode_drawing.__wrapped__(None, 0, probe, session, "en"), "vae_err_sketch_digits")):
        with pytest.raises(InputError) as info:
            call()
        assert info.value.key == key


def test_a_probe_that_does_not_fit_the_run_is_left_off_the_map():
    """A digit encoded, then a 2D run: the 64 numbers cannot go through a 2D encoder."""
    session, probe = LiveSession(), tab.Probe()
    tab.reset(*settings(), probe, session)
    tab.encode(0, 0, probe, session)
    latent = tab.reset(*settings(dataset="ring", likelihood="gaussian"), probe, session)[3]
    assert ENCODED not in [t.get("name") for t in latent["data"]]


def test_the_sweep_trains_one_model_per_beta_and_streams_each(monkeypatch):
    """Each point is the codec of a run trained apart with that β (the oracle), in order."""
    monkeypatch.setattr(core.VaeSettings, "sweep_betas", (0.5, 4.0))
    monkeypatch.setattr(core.VaeSettings, "sweep_iterations", 25)
    session, sweep = LiveSession(), tab.Sweep()
    frames = list(tab.sweep_beta(*settings(seed=7), sweep, session))
    assert len(frames) == 3 and "2 models" in frames[-1][0] and "β = 4 (2 of 2" in frames[1][0]
    for point, beta in zip(sweep.points, (0.5, 4.0)):
        apart = core.VaeRun(core.validated(seed=7, beta=beta))
        core.train(apart, 25)
        codec = compression.compression(apart)
        assert point.beta == beta and point.rate_bits == codec.rate_bits and point.mse == codec.mse
    drawn = next(t for t in frames[-1][1]["data"] if t["name"] == "β sweep")
    assert len(drawn["x"]) == 2
    # measuring the codec afterwards keeps the sweep's points on its rate–distortion plane
    tab.reset(*settings(seed=7), tab.Probe(), session)
    _, rate_distortion = tab.compress(sweep, session)
    names = [t["name"] for t in rate_distortion["data"]]
    assert "β sweep" in names and "this run (β = 1)" in names
    assert len(next(t for t in rate_distortion["data"] if t["name"] == "β sweep")["x"]) == 2


def test_the_pair_trains_an_autoencoder_and_a_vae_from_one_seed():
    session = LiveSession()
    _, status, figure = tab.compare_reset(*settings(), session)
    pair = session.run
    assert "Iteration 0" in status and len(figure["layout"]["annotations"]) == 6
    for a, b in zip(pair.autoencoder.model.parameters(), pair.vae.model.parameters()):
        torch.testing.assert_close(a, b)
    tab.compare_step(*settings(), session)
    assert pair.autoencoder.iteration == pair.vae.iteration == 1
    assert (pair.autoencoder.settings.beta, pair.vae.settings.beta) == (0.0, 1.0)


def test_export_holds_the_settings_and_the_numbers_behind_the_plots():
    session = LiveSession()
    with pytest.raises(InputError):
        tab.export.__wrapped__(session, "en")
    list(tab.start(*settings(iterations=20, latent_dim=3), None, session))
    json_path, csv_path = tab.export(session)
    document = json.load(open(json_path))
    latent = document["data"]["latent"]
    assert document["settings"]["latent_dim"] == 3 and len(latent["kl_per_dim"]) == 3
    mu, _ = core.encode(session.run, session.run.data.held_out)
    np.testing.assert_allclose(latent["held_out_mu"], mu.numpy() @ np.array(latent["axes"]), atol=1e-5)
    assert len(open(csv_path).read().splitlines()) == 21


def test_panels_without_a_run_and_resample_without_an_input_say_what_to_do():
    session = LiveSession()
    for call in (lambda: tab.encode.__wrapped__(0, 0, tab.Probe(), session, "en"),
                 lambda: tab.generate.__wrapped__(0, session, "en"),
                 lambda: tab.interpolate.__wrapped__(0, 1, 8, session, "en"),
                 lambda: tab.compress.__wrapped__(tab.Sweep(), session, "en")):
        with pytest.raises(InputError) as info:
            call()
        assert info.value.key == "vae_err_no_run"
    with pytest.raises(InputError) as info:
        tab.resample.__wrapped__(0, tab.Probe(), session, "en")
    assert info.value.key == "vae_err_no_probe"


def test_the_eps_seed_is_checked_and_named():
    session, probe = LiveSession(), tab.Probe()
    tab.reset(*settings(), probe, session)
    with pytest.raises(InputError) as info:
        tab.encode.__wrapped__(0, -1, probe, session, "en")
    assert info.value.key == "err_out_of_range" and info.value.values["name"] == "vae_eps_seed"


def test_chinese_views():
    status, *plots = tab.live_views(core.VaeRun(core.VaeSettings()), "x", "zh")
    assert "第 0 次迭代" in status
    assert all(re.search(r"[\u4e00-\u9fff]", p["layout"]["title"]["text"]) for p in plots)


def test_the_heatmaps_are_redrawn_once_a_second_while_training_and_always_at_rest(monkeypatch):
    import gradio as gr

    from components import live
    from demos.vae import figures, views

    clock = [100.0]
    monkeypatch.setattr(live.time, "monotonic", lambda: clock[0])
    run = core.VaeRun(core.validated(**SETTINGS))
    render = tab.renderer("en")
    running, paused = i18n.translate("live_running", "en"), i18n.translate("live_paused", "en")
    first = render(run, running)
    assert all("data" in v for v in first[1:])                     # the first frame draws everything
    # the oracle: the heatmaps of a full snapshot of the run as it is
    expected = figures.density_figure(views.snapshot(run).density, "en")
    np.testing.assert_allclose(first[5]["data"][0]["z"], expected["data"][0]["z"])
    later = render(run, running)
    assert "data" in later[1] and "data" in later[2] and later[4:] == (gr.skip(), gr.skip())
    clock[0] += tab.HEATMAPS_EVERY_S
    assert "data" in render(run, running)[5]                        # due again
    assert "data" in render(run, paused)[5]                         # at rest: everything


def test_a_change_of_language_redraws_what_was_drawn_without_training_or_computing_it_again(monkeypatch):
    """Issue 15: a page switched to Chinese gets the run at rest, the encoded input, the samples,
    the interpolation and the codec again in Chinese, from what the session kept."""
    import gradio as gr

    session, probe = LiveSession(), tab.Probe()
    list(tab.start(*settings(iterations=10), probe, session))                   # drawn in English
    tab.encode(5, 0, probe, session)
    tab.generate(0, session)
    tab.interpolate(0, 1, 8, session)
    tab.compress(tab.Sweep(), session)
    run, history = session.run, {k: list(v) for k, v in session.run.history.items()}

    def refuse(*_args, **_kwargs):
        raise AssertionError("computed again")

    for name in ("prior_samples", "interpolate"):
        monkeypatch.setattr(tab.views, name, refuse)
    monkeypatch.setattr(tab.compression, "compression", refuse)
    out = tab.redraw.__wrapped__(session, probe, tab.Sweep(), lang="zh")
    assert session.run is run and run.iteration == 10 and run.history == history   # nothing trained
    status, curves, latent, kl_bars, decoded, density, reparam, table, samples, path, codec, rd, note = out
    assert i18n.translate("vae_status_iter", "zh", iteration=10) in status and i18n.translate("live_done", "zh") in status
    assert i18n.translate("vae_manifold_title", "zh").split("<br>")[0] in decoded["layout"]["title"]["text"]
    for figure in (curves, latent, kl_bars, density, reparam, samples, path, codec, rd):
        assert re.search(r"[\u4e00-\u9fff]", figure["layout"]["title"]["text"]), figure["layout"]["title"]
    encoded = next(t for t in latent["data"] if t.get("name") == i18n.translate("vae_encoded", "zh"))
    np.testing.assert_allclose([encoded["x"][0], encoded["y"][0]], mu_of_row(run, 5), atol=1e-6)   # still on the map
    assert isinstance(note, type(gr.skip()))                                     # no sweep was run


def test_a_change_of_language_before_anything_was_drawn_draws_nothing_and_the_pair_redraws_at_rest():
    import gradio as gr

    out = tab.redraw.__wrapped__(LiveSession(), tab.Probe(), tab.Sweep(), lang="zh")
    assert all(isinstance(value, type(gr.skip())) for value in out)
    pair_session = LiveSession()
    assert all(isinstance(v, type(gr.skip())) for v in tab.compare_redraw.__wrapped__(pair_session, lang="zh"))
    tab.compare_step(*settings(), pair_session)
    status, figure = tab.compare_redraw.__wrapped__(pair_session, lang="zh")
    assert pair_session.run.iteration == 1
    assert i18n.translate("vae_status_iter", "zh", iteration=1) in status and i18n.translate("live_paused", "zh") in status
