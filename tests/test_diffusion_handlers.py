"""The diffusion lab's handlers, imported and called without a server: what each answers, and
the messages for input that cannot be used."""

import gradio as gr
import numpy as np
import pytest
import torch
from diffusers import DDPMScheduler, UNet2DModel

from components.live import LiveSession
from components.settings import defaults
from components.threads import one_thread
from demos.diffusion import core, forward, tab, toy2d

TOY_SETTINGS = defaults(toy2d.Toy2DSettings)


def toy_settings(**change) -> list:
    """Every 2D setting in field order: the first parameters of the 2D start, step and reset handlers."""
    values = TOY_SETTINGS | change
    return [values[name] for name in TOY_SETTINGS]


def title(figure) -> str:
    return figure["layout"]["title"]["text"]


def trace_names(figure) -> list:
    return [trace.get("name") for trace in figure["data"]]


def test_2d_start_trains_to_the_target_then_samples_and_the_view_scrubs_it(monkeypatch):
    session = LiveSession()
    frames = list(tab.start_2d(*toy_settings(dataset="moons", train_steps=100, seed=2), None, session))
    returned, status, loss, slider, particles = frames[-1]
    assert returned is session and session.run.iteration == 100
    assert "Training step 100" in status and "reached the iteration target" in status
    assert "sampled with DDIM" in status and "model of step 100" in status
    assert len(loss["data"][0]["y"]) == 100 and "step 100 of 100" in title(loss)
    assert slider.value == slider.maximum == toy2d.LIMITS_2D.timesteps
    assert "1,000 particles at step 100 of 100" in title(particles)
    # the particles are the run's own sample: the model's denoising from the run's seed (on one
    # thread, as the lab samples: a different thread count may round differently)
    with one_thread():
        expected = toy2d.denoise(session.run.model, 2, sampler="ddim").paths[-1]
    drawn = next(t for t in particles["data"] if t.get("name") == "particles")
    np.testing.assert_allclose(np.stack([drawn["x"], drawn["y"]], 1), expected)
    # frames before the end do not redraw the step slider
    assert all(frame[3] == gr.skip() for frame in frames[:-1])
    # the run at rest shows at once, before its particles are sampled (components.live's quick_rest)
    _, resting, resting_loss, _, not_yet = frames[-2]
    assert "reached the iteration target" in resting and "Sampling 1,000 particles from the model of step 100" in resting
    assert not_yet == gr.skip()
    np.testing.assert_array_equal(resting_loss["data"][0]["y"], loss["data"][0]["y"])

    early = tab.particles_view(40, True, True, session)
    assert "at step 40 of 100" in title(early) and "score −ε_θ/√(1−ᾱ_t)" in trace_names(early)
    assert "score −ε_θ/√(1−ᾱ_t)" not in trace_names(tab.particles_view(40, False, True, session))
    # the paths are drawn under the particles, and can be left out so the samples stay in view
    assert trace_names(early)[-2:] == ["paths", "particles"]
    assert "paths" not in trace_names(tab.particles_view(40, True, False, session))
    # Play walks from the step shown to the last (from 0 when at the end), one figure a step
    monkeypatch.setattr(tab, "FRAMES_PER_SECOND", 10_000)
    frames = list(tab.play_2d(97, False, True, session))
    assert [step for step, _ in frames] == [97, 98, 99, 100]
    assert "at step 98 of 100" in title(frames[1][1])
    assert [step for step, _ in tab.play_2d(100, False, False, session)][:2] == [0, 1]


def test_2d_reset_step_and_sample_each_show_a_sampled_run():
    session = LiveSession()
    _, status, _, _, particles = tab.reset_2d(*toy_settings(dataset="moons"), None, session)
    assert "Training step 0" in status and "ready" in status and "model of step 0" in status
    assert "particles" in trace_names(particles)
    _, status, loss, _, _ = tab.step_2d(*toy_settings(dataset="moons"), None, session)
    assert "Training step 1" in status and "model of step 1" in status and len(loss["data"][0]["y"]) == 1
    ddim_final = session.run.sampled.particles.paths[-1]
    status, slider, particles = tab.sample_2d("ddpm", session)
    assert "DDPM" in status and "sampled again" in status and slider.value == toy2d.LIMITS_2D.timesteps
    assert session.run.sampler == "ddpm" and session.run.iteration == 1      # sampling trains nothing
    assert not np.array_equal(session.run.sampled.particles.paths[-1], ddim_final)


def test_2d_before_training_the_view_shows_the_data_alone():
    run = tab.new_run(toy2d.Toy2DSettings(dataset="moons"), None)
    figure = tab.particles_figure(run, 0, True, "en")
    assert trace_names(figure) == ["training data"] and "particles appear" in title(figure)
    assert len(figure["data"][0]["x"]) == toy2d.LIMITS_2D.shown_data


def test_2d_actions_without_a_run_or_with_bad_values_are_explained():
    fresh = LiveSession()
    with pytest.raises(gr.Error, match="train the 2D model first"):
        tab.particles_view(10, True, True, fresh)
    with pytest.raises(gr.Error, match="train the 2D model first"):
        list(tab.play_2d(10, True, True, fresh))
    with pytest.raises(gr.Error, match="train the 2D model first"):
        tab.sample_2d("ddim", fresh)
    with pytest.raises(gr.Error, match="no run to resume"):
        list(tab.resume_2d(100, fresh))
    with pytest.raises(gr.Error, match="Sampler must be one of"):
        tab.sample_2d("heun", fresh)
    with pytest.raises(gr.Error, match="Training steps must be between 100 and 6000"):
        list(tab.resume_2d(0, fresh))
    with pytest.raises(gr.Error, match="drawing is empty"):
        tab.reset_2d(*toy_settings(dataset="sketch"), None, fresh)


