"""The VAE lab through its API: the live run (start, pause, resume, step, reset), the panels
(encode, resample, drawing, generate, interpolate, compress, sweep, autoencoder vs VAE), export,
determinism, and bad input answered in the caller's language (English and Chinese)."""

import json
import re
import time

import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from components.settings import defaults
from demos.vae import core, data

SETTINGS = defaults(core.VaeSettings)
HELD_OUT = len(data.load("digits").held_out)


def settings(**change) -> list:
    """Every setting's value in field order: the API parameters of vae_start, vae_step, vae_reset."""
    values = SETTINGS | change
    return [values[f] for f in SETTINGS]


def iteration(status: str) -> int:
    return int(re.search(r"Iteration (\d+)", status).group(1))


def start(client, iterations, **change):
    return client.submit(*settings(iterations=iterations, **change), api_name="/vae_start")


def wait_for_outputs(job, n=2, timeout=120):
    deadline = time.time() + timeout
    while len(job.outputs()) < n:
        assert time.time() < deadline, "no streamed output"
        time.sleep(0.05)


def plot(value) -> dict:
    return json.loads(value["plot"])


def fresh(server_url, lang=None) -> Client:
    headers = {"Accept-Language": lang} if lang else None
    return Client(server_url, verbose=False, headers=headers)


@pytest.fixture(scope="module")
def trained(server_url):
    """A client whose session holds a digits run trained 150 iterations."""
    client = fresh(server_url)
    start(client, 150, seed=3).result(timeout=300)
    return client


def test_start_streams_every_view_and_stops_at_the_target(server_url):
    client = fresh(server_url)
    job = start(client, 200)
    status, curves, latent, kl_bars, decoded, density = job.result(timeout=300)
    assert iteration(status) == 200 and "target" in status and "5-NN" in status
    assert len(job.outputs()) >= 2   # at least the first view and the final one
    curves = plot(curves)
    assert "iteration 200" in curves["layout"]["title"]["text"]
    assert curves["data"][0]["x"][-1] == 200
    points = [t for t in plot(latent)["data"] if t["mode"] == "markers"]
    assert sum(len(t["x"]) for t in points) == HELD_OUT   # every held-out digit's μ
    assert [t["type"] for t in plot(kl_bars)["data"]] == ["bar"]
    assert plot(decoded)["data"][0]["type"] == "heatmap"   # the decoded manifold of digits
    assert "aggregate" in json.dumps(plot(density)["layout"])


def test_pause_keeps_the_state_and_resume_and_step_continue_it(server_url):
    client = fresh(server_url)
    job = start(client, 100_000)
    wait_for_outputs(job)
    client.predict(api_name="/vae_pause")
    paused = iteration(job.result(timeout=120)[0])
    assert 0 < paused < 100_000 and "paused" in job.result()[0]
    assert iteration(client.predict(*settings(), api_name="/vae_step")[0]) == paused + 1
    resumed = client.submit(100, api_name="/vae_resume")
    wait_for_outputs(resumed)
    client.predict(api_name="/vae_pause")
    assert iteration(resumed.result(timeout=120)[0]) > paused + 1
    status = client.predict(*settings(), api_name="/vae_reset")[0]
    assert iteration(status) == 0 and "ready" in status


def test_same_seed_same_curves_and_latent_map_through_the_api(server_url):
    client = fresh(server_url)
    first = start(client, 60, seed=5).result(timeout=300)
    second = start(client, 60, seed=5).result(timeout=300)
    for a, b in ((first[1], second[1]), (first[2], second[2])):
        assert [t.get("y") for t in plot(a)["data"]] == [t.get("y") for t in plot(b)["data"]]
    other = start(client, 60, seed=6).result(timeout=300)
    assert plot(other[1])["data"][0]["y"] != plot(first[1])["data"][0]["y"]


def test_a_toy_set_shows_its_data_plane(server_url):
    client = fresh(server_url)
    decoded = client.predict(*settings(dataset="moons", likelihood="gaussian"), api_name="/vae_reset")[4]
    assert "Data plane" in plot(decoded)["layout"]["title"]["text"]


