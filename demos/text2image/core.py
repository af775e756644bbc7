"""Text to image, taken apart: the Stable Diffusion sampling loop written out so that every part
can be recorded — tokens, text embeddings, per-word cross-attention at every step, latents and the
decoded x̂0 as they denoise, and the two noise predictions classifier-free guidance mixes. No
gradio here.

Latent diffusion (Rombach et al., 2022, https://arxiv.org/abs/2112.10752): a VAE maps a 32×32×3
image to an 8×8×4 latent z; the UNet denoises z_t conditioned on the text encoder's output
tau(prompt) through cross-attention, softmax(Q Kᵀ/√d) V with Q from the image and K, V from the
words; the VAE's decoder turns the final z_0 back into pixels. Classifier-free guidance (Ho &
Salimans, 2022): ε̂ = ε_u + s (ε_c − ε_u), ε_u predicted for the empty prompt.

``denoise`` gives the same image as ``StableDiffusionPipeline.__call__`` for the same prompt,
seed (one ``torch.Generator`` for the starting noise and for any noise the scheduler adds),
scheduler, steps and guidance > 1 (tests/test_text2image_core.py checks it). At guidance ≤ 1 the
pipeline skips the unconditional pass; the lab keeps the formula, so s = 0 is the unconditional
image and s = 1 the conditional one.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

# Imported at module level, not inside handlers: diffusers resolves names lazily, and two requests
# resolving them at once in different threads can fail (seen in the diffusion lab).
from diffusers import (
    DDIMScheduler,
    DDPMScheduler,
    DPMSolverMultistepScheduler,
    EulerAncestralDiscreteScheduler,
    EulerDiscreteScheduler,
    UNet2DConditionModel,
)
from diffusers.utils.torch_utils import randn_tensor

from components import models, turns
from components.i18n import InputError
from components.seeding import global_rng_seeded
from components.settings import setting
from components.validation import as_int
from demos.text2image import judge, scenes

BOS_LABEL, EOS_LABEL = "<start>", "<end>"


@dataclasses.dataclass(frozen=True)
class Limits:
    """Bounds that are not one control's own."""
    guidance_scales: tuple = (0.0, 1.0, 3.0, 7.5, 15.0)   # the guidance view's side-by-side scales
    edit_columns: int = 5             # x̂0 shown at this many evenly spaced steps in the edit view (≥ 128 px each at 1280)
    label_chars: int = 12             # a token's label in a figure is cut to this many characters
    image_side_max: int = 1024        # an image to encode may be at most this many pixels a side
    image_side_min: int = 8           # ... and at least this many
    cost_runs: int = 3                # UNet calls timed for the latent-vs-pixel cost (median)
    # A hub model (SD 1.5 or SD-Turbo: an ~860 M-parameter UNet, trained at 512×512) is drawn at
    # 256×256, a 32×32 latent: a UNet call costs about a quarter of 512's and decoding x̂0, done at
    # every step, about a quarter too. Measured with random weights of SD 1.5's architecture at
    # 256, one thread: a guided UNet call (batch 2) 13-17 s, one VAE decode 23-24 s
    # (demos/text2image/bench.py hub_cost): 8 recorded steps take minutes, so no more.
    hub_side: int = 256
    hub_max_steps: int = 8


LIMITS = Limits()


# ---------------------------------------------------------------------------------------------
# Schedulers: the Diffusion lab's menu


@dataclasses.dataclass(frozen=True)
class Sampler:
    cls: type
    options: dict          # passed to from_config
    sigma_space: bool      # samples live in z = z0 + σ ε (Karras et al., 2022), not √ᾱ z0 + √(1−ᾱ) ε


SAMPLERS = {
    "ddim": Sampler(DDIMScheduler, {}, sigma_space=False),
    "ddpm": Sampler(DDPMScheduler, {}, sigma_space=False),
    # DPM-Solver++ (Lu et al., 2022): a second-order multistep solver of the probability-flow ODE
    "dpmpp": Sampler(DPMSolverMultistepScheduler, {"algorithm_type": "dpmsolver++", "solver_order": 2},
                     sigma_space=False),
    "euler": Sampler(EulerDiscreteScheduler, {}, sigma_space=True),
    "euler_a": Sampler(EulerAncestralDiscreteScheduler, {}, sigma_space=True),
}


def make_scheduler(name: str, config):
    """A fresh scheduler per request (schedulers are stateful), from the pipeline's scheduler
    config (Stable Diffusion's scaled-linear betas, clip_sample off: latents are not in [−1, 1])."""
    sampler = SAMPLERS[name]
    return sampler.cls.from_config(config, **sampler.options)


# ---------------------------------------------------------------------------------------------
# Settings


