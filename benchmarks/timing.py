"""Timing helpers: medians of repeated runs, and the markdown table every benchmark prints."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    name: str        # what was measured
    value_s: float   # median seconds
    baseline: str    # what it is compared with, measured in the same run
    baseline_s: float
    target: str      # the bar from the issue, in words

    @property
    def ratio(self) -> float:
        return self.value_s / self.baseline_s


def run_times(fn, runs: int = 5, warmup: int = 1) -> list[float]:
    """Seconds of each of ``runs`` calls of ``fn``, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def median_time(fn, runs: int = 5, warmup: int = 1) -> float:
    return statistics.median(run_times(fn, runs, warmup))


def python_seconds(code: str) -> float:
    """Wall time of a fresh interpreter running ``code``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - start


def interleaved_medians(a, b, runs: int = 5) -> tuple[float, float]:
    """Median times of two callables run alternately, so machine noise hits both alike."""
    ta, tb = [], []
    for _ in range(runs):
        for fn, acc in ((a, ta), (b, tb)):
            start = time.perf_counter()
            fn()
            acc.append(time.perf_counter() - start)
    return statistics.median(ta), statistics.median(tb)


def table(rows: list[Row]) -> str:
    lines = ["| measurement | median | baseline (same run) | baseline median | ratio | target |",
             "| --- | ---: | --- | ---: | ---: | --- |"]
    for r in rows:
        lines.append(f"| {r.name} | {r.value_s * 1000:.0f} ms | {r.baseline} | {r.baseline_s * 1000:.0f} ms "
                     f"| {r.ratio:.2f} | {r.target} |")
    return "\n".join(lines)