def test_encode_resample_and_a_drawing(trained, tmp_path):
    figure, table, latent = trained.predict(7, 11, api_name="/vae_encode")
    assert len(re.findall(r"^\| z. \|", table, re.M)) == 2 and "no gradient" in table
    star = next(t for t in plot(latent)["data"] if t.get("name") == "the encoded input (μ)")
    mu = [float(v) for v in re.search(r"\| z₁ \| (\S+) .*\n\| z₂ \| (\S+)", table).groups()]
    np.testing.assert_allclose([star["x"][0], star["y"][0]], mu, atol=1e-3)   # the table's μ is the star
    seed, _, resampled, _ = trained.predict(11, api_name="/vae_resample")
    assert seed == 12 and resampled != table
    # ε changed, μ did not: the μ column is the same
    assert re.findall(r"\| z. \| (\S+)", resampled) == re.findall(r"\| z. \| (\S+)", table)

    stroke = np.zeros((240, 240, 4), np.uint8)
    stroke[30:210, 112:128] = (0, 0, 0, 255)   # a vertical bar
    path = tmp_path / "one.png"
    Image.fromarray(stroke).save(path)
    drawing = {"background": None, "layers": [handle_file(str(path))], "composite": handle_file(str(path))}
    _, table, latent = trained.predict(drawing, 0, api_name="/vae_encode_drawing")
    assert len(re.findall(r"^\| z. \|", table, re.M)) == 2
    assert any(t.get("name") == "the encoded input (μ)" for t in plot(latent)["data"])


def test_generate_interpolate_and_compress(trained):
    samples = plot(trained.predict(4, api_name="/vae_generate"))
    assert "32 samples" in samples["layout"]["title"]["text"]
    path = plot(trained.predict(0, 5, 6, api_name="/vae_interpolate"))
    assert len(path["data"]) == 2   # the straight line and the arc
    codec, rate_distortion = trained.predict(api_name="/vae_compress")
    assert "as a codec" in plot(codec)["layout"]["title"]["text"]
    names = [t["name"] for t in plot(rate_distortion)["data"]]
    assert "this run (β = 1)" in names and any(n.startswith("PCA") for n in names)


def test_the_sweep_streams_one_point_per_beta(server_url, monkeypatch):
    """The server runs in this process: a short sweep (two β, 30 iterations each)."""
    monkeypatch.setattr(core.VaeSettings, "sweep_betas", (0.5, 4.0))
    monkeypatch.setattr(core.VaeSettings, "sweep_iterations", 30)
    client = fresh(server_url)
    job = client.submit(*settings(), api_name="/vae_sweep")
    note, figure = job.result(timeout=300)
    assert "2 models" in note
    sweep = next(t for t in plot(figure)["data"] if t["name"] == "β sweep")
    assert sorted(sweep["text"]) == ["β=0.5", "β=4"] and len(job.outputs()) >= 2


def test_autoencoder_and_vae_side_by_side(server_url):
    client = fresh(server_url)
    status, figure = client.submit(*settings(iterations=40), api_name="/vae_compare_start").result(timeout=300)
    assert iteration(status) == 40
    titles = [a["text"] for a in plot(figure)["layout"]["annotations"]]
    assert any("autoencoder (β = 0)" in t for t in titles) and any("VAE (β = 1)" in t for t in titles)
    assert iteration(client.predict(*settings(), api_name="/vae_compare_step")[0]) == 41
    with pytest.raises(AppError, match="choose the digits data set"):
        client.predict(*settings(dataset="ring", likelihood="gaussian"), api_name="/vae_compare_reset")


@pytest.mark.parametrize("change, message", [
    ({"latent_dim": 0}, "Latent dimensions d must be between 1 and 16, got 0"),
    ({"latent_dim": 1000}, "Latent dimensions d must be between 1 and 16, got 1000"),
    ({"beta": -1}, r"β \(weight of the KL term\) must be between 0 and 100"),
    ({"lr": 0}, r"Learning rate \(Adam\) must be above 0"),
    ({"batch": 0}, "Batch size must be between 1 and 1024, got 0"),
    ({"dataset": "cats"}, "Data set must be one of"),
    ({"dataset": "moons"}, "binomial likelihood counts ink bits"),
    ({"seed": -3}, "Seed must be between 0"),
])
def test_bad_settings_get_a_clear_message(server_url, change, message):
    with pytest.raises(AppError, match=message):
        start(fresh(server_url), 10, **change).result(timeout=60)


def test_bad_iterations_get_a_clear_message(server_url):
    client = fresh(server_url)
    with pytest.raises(AppError, match="Iterations per Start must be between 1 and 100000, got 0"):
        start(client, 0).result(timeout=60)
    client.predict(*settings(), api_name="/vae_step")
    with pytest.raises(AppError, match="Iterations per Start"):
        client.predict(-5, api_name="/vae_resume")