def _prompt(default: str, label: str = "t2i_prompt"):
    # the text box's limit; the text encoder reads at most max_length tokens of it (a notice says
    # what was cut)
    return setting(default, label=label, max_chars=300, widget="textbox")


@dataclasses.dataclass(frozen=True)
class GenerateSettings:
    """One image, every part recorded: the Generate button's controls and API parameters."""
    # any id of the model registry; components.models checks it (and whether hub models are on)
    model: str = setting(models.default_model(models.TEXT_TO_IMAGE), label="model", info="model_info", max_chars=200)
    prompt: str = _prompt("a large red circle at the top left")
    scheduler: str = setting("ddim", label="t2i_scheduler", choices=tuple(SAMPLERS), choice_label="t2i_sched_{}")
    # 25 recorded steps take about 0.3 s on 2 cores; 200 about 2 s
    steps: int = setting(25, label="t2i_steps", low=1, high=200)
    # classifier-free guidance scale s. StableDiffusionPipeline's default is 7.5; the bundled model
    # follows prompts at 3 (model card: 99–100% of 1,200 prompts right on every attribute), and its
    # training checks at 7.5 read fewer colours right (24 seen-pair prompts: 96%), so the lab starts at 3
    guidance: float = setting(3.0, label="t2i_guidance", low=0.0, high=20.0, step=0.5, info="t2i_guidance_info")
    seed: int = setting(0, label="seed", low=0, high=2**31 - 1, widget="number")

    def check(self) -> None:
        """An unknown model, or a hub model while they are off, is refused; a hub model takes at
        most ``LIMITS.hub_max_steps`` steps (each costs seconds on a CPU)."""
        if not models.get_spec(self.model, models.TEXT_TO_IMAGE).bundled and self.steps > LIMITS.hub_max_steps:
            raise InputError("err_out_of_range", name="t2i_steps", low=1, high=LIMITS.hub_max_steps, value=self.steps)


# Where each hub model starts when picked (the bundled one starts at GenerateSettings' defaults).
SUGGESTED = {
    # SD-Turbo draws in 1-4 steps without guidance (its card: guidance_scale=0.0, which the pipeline
    # reads as "conditional prediction only"): in this lab that is s = 1; Euler is its own scheduler
    "stabilityai/sd-turbo": {"scheduler": "euler", "steps": 2, "guidance": 1.0},
    # SD 1.5 needs more steps: DPM-Solver++ gives a usable image in the fewest; 7.5 is the pipeline's default
    "stable-diffusion-v1-5/stable-diffusion-v1-5": {"scheduler": "dpmpp", "steps": 8, "guidance": 7.5},
}


def suggested(model_id: str) -> dict:
    """Scheduler, steps and guidance a model starts with."""
    fields = {f.name: f.default for f in dataclasses.fields(GenerateSettings)}
    return {k: fields[k] for k in ("scheduler", "steps", "guidance")} | SUGGESTED.get(model_id, {})


@dataclasses.dataclass(frozen=True)
class EditSettings:
    """The prompt edit: a second prompt denoised from the same starting noise."""
    edited_prompt: str = _prompt("a large blue circle at the top left", "t2i_edited_prompt")


@dataclasses.dataclass(frozen=True)
class JudgeSettings:
    # images generated for the batch judgement; 32 × 25 guided steps ≈ 3 s on 2 cores
    count: int = setting(32, label="t2i_count", low=1, high=64)


VAE_SOURCES = ("scene", "generated", "image")


@dataclasses.dataclass(frozen=True)
class VaeSettings:
    """The image the VAE view encodes: a scene of the data set, the last generated image, or an
    image drawn or uploaded."""
    source: str = setting("scene", label="t2i_vae_source", choices=VAE_SOURCES, choice_label="t2i_vae_source_{}",
                          widget="radio")
    colour: str = setting("red", label="t2i_colour", choices=scenes.COLOURS, choice_label="t2i_colour_{}")
    shape: str = setting("triangle", label="t2i_shape", choices=scenes.SHAPES, choice_label="t2i_shape_{}")
    size: str = setting("small", label="t2i_size", choices=scenes.SIZES, choice_label="t2i_size_{}")
    position: str = setting("center", label="t2i_position", choices=scenes.POSITIONS,
                            choice_label="t2i_position_{}")
    scene_seed: int = setting(0, label="t2i_scene_seed", low=0, high=2**31 - 1, widget="number")


# ---------------------------------------------------------------------------------------------
# 1. Text: tokens and the text encoder


