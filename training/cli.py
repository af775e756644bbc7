"""The command line the training scripts share: --quick, --out and overrides of config fields."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path


def parse_config(doc: str, full, quick, default_out: Path, quick_help: str, overridable: dict[str, type]):
    """(config, output folder) from the command line. ``overridable`` maps config fields to their
    types; each becomes an option (``max_steps`` -> ``--max-steps``) that replaces the field."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--out", type=Path, default=default_out)
    for field, kind in overridable.items():
        parser.add_argument("--" + field.replace("_", "-"), dest=field, type=kind)
    args = parser.parse_args()
    overrides = {f: getattr(args, f) for f in overridable if getattr(args, f) is not None}
    return dataclasses.replace(quick if args.quick else full, **overrides), args.out
