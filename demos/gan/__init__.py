"""GAN lab: what a generator and a discriminator do to each other while they train."""

from components.labs import Lab
from demos.gan import strings

LAB = Lab(key="gan", order=40, tab_label="gan_tab", package=__name__, strings=strings,
          run_modules=("demos.gan.core",))