@dataclasses.dataclass(frozen=True)
class Prompt:
    """A prompt as the text encoder reads it."""
    text: str
    ids: list[int]          # (max_length,) padded with <|endoftext|>, as the pipeline pads
    tokens: list[str]       # the vocabulary entry of each of the first ``length`` ids
    spans: list[str]        # the typed text each of those tokens stands for ("" for <start>, <end>)
    length: int             # tokens read: <start>, the words kept, <end>
    dropped: str            # typed text cut off by truncation ("" when it all fits)
    unknown: list[str]      # words read that the vocabulary does not know (as <|unk|>)

    @property
    def empty(self) -> bool:
        return self.length == 2

    @property
    def labels(self) -> list[str]:
        """Short labels for figures: the typed word, <start>, <end>; unknown words marked ?."""
        out = []
        for i, (token, span) in enumerate(zip(self.tokens, self.spans)):
            if i == 0:
                label = BOS_LABEL
            elif i == self.length - 1:
                label = EOS_LABEL
            else:
                label = span + "?" if token == UNK_TOKEN else span
            out.append(label if len(label) <= LIMITS.label_chars else label[:LIMITS.label_chars - 1] + "…")
        return out


UNK_TOKEN = "<|unk|>"


def tokenize(tokenizer, text: str) -> Prompt:
    """Tokens and ids as ``StableDiffusionPipeline.encode_prompt`` makes them (padded to the
    tokenizer's length with <|endoftext|>, truncated to it), plus what was cut and what is unknown."""
    limit = tokenizer.model_max_length
    full = tokenizer(text, return_offsets_mapping=True)
    ids_full, offsets = full.input_ids, full.offset_mapping
    kept = min(len(ids_full), limit)
    ids = tokenizer(text, padding="max_length", max_length=limit, truncation=True).input_ids
    tokens = tokenizer.convert_ids_to_tokens(ids[:kept])
    # truncation keeps the first limit − 1 ids and closes with <|endoftext|>
    words = [text[a:b] for a, b in offsets[1:-1]]
    kept_words = words[:kept - 2]
    dropped = text[offsets[kept - 1][0]:].strip() if len(ids_full) > limit else ""
    unknown = [w for w, i in zip(kept_words, ids[1:kept - 1]) if i == tokenizer.unk_token_id]
    return Prompt(text, list(ids), tokens, ["", *kept_words, ""], kept, dropped, list(dict.fromkeys(unknown)))


@torch.no_grad()
def text_embeddings(pipe, prompts: list[Prompt]) -> torch.Tensor:
    """τ(prompt): the text encoder's last hidden state (after its final layer norm), (B, L, d)."""
    ids = torch.tensor([p.ids for p in prompts])
    return pipe.text_encoder(ids)[0]


# ---------------------------------------------------------------------------------------------
# 2. Cross-attention, recorded through diffusers attention processors


class AttentionRecorder:
    """Collects, per step, each cross-attention layer's softmax(Q Kᵀ/√d) of one batch row (the
    conditional image), averaged over heads: layer name -> [(H·W, L) per step]. All L tokens are
    kept, padding included, so each row still sums to 1."""

    def __init__(self, row: int):
        self.row = row
        self.maps: dict[str, list[np.ndarray]] = {}

    def add(self, name: str, probs: torch.Tensor) -> None:
        # probs: (B, heads, H·W, L)
        self.maps.setdefault(name, []).append(probs[self.row].mean(0).numpy())


def cross_attention_probs(attn, hidden_states: torch.Tensor, words: torch.Tensor) -> torch.Tensor:
    """softmax(Q Kᵀ / √d) of one diffusers ``Attention`` layer: Q = W_q · image features (B, H·W, C),
    K = W_k · words (B, L, d); answer (B, heads, H·W, L). Vaswani et al. 2017, eq. 1."""
    q, k = attn.to_q(hidden_states), attn.to_k(words)
    b, n, _ = q.shape
    q = q.view(b, n, attn.heads, -1).transpose(1, 2)                 # (B, heads, H·W, d_head)
    k = k.view(b, k.shape[1], attn.heads, -1).transpose(1, 2)        # (B, heads, L, d_head)
    return (q @ k.transpose(-1, -2) * attn.scale).softmax(dim=-1)


class RecordingProcessor:
    """Wraps a layer's own attention processor: the output is the wrapped processor's, untouched
    (recording changes nothing), and for cross-attention with a ``recorder`` passed through
    ``cross_attention_kwargs`` the attention probabilities are computed again from the layer's
    weights and kept. Installed once per loaded UNet; the recorder belongs to one request."""

    def __init__(self, inner, name: str):
        self.inner, self.name = inner, name

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None,
                 recorder: AttentionRecorder | None = None):
        out = self.inner(attn, hidden_states, encoder_hidden_states, attention_mask, temb)
        if recorder is not None and encoder_hidden_states is not None:
            recorder.add(self.name, cross_attention_probs(attn, hidden_states, encoder_hidden_states))
        return out


