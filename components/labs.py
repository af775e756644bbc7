"""What a lab declares about itself, in ``demos/<lab>/__init__.py``:

    from components.labs import Lab
    from demos.gan import strings

    LAB = Lab(key="gan", order=40, tab_label="gan_tab", package=__name__, strings=strings)

The app, the i18n table and ``python -m benchmarks`` find labs through ``demos.labs()``, which
imports every package under ``demos/`` that declares a ``LAB``. Declaring registers the lab's
strings; the tab module and the benchmark module are imported only when asked for, so importing a
lab's ``core`` stays light. No gradio here.
"""

from __future__ import annotations

import dataclasses
import importlib
from types import ModuleType

from components import i18n


@dataclasses.dataclass(frozen=True)
class Lab:
    key: str                # the lab's id: its tab's id, ?lab= in links, the prefix of its elem_ids
    order: int              # tabs are shown in increasing order
    tab_label: str          # i18n key of the tab's label
    package: str            # "demos.gan": where tab.py (and bench.py, when there is one) live
    strings: ModuleType     # the lab's strings module, with EN and ZH dicts
    # modules whose run classes train live: the training worker processes import them when they
    # start (components.trainers), not at a class's first Start
    run_modules: tuple[str, ...] = ()

    def __post_init__(self):
        i18n.register(self.strings.EN, self.strings.ZH)

    def build(self, blocks):
        """Place the lab's components and wire its events (``<package>.tab.build_tab``); returns
        what links may set in the lab (a ``components.links_ui.Linkable``), or None."""
        return importlib.import_module(f"{self.package}.tab").build_tab(blocks)

    def css(self) -> str:
        """The lab's own CSS (``<package>.tab.CSS``, scoped by its elem_ids), or ""."""
        return getattr(importlib.import_module(f"{self.package}.tab"), "CSS", "")

    def benchmark_rows(self, runs: int) -> list:
        """The lab's benchmark rows (``<package>.bench.rows``); none when it has no bench.py."""
        try:
            bench = importlib.import_module(f"{self.package}.bench")
        except ModuleNotFoundError as exc:
            if exc.name != f"{self.package}.bench":
                raise
            return []
        return bench.rows(runs)
