"""Lessons: short guided lessons across the labs — a sentence of context, a question to predict,
a link that opens the lab in the state the lesson needs, and the answer, revealed after looking.
Lessons are data: one TOML file each in ``demos/lessons/lessons/``."""

from components.labs import Lab
from demos.lessons import strings

LAB = Lab(key="lessons", order=90, tab_label="les_tab", package=__name__, strings=strings)
