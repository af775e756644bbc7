"""The GAN lab through its API: start (streaming), pause, resume, step, reset; bad input; two
sessions that share nothing."""

import json
import re
import time

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from components.settings import defaults
from demos.gan import core

SETTINGS = defaults(core.GanSettings)


def settings(**change) -> list:
    """Every setting's value in field order: the API parameters of gan_start, gan_step, gan_reset."""
    values = SETTINGS | change
    return [values[f] for f in SETTINGS]


def iteration(status: str) -> int:
    return int(re.search(r"Iteration (\d+)", status).group(1))


def start(client, iterations, sketch=None, **change):
    return client.submit(*settings(iterations=iterations, **change), sketch, api_name="/gan_start")


def wait_for_outputs(job, n=2, timeout=60):
    deadline = time.time() + timeout
    while len(job.outputs()) < n:
        assert time.time() < deadline, "no streamed output"
        time.sleep(0.05)


def test_start_streams_and_stops_at_the_target(client):
    job = start(client, 400)
    status, plane, curves = job.result(timeout=120)
    assert iteration(status) == 400 and "target" in status and "modes covered" in status
    assert len(job.outputs()) >= 2  # at least the first view and the final one
    plane_fig = json.loads(plane["plot"])
    assert "Iteration 400" in plane_fig["layout"]["title"]["text"]
    assert [t["type"] for t in plane_fig["data"]][:1] == ["heatmap"]
    curves_fig = json.loads(curves["plot"])
    d_loss = curves_fig["data"][0]
    assert d_loss["x"][-1] == 400 and len(d_loss["x"]) <= core.LIMITS.curve_points  # thinned for the page


def test_pause_keeps_the_state_and_resume_and_step_continue_it(client):
    job = start(client, 100_000)
    wait_for_outputs(job)
    client.predict(api_name="/gan_pause")
    paused = iteration(job.result(timeout=60)[0])
    assert 0 < paused < 100_000 and "paused" in job.result()[0]
    status = client.predict(*settings(), None, "both", api_name="/gan_step")[0]
    assert iteration(status) == paused + 1
    status = client.predict(*settings(), None, "d", api_name="/gan_step")[0]
    assert iteration(status) == paused + 2
    resumed = client.submit(100, api_name="/gan_resume")
    wait_for_outputs(resumed)
    client.predict(api_name="/gan_pause")
    after = iteration(resumed.result(timeout=60)[0])
    assert after > paused + 2
    status = client.predict(*settings(), None, api_name="/gan_reset")[0]
    assert iteration(status) == 0 and "ready" in status


def test_same_seed_same_curves_through_the_api(client):
    first = json.loads(start(client, 50, seed=5).result(timeout=60)[2]["plot"])
    second = json.loads(start(client, 50, seed=5).result(timeout=60)[2]["plot"])
    assert first["data"][0]["y"] == second["data"][0]["y"]


def test_two_sessions_share_nothing(server_url):
    a, b = Client(server_url, verbose=False), Client(server_url, verbose=False)
    long_run = start(a, 100_000, seed=1)
    wait_for_outputs(long_run)
    # b has no run of its own: resume is refused, and its first step builds a fresh run
    with pytest.raises(AppError, match="no run to resume"):
        b.predict(100, api_name="/gan_resume")
    assert iteration(b.predict(*settings(seed=2), None, "both", api_name="/gan_step")[0]) == 1
    short = start(b, 150, seed=2).result(timeout=120)[0]
    assert iteration(short) == 150
    assert not long_run.done()  # b's pause-free run did not stop a's
    a.predict(api_name="/gan_pause")
    paused = long_run.result(timeout=60)[0]
    assert "paused" in paused
    # a's step continues a's run, not b's
    assert iteration(a.predict(*settings(seed=1), None, "g", api_name="/gan_step")[0]) == iteration(paused) + 1


@pytest.mark.parametrize("change, message", [
    # sliders' bounds are checked before gradio's own check (components/input_guard.py)
    ({"lr_g": 0}, "above 0 and at most 1"), ({"lr_d": 1e9}, "at most 1"), ({"batch": 0}, "Batch size must be between 1 and 1024, got 0"),
    ({"dataset": "cats"}, "Data set must be one of"), ({"loss": "wasserstein"}, "Loss must be one of"),
    ({"noise_dim": 1000}, "Noise dimension must be between 1 and 64"), ({"seed": -3}, "Seed"), ({"arch": "conv"}, "digits only"),
    ({"dataset": "sketch"}, "drawing is empty"),
])
def test_bad_values_get_a_clear_message(client, change, message):
    with pytest.raises(AppError, match=message):
        start(client, 10, **change).result(timeout=60)


def test_bad_step_mode_and_iterations_get_a_message(client):
    with pytest.raises(AppError, match="One step of must be one of: d, g, both; got 'everything'"):
        client.predict(*settings(), None, "everything", api_name="/gan_step")
    with pytest.raises(AppError, match="Iterations"):
        start(client, 0).result(timeout=60)


def test_divergence_stops_training_with_a_message(client):
    status = start(client, 500, loss="lsgan", optimizer="sgd", lr_g=1.0, lr_d=1.0).result(timeout=60)[0]
    assert "diverged" in status and iteration(status) < 500


def test_a_drawing_becomes_the_data_set(client, tmp_path):
    import numpy as np
    from gradio_client import handle_file
    from PIL import Image

    stroke = np.zeros((120, 200, 4), np.uint8)
    stroke[40:80, 30:170] = (0, 0, 0, 255)  # a bar 140 px wide and 40 px high
    path = tmp_path / "stroke.png"
    Image.fromarray(stroke).save(path)
    drawing = {"background": None, "layers": [handle_file(str(path))], "composite": handle_file(str(path))}
    status, plane, _ = client.predict(*settings(dataset="sketch"), drawing, api_name="/gan_reset")
    assert iteration(status) == 0
    real = next(t for t in json.loads(plane["plot"])["data"] if t.get("name") == "real data")
    xs, ys = real["x"], real["y"]
    assert min(xs) < -2.3 and max(xs) > 2.3               # the long side spans the plane's [-2.5, 2.5]
    assert max(abs(y) for y in ys) < 2.5 * 40 / 139 + 0.05  # the short side keeps the drawing's aspect


def test_steps_sent_at_once_run_one_after_the_other(server_url):
    """A double-clicked Step: both iterations happen, on the same networks, without corrupting them."""
    fresh = Client(server_url, verbose=False)
    fresh.predict(*settings(seed=4), None, api_name="/gan_reset")
    jobs = [fresh.submit(*settings(seed=4), None, "both", api_name="/gan_step") for _ in range(4)]
    counts = sorted(iteration(job.result(timeout=60)[0]) for job in jobs)
    assert counts == [1, 2, 3, 4]


def test_export_gives_the_run_as_json_and_its_curves_as_csv(server_url):
    fresh = Client(server_url, verbose=False)
    with pytest.raises(AppError, match="nothing to export"):
        fresh.predict(api_name="/gan_export")
    start(fresh, 30, seed=2).result(timeout=60)
    json_path, csv_path = fresh.predict(api_name="/gan_export")
    document = json.load(open(json_path))
    assert document["lab"] == "gan" and document["settings"]["seed"] == 2 and document["data"]["iteration"] == 30
    assert len(document["data"]["curves"]["g_loss"]) == 30 and len(document["data"]["generated_samples"]) == 300
    lines = open(csv_path).read().splitlines()
    assert lines[0].startswith("iteration,d_loss,g_loss") and len(lines) == 31