def test_nan_beta_gets_a_clear_message(server_url):
    """NaN cannot travel as JSON: sent as text, as a browser would send an unreadable number."""
    with pytest.raises(AppError, match=r"β \(weight of the KL term\) must be a number"):
        start(fresh(server_url), 10, beta="nan").result(timeout=60)


def test_panel_inputs_out_of_range_get_a_clear_message(trained):
    with pytest.raises(AppError, match=rf"From held-out digit \(index\) must be between 0 and {HELD_OUT - 1}"):
        trained.predict(-1, 5, 8, api_name="/vae_interpolate")
    with pytest.raises(AppError, match="To held-out digit"):
        trained.predict(0, HELD_OUT, 8, api_name="/vae_interpolate")
    with pytest.raises(AppError, match=r"Held-out digit \(index\)"):
        trained.predict(10_000, 0, api_name="/vae_encode")
    with pytest.raises(AppError, match="drawing is empty"):
        trained.predict(None, 0, api_name="/vae_encode_drawing")


def test_panels_without_a_run_ask_for_one(server_url):
    client = fresh(server_url)
    for args, name in (((0, 0), "/vae_encode"), ((0,), "/vae_generate"), ((), "/vae_compress")):
        with pytest.raises(AppError, match="There is no model yet"):
            client.predict(*args, api_name=name)
    with pytest.raises(AppError, match="Nothing is encoded yet"):
        client.predict(0, api_name="/vae_resample")


def test_messages_in_chinese(server_url):
    client = fresh(server_url, "zh-CN")
    with pytest.raises(AppError, match="潜变量维数 d 必须在 1 到 16 之间，收到的是 0"):
        start(client, 10, latent_dim=0).result(timeout=60)
    with pytest.raises(AppError, match="还没有模型"):
        client.predict(0, 0, api_name="/vae_encode")
    status = client.predict(*settings(), api_name="/vae_step")[0]
    assert "第 1 次迭代" in status
    with pytest.raises(AppError, match="画板是空的"):
        client.predict(None, 0, api_name="/vae_encode_drawing")


def test_export_gives_the_run_as_json_and_its_curves_as_csv(server_url):
    client = fresh(server_url)
    with pytest.raises(AppError, match="nothing to export"):
        client.predict(api_name="/vae_export")
    start(client, 30, seed=2).result(timeout=300)
    json_path, csv_path = client.predict(api_name="/vae_export")
    document = json.load(open(json_path))
    assert document["lab"] == "vae" and document["settings"]["seed"] == 2 and document["data"]["iteration"] == 30
    result = document["data"]
    assert len(result["curves"]["recon"]) == 30 and len(result["latent"]["held_out_mu"]) == HELD_OUT
    assert result["compression"]["latent_dim"] == 2 and result["compression"]["rate_bits"] > 0
    lines = open(csv_path).read().splitlines()
    assert lines[0] == "iteration,neg_elbo,recon,kl" and len(lines) == 31
    recon, kl = result["curves"]["recon"][0], result["curves"]["kl"][0]
    assert float(lines[1].split(",")[1]) == pytest.approx(recon + kl, rel=1e-5)


def test_a_pair_and_a_run_are_separate_sessions_of_one_client(server_url):
    """The comparison has its own live session: starting it leaves the main run as it was."""
    client = fresh(server_url)
    client.predict(*settings(), api_name="/vae_step")
    client.submit(*settings(iterations=5), api_name="/vae_compare_start").result(timeout=300)
    assert iteration(client.predict(*settings(), api_name="/vae_step")[0]) == 2


def test_the_drawing_rasterised_like_the_core_does(trained, tmp_path):
    """The API's drawing is the core's digit: the encoded input equals data.digit_from_mask."""
    mask = np.zeros((240, 240), bool)
    mask[60:180, 60:80] = mask[60:80, 60:180] = True   # an L
    rgba = np.zeros((240, 240, 4), np.uint8)
    rgba[mask] = (0, 0, 0, 255)
    path = tmp_path / "l.png"
    Image.fromarray(rgba).save(path)
    drawing = {"background": None, "layers": [handle_file(str(path))], "composite": handle_file(str(path))}
    figure = plot(trained.predict(drawing, 0, api_name="/vae_encode_drawing")[0])
    expected = data.digit_from_mask(mask).reshape(8, 8)
    np.testing.assert_allclose(np.asarray(figure["data"][0]["z"], dtype=float), expected.numpy(), atol=1e-3)
