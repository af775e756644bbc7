"""Train the bundled text-to-image pipeline `assets/models/shapes-sd`: a latent diffusion model of the
Stable Diffusion architecture (Rombach et al., 2022, https://arxiv.org/abs/2112.10752) on the
captioned shapes of demos/text2image/scenes.py, in English and Chinese.

Full run:   python -m training.train_shapes_sd   (both cores; the shipped pipeline, its time in training_summary.json)
Quick mode: python -m training.train_shapes_sd --quick --out /tmp/shapes-sd   (seconds; used by the tests)

Stages
1. Tokenizer: one token per caption word of either language (a `tokenizers` WordLevel model);
   Chinese, written without spaces, is cut into the known words longest first, and any other
   text still tokenises: an unknown word, or each unknown Chinese character, becomes <|unk|>.
2. VAE (AutoencoderKL): 32×32×3 pixels <-> an 8×8×4 latent, trained on scenes of every
   colour×shape pair (a generic image codec, as Stable Diffusion's is). Loss: pixel MSE plus a
   small KL term that keeps the latent near N(0, I) in scale and smooth.
   Then the decoder alone is fine-tuned (decoder_steps, decoder_lr), the encoder frozen: sharper
   reconstructions (small triangles otherwise come back rounded) without moving the latents, as
   Stability AI fine-tuned only the decoder of its sd-vae-ft-ema / ft-mse VAEs.
   Then scaling_factor = 1 / std of the training latents, so the diffusion model sees unit-variance
   latents (Rombach et al., §4.3.2 / appendix).
3. Text encoder (CLIPTextModel) and UNet (UNet2DConditionModel, cross-attention to the text)
   trained together on the diffusion loss L = E ||eps - eps_theta(z_t, t, tau(caption))||², on
   scenes of the seen colour×shape pairs only: the held-out pairs are never seen by either.
   The text encoder learns through the UNet's gradient: in this world a word means nothing but
   what it does to the picture, so the diffusion loss is the only signal that fits (a CLIP-style
   contrastive pre-training would need an image tower and time we spend on the UNet instead).
   * Captions: half English, half Chinese, random wording; 10% are replaced by "" so the same
     network also predicts the unconditional eps, which classifier-free guidance needs (Ho &
     Salimans, 2022): eps = eps_u + s (eps_c - eps_u).
   * Timesteps: 70% drawn from t >= 700, 30% uniform. Where the object goes is decided at the
     noisiest steps; with uniform t a model of this size learned colour, shape and size and
     ignored position words (measured in DESIGN.md).
   * The scheduler keeps Stable Diffusion's scaled-linear betas but clip_sample=False: latents do
     not live in [-1, 1], and clamping x̂0 there makes faint blobs.
   * The shipped UNet and text encoder are exponential moving averages of the trained weights.
4. Save in diffusers' layout, loadable offline with StableDiffusionPipeline.from_pretrained; the
   scheduler saved is DDIM (the lab's and the evaluation's sampler).

Continuing a trained pipeline (a new --seed, so that it sees new scenes):
    python -m training.train_shapes_sd --resume-from assets/models/shapes-sd --seed 1 --decoder-steps 0 \
        --unet-steps 2500 --lr 5e-4 --out DIR
   * The VAE's encoder stays as it was, so the latents, their scaling factor and everything the UNet
     learned stay valid; only its decoder may be fine-tuned further (--decoder-steps).
   * The UNet and text encoder continue from the saved (EMA) weights with a fresh warm-up and
     cosine schedule; the log continues the folder's log, steps counted on from its last.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import json
import math
import os
import re
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from demos.text2image import judge, scenes
from training.cli import parse_config

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "assets" / "models" / "shapes-sd"
BOS, EOS, UNK = "<|startoftext|>", "<|endoftext|>", "<|unk|>"


@dataclasses.dataclass(frozen=True)
class ShapesSDConfig:
    # tokenizer and text encoder
    max_length: int = 32              # tokens per prompt incl. <|startoftext|> and <|endoftext|>
    text_hidden: int = 64             # = the UNet's cross_attention_dim
    text_layers: int = 2
    text_heads: int = 2
    text_ff: int = 128
    # VAE: 32x32 -> 16x16 -> 8x8, 4 latent channels
    vae_channels: tuple = (16, 32, 64)  # ~0.7 M parameters; the 32x32 convolutions cost the most, so they are narrow
    vae_groups: int = 8
    vae_steps: int = 1200
    vae_batch: int = 16
    vae_lr: float = 2e-3
    decoder_steps: int = 1500         # then the decoder alone (see stage 2)
    decoder_lr: float = 1e-3
    vae_from: str = ""                # a trained pipeline folder whose VAE to reuse (skips stage 2)
    resume_from: str = ""             # a trained pipeline folder to continue (see "Continuing" above)
    kl_weight: float = 1e-6           # Stable Diffusion's KL-f8 weight: a scale regulariser, not a prior
    latent_pool: int = 24000          # seen-pair scenes encoded once for the UNet (about 90 jitters per combination)
    # UNet: 8x8 -> 4x4 -> 2x2
    unet_channels: tuple = (64, 96, 128)
    unet_groups: int = 32
    # Number of heads per block. diffusers' UNet2DConditionModel reads its `attention_head_dim`
    # argument as the number of heads (a known naming slip it keeps for old checkpoints): 32 there
    # would give 32 heads of 2 dimensions. (2, 3, 4) gives heads of 32 dimensions.
    attention_heads: tuple = (2, 3, 4)
    unet_steps: int = 5000
    unet_batch: int = 64
    lr: float = 1e-3
    warmup_steps: int = 200
    ema_decay: float = 0.999
    caption_drop: float = 0.1         # share of captions replaced by "" (classifier-free guidance)
    chinese_share: float = 0.5
    noisy_share: float = 0.7          # share of timesteps drawn from t >= noisy_from
    noisy_from: int = 700
    num_train_timesteps: int = 1000
    # bookkeeping
    log_every: int = 100
    check_every: int = 1250           # judge a few generated images (20 DDIM steps) every this many UNet steps
    check_prompts: int = 24
    guidance: float = 7.5             # the pipeline's default guidance scale, used by the checks
    threads: int = 2
    seed: int = 0


QUICK = ShapesSDConfig(text_hidden=32, text_layers=1, text_ff=64, vae_channels=(8, 16, 16), vae_groups=4,
                       vae_steps=10, vae_batch=8, decoder_steps=5, latent_pool=64, unet_channels=(16, 32, 32), unet_groups=8,
                       attention_heads=(1, 2, 2), unet_steps=10, unet_batch=8, warmup_steps=2, log_every=5,
                       check_every=10, check_prompts=4, threads=1)


# ---------------------------------------------------------------------------------------------
# 1. Tokenizer

def build_tokenizer(max_length: int):
    """A CLIP-style tokenizer (same special tokens, <|startoftext|> ... <|endoftext|>, padded with
    <|endoftext|>) over the caption words of both languages, one token per word."""
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    words = list(scenes.vocabulary())
    vocab = {BOS: 0, EOS: 1, UNK: 2}
    for word in words:
        vocab.setdefault(word, len(vocab))
    # Chinese has no spaces: known words first, longest first (so 三角形 before 三角), then any
    # other Han character on its own, then runs of letters, digits, and single symbols.
    chinese = sorted((w for w in words if not w.isascii()), key=len, reverse=True)
    pattern = "|".join(map(re.escape, chinese)) + r"|\p{Han}|[\p{L}\p{M}]+|\p{N}+|[^\s\p{L}\p{N}]"
    tok = Tokenizer(models.WordLevel(vocab, unk_token=UNK))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])  # NFKC: "，" -> ","
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(),
                                                 pre_tokenizers.Split(Regex(pattern), "isolated")])
    tok.post_processor = processors.TemplateProcessing(single=f"{BOS} $A {EOS}", special_tokens=[(BOS, 0), (EOS, 1)])
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=BOS, eos_token=EOS, unk_token=UNK,
                                   pad_token=EOS, model_max_length=max_length)


# ---------------------------------------------------------------------------------------------
# 2. Models

def build_vae(cfg: ShapesSDConfig):
    from diffusers import AutoencoderKL

    n = len(cfg.vae_channels)
    return AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, sample_size=scenes.IMAGE_SIZE,
                         down_block_types=("DownEncoderBlock2D",) * n, up_block_types=("UpDecoderBlock2D",) * n,
                         block_out_channels=cfg.vae_channels, layers_per_block=1, norm_num_groups=cfg.vae_groups,
                         force_upcast=False)


def build_text_encoder(cfg: ShapesSDConfig, vocab_size: int):
    from transformers import CLIPTextConfig, CLIPTextModel

    config = CLIPTextConfig(vocab_size=vocab_size, hidden_size=cfg.text_hidden, intermediate_size=cfg.text_ff,
                            num_hidden_layers=cfg.text_layers, num_attention_heads=cfg.text_heads,
                            max_position_embeddings=cfg.max_length, projection_dim=cfg.text_hidden,
                            bos_token_id=0, eos_token_id=1, pad_token_id=1)
    return CLIPTextModel(config)


def build_unet(cfg: ShapesSDConfig):
    from diffusers import UNet2DConditionModel

    return UNet2DConditionModel(
        sample_size=scenes.IMAGE_SIZE // 4, in_channels=4, out_channels=4,
        block_out_channels=cfg.unet_channels, layers_per_block=1, norm_num_groups=cfg.unet_groups,
        # cross-attention (image queries, word keys/values) at 8x8 and 4x4; plain convolutions at 2x2
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=cfg.text_hidden, attention_head_dim=cfg.attention_heads,
    )


def scheduler_options(cfg: ShapesSDConfig) -> dict:
    """Stable Diffusion's noise schedule, with clip_sample off (latents are not in [-1, 1])."""
    return dict(num_train_timesteps=cfg.num_train_timesteps, beta_schedule="scaled_linear", beta_start=0.00085,
                beta_end=0.012, clip_sample=False, set_alpha_to_one=False, steps_offset=1, prediction_type="epsilon")


