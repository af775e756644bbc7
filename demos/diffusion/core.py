"""Diffusion: the reverse process written out, so every step can be recorded. No gradio here.

Classifier-free guidance (Ho & Salimans, 2022): one network predicts both eps(x_t, t, c) and
eps(x_t, t, none); the sampler uses eps_none + w (eps_c - eps_none). w = 1 is the plain
conditional prediction, w = 0 the unconditional one, w > 1 pushes samples towards the class.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

NO_CLASS = 10  # class id meaning "no class" in the bundled digits model


def make_scheduler(name: str, config):
    """A fresh scheduler per request (schedulers are stateful), built from the model's config."""
    from diffusers import DDIMScheduler, DDPMScheduler

    classes = {"ddpm": DDPMScheduler, "ddim": DDIMScheduler}
    return classes[name].from_config(config)


@torch.no_grad()
def guided_eps(unet, x: torch.Tensor, t, labels: torch.Tensor, guidance: float) -> torch.Tensor:
    """eps_none + w (eps_c - eps_none), with both predictions from one batched forward pass."""
    if guidance == 1.0:
        return unet(x, t, class_labels=labels).sample
    none = torch.full_like(labels, NO_CLASS)
    if guidance == 0.0:
        return unet(x, t, class_labels=none).sample
    eps_c, eps_none = unet(torch.cat([x, x]), t, class_labels=torch.cat([labels, none])).sample.chunk(2)
    return eps_none + guidance * (eps_c - eps_none)


@dataclasses.dataclass(frozen=True)
class Trajectory:
    timesteps: list[int]
    x_t: np.ndarray       # (steps, B, C, H, W): the sample after each step
    pred_x0: np.ndarray   # (steps, B, C, H, W): the model's estimate of the clean image at each step


@torch.no_grad()
def sample(unet, scheduler, noise: torch.Tensor, labels: torch.Tensor, guidance: float, steps: int,
           generator: torch.Generator | None = None, record: bool = True) -> tuple[torch.Tensor, Trajectory | None]:
    """Run the reverse process: 1. scale the input, 2. predict noise (guided), 3. step."""
    scheduler.set_timesteps(steps)
    x = noise * scheduler.init_noise_sigma
    xs, x0s = [], []
    for t in scheduler.timesteps:
        x_in = scheduler.scale_model_input(x, t)
        eps = guided_eps(unet, x_in, t, labels, guidance)
        out = scheduler.step(eps, t, x, generator=generator)
        x = out.prev_sample
        if record:
            xs.append(x.numpy().copy())
            x0s.append(out.pred_original_sample.numpy().copy())
    trajectory = Trajectory([int(t) for t in scheduler.timesteps], np.stack(xs), np.stack(x0s)) if record else None
    return x, trajectory
