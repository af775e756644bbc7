"""The diffusion lab through its API, on the bundled digits model."""

import json

import numpy as np
import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from components import models
from components.digits import classify
from demos.diffusion import core, tab, toy2d

COMPARE_STEPS = [tab.COMPARE_STEPS[n] for n in core.SAMPLERS]


def sample(client, scheduler="ddim", steps=12, images=4, digit="3", guidance=3.0, eta=0.0, seed=0):
    return client.predict("digits-ddpm", scheduler, steps, images, digit, guidance, eta, seed,
                          api_name="/diffusion_sample")


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
    final, _ = core.run(unet, config, core.validated("ddim", 12, 4, 3, 3.0, 0.0, 0), record=False)
    from demos.diffusion import images

    expected = images.tile(final.numpy(), images.grid_columns(4), images.scale_for(16))
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


# Sliders and dropdowns are checked by gradio before our handler (its English message); our
# own checks (tests/test_diffusion_core.py) answer the same values when gradio's are bypassed.
@pytest.mark.parametrize("overrides,message", [
    ({"steps": 0}, "less than minimum value 1"),
    ({"steps": core.LIMITS.max_steps + 1}, f"greater than maximum value {core.LIMITS.max_steps}"),
    ({"guidance": -1.0}, "less than minimum value 0"),
    ({"digit": "12"}, "not in the list of choices"),
    ({"images": core.LIMITS.max_images + 1}, "greater than maximum value"),
    ({"scheduler": "lms"}, "not in the list of choices"),
])
def test_bad_sampling_input_gets_a_clear_message(client, overrides, message):
    with pytest.raises(AppError, match=message):
        sample(client, **overrides)


def test_step_before_any_sample_is_explained(server_url):
    from gradio_client import Client

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
    with pytest.raises(AppError, match="greater than maximum value 999"):
        client.predict("digit", "3", 0, "china", "cosine", 1000, 0, api_name="/diffusion_forward")
    with pytest.raises(AppError, match="must be between 0 and 1796, got 5000"):
        client.predict("index", "3", 5000, "china", "cosine", 10, 0, api_name="/diffusion_forward")
    with pytest.raises(AppError, match="not in the list of choices"):
        client.predict("digit", "3", 0, "china", "sigmoid", 10, 0, api_name="/diffusion_forward")


def test_compare_schedulers_and_determinism_note(client):
    plot, note = client.predict("digits-ddpm", ["ddim", "dpmpp"], *[5, 6, 4, 5, 5], 2, "1", 2.0, 0,
                                api_name="/diffusion_compare")
    figure = json.loads(plot["plot"])
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert titles[0].startswith("DDIM: 6 steps, 12 evaluations") and titles[1].startswith("DPM-Solver++: 4 steps")
    assert "**0** with DDIM" in note
    with pytest.raises(AppError, match="between 2 and 4 schedulers"):
        client.predict("digits-ddpm", ["ddim"], *COMPARE_STEPS, 2, "1", 2.0, 0, api_name="/diffusion_compare")


def test_2d_training_streams_and_the_view_shows_particles(client):
    job = client.submit("eight_gaussians", None, 3000, "ddpm", 0, api_name="/diffusion_2d_train")
    outputs = job.result()
    streamed = job.outputs()
    assert len(streamed) >= 3                                   # updates while training, then the result
    curve_lengths = [len(json.loads(out[1]["plot"])["data"][0]["y"]) for out in streamed]
    assert curve_lengths == sorted(curve_lengths) and curve_lengths[0] < 3000 == curve_lengths[-1]
    note, loss_plot, step, _particles = outputs
    assert "Trained 3000 steps" in note
    loss = json.loads(loss_plot["plot"])
    assert len(loss["data"][0]["y"]) == 3000
    assert step["value"] == step["maximum"] == toy2d.LIMITS_2D.timesteps
    view = json.loads(client.predict(50, True, api_name="/diffusion_2d_view")["plot"])
    names = [trace.get("name") for trace in view["data"]]
    assert "particles" in names and "score −ε_θ/√(1−ᾱ_t)" in names
    assert "step 50 of 100" in view["layout"]["title"]["text"]


def test_2d_empty_drawing_is_refused(client, tmp_path):
    blank = tmp_path / "blank.png"
    Image.fromarray(np.zeros((64, 64, 4), np.uint8)).save(blank)
    drawing = {"background": None, "layers": [], "composite": handle_file(str(blank))}
    with pytest.raises(AppError, match="drawing is empty"):
        client.predict("sketch", drawing, 300, "ddim", 0, api_name="/diffusion_2d_train")


def test_2d_training_on_a_drawing(client, tmp_path):
    """A drawn ring (RGBA, ink in the alpha channel, as the sketch pad sends it) becomes the data."""
    canvas = np.zeros((120, 120, 4), np.uint8)
    yy, xx = np.mgrid[:120, :120]
    canvas[np.abs(np.hypot(yy - 60, xx - 60) - 40) < 3] = (0, 0, 0, 255)
    drawn = tmp_path / "ring.png"
    Image.fromarray(canvas).save(drawn)
    drawing = {"background": None, "layers": [], "composite": handle_file(str(drawn))}
    note, _, _, particles = client.predict("sketch", drawing, 200, "ddim", 0, api_name="/diffusion_2d_train")
    assert "Trained 200 steps" in note
    data = next(t for t in json.loads(particles["plot"])["data"] if t["name"] == "training data")
    radius = np.hypot(np.asarray(data["x"]), np.asarray(data["y"]))
    assert radius.std() < 0.1 * radius.mean()          # standardised ring: every point at the same radius