def install_recording(unet) -> None:
    """Wrap every attention processor of the UNet (once, when the model is loaded)."""
    if all(isinstance(p, RecordingProcessor) for p in unet.attn_processors.values()):
        return
    unet.set_attn_processor({name: RecordingProcessor(proc, name.removesuffix(".processor"))
                             for name, proc in unet.attn_processors.items()})


def cross_attention_layers(unet) -> list[str]:
    """The cross-attention layers' names in the order a UNet call runs them (down, mid, up)."""
    names = [n.removesuffix(".processor") for n in unet.attn_processors if ".attn2." in n]
    order = {"down_blocks": 0, "mid_block": 1, "up_blocks": 2}
    return sorted(names, key=lambda n: (order[n.split(".")[0]], n))


# ---------------------------------------------------------------------------------------------
# 3. The denoising loop


@dataclasses.dataclass(frozen=True)
class Record:
    """One image's denoising, every step. Latents are the UNet's (scaled by the VAE's
    scaling_factor); step i goes from timesteps[i] to the next."""
    settings: GenerateSettings
    prompt: Prompt
    timesteps: list[int]
    latents: np.ndarray          # (steps + 1, 4, h, w): z_T, then z after each step, on the √ᾱ z0 + √(1−ᾱ) ε scale
    pred_latents: np.ndarray     # (steps, 4, h, w): the scheduler's x̂0 (latent) at each step
    pred_images: np.ndarray      # (steps, H, W, 3) uint8: x̂0 decoded by the VAE
    eps_uncond: np.ndarray       # (steps, 4, h, w): ε_u, the prediction for the empty prompt
    eps_cond: np.ndarray         # (steps, 4, h, w): ε_c, the prediction for the prompt
    x0_coefficients: np.ndarray  # (steps, 2): (a, b) with x̂0 = a·z_t − b·ε for this scheduler
    samples: np.ndarray          # (steps, 4, h, w): z_t entering each step, on the scheduler's own scale
    attention: dict              # layer name -> (steps, h', w', L): each position's attention over the L tokens
    image: np.ndarray            # (H, W, 3) float32 in [0, 1]: the final image
    reading: judge.Reading | None  # what the judge reads in it (None: not the shapes world, the judge reads only that)
    seconds: float               # time of the loop and decoding

    @property
    def steps(self) -> int:
        return len(self.timesteps)

    def step_number(self, value) -> int:
        """``value`` checked as a step of this record, 1 to its length."""
        return as_int("t2i_step", value, 1, self.steps)


def image_side(pipe) -> int:
    """The side of the images the pipeline draws, as ``StableDiffusionPipeline.__call__`` takes it by default."""
    return pipe.unet.config.sample_size * pipe.vae_scale_factor


def starting_noise(pipe, generator: torch.Generator | list, count: int = 1) -> torch.Tensor:
    """z_T ~ N(0, I), drawn as ``StableDiffusionPipeline.prepare_latents`` draws it, (count, 4, h, w)."""
    size = pipe.unet.config.sample_size
    return randn_tensor((count, pipe.unet.config.in_channels, size, size), generator=generator)


@torch.no_grad()
def decode(pipe, latents: torch.Tensor) -> torch.Tensor:
    """The VAE's decoder on UNet latents: (B, 4, h, w) -> (B, H, W, 3) in [0, 1]."""
    images = pipe.vae.decode(latents / pipe.vae.config.scaling_factor).sample
    return (images / 2 + 0.5).clamp(0, 1).permute(0, 2, 3, 1)


def to_uint8(images: torch.Tensor | np.ndarray) -> np.ndarray:
    return (np.asarray(images) * 255).round().astype(np.uint8)


def _x0_coefficients(scheduler, sampler: Sampler, t) -> tuple[float, float]:
    """(a, b) such that the scheduler's x̂0 = a·z_t − b·ε̂ for an ε-predicting model:
    x̂0 = (z_t − √(1−ᾱ_t) ε̂)/√ᾱ_t (DDPM, DDIM, DPM-Solver++), or z_t − σ ε̂ (Euler, σ-space)."""
    if sampler.sigma_space:
        return 1.0, float(scheduler.sigmas[scheduler.step_index])
    alpha_bar = float(scheduler.alphas_cumprod[int(t)])
    return 1 / math.sqrt(alpha_bar), math.sqrt(1 - alpha_bar) / math.sqrt(alpha_bar)


