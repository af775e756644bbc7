"""The diffusion lab through its API, on the bundled digits model."""

import json
import re
import time

import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from components import models
from components.digits import classify
from components.settings import defaults
from demos.diffusion import core, toy2d

COMPARE = defaults(core.CompareSettings)
TOY = defaults(toy2d.Toy2DSettings)


def sample(client, scheduler="ddim", steps=12, images=4, digit="3", guidance=3.0, eta=0.0, seed=0, model="digits-ddpm"):
    """/diffusion_sample's parameters are core.SampleSettings' fields, in order."""
    return client.predict(model, scheduler, steps, images, digit, guidance, eta, seed, api_name="/diffusion_sample")


def picture(value) -> np.ndarray:
    return np.asarray(Image.open(value if isinstance(value, str) else value["path"]))


def test_sample_returns_the_recorded_trajectory_and_its_views(client):
    note, step, xt, _x0, caption, grid, curves, gif = sample(client)
    assert "12 steps" in note and "24 UNet evaluations" in note          # guided: two predictions per step
    assert "classifier reads" in note
    assert step["value"] == step["maximum"] == 12 and "Step 12 of 12" in caption
    animation = Image.open(gif)
    durations = []
    for frame in range(animation.n_frames):      # PIL merges identical frames and adds their durations
        animation.seek(frame)
        durations.append(animation.info["duration"])
    assert sum(durations) == 11 * 80 + 1500      # one frame per step, the last one held
    assert json.loads(grid["plot"])["data"][0]["type"] == "image"
    curve = json.loads(curves["plot"])["data"]
    assert len(curve) == 2 and len(curve[0]["y"]) == 12
    # the last step's x_t is the final sample: the same as calling the loop directly
    unet, config = models.load_ddpm("digits-ddpm")
    settings = core.SampleSettings(scheduler="ddim", steps=12, images=4, digit="3", guidance=3.0)
    final, _ = core.run(unet, config, settings, record=False)
    from demos.diffusion import images

    expected = images.tile(final.numpy(), images.shown_columns(4), images.scale_for(16, images.DIGIT_PX))
    np.testing.assert_array_equal(picture(xt)[..., :3], expected)
    # real digits' pixels lie in [-1, 1] with std ≈ 0.7: a sample that blew up would be far outside
    assert final.abs().max() < 2 and 0.4 < final.std() < 1.2
    digits, _ = classify(final)
    assert (digits == 3).float().mean() >= 0.75


def test_scrubbing_changes_the_picture_and_play_walks_to_the_end(client):
    sample(client, steps=10, images=2)
    early_xt, _, early_caption = client.predict(2, api_name="/diffusion_step")
    late_xt, _, late_caption = client.predict(9, api_name="/diffusion_step")
    assert "Step 2 of 10: x̂₀ predicted at t = 800, x_t now at t = 700" in early_caption
    assert "Step 9 of 10" in late_caption
    assert not np.array_equal(picture(early_xt), picture(late_xt))
    *_, last_caption = client.predict(8, api_name="/diffusion_play")
    assert "Step 10 of 10" in last_caption and "x_t now at t = 0" in last_caption


def test_same_seed_same_images_and_every_scheduler_runs(client):
    a, b = sample(client, seed=5), sample(client, seed=5)
    np.testing.assert_array_equal(picture(a[2]), picture(b[2]))
    for name in core.SAMPLERS:
        note, *_ = sample(client, scheduler=name, steps=6, images=2, digit="any")
        assert "6 UNet evaluations" in note and "unconditionally" in note


# Sliders are checked against their bounds before gradio's own check (components/input_guard.py);
# dropdowns accept any text on the page, and the settings check answers.
@pytest.mark.parametrize("overrides,message", [
    ({"steps": 0}, "Denoising steps must be between 1 and 200, got 0"),
    ({"steps": 201}, "Denoising steps must be between 1 and 200, got 201"),
    ({"guidance": -1.0}, "Guidance scale w must be between 0 and 10, got -1"),
    ({"digit": "12"}, "Digit must be one of: any, 0, 1"),
    ({"images": 17}, "Images must be between 1 and 16, got 17"),
    ({"scheduler": "lms"}, "Scheduler must be one of: ddpm, ddim"),
    ({"model": "cats"}, "Unknown model 'cats'"),
])
def test_bad_sampling_input_gets_a_clear_message(client, overrides, message):
    with pytest.raises(AppError, match=message):
        sample(client, **overrides)


