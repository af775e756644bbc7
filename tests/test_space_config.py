"""The README's front matter is the Hugging Face Space's configuration: it must name a Python
every pinned package supports (the lowest such, so the Space builds on the oldest image that
works) and the gradio version that requirements.txt pins."""

from __future__ import annotations

import re
from importlib.metadata import metadata
from pathlib import Path

from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]


def front_matter() -> dict[str, str]:
    text = (ROOT / "README.md").read_text()
    block = re.match(r"---\n(.*?)\n---\n", text, re.S).group(1)
    return {k.strip(): v.strip().strip('"') for k, v in (line.split(":", 1) for line in block.splitlines())}


def pins() -> dict[str, str]:
    found = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            found[name.strip()] = version.strip()
    return found


def requires_python(package: str) -> SpecifierSet:
    return SpecifierSet(metadata(package).get("Requires-Python") or "")


def test_python_version_is_the_lowest_every_pin_supports():
    version = front_matter()["python_version"]
    refused = {name: str(requires_python(name)) for name in pins() if version not in requires_python(name)}
    assert not refused, f"python {version} is refused by {refused}"
    major, minor = map(int, version.split("."))
    lower = f"{major}.{minor - 1}"
    assert any(lower not in requires_python(name) for name in pins()), f"{lower} would do as well"


def test_sdk_version_is_the_pinned_gradio_and_the_pins_are_installed():
    assert front_matter()["sdk"] == "gradio"
    assert front_matter()["sdk_version"] == pins()["gradio"]
    for name, version in pins().items():
        assert metadata(name)["Version"].split("+")[0] == version, name
