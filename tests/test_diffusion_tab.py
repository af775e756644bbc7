"""The diffusion lab's redraws on a change of language (issue 15), called without a server: what
was drawn in English comes again in Chinese from what the session kept — the last sample's
trajectory and record, the last comparison, the 2D run at rest — with no model call and no
training."""

import re

import gradio as gr
import pytest

from components import models
from components.i18n import translate
from components.live import LiveSession
from components.settings import controls, defaults
from demos.diffusion import core, tab, toy2d

SAMPLE = defaults(core.SampleSettings) | {"steps": 6, "images": 3, "digit": "7", "seed": 11}
COMPARE = defaults(core.CompareSettings) | {"images": 2, "steps_ddpm": 4, "steps_ddim": 4, "steps_dpmpp": 4}
TOY = defaults(toy2d.Toy2DSettings) | {"dataset": "moons", "train_steps": 100, "seed": 2}
SKIP = type(gr.skip())


@pytest.fixture()
def no_model_calls(monkeypatch):
    """Any UNet evaluation, 2D sampling or training step fails the test."""
    unet, _ = models.load_ddpm(SAMPLE["model"])

    def refuse(*_args, **_kwargs):
        raise AssertionError("computed again")

    def arm():
        monkeypatch.setattr(type(unet), "forward", refuse)
        monkeypatch.setattr(toy2d, "sample", refuse)
        monkeypatch.setattr(toy2d.Toy2DRun, "train_step", refuse)

    return arm


def test_the_last_sample_s_notes_caption_and_plots_come_again_in_chinese(no_model_calls):
    *_, last = tab.denoise(*[SAMPLE[name] for name in controls(core.SampleSettings)])
    notes, trajectory, slider, _, _, caption, time_grid, curves, _, record = last
    assert notes.startswith(translate(f"dif_sched_{SAMPLE['scheduler']}", "en"))   # drawn in English
    no_model_calls()
    out = tab.reverse_redraw.__wrapped__(notes, trajectory, 3, record, lang="zh")
    zh_notes, zh_caption, zh_grid, zh_curves = out
    settings = core.SampleSettings(**record["settings"])
    assert zh_notes.startswith(translate("dif_note_summary", "zh", scheduler=translate(f"dif_sched_{settings.scheduler}", "zh"),
                                         steps=6, calls=record["data"]["model_calls_per_image"],
                                         seconds=record["seconds"]))
    assert zh_caption == translate("dif_note_step", "zh", step=3, total=6, t=f"{trajectory.timesteps[2]:g}",
                                   after=f"{trajectory.timesteps_after[2]:g}")
    for figure in (zh_grid, zh_curves):
        assert re.search(r"[\u4e00-\u9fff]", figure["layout"]["title"]["text"]), figure["layout"]["title"]
    # nothing sampled yet, or a sample under way (its first view emptied the notes): nothing
    assert all(isinstance(v, SKIP) for v in tab.reverse_redraw.__wrapped__("", None, 1, None, lang="zh"))
    assert all(isinstance(v, SKIP) for v in tab.reverse_redraw.__wrapped__("", trajectory, 3, record, lang="zh"))


def test_the_last_comparison_comes_again_in_chinese_and_the_api_still_answers_two_values(no_model_calls):
    args = [COMPARE[name] for name in controls(core.CompareSettings)]
    *_, (plot, note, kept) = tab.compare_kept(*args, ["ddim", "dpmpp"])
    assert all(len(frame) == 2 for frame in tab.compare(*args, ["ddim", "ddpm"]))
    no_model_calls()
    zh_plot, zh_note = tab.compare_redraw.__wrapped__(kept, lang="zh")
    results, gaps = kept
    assert zh_note == translate("dif_note_determinism", "zh", **gaps)
    texts = " ".join(a.get("text", "") for a in zh_plot["layout"].get("annotations", []))
    first = results[0]
    assert translate("dif_panel_title", "zh", scheduler=translate(f"dif_sched_{first.scheduler}", "zh"),
                     steps=first.steps, calls=first.model_calls, seconds=first.seconds) in texts
    assert all(isinstance(v, SKIP) for v in tab.compare_redraw.__wrapped__(None, lang="zh"))


def test_the_2d_run_at_rest_comes_again_in_chinese_without_sampling_or_training(no_model_calls):
    session = LiveSession()
    view = toy2d.ParticleView(step=40, show_field=True, show_paths=False)
    assert all(isinstance(v, SKIP) for v in tab.redraw_2d.__wrapped__(view, session, lang="zh"))
    list(tab.start_2d(*[TOY[name] for name in controls(toy2d.Toy2DSettings)], None, session))
    run, losses, sampled = session.run, list(session.run.losses), session.run.sampled
    no_model_calls()
    status, loss, particles = tab.redraw_2d.__wrapped__(view, session, lang="zh")
    assert run.iteration == 100 and list(run.losses) == losses and run.sampled is sampled
    assert status.startswith(translate("dif_2d_status", "zh", step=100, note=translate("live_done", "zh")))
    for figure in (loss, particles):
        assert re.search(r"[\u4e00-\u9fff]", figure["layout"]["title"]["text"]), figure["layout"]["title"]


def test_a_2d_run_sampled_again_keeps_its_note_in_the_new_language():
    session = LiveSession()
    tab.step_2d(*[TOY[name] for name in controls(toy2d.Toy2DSettings)], None, session)
    tab.sample_2d("ddim", session)
    status, *_ = tab.redraw_2d.__wrapped__(toy2d.ParticleView(), session, lang="zh")
    assert status.startswith(translate("dif_2d_status", "zh", step=1, note=translate("dif_2d_note_sampled", "zh")))


def test_the_forward_view_s_caption_and_plots_come_again_in_chinese_and_its_pictures_stay():
    from demos.diffusion import forward

    settings = forward.ForwardSettings()
    x0, xt, caption, strip, schedules = tab.forward_redraw.__wrapped__(settings, lang="zh")
    assert isinstance(x0, SKIP) and isinstance(xt, SKIP)
    weights = forward.coefficients(settings.schedule, settings.t)
    assert caption == translate("dif_fwd_caption", "zh", t=settings.t, alpha_bar=weights.alpha_bar, signal=weights.signal,
                                noise=weights.noise, snr=weights.snr)
    for figure in (strip, schedules):
        assert re.search(r"[\u4e00-\u9fff]", figure["layout"]["title"]["text"]), figure["layout"]["title"]
