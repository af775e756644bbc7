"""The guided reverse loop against the scheduler-driven reference and the guidance identities."""

import numpy as np
import pytest
import torch
from diffusers import DDIMScheduler, DDPMScheduler, UNet2DModel

from demos.diffusion import core


@pytest.fixture(scope="module")
def unet():
    torch.manual_seed(0)
    return UNet2DModel(sample_size=8, in_channels=1, out_channels=1, block_out_channels=(8, 16),
                       down_block_types=("DownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "UpBlock2D"),
                       layers_per_block=1, norm_num_groups=4, num_class_embeds=11).eval()


CONFIG = DDPMScheduler(num_train_timesteps=100, beta_schedule="squaredcos_cap_v2").config


def test_guidance_one_is_conditional_and_zero_is_unconditional(unet):
    x = torch.randn(3, 1, 8, 8)
    labels = torch.tensor([1, 4, 7])
    with torch.no_grad():
        cond = unet(x, 10, class_labels=labels).sample
        uncond = unet(x, 10, class_labels=torch.full_like(labels, core.NO_CLASS)).sample
    torch.testing.assert_close(core.guided_eps(unet, x, 10, labels, 1.0), cond)
    torch.testing.assert_close(core.guided_eps(unet, x, 10, labels, 0.0), uncond)
    torch.testing.assert_close(core.guided_eps(unet, x, 10, labels, 3.0), uncond + 3 * (cond - uncond),
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name,cls", [("ddpm", DDPMScheduler), ("ddim", DDIMScheduler)])
def test_loop_equals_the_scheduler_driven_reference(unet, name, cls):
    noise = torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    labels = torch.tensor([2, 5])
    x, traj = core.sample(unet, core.make_scheduler(name, CONFIG), noise, labels, 1.0, 10,
                          generator=torch.Generator().manual_seed(2))
    ref = cls.from_config(CONFIG)
    ref.set_timesteps(10)
    gen = torch.Generator().manual_seed(2)
    y = noise * ref.init_noise_sigma
    with torch.no_grad():
        for t in ref.timesteps:
            y = ref.step(unet(y, t, class_labels=labels).sample, t, y, generator=gen).prev_sample
    torch.testing.assert_close(x, y)
    assert traj.x_t.shape == (10, 2, 1, 8, 8) and traj.pred_x0.shape == (10, 2, 1, 8, 8)
    np.testing.assert_allclose(traj.x_t[-1], x.numpy())