def _display_scale(scheduler, sampler: Sampler) -> float:
    """Puts a σ-space sample z = z0 + σ ε (variance 1 + σ²) on the variance-preserving scale."""
    if not sampler.sigma_space:
        return 1.0
    sigma = float(scheduler.sigmas[scheduler.step_index])
    return 1.0 / math.sqrt(1.0 + sigma**2)


def _predicted_x0(scheduler, out) -> torch.Tensor:
    """DDPM, DDIM and Euler return x̂0; DPM-Solver++ keeps it (its converted model output) in
    ``model_outputs``."""
    x0 = getattr(out, "pred_original_sample", None)
    return x0 if x0 is not None else scheduler.model_outputs[-1]


def guided(eps_uncond: torch.Tensor, eps_cond: torch.Tensor, guidance) -> torch.Tensor:
    """Classifier-free guidance (Ho & Salimans, 2022, eq. 6): ε̂ = ε_u + s (ε_c − ε_u). At s = 1 it
    is ε_c itself (not ε_u + (ε_c − ε_u), which rounds differently)."""
    if isinstance(guidance, (int, float)) and guidance == 1.0:
        return eps_cond
    return eps_uncond + guidance * (eps_cond - eps_uncond)


@torch.no_grad()
def denoise(pipe, settings: GenerateSettings, record: bool = True, judged: bool = True) -> Record | np.ndarray:
    """One image for ``settings``: 1. encode the prompt and the empty prompt, 2. draw z_T from
    the seed, 3. at each step predict ε_u and ε_c in one batch, mix them, let the scheduler step,
    4. decode z_0. With ``record`` every intermediate is kept (a ``Record``); without, the image
    alone, (H, W, 3) in [0, 1]. ``judged``: the judge reads the image (the shapes world only)."""
    start = time.perf_counter()
    sampler = SAMPLERS[settings.scheduler]
    prompt = tokenize(pipe.tokenizer, settings.prompt)
    # 1. [τ(""), τ(prompt)]: the pipeline's order, unconditional first
    words = text_embeddings(pipe, [tokenize(pipe.tokenizer, ""), prompt])       # (2, L, d)
    scheduler = make_scheduler(settings.scheduler, pipe.scheduler.config)
    scheduler.set_timesteps(settings.steps)
    # 2. one generator for z_T and for any noise the scheduler adds, as the pipeline uses it
    generator = torch.Generator().manual_seed(settings.seed)
    z = starting_noise(pipe, generator) * scheduler.init_noise_sigma             # (1, 4, h, w)
    recorder = AttentionRecorder(row=1) if record else None
    kept: dict[str, list] = {k: [] for k in ("latents", "pred", "eps_u", "eps_c", "coef", "samples")}
    for t in scheduler.timesteps:
        turns.checkpoint()   # between steps the CPU may pass to the next in line (components/turns.py)
        # 3. ε_u and ε_c in one UNet call on [z_t, z_t]
        z_in = scheduler.scale_model_input(torch.cat([z, z]), t)
        eps_u, eps_c = pipe.unet(z_in, t, encoder_hidden_states=words,
                                 cross_attention_kwargs={"recorder": recorder}).sample.chunk(2)
        eps = guided(eps_u, eps_c, settings.guidance)
        if record:
            kept["latents"].append(z[0] * _display_scale(scheduler, sampler))
            kept["samples"].append(z[0])
            kept["coef"].append(_x0_coefficients(scheduler, sampler, t))
            kept["eps_u"].append(eps_u[0])
            kept["eps_c"].append(eps_c[0])
        out = scheduler.step(eps, t, z, generator=generator)
        z = out.prev_sample
        if record:
            kept["pred"].append(_predicted_x0(scheduler, out)[0])
    # 4. z_0 -> pixels
    if not record:
        return decode(pipe, z)[0].numpy()
    pred = torch.stack(kept["pred"])
    image = decode(pipe, z)[0].numpy()          # alone, as without recording: a batch may round differently
    decoded = decode(pipe, pred)                                                 # x̂0 of every step
    kept["latents"].append(z[0])
    steps = len(scheduler.timesteps)
    attention = {}
    for name, maps in (recorder.maps.items() if recorder else ()):
        side = math.isqrt(maps[0].shape[0])
        attention[name] = np.stack(maps).reshape(steps, side, side, -1)
    return Record(
        settings=settings, prompt=prompt, timesteps=[int(t) for t in scheduler.timesteps],
        latents=torch.stack(kept["latents"]).numpy(), pred_latents=pred.numpy(),
        pred_images=to_uint8(decoded), eps_uncond=torch.stack(kept["eps_u"]).numpy(),
        eps_cond=torch.stack(kept["eps_c"]).numpy(), x0_coefficients=np.array(kept["coef"], np.float64),
        samples=torch.stack(kept["samples"]).numpy(), attention=attention, image=image,
        reading=judge.read(image) if judged else None, seconds=time.perf_counter() - start)


