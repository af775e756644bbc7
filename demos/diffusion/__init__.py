"""Diffusion lab: how noise becomes an image, step by step, and what schedulers and guidance change."""

from components.labs import Lab
from demos.diffusion import strings

LAB = Lab(key="diffusion", order=30, tab_label="dif_tab", package=__name__, strings=strings,
          run_modules=("demos.diffusion.toy2d",))
