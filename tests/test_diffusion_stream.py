"""The streamed Denoise and Compare buttons (/diffusion_sample, /diffusion_compare): their steps
computed in turns at the CPU, a first view after the first turn (for a sample, x_t and x̂0 of that
step, "denoising…"), views that skip what is not ready, and a last view equal to what the whole
work computed directly gives for the same seed."""

import dataclasses

import gradio as gr
import numpy as np
import pytest

from components import live, models
from components.settings import controls, defaults, parse
from components.threads import one_thread
from demos.diffusion import core, tab
from demos.diffusion import images as pictures
from tests.cpu_turns import CountingTurns

VALUES = defaults(core.SampleSettings) | {"steps": 6, "images": 3, "digit": "7", "seed": 11}
ARGS = [VALUES[name] for name in controls(core.SampleSettings)]
SKIP = gr.skip()


@pytest.fixture
def counted(monkeypatch):
    """The denoising steps computed so far (their numbers) and the turns taken; a turn computes
    one step (a zero-length slice) and every view is due at once (no throttling)."""
    computed = []
    denoising_steps = core.denoising_steps

    def counting(*args, **kwargs):
        for step in denoising_steps(*args, **kwargs):
            computed.append(step.number)
            yield step

    monkeypatch.setattr(core, "denoising_steps", counting)
    turns = CountingTurns()
    monkeypatch.setattr(live, "CPU", turns)
    monkeypatch.setattr(live, "LIMITS", dataclasses.replace(live.LIMITS, slice_s=0.0))
    monkeypatch.setattr(tab, "PREVIEW_INTERVAL_S", 0.0)
    return computed, turns


@pytest.fixture(scope="module")
def oracle():
    """The same request through core.run in one call, on one thread as the handler computes (two
    threads sum in another order: differences of 1e-6): the final sample and its trajectory."""
    unet, config = models.load_ddpm(VALUES["model"])
    with one_thread():
        return core.run(unet, config, parse(core.SampleSettings, VALUES))


def shown(batch: np.ndarray) -> np.ndarray:
    return pictures.tile(batch, pictures.shown_columns(len(batch)), pictures.scale_for(batch.shape[-1],
                                                                                       pictures.DIGIT_PX))


def test_the_first_view_comes_after_the_first_step_and_says_it_goes_on(counted, oracle):
    computed, turns = counted
    notes, trajectory, slider, xt, x0, caption, time_grid, curves, gif, record = next(tab.denoise(*ARGS))
    assert computed == [1] and turns.taken == 1 and not turns.held
    assert caption == "Step 1 of 6, denoising…"
    _, expected = oracle
    np.testing.assert_array_equal(xt, shown(expected.x_t[0]))
    np.testing.assert_array_equal(x0, shown(expected.pred_x0[0]))
    # nothing of a last sample stays beside this one; the states and slider keep it until the end
    assert (notes, time_grid, curves, gif) == ("", None, None, None)
    assert trajectory == SKIP and slider == SKIP and record == SKIP


def test_one_view_per_step_each_in_its_own_turn_skipping_what_is_not_ready(counted, oracle):
    computed, turns = counted
    frames = []
    for frame in tab.denoise(*ARGS):
        assert not turns.held             # no turn is held across a yield
        frames.append((list(computed), frame))
    assert [steps for steps, _ in frames] == [list(range(1, n + 1)) for n in range(1, 7)]
    assert turns.taken == 6 and turns.firsts == [True] + [False] * 5   # the turn before the first view goes first
    _, expected = oracle
    for number, (_, frame) in enumerate(frames[1:-1], start=2):
        notes, trajectory, slider, xt, x0, caption, time_grid, curves, gif, record = frame
        assert caption == f"Step {number} of 6, denoising…"
        np.testing.assert_array_equal(xt, shown(expected.x_t[number - 1]))
        assert all(view == SKIP for view in (notes, trajectory, slider, time_grid, curves, gif, record))


