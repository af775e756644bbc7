"""The six GAN objectives, written from their papers. No gradio here.

D returns a raw score s (a logit for the probabilistic losses, a critic value for the others).
Every function takes the scores on a real batch ``s_real`` (B,) and a generated batch ``s_fake``
(B,) and returns a scalar to *minimise*. With D(x) = sigmoid(s), log D = -softplus(-s) and
log(1 - D) = -softplus(s), which stay finite where D saturates.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

NAMES = ("minimax", "nonsaturating", "wgan", "wgan_gp", "hinge", "lsgan")
PROBABILISTIC = ("minimax", "nonsaturating")  # D's output is a probability sigmoid(s)
WASSERSTEIN = ("wgan", "wgan_gp")


def d_loss(name: str, s_real: torch.Tensor, s_fake: torch.Tensor) -> torch.Tensor:
    """The discriminator's (critic's) loss, without the gradient penalty."""
    if name in PROBABILISTIC:
        # Goodfellow et al. 2014: D maximises E[log D(x)] + E[log(1 - D(G(z)))]
        return F.softplus(-s_real).mean() + F.softplus(s_fake).mean()
    if name in WASSERSTEIN:
        # Arjovsky et al. 2017: the critic maximises E[f(x)] - E[f(G(z))]
        return s_fake.mean() - s_real.mean()
    if name == "hinge":
        # Lim & Ye 2017: E[max(0, 1 - f(x))] + E[max(0, 1 + f(G(z)))]
        return F.relu(1 - s_real).mean() + F.relu(1 + s_fake).mean()
    if name == "lsgan":
        # Mao et al. 2017, labels a = 0 (fake), b = 1 (real): 1/2 E[(f(x) - 1)^2] + 1/2 E[f(G(z))^2]
        return 0.5 * ((s_real - 1) ** 2).mean() + 0.5 * (s_fake ** 2).mean()
    raise ValueError(f"unknown loss {name!r}")


def g_loss(name: str, s_fake: torch.Tensor) -> torch.Tensor:
    """The generator's loss on D's scores of generated samples."""
    if name == "minimax":
        # Goodfellow et al. 2014, the saturating form: G minimises E[log(1 - D(G(z)))], whose
        # gradient vanishes when D confidently rejects the fakes (D(G(z)) -> 0)
        return -F.softplus(s_fake).mean()
    if name == "nonsaturating":
        # the same fixed point, strong gradients early: G maximises E[log D(G(z))]
        return F.softplus(-s_fake).mean()
    if name in WASSERSTEIN or name == "hinge":
        # Arjovsky 2017; Lim & Ye 2017 use the same generator loss: -E[f(G(z))]
        return -s_fake.mean()
    if name == "lsgan":
        # Mao et al. 2017, c = 1: G wants D to call its samples real, 1/2 E[(f(G(z)) - 1)^2]
        return 0.5 * ((s_fake - 1) ** 2).mean()
    raise ValueError(f"unknown loss {name!r}")


def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Gulrajani et al. 2017 (WGAN-GP): E[(||grad f(x_hat)||_2 - 1)^2] on x_hat = eps x + (1 - eps) G(z),
    eps ~ U[0, 1] per sample; the caller multiplies it by lambda."""
    eps = torch.rand(real.shape[0], *([1] * (real.dim() - 1)), generator=gen)
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()


@torch.no_grad()
def clip_weights(model: torch.nn.Module, clip: float) -> None:
    """Arjovsky et al. 2017: clamp every critic weight to [-c, c] after each critic step, a crude
    way to keep f Lipschitz."""
    for p in model.parameters():
        p.clamp_(-clip, clip)


def d_output(name: str, scores: torch.Tensor) -> torch.Tensor:
    """What the views show as D's output: a probability for the probabilistic losses, the raw
    score (critic value) for the others."""
    return torch.sigmoid(scores) if name in PROBABILISTIC else scores
