"""GAN lab rows: training iterations per second with the default 2D networks on the ring,
headless, and the same training through the tab's streaming path (views built and serialised
at most ten times a second), measured alternately in the same run."""

from __future__ import annotations

from benchmarks.timing import Row, interleaved_medians

ITERATIONS = 2000
BAR_IT_PER_S = 500  # issue 7: at least 500 iterations per second headless, on 2 cores


def rows(runs: int = 5) -> list[Row]:
    from components import live
    from demos.gan import core, tab
    from demos.gan.data import make_dataset

    headless_run = core.GanRun(core.GanSettings(), make_dataset("ring"))
    streamed_run = core.GanRun(core.GanSettings(), make_dataset("ring"))
    session = live.LiveSession()
    session.run = streamed_run

    def headless():
        core.train(headless_run, ITERATIONS)

    def streamed():
        streamed_run.target = streamed_run.iteration + ITERATIONS
        for _session, _status, main, curves in live.stream(session, streamed_run, tab.renderer("en"), "en"):
            main.to_json()  # gradio serialises each figure it streams
            curves.to_json()

    headless()
    streamed()
    headless_s, streamed_s = interleaved_medians(headless, streamed, runs)
    return [
        Row(f"gan: {ITERATIONS:,} iterations headless ({ITERATIONS / headless_s:.0f} it/s)", headless_s,
            f"the bar: {ITERATIONS:,} iterations at {BAR_IT_PER_S} it/s (a constant)", ITERATIONS / BAR_IT_PER_S,
            "ratio ≤ 1 (≥ 500 it/s)"),
        Row(f"gan: the same, streamed to the page ({ITERATIONS / streamed_s:.0f} it/s)", streamed_s,
            "headless training, same run", headless_s, "ratio ≤ 1.25"),
    ]