def test_views_come_no_more_often_than_the_interval(counted, monkeypatch):
    """With an interval longer than the run: the first view, then only the last."""
    monkeypatch.setattr(tab, "PREVIEW_INTERVAL_S", 1e9)
    frames = list(tab.denoise(*ARGS))
    assert len(frames) == 2 and frames[0][5] == "Step 1 of 6, denoising…"
    assert isinstance(frames[-1][1], core.Trajectory)


def test_a_slice_computes_several_steps_in_one_turn(counted, monkeypatch):
    computed, turns = counted
    monkeypatch.setattr(live, "LIMITS", dataclasses.replace(live.LIMITS, slice_s=1e9))
    [frame] = list(tab.denoise(*ARGS))    # the whole run in the first turn: its last view only
    assert computed == list(range(1, 7)) and turns.taken == 1
    assert isinstance(frame[1], core.Trajectory)


def test_the_last_view_equals_the_sample_computed_directly(oracle):
    """The oracle: core.run for the same settings and seed, in one call."""
    *_, last = tab.denoise(*ARGS)
    notes, trajectory, slider, xt, x0, caption, time_grid, curves, gif, record = last
    final, expected = oracle
    np.testing.assert_array_equal(trajectory.x_t, expected.x_t)
    np.testing.assert_array_equal(trajectory.pred_x0, expected.pred_x0)
    assert trajectory.timesteps == expected.timesteps
    np.testing.assert_array_equal(xt, shown(expected.x_t[-1]))
    np.testing.assert_array_equal(x0, shown(expected.pred_x0[-1]))
    assert caption.startswith("Step 6 of 6: x̂₀ predicted at t = ") and "denoising" not in caption
    assert slider.maximum == slider.value == 6
    np.testing.assert_array_equal(record["data"]["final_images"], final)
    assert "12 UNet evaluations per image" in notes        # 6 guided steps: two predictions each
    assert time_grid["data"] and curves["data"] and open(gif, "rb").read(6) == b"GIF89a"


def test_a_refused_request_fails_before_any_turn(counted):
    computed, turns = counted
    with pytest.raises(gr.Error, match="Unknown model 'cats'"):
        next(tab.denoise(*(VALUES | {"model": "cats"}).values()))
    assert computed == [] and turns.taken == 0


COMPARE = defaults(core.CompareSettings) | {"steps_ddpm": 4, "steps_ddim": 3, "steps_dpmpp": 2, "images": 2, "seed": 5}
COMPARE_ARGS = [COMPARE[name] for name in controls(core.CompareSettings)]
SCHEDULERS = ["ddpm", "ddim", "dpmpp"]


def test_compare_streams_a_step_a_turn_and_ends_as_computed_directly(counted):
    """Each turn one item of the work: a denoising step (4 + 3 + 2 for the schedulers, 4 × 3 for
    the determinism check), a finished run, or the check's result. The oracle: core.compare and
    core.determinism_gaps in one call, on one thread."""
    computed, turns = counted
    frames = []
    for frame in tab.compare(*COMPARE_ARGS, SCHEDULERS):
        assert not turns.held
        frames.append((len(computed), frame))
    steps = 4 + 3 + 2 + 4 * 3
    assert turns.taken == len(frames) == steps + 3 + 1
    assert turns.firsts == [True] + [False] * (turns.taken - 1)
    assert frames[0] == (1, (None, "Comparing… 1 of 21 denoising steps done."))
    # the panels are redrawn when a run is added, and left as they are otherwise
    panels = [len(plot["data"]) for _, (plot, _) in frames[1:-1] if plot != SKIP]
    assert panels == [1, 2, 3]
    assert all(note.startswith("Comparing…") for _, (_, note) in frames[:-1])
    assert frames[-1][0] == steps
    plot, note = frames[-1][1]
    settings = parse(core.CompareSettings, COMPARE)
    unet, config = models.load_ddpm(settings.model)
    with one_thread():
        expected = core.compare(unet, config, [(n, settings.steps_of(n)) for n in SCHEDULERS], settings.base())
        gaps = core.determinism_gaps(unet, config, settings.base())
    assert plot["data"] == tab._compare_figure(expected, "en")["data"]
    assert note == tab.translate("dif_note_determinism", "en", **gaps)
