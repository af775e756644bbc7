"""Transformer lab rows.

- Speed: training steps per second with the default settings (reverse; and the induction run),
  headless, and the same training through the tab's streaming path (views built and serialised
  as the page gets them), measured alternately in the same run: issue 17's bar is a ratio ≤ 1.25.
- Quality in time: seconds of headless training (one thread, held-out evaluations included, as
  the tab trains) until the default settings with seed 0 first meet issue 17's bars — 95 % of the
  held-out answers exactly right on reverse and sort within 60 s, on dates within 120 s; a layer-1
  induction score above 0.5 with the repeat's loss under half the first copy's within 120 s.
  Measured once each (not a median: a run is tens of seconds).
"""

from __future__ import annotations

import time

from benchmarks.timing import Row, interleaved_medians

ITERATIONS = 100            # per timed stretch of the encoder–decoder (two held-out evaluations)
INDUCTION_ITERATIONS = 200  # per timed stretch of the induction run (eight scorings)
BARS_S = {"reverse": 60, "sort": 60, "date": 120}
INDUCTION_BAR_S = 120
GIVE_UP = 4                 # a bar not met after this many times its seconds is reported as missed


def _streamed(session, run, render, iterations: int) -> None:
    from components import live

    run.target = run.iteration + iterations
    for _session, _status, *plots in live.stream(session, run, render, "en"):
        for plot in plots:
            if hasattr(plot, "to_json"):   # gr.skip() leaves a view as the page has it
                plot.to_json()             # gradio serialises each figure it streams


def _time_to(run, met, give_up_s: float) -> float:
    """Seconds of headless training until ``met(evaluation)`` holds for a new evaluation."""
    from components.threads import one_thread

    start, seen = time.perf_counter(), 0
    with one_thread():
        while time.perf_counter() - start < give_up_s:
            run.train_step()
            if len(run.evaluations) > seen:
                seen = len(run.evaluations)
                if met(run.evaluations[-1]):
                    return time.perf_counter() - start
    return float("inf")


def rows(runs: int = 5) -> list[Row]:
    from components import live
    from demos.transformer import core, induction, tab

    out = []
    for name, make, render, iterations, steps_in_bar, bar_s in (
            ("transformer", lambda: core.TransformerRun(core.DEFAULTS), lambda: tab.renderer("en", tab.Shown()),
             ITERATIONS, 450, BARS_S["reverse"]),
            ("transformer induction", lambda: induction.InductionRun(induction.INDUCTION_DEFAULTS),
             lambda: tab.induction_renderer("en"), INDUCTION_ITERATIONS, 575, INDUCTION_BAR_S)):
        headless_run, streamed_run = make(), make()
        session = live.LiveSession()
        session.run = streamed_run

        def headless(run=headless_run, n=iterations):
            core.train(run, n)

        def streamed(run=streamed_run, session=session, render=render, n=iterations):
            _streamed(session, run, render(), n)

        headless()
        streamed()
        headless_s, streamed_s = interleaved_medians(headless, streamed, runs)
        bar_it_per_s = steps_in_bar / bar_s
        out += [
            Row(f"{name}: {iterations} steps headless ({iterations / headless_s:.1f} it/s)", headless_s,
                f"the bar: {steps_in_bar} steps (where seed 0 meets the quality bar) in {bar_s} s (a constant)",
                iterations / bar_it_per_s, "ratio ≤ 1"),
            Row(f"{name}: the same, streamed to the page ({iterations / streamed_s:.1f} it/s)", streamed_s,
                "headless training, same run", headless_s, "ratio ≤ 1.25"),
        ]
    for task, bar_s in BARS_S.items():
        run = core.TransformerRun(core.validated(task=task))
        seconds = _time_to(run, lambda e: e.exact_accuracy >= 0.95, GIVE_UP * bar_s)
        out.append(Row(f"transformer {task}: seconds to 95 % exact on held-out (step {run.iteration})", seconds,
                       "issue 17's bar (a constant)", bar_s, "ratio ≤ 1"))
    run = induction.InductionRun(induction.INDUCTION_DEFAULTS)
    seconds = _time_to(run, lambda e: e.induction[1].max() > 0.5 and e.second_half_loss < 0.5 * e.first_half_loss,
                       GIVE_UP * INDUCTION_BAR_S)
    out.append(Row(f"transformer induction: seconds to an induction head (step {run.iteration})", seconds,
                   "issue 17's bar (a constant)", INDUCTION_BAR_S, "ratio ≤ 1"))
    return out
