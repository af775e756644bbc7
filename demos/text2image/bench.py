"""Text-to-image lab rows, on the bundled pipeline.

1. One image, 25 DDIM steps with guidance 7.5, every view recorded (x̂0 decoded at every step,
   cross-attention of every layer kept, ε_u and ε_c kept), against the pipeline's own
   ``StableDiffusionPipeline.__call__`` with the same prompt, seed, steps and guidance (a fresh
   load with diffusers' own attention processors). Bars (issue 18): ≤ 1 s and ratio ≤ 1.5.
2. The whole Generate button (the recorded loop, every figure, the GIF) against the recorded loop
   alone, both on one thread as the button runs (it holds one CPU turn, one core).
3. 16 images in one batch, 50 DDIM steps (the judge's batch loop) against the pipeline's
   ``__call__`` on the same 16 prompts and generators.

``python -m demos.text2image.bench hub`` measures what a hub model costs without downloading it
(the lab's CPU-time note quotes it): SD 1.5's and SD-Turbo's (SD 2.1's) UNet and the VAE built from
their published configs with random weights, at ``core.LIMITS.hub_side``, on one thread.
"""

from __future__ import annotations

import os

from benchmarks.timing import Row, interleaved_medians, run_times

STEPS, GUIDANCE, BATCH, BATCH_STEPS = 25, 7.5, 16, 50
PROMPT = "a large red circle at the top left"


def rows(runs: int = 5) -> list[Row]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from diffusers import StableDiffusionPipeline

    from components import models
    from components.threads import one_thread
    from demos.text2image import core, pipeline, tab

    lab = pipeline.load().pipe
    bare = StableDiffusionPipeline.from_pretrained(models.ASSETS_DIR / pipeline.MODEL_ID, safety_checker=None,
                                                   feature_extractor=None, requires_safety_checker=False,
                                                   local_files_only=True)
    bare.set_progress_bar_config(disable=True)
    settings = core.GenerateSettings(prompt=PROMPT, scheduler="ddim", steps=STEPS, guidance=GUIDANCE, seed=0)

    def recorded():
        core.denoise(lab, settings)

    def pipeline_call():
        bare(PROMPT, num_inference_steps=STEPS, guidance_scale=GUIDANCE, generator=torch.Generator().manual_seed(0),
             output_type="np")

    def recorded_one_thread():
        with one_thread():
            recorded()

    def button():
        tab.generate.__wrapped__(settings, "en")

    prompts = [PROMPT] * BATCH
    seeds = list(range(BATCH))

    def batch_loop():
        core.denoise_batch(lab, prompts, seeds, "ddim", BATCH_STEPS, GUIDANCE)

    def batch_pipeline():
        bare(prompts, num_inference_steps=BATCH_STEPS, guidance_scale=GUIDANCE, output_type="np",
             generator=[torch.Generator().manual_seed(s) for s in seeds])

    recorded()
    pipeline_call()
    recorded_s, pipeline_s = interleaved_medians(recorded, pipeline_call, runs)
    button_s, recorded_one_s = interleaved_medians(button, recorded_one_thread, runs)
    batch_s, batch_pipeline_s = interleaved_medians(batch_loop, batch_pipeline, max(1, runs // 2))
    return [
        Row(f"text2image: 1 image, {STEPS} guided DDIM steps, every view recorded", recorded_s,
            "StableDiffusionPipeline.__call__, same prompt, seed, steps, guidance", pipeline_s, "≤ 1 s and ratio ≤ 1.5"),
        Row("text2image: the Generate button (recorded loop, figures, GIF)", button_s,
            "the recorded loop alone, on one thread as the button runs it", recorded_one_s, "reported"),
        Row(f"text2image: {BATCH} images × {BATCH_STEPS} guided DDIM steps in one batch (the judge's loop)", batch_s,
            "StableDiffusionPipeline.__call__ on the same batch", batch_pipeline_s, "reported"),
    ]


# The published configs of the hub models' networks (stable-diffusion-v1-5 and sd-turbo, unet/ and
# vae/config.json), the fields that shape the cost; the VAE is the same in both.
SD15_UNET = dict(sample_size=64, in_channels=4, out_channels=4, layers_per_block=2,
                 block_out_channels=(320, 640, 1280, 1280),
                 down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
                 up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3, cross_attention_dim=768,
                 attention_head_dim=8)
SD_TURBO_UNET = SD15_UNET | dict(cross_attention_dim=1024, attention_head_dim=(5, 10, 20, 20),
                                 use_linear_projection=True)
SD_VAE = dict(in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2,
              block_out_channels=(128, 256, 512, 512), down_block_types=("DownEncoderBlock2D",) * 4,
              up_block_types=("UpDecoderBlock2D",) * 4, sample_size=512)


def hub_cost(runs: int = 3) -> None:
    """Print each hub architecture's guided UNet call (batch 2) and one VAE decode at the lab's hub
    side, on one thread: the first call (warm-up) dropped, then every run's time."""
    import torch
    from diffusers import AutoencoderKL, UNet2DConditionModel

    from demos.text2image import core

    torch.set_num_threads(1)
    latent = core.LIMITS.hub_side // 8

    def timed(call) -> str:
        return ", ".join(f"{t:.1f}" for t in run_times(call, runs)) + " s"

    with torch.no_grad():
        for name, config in (("SD 1.5", SD15_UNET), ("SD-Turbo", SD_TURBO_UNET)):
            torch.manual_seed(0)
            unet = UNet2DConditionModel(**config).eval()
            z = torch.randn(2, 4, latent, latent)
            words = torch.randn(2, 77, config["cross_attention_dim"])
            print(f"{name} UNet ({sum(p.numel() for p in unet.parameters()) / 1e6:.0f} M), batch 2, "
                  f"{latent}x{latent} latent: {timed(lambda: unet(z, 500, encoder_hidden_states=words))}", flush=True)
            del unet
        vae = AutoencoderKL(**SD_VAE).eval()
        z = torch.randn(1, 4, latent, latent)
        print(f"VAE decode, {core.LIMITS.hub_side}x{core.LIMITS.hub_side}: {timed(lambda: vae.decode(z))}", flush=True)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["hub"]:
        hub_cost()
