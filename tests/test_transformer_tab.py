"""The Transformer lab's handlers, imported and called without a server: what each answers,
checked against runs trained apart and against ``core.inspect`` (the views' oracle), the slow
views' throttle, the link's settings, exports, and messages for input that cannot be used."""

import json
import re

import gradio as gr
import numpy as np
import pytest

import demos.transformer  # noqa: F401 - declares the lab: registers its strings
from components import links
from components.i18n import InputError, translate
from components.live import LiveSession
from components.settings import controls, defaults
from demos.transformer import core, induction, tab

SETTINGS = defaults(core.TransformerSettings)
IND_SETTINGS = defaults(induction.InductionSettings)
SMALL = {"d_model": 16, "heads": 2, "layers": 2, "batch": 16}
VIEW = ("transforms", "cross", 1, "all")


def settings(**change) -> list:
    """Every setting in field order: the first parameters of start, step and reset."""
    values = SETTINGS | SMALL | change
    return [values[name] for name in SETTINGS]


def ind_settings(**change) -> list:
    values = IND_SETTINGS | {"ind_d_model": 16, "ind_heads": 2, "ind_batch": 8} | change
    return [values[name] for name in IND_SETTINGS]


def trained_apart(steps: int, **change) -> core.TransformerRun:
    run = core.TransformerRun(core.validated(**(SETTINGS | SMALL | change)))
    core.train(run, steps)
    return run


def test_start_trains_what_a_run_trained_apart_trains_and_shows_its_numbers():
    session, shown = LiveSession(), tab.Shown()
    frames = list(tab.start(*settings(steps=100, seed=3), *VIEW, shown, session))
    _, status, curves, attention, decoding, forcing, schedule = frames[-1]
    apart = trained_apart(100, seed=3)
    assert session.run.train_loss == apart.train_loss
    last = apart.evaluations[-1]
    assert "Iteration 100" in status and f"whole answers right **{last.exact_accuracy:.0%}**" in status
    assert f"loss {last.loss:.3f}" in status
    # the last frame draws every view, from the run as it is at the end
    seen = core.inspect(apart, "transforms")
    assert len(attention["data"]) == 2
    for h, trace in enumerate(attention["data"]):
        np.testing.assert_allclose(trace["z"], seen.cross_attn[1, h], atol=1e-6)
    np.testing.assert_allclose(decoding["data"][0]["z"], seen.cross_attn[1].mean(0), atol=1e-6)
    assert forcing["data"][0]["text"][0] == list("smrofsnart") + ["&lt;/s&gt;"]
    assert schedule["data"][1]["x"] == [100]
    assert curves["data"][0]["x"][-1] == 100


def test_one_head_and_another_part_are_drawn_when_chosen():
    session, shown = LiveSession(), tab.Shown()
    tab.reset(*settings(task="date"), "1 Jan 2000", "encoder", 0, "1", shown, session)
    attention, decoding, _ = tab.decode("23 Nov 2026", "decoder", 1, "0", shown, session)
    seen = core.inspect(session.run, "23 Nov 2026")
    z = np.array(attention["data"][0]["z"], dtype=float)
    T = len(seen.decoder_tokens)
    future = np.triu(np.ones((T, T), bool), 1)
    np.testing.assert_allclose(z[~future], seen.decoder_attn[1, 0][~future], atol=1e-6)
    np.testing.assert_allclose(decoding["data"][0]["z"], seen.cross_attn[1, 0], atol=1e-6)
    assert shown.view == core.ViewSettings(text="23 Nov 2026", part="decoder", layer=1, head="0")


