"""`python -m benchmarks [--runs N] [--only NAME ...]`: prints a markdown table; every figure is
a median of N runs with a ratio against a baseline measured in the same run. The suites are the
app's start-up, the interpreter lock under mixed work, fair sharing of the CPU between live runs,
and every lab's ``bench.py`` (found through the lab registry)."""

from __future__ import annotations

import argparse


def suites() -> dict:
    """Suite name -> rows(runs): the app's own, then each lab's, in tab order."""
    import demos
    from benchmarks import app_startup, fairness, interpreter

    found = {"app_startup": app_startup.rows, "interpreter": interpreter.rows, "fairness": fairness.rows}
    found.update({lab.key: lab.benchmark_rows for lab in demos.labs()})
    return found


def main() -> None:
    available = suites()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", choices=sorted(available), default=list(available))
    args = parser.parse_args()
    from benchmarks.timing import table

    rows = []
    for name in args.only:
        rows.extend(available[name](args.runs))
    print(table(rows))


if __name__ == "__main__":
    main()