@torch.no_grad()
def denoise_batch(pipe, prompts: list[str], seeds: list[int], scheduler_name: str, steps: int,
                  guidance: float) -> np.ndarray:
    """One image per (prompt, seed), in one batch, nothing recorded: (N, H, W, 3) in [0, 1]. Each
    image has its own generator, as ``StableDiffusionPipeline.__call__`` with a list of generators."""
    parsed = [tokenize(pipe.tokenizer, p) for p in prompts]
    n = len(parsed)
    words = text_embeddings(pipe, [tokenize(pipe.tokenizer, "")] * n + parsed)    # (2N, L, d)
    scheduler = make_scheduler(scheduler_name, pipe.scheduler.config)
    scheduler.set_timesteps(steps)
    generators = [torch.Generator().manual_seed(s) for s in seeds]
    z = starting_noise(pipe, generators, n) * scheduler.init_noise_sigma
    for t in scheduler.timesteps:
        turns.checkpoint()   # between steps the CPU may pass to the next in line
        z_in = scheduler.scale_model_input(torch.cat([z, z]), t)
        eps_u, eps_c = pipe.unet(z_in, t, encoder_hidden_states=words,
                                 cross_attention_kwargs={"recorder": None}).sample.chunk(2)
        z = scheduler.step(guided(eps_u, eps_c, guidance), t, z, generator=generators).prev_sample
    return decode(pipe, z).numpy()


def check_steps(name: str, steps: int) -> None:
    """DPM-Solver++ needs at least 2 steps with its second-order update; every scheduler takes 1+."""
    if name == "dpmpp" and steps < 2:
        raise InputError("err_out_of_range", name="t2i_steps", low=2, high=200, value=steps)


# ---------------------------------------------------------------------------------------------
# 4. Views of a record


def layer_label(name: str, side: int) -> str:
    """"down 8×8", "mid 2×2", "up 4×4 (2)": where a cross-attention layer sits and its grid."""
    parts = name.split(".")
    where = {"down_blocks": "down", "mid_block": "mid", "up_blocks": "up"}[parts[0]]
    index = "" if where == "mid" else f" ({int(parts[3]) + 1})" if where == "up" else ""
    return f"{where} {side}×{side}{index}"


def layer_choices(record: Record) -> list[str]:
    return ["mean", *record.attention]


def attention_maps(record: Record, step: int, layer: str, size: int) -> np.ndarray:
    """(T, size, size): each token's cross-attention over the image, at ``step`` (1-based) or
    summed over all steps (0, as DAAM sums them: Tang et al. 2023), for one layer or averaged over
    all layers after upsampling each to ``size`` (bilinear)."""
    if layer != "mean" and layer not in record.attention:
        raise InputError("err_choice", name="t2i_layer", value=str(layer)[:40],
                         allowed=", ".join(layer_choices(record)))
    names = list(record.attention) if layer == "mean" else [layer]
    total = None
    for name in names:
        maps = record.attention[name][..., :record.prompt.length]           # (steps, h, w, T)
        chosen = maps.sum(0) if step == 0 else maps[step - 1]               # (h, w, T)
        up = F.interpolate(torch.from_numpy(np.ascontiguousarray(chosen.transpose(2, 0, 1)))[None], size=(size, size),
                           mode="bilinear", align_corners=False)[0].numpy()  # (T, size, size)
        total = up if total is None else total + up
    return total / len(names)


def attention_shares(record: Record, step: int, layer: str) -> np.ndarray:
    """(L,): each token's share of the attention (padding included), averaged over the image's
    positions, the steps (at step 0) and the layers ("mean"); the shares sum to 1."""
    names = list(record.attention) if layer == "mean" else [layer]
    shares = []
    for maps in (record.attention[n] for n in names):
        chosen = maps if step == 0 else maps[step - 1:step]                 # (steps, h, w, L)
        shares.append(chosen.reshape(-1, chosen.shape[-1]).mean(0))
    return np.mean(shares, axis=0)


@dataclasses.dataclass(frozen=True)
class GuidanceParts:
    """One step's two noise predictions and their mix, and the clean image each implies."""
    step: int
    timestep: int
    guidance: float
    eps_uncond: np.ndarray    # (4, h, w)
    eps_cond: np.ndarray      # (4, h, w)
    direction: np.ndarray     # (4, h, w): ε_c − ε_u
    eps_guided: np.ndarray    # (4, h, w): ε_u + s (ε_c − ε_u)
    images: np.ndarray        # (3, H, W, 3) uint8: x̂0 decoded from ε_u, from ε_c, from ε̂


