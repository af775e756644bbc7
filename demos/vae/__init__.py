"""VAE lab: variational autoencoders trained live on 8x8 digits and 2D toy sets — the ELBO's
reconstruction and KL terms, the latent space, the reparameterisation trick, β, and compression."""

from components.labs import Lab
from demos.vae import strings

LAB = Lab(key="vae", order=50, tab_label="vae_tab", package=__name__, strings=strings,
          run_modules=("demos.vae.core", "demos.vae.compression"))