def test_forward_view_caption_has_the_closed_form_weights():
    """The caption's numbers against diffusers' ᾱ_t for the same schedule and t (the oracle)."""
    x0, xt, caption, strip, schedules = tab.forward_views("digit", "3", 0, "china", "linear", 600, 0)
    alpha_bar = float(DDPMScheduler(num_train_timesteps=1000, beta_schedule="linear").alphas_cumprod[600])
    assert f"ᾱ_t = {alpha_bar:.4f}" in caption
    assert f"√ᾱ_t = {alpha_bar ** 0.5:.3f}" in caption and f"√(1−ᾱ_t) = {(1 - alpha_bar) ** 0.5:.3f}" in caption
    assert x0.shape == xt.shape and not np.array_equal(x0, xt)
    assert len(strip["layout"]["xaxis"]["ticktext"]) == len(forward.STRIP_TIMESTEPS)
    with pytest.raises(gr.Error, match="between 0 and 1796"):
        tab.forward_views("index", "3", 1797, "china", "linear", 600, 0)


@pytest.fixture(scope="module")
def trajectory():
    torch.manual_seed(0)
    unet = UNet2DModel(sample_size=8, in_channels=1, out_channels=1, block_out_channels=(8, 16),
                       down_block_types=("DownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "UpBlock2D"),
                       layers_per_block=1, norm_num_groups=4, num_class_embeds=11).eval()
    config = DDPMScheduler(num_train_timesteps=100, beta_schedule="squaredcos_cap_v2", clip_sample=False).config
    return core.run(unet, config, core.SampleSettings(steps=5, images=2, digit="4"))[1]


def test_show_step_and_play_read_the_session_s_trajectory(trajectory):
    xt, x0, caption = tab.show_step(trajectory, 2)
    assert caption.startswith("Step 2 of 5") and xt.shape == x0.shape
    assert [frame[0] for frame in tab.play(trajectory, 5)] == [1, 2, 3, 4, 5]   # from the end: from the start
    assert [frame[0] for frame in tab.play(trajectory, 3)] == [3, 4, 5]
    with pytest.raises(gr.Error, match="between 1 and 5"):
        tab.show_step(trajectory, 6)
    with pytest.raises(gr.Error, match="press “Denoise” first"):
        tab.show_step(None, 1)
    with pytest.raises(gr.Error, match="press “Denoise” first"):
        list(tab.play(None, 1))


def test_compare_and_denoise_refuse_what_they_cannot_run():
    values = defaults(core.CompareSettings)
    with pytest.raises(gr.Error, match="between 2 and 4 schedulers"):
        list(tab.compare(*values.values(), ["ddim"]))
    with pytest.raises(gr.Error, match="Unknown model 'cats'"):
        list(tab.denoise(*(defaults(core.SampleSettings) | {"model": "cats"}).values()))


def test_trajectory_gifs_older_than_an_hour_are_removed(trajectory, tmp_path, monkeypatch):
    """Files handed to the page do not pile up: writing a GIF removes those past GIF_MAX_AGE_S."""
    import os
    import time

    monkeypatch.setattr(tab, "GIF_DIR", tmp_path)
    old, recent = tmp_path / "trajectory-old.gif", tmp_path / "trajectory-recent.gif"
    for path, age in ((old, tab.GIF_MAX_AGE_S + 60), (recent, 60)):
        path.write_bytes(b"GIF89a")
        os.utime(path, (time.time() - age, time.time() - age))
    made = tab._gif_file(trajectory)
    assert not old.exists() and recent.exists()
    assert made.startswith(str(tmp_path)) and open(made, "rb").read(6) == b"GIF89a"
    assert tab._gif_file(trajectory) == made          # named by content: the same trajectory, the same file


def test_the_forward_view_shows_only_the_chosen_sources_control():
    shown = [update["visible"] for update in tab.source_controls("index")]
    assert shown == [False, True, False]   # digit, index, photo


def test_export_holds_the_last_sample_and_the_2d_run(monkeypatch):
    import csv
    import json

    values = defaults(core.SampleSettings) | {"steps": 3, "images": 2, "digit": "5", "seed": 4}
    *_, out = tab.denoise(*values.values())
    trajectory, record = out[1], out[-1]
    session = LiveSession()
    list(tab.start_2d(*toy_settings(dataset="moons", train_steps=100), None, session))
    json_path, csv_path = tab.export(record, session)
    document = json.loads(open(json_path, encoding="utf-8").read())
    assert document["lab"] == "diffusion" and document["settings"] == values
    sample = document["data"]["sample"]
    np.testing.assert_allclose(sample["final_images"], trajectory.x_t[-1], atol=1e-6)   # DDIM ends at t = 0, unscaled
    np.testing.assert_allclose(sample["x_t_std"], core.step_curves(trajectory).std, rtol=1e-6)
    assert len(sample["classifier"]["digit"]) == 2
    toy = document["data"]["toy2d"]
    assert toy["iteration"] == 100 and len(toy["losses"]) == 100 and len(toy["particles"]) == 1000
    rows = list(csv.reader(open(csv_path, encoding="utf-8")))
    assert rows[0] == ["step", "loss"] and len(rows) == 101
    assert float(rows[1][1]) == pytest.approx(session.run.losses[0], rel=1e-5)
    with pytest.raises(gr.Error, match="nothing to export yet"):
        tab.export(None, LiveSession())