def count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# ---------------------------------------------------------------------------------------------
# Data

def scene_batch(n: int, rng: np.random.Generator, pairs: str) -> tuple[list[scenes.Scene], torch.Tensor]:
    """n fresh scenes and their images as (n, 3, 32, 32) in [-1, 1] (the VAE's range)."""
    batch = scenes.sample_scenes(n, int(rng.integers(2**31)), pairs)
    images = torch.from_numpy(scenes.render_batch(batch)).permute(0, 3, 1, 2)
    return batch, images * 2 - 1


def training_captions(batch: list[scenes.Scene], cfg: ShapesSDConfig, rng: np.random.Generator) -> list[str]:
    """A random caption per scene, Chinese with probability chinese_share, "" with caption_drop."""
    texts = []
    for scene in batch:
        lang = "zh" if rng.random() < cfg.chinese_share else "en"
        text = scenes.caption(scene, lang, rng)
        texts.append("" if rng.random() < cfg.caption_drop else text)
    return texts


def sample_timesteps(n: int, cfg: ShapesSDConfig, gen: torch.Generator) -> torch.Tensor:
    """A share noisy_share of t drawn uniformly from [noisy_from, T), the rest from [0, T)."""
    uniform = torch.randint(0, cfg.num_train_timesteps, (n,), generator=gen)
    noisy = torch.randint(cfg.noisy_from, cfg.num_train_timesteps, (n,), generator=gen)
    return torch.where(torch.rand(n, generator=gen) < cfg.noisy_share, noisy, uniform)