def test_step_before_any_sample_is_explained(server_url):
    fresh = Client(server_url, verbose=False)
    with pytest.raises(AppError, match="press “Denoise” first"):
        fresh.predict(3, api_name="/diffusion_step")


def test_forward_process_views(client):
    x0, xt, caption, _strip, schedules = client.predict("digit", "3", 0, "china", "cosine", 500, 0,
                                                       api_name="/diffusion_forward")
    assert "t = 500" in caption and "ᾱ_t = 0.49" in caption
    assert picture(x0).shape == picture(xt).shape
    assert len(json.loads(schedules["plot"])["data"]) == 9      # 3 schedules × (β, ᾱ, SNR)
    photo_x0, *_ = client.predict("photo", "3", 0, "flower", "linear", 999, 0, api_name="/diffusion_forward")
    assert picture(photo_x0).shape[0] > 100
    with pytest.raises(AppError, match="Timestep t must be between 0 and 999, got 1000"):
        client.predict("digit", "3", 0, "china", "cosine", 1000, 0, api_name="/diffusion_forward")
    with pytest.raises(AppError, match="must be between 0 and 1796, got 5000"):
        client.predict("index", "3", 5000, "china", "cosine", 10, 0, api_name="/diffusion_forward")
    with pytest.raises(AppError, match="Noise schedule must be one of: linear, scaled_linear, cosine"):
        client.predict("digit", "3", 0, "china", "sigmoid", 10, 0, api_name="/diffusion_forward")


def compare(client, schedulers, **change):
    """/diffusion_compare's parameters: core.CompareSettings' fields in order, then the schedulers."""
    return client.predict(*(COMPARE | change).values(), schedulers, api_name="/diffusion_compare")


def test_compare_schedulers_and_determinism_note(client):
    plot, note = compare(client, ["ddim", "dpmpp"], steps_ddpm=5, steps_ddim=6, steps_dpmpp=4, steps_euler=5,
                         steps_euler_a=5, images=2, digit="1", guidance=2.0)
    figure = json.loads(plot["plot"])
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    # one line each: scheduler, steps, UNet evaluations (two per step with guidance), seconds
    assert titles[0].split("<br>")[:3] == ["DDIM", "6 steps", "12 evaluations"]
    assert titles[1].split("<br>")[:2] == ["DPM-Solver++", "4 steps"]
    assert "**0** with DDIM" in note
    with pytest.raises(AppError, match="between 2 and 4 schedulers"):
        compare(client, ["ddim"], images=2, digit="1")


def start_2d(client, sketch=None, **change):
    """/diffusion_2d_start: toy2d.Toy2DSettings' fields in order, then the sketch."""
    return client.submit(*(TOY | change).values(), sketch, api_name="/diffusion_2d_start")


def training_step(status: str) -> int:
    return int(re.search(r"Training step (\d+)", status).group(1))


def wait_for_outputs(job, n=2, timeout=120):
    deadline = time.time() + timeout
    while len(job.outputs()) < n:
        assert time.time() < deadline, "no streamed output"
        time.sleep(0.05)


def test_2d_training_streams_and_the_view_shows_particles(client):
    job = start_2d(client, dataset="eight_gaussians", train_steps=3000, sampler="ddpm")
    outputs = job.result(timeout=600)
    streamed = job.outputs()
    assert len(streamed) >= 3                                   # updates while training, then the result
    curve_lengths = [len(json.loads(out[1]["plot"])["data"][0]["y"]) for out in streamed]
    assert curve_lengths == sorted(curve_lengths) and curve_lengths[0] < 3000 == curve_lengths[-1]
    note, loss_plot, step, _particles = outputs
    assert training_step(note) == 3000 and "reached the iteration target" in note
    loss = json.loads(loss_plot["plot"])
    assert len(loss["data"][0]["y"]) == 3000
    assert step["value"] == step["maximum"] == toy2d.LIMITS_2D.timesteps
    view = json.loads(client.predict(50, True, True, api_name="/diffusion_2d_view")["plot"])
    names = [trace.get("name") for trace in view["data"]]
    assert "particles" in names and "score −ε_θ/√(1−ᾱ_t)" in names
    assert "step 50 of 100" in view["layout"]["title"]["text"]


