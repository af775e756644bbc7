"""VAE lab: variational autoencoders trained live on 8x8 digits and 2D toy sets — the ELBO's
reconstruction and KL terms, the latent space, the reparameterisation trick, β, and compression."""
