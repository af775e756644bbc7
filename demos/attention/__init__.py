"""Attention lab: which tokens does each head look at, and how is that number computed?"""

from components.labs import Lab
from demos.attention import strings

LAB = Lab(key="attention", order=10, tab_label="att_tab", package=__name__, strings=strings)
