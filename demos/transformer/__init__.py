"""Transformer lab: the encoder–decoder of "Attention is all you need" trained live on small
rewriting tasks (model.py, tasks.py, core.py), and induction heads forming in a two-layer
attention-only model (induction.py); figures.py draws them, strings.py says them in English and
Chinese, tab.py puts them on the page."""

from components.labs import Lab
from demos.transformer import strings

LAB = Lab(key="transformer", order=70, tab_label="tr_tab", package=__name__, strings=strings,
          run_modules=("demos.transformer.core", "demos.transformer.induction"))
