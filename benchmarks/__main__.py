"""`python -m benchmarks [--runs N] [--only NAME ...]`: prints a markdown table; every figure is
a median of N runs with a ratio against a baseline measured in the same run."""

from __future__ import annotations

import argparse
import importlib

SUITES = ("app_startup", "attention", "decoding", "diffusion", "gan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", choices=SUITES, default=list(SUITES))
    args = parser.parse_args()
    from benchmarks.timing import table

    rows = []
    for name in args.only:
        rows.extend(importlib.import_module(f"benchmarks.{name}").rows(args.runs))
    print(table(rows))


if __name__ == "__main__":
    main()