def test_the_decoded_views_are_throttled_while_training_but_never_at_rest(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(tab.time, "monotonic", lambda: clock[0])
    shown = tab.Shown(core.validated_view(text="abc"))
    render = tab.renderer("en", shown)
    run = core.TransformerRun(core.validated(**SMALL))
    running = translate("live_running", "en")
    assert all("data" in v for v in render(run, running)[1:])    # the first frame draws everything
    assert all(v == gr.skip() for v in render(run, running)[2:])  # the next, only status and curves
    clock[0] += tab.DECODED_EVERY_S
    assert "data" in render(run, running)[2]                       # due again
    shown.view = core.validated_view(text="xyz")                  # another input chosen: drawn at once
    assert render(run, running)[4]["data"][0]["text"][0][:3] == ["z", "y", "x"]
    assert "data" not in render(run, running)[2]
    assert "data" in render(run, translate("live_paused", "en"))[2]   # the run rests: everything


def test_step_continues_the_sessions_run_and_checks_the_view_against_it():
    session, shown = LiveSession(), tab.Shown()
    tab.step(*settings(), *VIEW, shown, session)
    tab.step(*settings(), *VIEW, shown, session)
    assert session.run.iteration == 2
    # settings that would build a one-layer model do not apply to the run being stepped
    _, status, *_ = tab.step(*settings(layers=1), *VIEW, shown, session)
    assert "Iteration 3" in status and session.run.settings.layers == 2
    with pytest.raises(InputError) as info:
        tab.step.__wrapped__(core.validated(**SMALL), "transforms", "cross", 1, "5", shown, session, "en")
    assert info.value.key == "tr_err_head" and info.value.values["last"] == 1


@pytest.mark.parametrize("view, key", [
    (("", "cross", 1, "all"), "tr_err_empty"),
    (("Hello", "cross", 1, "all"), "tr_err_chars"),
    (("abcdefghijk", "cross", 1, "all"), "tr_err_too_long"),
    (("abc", "cross", 2, "all"), "tr_err_layer"),
    (("abc", "cross", 1, "2"), "tr_err_head"),
    (("abc", "sideways", 1, "all"), "err_choice"),
    (("abc", "cross", 1.5, "all"), "err_not_integer"),
])
def test_bad_views_are_refused_naming_what_is_wrong(view, key):
    session = LiveSession()
    tab.reset(*settings(), *VIEW, tab.Shown(), session)
    with pytest.raises(InputError) as info:
        tab.decode.__wrapped__(*view, tab.Shown(), session, "en")
    assert info.value.key == key


def test_messages_are_in_the_learners_language():
    session = LiveSession()
    tab.reset(*settings(), *VIEW, tab.Shown(), session)
    with pytest.raises(InputError) as info:
        tab.decode.__wrapped__("Hi", "cross", 1, "all", tab.Shown(), session, "zh")
    message = translate(info.value.key, "zh", **info.value.values)
    assert "这个任务读不了 'H'" in message and "abcdefghijklmnopqrstuvwxyz" in message
    status = tab.live_views(session.run, tab.Shown(), "x", "zh")[0]
    assert "第 0 次迭代" in status and "留出集准确率每 50 次迭代测一次" in status


def test_a_run_whose_task_cannot_read_the_input_decodes_the_example_and_says_why():
    """A link may choose a task and no input: the run starts, and the status names the problem."""
    session, shown = LiveSession(), tab.Shown()
    _, status, _, _, _, forcing, _ = tab.reset(*settings(task="date"), "transforms", "cross", 1, "all", shown, session)
    assert shown.view.text == "23 Nov 2026" and shown.refused.key == "tr_err_chars"
    assert "Your input cannot be decoded: This task cannot read 's' 'f'" in status and "“23 Nov 2026”" in status
    assert forcing["data"][0]["text"][0][:4] == ["2", "0", "2", "6"]
    tab.decode("1 Jan 2000", "cross", 1, "all", shown, session)   # an input it can read clears the note
    assert shown.refused is None and "cannot be decoded" not in tab.live_views(session.run, shown, "x", "en")[0]
    with pytest.raises(InputError) as info:   # a layer the model lacks is the learner's to fix
        tab.reset.__wrapped__(core.validated(**SMALL), "transforms", "cross", 2, "all", shown, session, "en")
    assert info.value.key == "tr_err_layer"


def test_decode_without_a_run_asks_for_one():
    with pytest.raises(InputError) as info:
        tab.decode.__wrapped__(*VIEW, tab.Shown(), LiveSession(), "en")
    assert info.value.key == "tr_err_no_run"


def test_a_new_task_gets_its_example_unless_it_can_read_the_input():
    assert tab.fit_input("date", "transforms") == "23 Nov 2026"
    assert tab.fit_input("sort", "31415") == gr.skip()
    assert tab.fit_input("sort", "transforms") == "3141592653"
    assert tab.fit_view(1, 4, 1, "all") == (0, "all")
    assert tab.fit_view(2, 2, 1, "3") == (1, "all")
    assert tab.fit_view(6, 8, 1, "3") == (1, "3")


def test_the_induction_status_names_the_best_heads_of_the_last_scoring():
    session = LiveSession()
    frames = list(tab.induction_start(*ind_settings(ind_steps=100), session))
    _, status, curves, example = frames[-1]
    last = session.run.evaluations[-1]
    assert last.iteration == 100
    best = int(last.induction[1].argmax())
    assert f"best induction score **{last.induction[1, best]:.2f}** (layer 1, head {best})" in status
    assert example["layout"]["annotations"][1]["text"].startswith(f"layer 1, head {best}")
    assert len(curves["data"]) == 2 + 2 * 2   # two losses, then a line per head in each of two layers
    apart = induction.InductionRun(induction.validated_induction(**dict(zip(IND_SETTINGS, ind_settings()))))
    core.train(apart, 100)
    assert apart.second_half_loss == session.run.second_half_loss


def test_export_holds_the_settings_and_the_numbers_behind_the_views():
    session, shown, ind_session = LiveSession(), tab.Shown(), LiveSession()
    with pytest.raises(InputError):
        tab.export.__wrapped__("seq2seq", shown, session, ind_session, "en")
    list(tab.start(*settings(steps=100, seed=2), *VIEW, shown, session))
    json_path, csv_path = tab.export("seq2seq", shown, session, ind_session)
    document = json.load(open(json_path))
    data = document["data"]
    assert document["lab"] == "transformer" and document["settings"]["seed"] == 2 and data["iteration"] == 100
    assert data["decoded"]["source"] == "transforms" and len(data["train_loss"]) == 100
    seen = core.inspect(session.run, "transforms")
    np.testing.assert_allclose(data["decoded"]["cross_attn"], seen.cross_attn, atol=1e-6)
    assert [e["iteration"] for e in data["held_out"]] == [50, 100]
    lines = open(csv_path).read().splitlines()
    assert lines[0] == ("iteration,train_loss,held_out_loss,held_out_token_accuracy,held_out_exact_accuracy,"
                        "learning_rate") and len(lines) == 101
    row_50 = lines[50].split(",")
    assert row_50[0] == "50" and float(row_50[2]) == pytest.approx(data["held_out"][0]["loss"], rel=1e-5)
    assert lines[49].split(",")[2] == ""                                # measured every 50 steps only
    assert float(lines[1].split(",")[5]) == pytest.approx(core.noam_rate(1, 16, 200, SETTINGS["lr_scale"]))

    list(tab.induction_start(*ind_settings(ind_steps=100), ind_session))
    json_path, csv_path = tab.export("induction", shown, session, ind_session)
    document = json.load(open(json_path))
    assert document["lab"] == "transformer_induction" and len(document["data"]["scored"]) == 4
    header = open(csv_path).read().splitlines()[0].split(",")
    assert header[:3] == ["iteration", "first_half_loss", "second_half_loss"] and "induction_l1_h1" in header


def test_a_link_sets_both_experiments_and_presses_the_chosen_start():
    names = [*controls(core.TransformerSettings), *controls(core.ViewSettings), *controls(induction.InductionSettings)]
    assert len(names) == len(set(names))   # one flat namespace in a link
    with gr.Blocks() as blocks:
        view = tab.build_tab(blocks)
    assert view.names() == names and view.run.elem_id == "transformer_link_run"
    state = links.parse_query({"lab": "transformer", "experiment": "induction", "ind_steps": "300", "task": "sort",
                               "layer": "0"}, {"transformer": view.settings})
    assert not state.problems and state.values == {"experiment": "induction", "ind_steps": 300, "task": "sort",
                                                   "layer": 0}
    assert "transformer_ind_start" in tab.LINK_RUN_JS and "transformer_start" in tab.LINK_RUN_JS


def test_chinese_views():
    run = core.TransformerRun(core.validated(**SMALL))
    status, *plots = tab.live_views(run, tab.Shown(), "x", "zh")
    assert re.search(r"第 0 次迭代", status)
    assert all(re.search(r"[\u4e00-\u9fff]", p["layout"]["title"]["text"]) for p in plots)


def test_a_nan_stops_training_with_a_message(monkeypatch):
    """A loss that turns NaN (forced here by a hook on the output layer) stops the stream with
    the shared message; the run keeps its last good weights."""
    build = core.build_model

    def poisoned(settings, task):
        model = build(settings, task)
        model.output.register_forward_hook(lambda module, args, output: output * float("nan"))
        return model

    monkeypatch.setattr(core, "build_model", poisoned)
    session = LiveSession()
    frames = list(tab.start(*settings(steps=100), *VIEW, tab.Shown(), session))
    status = frames[-1][1]
    assert "diverged at iteration 1" in status and session.run.iteration == 0


def test_a_change_of_language_redraws_both_runs_at_rest_without_training_them():
    """Issue 15: the encoder–decoder's and the induction run's views, drawn in English, come again
    in Chinese from the runs as they stand."""
    session, shown = LiveSession(), tab.Shown()
    list(tab.start(*settings(steps=100), *VIEW, shown, session))
    run, losses = session.run, list(session.run.train_loss)
    status, curves, attention, decoding, forcing, schedule = tab.redraw.__wrapped__(shown, session, lang="zh")
    assert session.run is run and run.iteration == 100 and run.train_loss == losses
    assert translate("tr_status_iter", "zh", iteration=100) in status and translate("live_done", "zh") in status
    for figure in (curves, attention, decoding, forcing, schedule):
        assert re.search(r"[\u4e00-\u9fff]", figure["layout"]["title"]["text"]), figure["layout"]["title"]
    seen = core.inspect(run, "transforms")                        # the input the views showed, as they stand
    np.testing.assert_allclose(decoding["data"][0]["z"], seen.cross_attn[1].mean(0), atol=1e-6)

    ind_session = LiveSession()
    assert tab.induction_redraw.__wrapped__(ind_session, lang="zh") == (gr.skip(),) * 3   # nothing drawn yet
    tab.induction_step(*ind_settings(), ind_session)
    status, curves, example = tab.induction_redraw.__wrapped__(ind_session, lang="zh")
    assert ind_session.run.iteration == 1
    assert translate("tr_status_iter", "zh", iteration=1) in status and translate("live_paused", "zh") in status
    assert re.search(r"[\u4e00-\u9fff]", example["layout"]["title"]["text"])


def test_a_run_training_during_a_change_of_language_draws_its_next_frame_in_the_new_one():
    session, shown = LiveSession(), tab.Shown()
    frames = tab.start(*settings(steps=2000), *VIEW, shown, session)
    next(frames)
    assert tab.redraw.__wrapped__(shown, session, lang="zh") == (gr.skip(),) * 6
    _, status, curves, attention, *_ = next(frames)
    assert translate("live_running", "zh") in status
    assert re.search(r"[\u4e00-\u9fff]", attention["layout"]["title"]["text"])   # the decoded views at once
    frames.close()
