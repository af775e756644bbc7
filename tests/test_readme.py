"""The README's queue and limits tables say what the code does: each group's limit is the one the
events use, and each ceiling is the bound the server enforces on that lab's setting."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import demos
from components import queueing, settings
from components.i18n import InputError

README = Path(__file__).resolve().parents[1] / "README.md"


def table_rows(heading: str) -> list[list[str]]:
    """The body rows of every table in the README section under ``heading``."""
    section = README.read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in section.splitlines() if line.startswith("|")]
    return [row for row in rows if not set(row[0]) <= set("- ")]


def lab_controls(lab) -> dict[str, settings.Control]:
    """Every setting declared in the lab's package (field name -> its control)."""
    found = {}
    package = importlib.import_module(lab.package)
    for module_info in pkgutil.iter_modules(package.__path__):
        if module_info.name in ("tab", "bench"):
            continue
        module = importlib.import_module(f"{lab.package}.{module_info.name}")
        for cls in vars(module).values():
            if inspect.isclass(cls) and dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__:
                found |= settings.controls(cls)
    return found


def test_the_group_table_gives_each_groups_limit():
    rows = {row[0]: row[1] for row in table_rows("Queue and limits") if row[0] in queueing.GROUPS}
    assert set(rows) == set(queueing.GROUPS)
    for group, limit in queueing.GROUPS.items():
        assert rows[group] == ("none" if limit is None else str(limit)), group


@pytest.mark.parametrize("row", [r for r in table_rows("Queue and limits") if len(r) == 4 and r[2].isdigit()],
                         ids=lambda r: f"{r[0]}-{r[1]}")
def test_each_ceiling_is_the_bound_the_server_enforces(row):
    lab_key, name, ceiling, _ = row
    control = lab_controls(next(lab for lab in demos.labs() if lab.key == lab_key))[name]
    ceiling = int(ceiling)
    if control.kind is str:
        assert control.max_chars == ceiling
        settings.check_value(control, "x" * ceiling)
        with pytest.raises(InputError):
            settings.check_value(control, "x" * (ceiling + 1))
    else:
        assert control.high == ceiling
        assert settings.check_value(control, ceiling) == ceiling
        with pytest.raises(InputError):
            settings.check_value(control, ceiling + 1)


def test_the_queue_size_and_sessions_kept_are_the_ones_written():
    text = README.read_text(encoding="utf-8")
    assert re.search(rf"At most\s+{queueing.MAX_QUEUE} events wait", text)
    assert re.search(rf"state of {queueing.SESSIONS_KEPT} sessions", text)