# ---------------------------------------------------------------------------------------------
# Training stages

def psnr(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Per image PSNR in dB for images in [0, 1]."""
    mse = (a - b).pow(2).flatten(1).mean(1)
    return 10 * torch.log10(1 / mse.clamp_min(1e-12))


def train_vae(cfg: ShapesSDConfig, vae, rng: np.random.Generator, log, decoder_only: bool = False,
              first_step: int = 0) -> list[dict]:
    """vae_steps steps on pixel MSE + kl_weight * KL; with decoder_only, decoder_steps steps of the
    decoder alone (the encoder, hence the latents, unchanged), logged as stage "vae_decoder"."""
    steps, lr = (cfg.decoder_steps, cfg.decoder_lr) if decoder_only else (cfg.vae_steps, cfg.vae_lr)
    vae.requires_grad_(True)
    if decoder_only:
        vae.encoder.requires_grad_(False)
        vae.quant_conv.requires_grad_(False)
    trained = [p for p in vae.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trained, lr=lr, weight_decay=0.0)
    rows, running, t0, c0 = [], [], time.time(), time.process_time()
    vae.train()
    for step in range(steps):
        # cosine decay to 5% of the learning rate
        for group in opt.param_groups:
            group["lr"] = lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * step / steps)))
        _, x = scene_batch(cfg.vae_batch, rng, "all")                     # (B, 3, 32, 32)
        posterior = vae.encode(x).latent_dist
        recon = vae.decode(posterior.sample()).sample                       # (B, 3, 32, 32)
        mse = F.mse_loss(recon, x)
        kl = posterior.kl().mean() / x[0].numel()                          # per pixel value, as the MSE
        loss = mse + cfg.kl_weight * kl
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trained, 1.0)
        opt.step()
        running.append((mse.item(), kl.item()))
        if (step + 1) % cfg.log_every == 0 or step + 1 == steps:
            mse_mean, kl_mean = np.mean(running, axis=0)
            row = {"stage": "vae_decoder" if decoder_only else "vae", "step": first_step + step + 1, "loss": float(mse_mean), "kl": float(kl_mean),
                   "psnr_db": float(10 * np.log10(4 / mse_mean)),          # pixels span 2 in [-1, 1]
                   "seconds": round(time.time() - t0, 1), "cpu_seconds": round(time.process_time() - c0, 1)}
            rows.append(row)
            running = []
            log(json.dumps(row))
    return rows


@torch.no_grad()
def encode_pool(vae, cfg: ShapesSDConfig, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor, list]:
    """Posterior mean and std of latent_pool seen-pair scenes, and the scenes: (N, 4, 8, 8) twice."""
    vae.eval()
    means, stds, pool = [], [], []
    for start in range(0, cfg.latent_pool, 256):
        batch, x = scene_batch(min(256, cfg.latent_pool - start), rng, "seen")
        dist = vae.encode(x).latent_dist
        means.append(dist.mean)
        stds.append(dist.std)
        pool.extend(batch)
    return torch.cat(means), torch.cat(stds), pool


@torch.no_grad()
def ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    """theta_ema <- decay * theta_ema + (1 - decay) * theta."""
    for p_ema, p in zip(ema.parameters(), model.parameters()):
        p_ema.lerp_(p, 1 - decay)


def make_pipeline(vae, text_encoder, tokenizer, unet, cfg: ShapesSDConfig):
    from diffusers import DDIMScheduler, StableDiffusionPipeline

    return StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                   scheduler=DDIMScheduler(**scheduler_options(cfg)), safety_checker=None,
                                   feature_extractor=None, requires_safety_checker=False)


@torch.no_grad()
def judge_pipeline(pipe, wanted: list[scenes.Scene], prompts: list[str], steps: int, guidance: float,
                   seed: int, batch: int = 64) -> dict[str, float]:
    """Generate one image per prompt (seeds seed, seed+1, ...) and score the judge's readings."""
    pipe.set_progress_bar_config(disable=True)
    readings = []
    for start in range(0, len(prompts), batch):
        chunk = prompts[start:start + batch]
        gens = [torch.Generator().manual_seed(seed + start + i) for i in range(len(chunk))]
        images = pipe(chunk, num_inference_steps=steps, guidance_scale=guidance, generator=gens,
                      output_type="np").images                               # (B, 32, 32, 3) in [0, 1]
        readings.extend(judge.read_batch(images))
    return judge.score(readings, wanted)


def check_prompts(cfg: ShapesSDConfig) -> dict[str, tuple[list, list]]:
    """Fixed prompts for the checks during training: seen and held-out pairs, each language."""
    out = {}
    for pairs in ("seen", "held_out"):
        wanted = scenes.sample_scenes(cfg.check_prompts, 10_000 + (pairs == "held_out"), pairs)
        for lang in scenes.LANGUAGES:
            out[f"{pairs}_{lang}"] = (wanted, scenes.captions(wanted, lang, 20_000))
    return out


def train_diffusion(cfg, vae, text_encoder, unet, tokenizer, latents_mean, latents_std, pool, rng, gen, log,
                    first_step: int = 0):
    from diffusers import DDIMScheduler

    alphas_cumprod = DDIMScheduler(**scheduler_options(cfg)).alphas_cumprod  # abar_t, (T,): the forward process
    scale = vae.config.scaling_factor
    params = list(unet.parameters()) + list(text_encoder.parameters())
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    ema_unet = copy.deepcopy(unet).eval().requires_grad_(False)
    ema_text = copy.deepcopy(text_encoder).eval().requires_grad_(False)
    checks = check_prompts(cfg)
    rows, running, t0, c0 = [], [], time.time(), time.process_time()
    unet.train()
    text_encoder.train()
    for step in range(cfg.unet_steps):
        # linear warm-up, then cosine decay to 10%
        warm = min(1.0, (step + 1) / cfg.warmup_steps)
        decay = 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / cfg.unet_steps))
        for group in opt.param_groups:
            group["lr"] = cfg.lr * warm * decay
        # 1. a batch of latents z0 ~ q(z | x), scaled to unit variance, and their captions
        idx = torch.randint(0, len(latents_mean), (cfg.unet_batch,), generator=gen)
        z0 = (latents_mean[idx] + latents_std[idx] * torch.randn(latents_mean[idx].shape, generator=gen)) * scale
        texts = training_captions([pool[i] for i in idx.tolist()], cfg, rng)
        ids = tokenizer(texts, padding="max_length", max_length=cfg.max_length, truncation=True,
                        return_tensors="pt").input_ids                       # (B, L)
        # 2. z_t = sqrt(abar_t) z0 + sqrt(1 - abar_t) eps, t mostly from the noisy end
        t = sample_timesteps(cfg.unet_batch, cfg, gen)
        eps = torch.randn(z0.shape, generator=gen)
        abar = alphas_cumprod[t].view(-1, 1, 1, 1)
        z_t = abar.sqrt() * z0 + (1 - abar).sqrt() * eps
        # 3. predict eps from z_t, t and the words; regress onto eps
        words = text_encoder(ids).last_hidden_state                          # (B, L, d)
        loss = F.mse_loss(unet(z_t, t, encoder_hidden_states=words).sample, eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        # EMA with a warm-up (the average of the first steps is not worth keeping)
        ema_decay = min(cfg.ema_decay, (1 + first_step + step) / (10 + first_step + step))
        ema_update(ema_unet, unet, ema_decay)
        ema_update(ema_text, text_encoder, ema_decay)
        running.append(loss.item())
        if (step + 1) % cfg.log_every == 0 or step + 1 == cfg.unet_steps:
            row = {"stage": "unet", "step": first_step + step + 1, "loss": float(np.mean(running)), "lr": cfg.lr * warm * decay,
                   "seconds": round(time.time() - t0, 1), "cpu_seconds": round(time.process_time() - c0, 1)}
            running = []
            if (step + 1) % cfg.check_every == 0 or step + 1 == cfg.unet_steps:
                pipe = make_pipeline(vae, ema_text, tokenizer, ema_unet, cfg)
                for name, (wanted, prompts) in checks.items():
                    figures = judge_pipeline(pipe, wanted, prompts, steps=20, guidance=cfg.guidance, seed=0)
                    row.update({f"{name}_{k}": v for k, v in figures.items()})
            rows.append(row)
            log(json.dumps(row))
    return ema_unet, ema_text, rows


# ---------------------------------------------------------------------------------------------
# Whole run

def plot_losses(vae_rows: list[dict], unet_rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    left.plot([r["step"] for r in vae_rows], [r["psnr_db"] for r in vae_rows])
    left.set_title("VAE: reconstruction PSNR (training batches)")
    left.set_xlabel("optimizer step")
    left.set_ylabel("dB")
    right.plot([r["step"] for r in unet_rows], [r["loss"] for r in unet_rows])
    right.set_title("UNet + text encoder: noise-prediction loss")
    right.set_xlabel("optimizer step")
    right.set_ylabel("mean squared error")
    right.set_yscale("log")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_rows(rows: list[dict], path: Path) -> None:
    fields = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return [{k: v if k == "stage" else int(v) if k == "step" else float(v) for k, v in row.items() if v != ""}
                for row in csv.DictReader(f)]


def load_models(folder: Path):
    """The VAE, text encoder and UNet of a saved pipeline, to train further."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextModel

    return (AutoencoderKL.from_pretrained(folder / "vae"), CLIPTextModel.from_pretrained(folder / "text_encoder"),
            UNet2DConditionModel.from_pretrained(folder / "unet"))


def train(cfg: ShapesSDConfig, out: Path, log=print) -> dict:
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    out.mkdir(parents=True, exist_ok=True)
    t0, c0 = time.time(), time.process_time()
    log(f"threads {cfg.threads}, load average at start {os.getloadavg()}")

    # 1. tokenizer and models (new, or the ones to continue)
    tokenizer = build_tokenizer(cfg.max_length)
    earlier_rows, earlier = [], {}
    if cfg.resume_from:
        vae, text_encoder, unet = load_models(Path(cfg.resume_from))
        earlier_rows = read_rows(Path(cfg.resume_from) / "training_log.csv")
        earlier = json.loads((Path(cfg.resume_from) / "training_summary.json").read_text())
        assert text_encoder.config.vocab_size == len(tokenizer), "the vocabulary changed since that run"
    else:
        vae, text_encoder, unet = build_vae(cfg), build_text_encoder(cfg, len(tokenizer)), build_unet(cfg)
    n_params = {"vae": count(vae), "text_encoder": count(text_encoder), "unet": count(unet)}
    log(f"vocabulary {len(tokenizer)} tokens; parameters {json.dumps(n_params)}")

    def last_step(stages: set[str]) -> int:
        return max((r["step"] for r in earlier_rows if r["stage"] in stages), default=0)

    # 2. VAE on every pair (or a trained one reused, or its decoder fine-tuned), then the latents' scale
    if cfg.resume_from:
        vae_rows = [r for r in earlier_rows if r["stage"] != "unet"]
        if cfg.decoder_steps:
            vae_rows += train_vae(cfg, vae, rng, log, decoder_only=True, first_step=last_step({"vae", "vae_decoder"}))
    elif cfg.vae_from:
        from diffusers import AutoencoderKL

        vae = AutoencoderKL.from_pretrained(Path(cfg.vae_from) / "vae")
        n_params["vae"] = count(vae)
        vae_rows = [r for r in read_rows(Path(cfg.vae_from) / "training_log.csv") if r["stage"] != "unet"]
        log(f"VAE reused from {cfg.vae_from} (trained in {vae_rows[-1]['seconds']} s)")
    else:
        vae_rows = train_vae(cfg, vae, rng, log)
        if cfg.decoder_steps:
            vae_rows += train_vae(cfg, vae, rng, log, decoder_only=True, first_step=cfg.vae_steps)
    latents_mean, latents_std, pool = encode_pool(vae, cfg, rng)
    # the UNet being continued learned latents at the saved scale: keep it
    scaling_factor = vae.config.scaling_factor if cfg.resume_from else float(1 / latents_mean.std())
    vae.register_to_config(scaling_factor=scaling_factor)
    log(f"latent std {latents_mean.std():.4f} -> scaling_factor {scaling_factor:.4f}; "
        f"posterior std (mean) {latents_std.mean():.4f}")
    vae.eval().requires_grad_(False)

    # 3. text encoder + UNet on the seen pairs
    assert not any(s.held_out for s in pool)
    ema_unet, ema_text, unet_rows = train_diffusion(cfg, vae, text_encoder, unet, tokenizer, latents_mean,
                                                    latents_std, pool, rng, gen, log, last_step({"unet"}))
    unet_rows = [r for r in earlier_rows if r["stage"] == "unet"] + unet_rows

    # 4. save in diffusers' layout (what from_pretrained reads), plus the logs
    make_pipeline(vae, ema_text, tokenizer, ema_unet, cfg).save_pretrained(out, safe_serialization=True)
    write_rows(vae_rows + unet_rows, out / "training_log.csv")
    plot_losses(vae_rows, unet_rows, out / "training_loss.png")
    summary = {"parameters": n_params, "parameters_total": sum(n_params.values()),
               "scaling_factor": scaling_factor, "seconds": round(time.time() - t0, 1),
               "cpu_seconds": round(time.process_time() - c0, 1), "load_average_at_end": os.getloadavg(),
               "config": dataclasses.asdict(cfg)}
    if earlier:
        summary["continued"] = {k: earlier[k] for k in ("seconds", "cpu_seconds", "config", "continued") if k in earlier}
    (out / "training_summary.json").write_text(json.dumps(summary, indent=2))
    log(json.dumps({k: summary[k] for k in ("seconds", "cpu_seconds", "load_average_at_end")}))
    return summary


def main() -> None:
    cfg, out = parse_config(__doc__, ShapesSDConfig(), QUICK, DEFAULT_OUT, "tiny models, a few steps (seconds)",
                            {"vae_steps": int, "unet_steps": int, "threads": int, "lr": float, "unet_batch": int,
                             "latent_pool": int, "check_every": int, "check_prompts": int, "log_every": int,
                             "noisy_share": float, "seed": int, "vae_from": str, "vae_lr": float,
                             "resume_from": str, "decoder_steps": int, "decoder_lr": float})
    train(cfg, out)


if __name__ == "__main__":
    main()
