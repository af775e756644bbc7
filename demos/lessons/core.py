"""Lessons as data: each ``lessons/*.toml`` file is one lesson, read and checked here.

A lesson file holds::

    order = 10                      # lessons are listed by this number
    link = "lab=decoding&..."       # the shareable link's query (components/links.py), no "?"

    [en]
    title = "Why does top-p keep more words after 'the'?"
    context = "One or two sentences that set the scene."
    question = "What do you expect to see? Decide before you open the lab."
    answer = "What the lab shows, and why."

    [zh]
    title = "…"                     # the same four texts in Chinese

A teacher adds a lesson by adding a file; ``tests/test_lessons.py`` checks every file (both
languages, a link whose lab and settings exist). A lesson's key (its file's name) is also what
a link to the Lessons tab opens: ``?lab=lessons&lesson=gan-mode-collapse``. No gradio here.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from pathlib import Path
from urllib.parse import parse_qsl

from components.settings import setting

LESSON_DIR = Path(__file__).resolve().parent / "lessons"
LANGS = ("en", "zh")
TEXTS = ("title", "context", "question", "answer")


@dataclasses.dataclass(frozen=True)
class Lesson:
    key: str                          # the file's name without .toml
    order: int
    link: str                         # the query of the lab link, without "?"
    texts: dict[str, dict[str, str]]  # lang -> {title, context, question, answer}

    @property
    def lab(self) -> str:
        return dict(parse_qsl(self.link)).get("lab", "")

    def href(self, lang: str) -> str:
        """The link that opens the lab for this lesson, in ``lang``."""
        return f"?{self.link}&lang={lang}"


def read(path: Path) -> Lesson:
    """One lesson file; ValueError names what is missing."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    missing = [f"{lang}.{text}" for lang in LANGS for text in TEXTS if not str(data.get(lang, {}).get(text, "")).strip()]
    if missing or not isinstance(data.get("order"), int) or not str(data.get("link", "")).startswith("lab="):
        raise ValueError(f"{path.name}: needs order (a number), link (lab=…) and texts {missing or ''}")
    texts = {lang: {text: data[lang][text].strip() for text in TEXTS} for lang in LANGS}
    return Lesson(path.stem, data["order"], data["link"], texts)


@functools.lru_cache(maxsize=1)
def lessons() -> tuple[Lesson, ...]:
    return tuple(sorted((read(p) for p in LESSON_DIR.glob("*.toml")), key=lambda lesson: lesson.order))


@dataclasses.dataclass(frozen=True)
class LessonLink:
    """What a link to the Lessons tab may say: which lesson to open ("" opens none)."""
    lesson: str = setting("", label="les_lesson", choices=tuple(sorted(p.stem for p in LESSON_DIR.glob("*.toml"))))
