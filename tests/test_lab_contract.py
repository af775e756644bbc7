"""The lab contract: a lab is one folder. A throwaway lab written into a temporary folder (and
nothing else) shows up as a tab with its API, in the translation tables and in the benchmarks;
components/ imports no lab; runtime code imports nothing from training/."""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

import pytest

import demos

ROOT = Path(__file__).resolve().parents[1]

THROWAWAY = {
    "__init__.py": '''
        """A throwaway lab: one slider, one button, one number out."""
        from components.labs import Lab
        from demos.zz_throwaway import strings

        LAB = Lab(key="zz_throwaway", order=999, tab_label="zz_tab", package=__name__, strings=strings)
    ''',
    "strings.py": '''
        EN = {"zz_tab": "Throwaway", "zz_n": "How many", "zz_go": "Square it"}
        ZH = {"zz_tab": "临时实验", "zz_n": "多少", "zz_go": "平方"}
    ''',
    "core.py": '''
        import dataclasses

        from components.settings import setting


        @dataclasses.dataclass(frozen=True)
        class ZzSettings:
            n: int = setting(3, label="zz_n", low=0, high=10)
    ''',
    "tab.py": '''
        import gradio as gr

        from components import controls
        from components.handlers import handler
        from components.queueing import queue
        from components.ui import I18N
        from demos.zz_throwaway import core


        @handler(core.ZzSettings)
        def square(settings, lang: str):
            return settings.n ** 2


        def build_tab(blocks):
            c = controls.build(core.ZzSettings, "zz")
            go = gr.Button(I18N("zz_go"))
            out = gr.Number()
            go.click(square, controls.inputs(core.ZzSettings, c), out, api_name="zz_square", **queue("heavy"))
    ''',
    "bench.py": '''
        from benchmarks.timing import Row


        def rows(runs):
            return [Row("zz: nothing", 1.0, "nothing", 1.0, "none")]
    ''',
}


@pytest.fixture()
def throwaway_lab(tmp_path, monkeypatch):
    folder = tmp_path / "zz_throwaway"
    folder.mkdir()
    for name, text in THROWAWAY.items():
        (folder / name).write_text(textwrap.dedent(text))
    monkeypatch.setattr(demos, "__path__", [*demos.__path__, str(tmp_path)])
    yield folder
    for name in [m for m in sys.modules if m.startswith("demos.zz_throwaway")]:
        del sys.modules[name]


def test_a_lab_in_one_folder_becomes_a_tab_with_its_api_strings_and_benchmarks(throwaway_lab):
    import app
    from benchmarks.__main__ import suites
    from components import i18n

    lab = demos.labs()[-1]
    assert lab.key == "zz_throwaway" and [p.name for p in throwaway_lab.iterdir()] != []
    blocks = app.build_demo()
    assert "/zz_square" in blocks.get_api_info()["named_endpoints"]
    params = blocks.get_api_info()["named_endpoints"]["/zz_square"]["parameters"]
    assert [p["parameter_name"] for p in params] == ["n"]   # named after the settings field
    assert i18n.translate("zz_tab", "zh") == "临时实验"
    assert "zz_tab" in i18n.frontend_tables()["zh-CN"]
    assert suites()["zz_throwaway"](1)[0].name == "zz: nothing"
    # the handler checks its settings on the server, in the caller's language
    from demos.zz_throwaway import tab

    assert tab.square(4) == 16
    with pytest.raises(Exception, match="How many must be between 0 and 10, got 11"):
        tab.square(11)


def test_no_two_components_of_the_page_share_an_elem_id():
    # CSS, the page's scripts and the browser tests find components by id: a plot that shared its
    # id with the guidance slider was found by accident (the first match)
    import app

    ids = [block.elem_id for block in app.build_demo().blocks.values() if getattr(block, "elem_id", None)]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_the_labs_come_in_tab_order_and_declare_what_they_are():
    labs = demos.labs()
    assert [lab.key for lab in labs][:4] == ["attention", "decoding", "diffusion", "gan"]
    assert len({lab.key for lab in labs}) == len(labs)
    for lab in labs:
        assert lab.package == f"demos.{lab.key}" and lab.strings.EN[lab.tab_label]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_components_import_no_lab_and_runtime_code_imports_nothing_from_training():
    for path in (ROOT / "components").glob("*.py"):
        assert not [m for m in _imports(path) if m.startswith("demos")], path.name
    runtime = [ROOT / "app.py", *(ROOT / "components").glob("*.py"), *(ROOT / "demos").rglob("*.py")]
    for path in runtime:
        assert not [m for m in _imports(path) if m.startswith("training")], path


def test_core_and_figures_never_import_gradio():
    for path in [*(ROOT / "demos").rglob("core.py"), *(ROOT / "demos").rglob("figures.py")]:
        assert "gradio" not in _imports(path), path