def guidance_parts(pipe, record: Record, step: int) -> GuidanceParts:
    """ε_u, ε_c, the direction ε_c − ε_u and ε̂ at ``step`` (1-based), with the x̂0 = a·z_t − b·ε
    each implies, decoded."""
    i = step - 1
    eps_u, eps_c = torch.from_numpy(record.eps_uncond[i]), torch.from_numpy(record.eps_cond[i])
    eps_hat = guided(eps_u, eps_c, record.settings.guidance)
    a, b = record.x0_coefficients[i]
    z = torch.from_numpy(record.samples[i])
    x0 = torch.stack([a * z - b * e for e in (eps_u, eps_c, eps_hat)]).float()
    return GuidanceParts(step, record.timesteps[i], record.settings.guidance, eps_u.numpy(), eps_c.numpy(),
                         (eps_c - eps_u).numpy(), eps_hat.numpy(), to_uint8(decode(pipe, x0)))


def guidance_sweep(pipe, settings: GenerateSettings, scales=LIMITS.guidance_scales) -> list[tuple[float, np.ndarray]]:
    """The same prompt and seed at several guidance scales: [(s, image (H, W, 3) in [0, 1])]."""
    return [(s, denoise(pipe, dataclasses.replace(settings, guidance=s), record=False)) for s in scales]


# ---------------------------------------------------------------------------------------------
# 5. The judge in batch


@dataclasses.dataclass(frozen=True)
class JudgeBatch:
    wanted: dict               # attribute -> value the prompt asks for (None: not asked)
    images: np.ndarray         # (N, H, W, 3) uint8
    seeds: list[int]
    readings: list[judge.Reading]
    right: dict                # attribute -> share of images read as asked (None: not asked); "all" too


def judge_images(images: np.ndarray, wanted: dict) -> tuple[list[judge.Reading], dict]:
    """The judge's readings of images and, per asked attribute, the share read as ``wanted``."""
    readings = judge.read_batch(images)
    rows = [judge.agreement(r, wanted) for r in readings]
    right = {a: (None if wanted.get(a) is None else float(np.mean([row[a] for row in rows])))
             for a in judge.ATTRIBUTES}
    asked = [a for a in judge.ATTRIBUTES if wanted.get(a) is not None]
    right["all"] = float(np.mean([all(row[a] for a in asked) for row in rows])) if asked else None
    return readings, right


def judge_batch(pipe, settings: GenerateSettings, count: int) -> JudgeBatch:
    """``count`` images for the prompt, seeds seed … seed + count − 1, read by the judge."""
    seeds = [settings.seed + i for i in range(count)]
    images = denoise_batch(pipe, [settings.prompt] * count, seeds, settings.scheduler, settings.steps,
                           settings.guidance)
    wanted = scenes.prompt_attributes(settings.prompt)
    readings, right = judge_images(images, wanted)
    return JudgeBatch(wanted, to_uint8(images), seeds, readings, right)


# ---------------------------------------------------------------------------------------------
# 6. The VAE


@dataclasses.dataclass(frozen=True)
class VaeRoundTrip:
    original: np.ndarray        # (H, W, 3) float32 in [0, 1], what was encoded
    latent: np.ndarray          # (4, h, w): the posterior mean, times scaling_factor (what the UNet sees)
    reconstruction: np.ndarray  # (H, W, 3) float32 in [0, 1]
    psnr_db: float              # 10 log10(1 / MSE), pixels in [0, 1]
    original_reading: judge.Reading | None        # None: not the shapes world
    reconstruction_reading: judge.Reading | None
    resized_from: tuple | None  # (height, width) of an image that was resized to fit, else None


def prepare_image(image, size: int) -> tuple[np.ndarray, tuple | None]:
    """A drawn or uploaded image as the VAE takes it: (size, size, 3) float32 in [0, 1];
    transparent pixels become the scenes' background; any other size is resized (box filter)."""
    from PIL import Image

    if image is None:
        raise InputError("t2i_err_no_image")
    array = np.asarray(image)
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    if array.ndim != 3 or array.shape[-1] not in (3, 4) or min(array.shape[:2]) == 0:
        raise InputError("t2i_err_image_shape", shape="×".join(map(str, array.shape)))
    height, width = array.shape[:2]
    if max(height, width) > LIMITS.image_side_max or min(height, width) < LIMITS.image_side_min:
        raise InputError("t2i_err_image_size", height=height, width=width, low=LIMITS.image_side_min,
                         high=LIMITS.image_side_max)
    pixels = array.astype(np.float32) / (255 if array.dtype == np.uint8 else 1)
    if pixels.shape[-1] == 4:
        alpha = pixels[..., 3:]
        if not alpha.any():
            raise InputError("t2i_err_no_image")
        background = np.asarray(scenes.BACKGROUND, np.float32) / 255
        pixels = pixels[..., :3] * alpha + background * (1 - alpha)
    pixels = np.clip(pixels[..., :3], 0, 1)
    if (height, width) == (size, size):
        return pixels, None
    resized = Image.fromarray(to_uint8(pixels)).resize((size, size), Image.Resampling.BOX)
    return np.asarray(resized, np.float32) / 255, (height, width)


