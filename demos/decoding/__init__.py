"""Decoding lab: how greedy, beam search and the sampling rules choose the next token."""

from components.labs import Lab
from demos.decoding import strings

LAB = Lab(key="decoding", order=20, tab_label="dec_tab", package=__name__, strings=strings)