def test_2d_pause_samples_the_run_and_resume_step_sample_reset_continue_it(server_url):
    learner = Client(server_url, verbose=False)
    job = start_2d(learner, dataset="moons", train_steps=6000)
    wait_for_outputs(job)
    learner.predict(api_name="/diffusion_2d_pause")
    status, _, step, particles = job.result(timeout=120)
    paused = training_step(status)
    assert 0 < paused < 6000 and "paused" in status and f"model of step {paused}" in status
    assert step["value"] == toy2d.LIMITS_2D.timesteps
    assert "1,000 particles at step 100 of 100" in json.loads(particles["plot"])["layout"]["title"]["text"]
    status, _, _ = learner.predict("ddpm", api_name="/diffusion_2d_sample")
    assert "DDPM" in status and training_step(status) == paused
    status = learner.predict(*TOY.values(), None, api_name="/diffusion_2d_step")[0]
    assert training_step(status) == paused + 1
    resumed = learner.submit(100, api_name="/diffusion_2d_resume")
    wait_for_outputs(resumed)
    learner.predict(api_name="/diffusion_2d_pause")
    assert training_step(resumed.result(timeout=120)[0]) > paused + 1
    status = learner.predict(*TOY.values(), None, api_name="/diffusion_2d_reset")[0]
    assert training_step(status) == 0 and "ready" in status


def test_2d_view_and_sample_before_any_run_are_explained(server_url):
    fresh = Client(server_url, verbose=False)
    with pytest.raises(AppError, match="train the 2D model first"):
        fresh.predict(50, True, True, api_name="/diffusion_2d_view")
    with pytest.raises(AppError, match="train the 2D model first"):
        fresh.predict("ddim", api_name="/diffusion_2d_sample")


def test_2d_empty_drawing_is_refused(client, tmp_path):
    blank = tmp_path / "blank.png"
    Image.fromarray(np.zeros((64, 64, 4), np.uint8)).save(blank)
    drawing = {"background": None, "layers": [], "composite": handle_file(str(blank))}
    with pytest.raises(AppError, match="drawing is empty"):
        start_2d(client, drawing, dataset="sketch", train_steps=300).result(timeout=60)


def test_2d_training_on_a_drawing(client, tmp_path):
    """A drawn ring (RGBA, ink in the alpha channel, as the sketch pad sends it) becomes the data."""
    canvas = np.zeros((120, 120, 4), np.uint8)
    yy, xx = np.mgrid[:120, :120]
    canvas[np.abs(np.hypot(yy - 60, xx - 60) - 40) < 3] = (0, 0, 0, 255)
    drawn = tmp_path / "ring.png"
    Image.fromarray(canvas).save(drawn)
    drawing = {"background": None, "layers": [], "composite": handle_file(str(drawn))}
    note, _, _, particles = start_2d(client, drawing, dataset="sketch", train_steps=200).result(timeout=300)
    assert training_step(note) == 200
    data = next(t for t in json.loads(particles["plot"])["data"] if t["name"] == "training data")
    radius = np.hypot(np.asarray(data["x"]), np.asarray(data["y"]))
    assert radius.std() < 0.1 * radius.mean()          # standardised ring: every point at the same radius


def test_export_downloads_the_last_sample(server_url):
    learner = Client(server_url, verbose=False)
    sample(learner, steps=4, images=2, digit="8", seed=5)
    [file] = learner.predict(api_name="/diffusion_export")   # this learner trained no 2D run: JSON only
    with open(file if isinstance(file, str) else file["path"], encoding="utf-8") as f:
        document = json.load(f)
    assert document["settings"]["digit"] == "8" and document["settings"]["seed"] == 5
    unet, config = models.load_ddpm("digits-ddpm")
    final, _ = core.run(unet, config, core.SampleSettings(steps=4, images=2, digit="8", seed=5), record=False)
    np.testing.assert_allclose(document["data"]["sample"]["final_images"], final.numpy(), atol=1e-5)