@torch.no_grad()
def vae_round_trip(pipe, image: np.ndarray, resized_from: tuple | None = None, judged: bool = True) -> VaeRoundTrip:
    """Encode (posterior mean) and decode one (H, W, 3) image in [0, 1]; ``judged``: the judge
    reads both (the shapes world only)."""
    x = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None] * 2 - 1   # (1, 3, H, W) in [-1, 1]
    latent = pipe.vae.encode(x).latent_dist.mean * pipe.vae.config.scaling_factor
    recon = decode(pipe, latent)[0].numpy()
    mse = float(((recon.astype(np.float64) - image) ** 2).mean())
    readings = (judge.read(image), judge.read(recon)) if judged else (None, None)
    return VaeRoundTrip(image, latent[0].numpy(), recon, 10 * math.log10(1 / max(mse, 1e-12)), *readings, resized_from)


def scene_image(settings: VaeSettings) -> np.ndarray:
    """The chosen scene, jittered by its seed as the data set's scenes are."""
    rng = np.random.default_rng(settings.scene_seed)
    return scenes.render(scenes.make_scene(settings.colour, settings.shape, settings.size, settings.position, rng))


@dataclasses.dataclass(frozen=True)
class StepCost:
    latent_shape: tuple        # (4, h, w)
    pixel_shape: tuple         # (3, H, W)
    latent_s: float            # one guided UNet call (batch 2) on the latent
    pixel_s: float | None      # the same UNet built for pixels, same call (None: not built, see step_cost)


def pixel_unet(pipe):
    """The pipeline's UNet architecture built for 3-channel pixels at the image's size (untrained:
    only its cost is measured). Seeded, so every build is the same network."""
    config = dict(pipe.unet.config)
    config.update(in_channels=3, out_channels=3, sample_size=pipe.unet.config.sample_size * pipe.vae_scale_factor)
    with global_rng_seeded(0):
        return UNet2DConditionModel.from_config(config).eval()


@torch.no_grad()
def step_cost(pipe, pixels_unet, runs: int = LIMITS.cost_runs) -> StepCost:
    """Median time of one guided UNet call (batch 2) on the latent and on pixels. Without a
    ``pixels_unet`` (a hub model: the same UNet on 256×256×3 pixels would hold self-attention over
    65,536 positions, a 17 GB matrix per head) only the latent call is timed."""
    words = text_embeddings(pipe, [tokenize(pipe.tokenizer, "")] * 2)
    size = pipe.unet.config.sample_size
    latent = torch.zeros(2, pipe.unet.config.in_channels, size, size)
    pixels = torch.zeros(2, 3, size * pipe.vae_scale_factor, size * pipe.vae_scale_factor)

    def timed(unet, x) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            unet(x, 500, encoder_hidden_states=words)
            times.append(time.perf_counter() - start)
        return float(np.median(times))

    return StepCost(tuple(latent.shape[1:]), tuple(pixels.shape[1:]), timed(pipe.unet, latent),
                    None if pixels_unet is None else timed(pixels_unet, pixels))


# ---------------------------------------------------------------------------------------------
# 7. Words on a map


@dataclasses.dataclass(frozen=True)
class WordMap:
    words: list[str]
    kinds: list[str]           # "colour", "shape", "size", "position", "filler"
    languages: list[str]       # "en" or "zh"
    xy: np.ndarray             # (N, 2): the first two principal components
    explained: tuple           # share of the variance each axis explains


@torch.no_grad()
def word_map(pipe) -> WordMap:
    """Every caption word's input embedding (a row of the text encoder's token-embedding table),
    projected on its first two principal components."""
    kinds = scenes.vocabulary()
    vocab = pipe.tokenizer.get_vocab()
    words = [w for w in kinds if w in vocab and w != ","]
    table = pipe.text_encoder.get_input_embeddings().weight
    vectors = table[[vocab[w] for w in words]].numpy().astype(np.float64)          # (N, d)
    centred = vectors - vectors.mean(0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    variance = singular**2 / (singular**2).sum()
    return WordMap(words, [kinds[w] for w in words], ["en" if w.isascii() else "zh" for w in words],
                   centred @ vt[:2].T, (float(variance[0]), float(variance[1])))

