"""The streamed comparison (/decode): one strategy per turn at the CPU, a first view after the
first strategy with the others marked pending, the last view what the whole comparison computed
directly gives for the same seed."""

import gradio as gr
import pytest

from components import live, models
from components.settings import controls, defaults, parse
from components.threads import one_thread
from demos.decoding import core, figures, tab
from tests.cpu_turns import CountingTurns

MODEL = "shakespeare-gpt"
KINDS = ["greedy", "beam", "top_k", "top_p"]
SETTINGS = defaults(core.DecodingSettings) | {"prompt": "ROMEO.\nWhat light", "new_tokens": 6, "samples": 2, "seed": 5}
ARGS = ([SETTINGS[name] for name in controls(core.DecodingSettings)], MODEL, KINDS)
SKIP = gr.skip()


@pytest.fixture
def counted(monkeypatch):
    """The kinds core.run_strategy decoded so far, in order, and the turns taken; every view is
    due at once (no throttling), so the view after each strategy is yielded."""
    decoded = []
    run_strategy = core.run_strategy

    def counting(model, prompt, strategy, *args):
        decoded.append(strategy.kind)
        return run_strategy(model, prompt, strategy, *args)

    monkeypatch.setattr(core, "run_strategy", counting)
    turns = CountingTurns()
    monkeypatch.setattr(live, "CPU", turns)
    monkeypatch.setattr(tab, "PARTIAL_INTERVAL_S", 0.0)
    return decoded, turns


def stream(settings_values, model_id, kinds):
    return tab.decode(*settings_values, model_id, kinds)


def test_the_first_view_comes_after_one_strategy_and_marks_the_others_pending(counted):
    decoded, turns = counted
    notes, html_out, steps, table, chart, beam, beam_rows, pick, slider, first, record = next(stream(*ARGS))
    assert decoded == ["greedy"] and turns.taken == 1 and not turns.held
    # the greedy card with its tokens, then one faint card per pending strategy: the next one
    # being decoded, the others waiting
    assert "1 of 4 strategies decoded" in html_out
    assert html_out.count('class="dec-pending"') == 3
    pending = html_out[html_out.index('class="dec-pending"'):]
    assert pending.index("beam search (B = 4") < pending.index("decoding…") < pending.index("top-k (k = 40")
    assert pending.count("waiting its turn…") == 2 and "font-family:monospace" not in pending
    # the metrics table: greedy's numbers, "…" for the others
    assert [row[0] for row in table["data"]] == ["greedy", "beam search (B = 4, lp = 1)", "top-k (k = 40, T = 1)",
                                                 "top-p (nucleus) (p = 0.9, T = 1)"]
    assert all(isinstance(value, float) for value in table["data"][0][1:])
    assert all(row[1:] == ["…"] * 7 for row in table["data"][1:])
    # what needs the whole comparison is emptied (nothing of a last comparison stays beside this
    # one), the step picker waits, greedy's first step is already final
    assert (chart, beam, beam_rows) == (None, None, None)
    assert pick.choices == [] and not pick.interactive and not slider.interactive
    assert first["layout"]["title"]["text"].startswith("greedy, step 0")
    assert steps == SKIP and record == SKIP and notes == ""


def test_one_view_per_strategy_each_in_its_own_turn_skipping_what_is_not_ready(counted):
    decoded, turns = counted
    frames = []
    for frame in stream(*ARGS):
        assert not turns.held             # no turn is held across a yield
        frames.append((list(decoded), frame))
    assert [kinds for kinds, _ in frames] == [KINDS[:n] for n in range(1, len(KINDS) + 1)]
    assert turns.taken == len(KINDS)
    assert turns.firsts == [True] + [False] * (len(KINDS) - 1)   # only the turn before the first view goes first
    for done, (_, frame) in enumerate(frames[1:-1], start=2):
        notes, html_out, steps, table, chart, beam, beam_rows, pick, slider, first, record = frame
        assert f"{done} of 4 strategies decoded" in html_out
        assert html_out.count('class="dec-pending"') == len(KINDS) - done
        assert [row[1] == "…" for row in table["data"]] == [False] * done + [True] * (len(KINDS) - done)
        assert all(view == SKIP for view in (steps, chart, beam, beam_rows, pick, slider, first, record))
    last = frames[-1][1]
    assert "dec-pending" not in last[1] and "strategies decoded" not in last[1]
    assert isinstance(last[2], core.StepViews) and last[7].interactive and last[8].interactive


def test_a_single_strategy_answers_once():
    [frame] = list(stream(ARGS[0], MODEL, ["top_p"]))
    assert isinstance(frame[2], core.StepViews)


def test_the_last_view_equals_the_comparison_computed_directly():
    """The oracle: core.compare runs every strategy in one call, for the same settings and seed,
    on one thread as the stream does (matrix products summed over two threads round differently,
    and the probabilities are compared exactly)."""
    *_, last = stream(*ARGS)
    notes, html_out, steps, table, chart, beam, beam_rows, pick, slider, first, record = last
    settings = parse(core.DecodingSettings, SETTINGS)
    strategies, _ = core.strategies(settings, KINDS)
    model, tokenizer = models.load_causal_lm(MODEL)
    with one_thread():
        result = core.compare(model, tokenizer, settings.prompt, strategies, settings.new_tokens, settings.samples,
                              settings.seed)
    labels = [figures.output_label(output, "en") for output in result.outputs]
    assert steps == core.step_views(result.outputs, labels, tokenizer)
    assert [o["token_ids"] for o in record["comparison"]["outputs"]] == [o.tokens for o in result.outputs]
    groups = core.group_by_strategy(result.outputs)
    expected = figures.metrics_table([figures.strategy_label(s, "en") for s, _ in groups],
                                     [core.metrics(outputs) for _, outputs in groups], "en")
    assert table == expected
    assert record["comparison"]["beam"]["candidates"] == result.beam.candidates
    assert pick.choices == [(label, str(i)) for i, label in enumerate(labels)]
