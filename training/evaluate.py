"""Quality figures of the shipped models (the bars are in the bundled-models issue and cards).

python -m training.evaluate [--gpt] [--ddpm] [--assets DIR]

GPT
* cross-entropy on the held-out works (The Tempest, Macbeth) in nats per character: total token
  negative log-likelihood / number of characters. Each work starts with <|endoftext|>, so its
  first token is scored too; windows of the full context slide by half a context, and only
  tokens not scored before count, so every token has at least half a context before it.
* in 20 samples of 100 new tokens (top-p 0.9, temperature 0.8), the share of words that occur
  in the training works, for two kinds of sample: continuing 32 tokens of held-out text (seeded
  positions in The Tempest and Macbeth), and from <|endoftext|> alone (the model then starts a
  new work: a title, "by William Shakespeare" and a cast list).

Diffusion (50 DDIM steps, a classifier trained on real digits)
* the classifier's held-out accuracy on real digits, and how often it is >= 0.7 confident on them;
* on 300 unconditional samples: the share with confidence >= 0.7, and each digit's share;
* on 300 class-conditional samples (30 per digit) at guidance 3: the share classified as asked.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path

import numpy as np
import torch

WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")


@torch.no_grad()
def nats_per_char(model, tokenizer, texts: list[str], stride_fraction: float = 0.5) -> float:
    context = model.config.n_positions
    stride = int(context * stride_fraction)
    total_nll, total_chars = 0.0, 0
    for text in texts:
        ids = [tokenizer.eos_token_id] + tokenizer(text)["input_ids"]
        scored_until = 1  # token 0 (<|endoftext|>) is given, not predicted
        start = 0
        while scored_until < len(ids):
            window = ids[start:start + context]
            logits = model(torch.tensor([window])).logits[0]                   # (T, V)
            logp = torch.log_softmax(logits.float(), dim=-1)
            targets = torch.tensor(window[1:])
            nll = -logp[:-1].gather(1, targets[:, None])[:, 0]                  # nll of window[1:]
            first_new = scored_until - start - 1                               # index into nll
            total_nll += float(nll[first_new:].sum())
            scored_until = start + len(window)
            start += stride
        total_chars += len(text)
    return total_nll / total_chars


def training_words(works: dict[str, str]) -> set[str]:
    return {w.lower() for text in works.values() for w in WORD.findall(text)}


def held_out_prompts(tokenizer, texts: list[str], n: int = 20, length: int = 32, seed: int = 0) -> list[list[int]]:
    """n windows of ``length`` tokens at seeded positions of the held-out works."""
    rng = np.random.default_rng(seed)
    streams = [tokenizer(t)["input_ids"] for t in texts]
    prompts = []
    for i in range(n):
        ids = streams[i % len(streams)]
        start = int(rng.integers(0, len(ids) - length))
        prompts.append(ids[start:start + length])
    return prompts


@torch.no_grad()
def known_word_share(model, tokenizer, vocabulary: set[str], prompts: list[list[int]], new_tokens: int = 100,
                     seed: int = 0) -> tuple[float, list[str]]:
    """Share of the sampled words (top-p 0.9, T 0.8) found in ``vocabulary``; one sample per prompt."""
    texts = []
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        for prompt in prompts:
            out = model.generate(torch.tensor([prompt]), attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
                                 do_sample=True, top_p=0.9, top_k=0, temperature=0.8, max_new_tokens=new_tokens,
                                 min_new_tokens=new_tokens, pad_token_id=tokenizer.eos_token_id)
            texts.append(tokenizer.decode(out[0, len(prompt):], skip_special_tokens=True))
    words = [w.lower() for t in texts for w in WORD.findall(t)]
    return sum(w in vocabulary for w in words) / max(1, len(words)), texts


def evaluate_gpt(assets: Path) -> dict:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from training.data import load_works, split_works

    folder = assets / "shakespeare-gpt"
    model = AutoModelForCausalLM.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    train_works, val_works = split_works(load_works())
    npc = nats_per_char(model, tokenizer, list(val_works.values()))
    vocabulary = training_words(train_works)
    prompted, prompted_texts = known_word_share(
        model, tokenizer, vocabulary, held_out_prompts(tokenizer, list(val_works.values())))
    from_bos, bos_texts = known_word_share(model, tokenizer, vocabulary, [[tokenizer.eos_token_id]] * 20)
    return {"held_out_nats_per_char": round(npc, 6), "held_out_bits_per_char": round(npc / math.log(2), 4),
            "known_word_share_continuing_held_out_text": round(prompted, 4),
            "known_word_share_from_endoftext": round(from_bos, 4),
            "sample_continuing_held_out_text": prompted_texts[0][:400], "sample_from_endoftext": bos_texts[0][:300],
            "parameters": sum(p.numel() for p in model.parameters())}


@torch.no_grad()
def evaluate_ddpm(assets: Path, steps: int = 50, n: int = 300, guidance: float = 3.0, seed: int = 0) -> dict:
    from diffusers import DDPMScheduler, UNet2DModel

    from components.digits import classify
    from demos.diffusion.core import NO_CLASS, make_scheduler, sample
    from training.data import load_digits_images
    from training.train_classifier import split_indices

    folder = assets / "digits-ddpm"
    unet = UNet2DModel.from_pretrained(folder, subfolder="unet").eval()
    config = DDPMScheduler.from_pretrained(folder, subfolder="scheduler").config
    images, labels = load_digits_images(16)
    _, test_idx = split_indices(labels)
    real_digit, real_conf = classify(torch.from_numpy(images[test_idx]))

    def draw(class_labels: torch.Tensor, w: float, seed_offset: int) -> torch.Tensor:
        gen = torch.Generator().manual_seed(seed + seed_offset)
        out = []
        for chunk in class_labels.split(100):
            noise = torch.randn((len(chunk), 1, 16, 16), generator=gen)
            x, _ = sample(unet, make_scheduler("ddim", config), noise, chunk, w, steps, generator=gen, record=False)
            out.append(x)
        return torch.cat(out)

    uncond = draw(torch.full((n,), NO_CLASS), 0.0, 0)
    u_digit, u_conf = classify(uncond)
    wanted = torch.arange(10).repeat_interleave(n // 10)
    cond = draw(wanted, guidance, 1)
    c_digit, _ = classify(cond)
    counts = np.bincount(u_digit.numpy(), minlength=10) / n
    return {
        "classifier_held_out_accuracy": round(float((real_digit == torch.from_numpy(labels[test_idx])).float().mean()), 4),
        "real_held_out_confident_share": round(float((real_conf >= 0.7).float().mean()), 4),
        "unconditional_confident_share": round(float((u_conf >= 0.7).float().mean()), 4),
        "unconditional_digit_shares": [round(float(c), 3) for c in counts],
        "conditional_accuracy_at_guidance_3": round(float((c_digit == wanted).float().mean()), 4),
        "sampler": f"DDIM, {steps} steps, eta 0", "parameters": sum(p.numel() for p in unet.parameters()),
    }


@torch.no_grad()
def save_sample_grid(assets: Path, path: Path, guidance: float = 3.0, rows: int = 8, seed: int = 0) -> None:
    """A grid of class-conditional samples (one column per digit), dark ink on white paper."""
    from diffusers import DDPMScheduler, UNet2DModel
    from PIL import Image

    from demos.diffusion.core import make_scheduler, sample

    folder = assets / "digits-ddpm"
    unet = UNet2DModel.from_pretrained(folder, subfolder="unet").eval()
    config = DDPMScheduler.from_pretrained(folder, subfolder="scheduler").config
    gen = torch.Generator().manual_seed(seed)
    labels = torch.arange(10).repeat(rows)
    x, _ = sample(unet, make_scheduler("ddim", config), torch.randn((len(labels), 1, 16, 16), generator=gen),
                  labels, guidance, 50, generator=gen, record=False)
    paper = ((1 - (x.clamp(-1, 1) + 1) / 2) * 255).byte().numpy()[:, 0]          # (N, 16, 16)
    padded = np.pad(paper.reshape(rows, 10, 16, 16), ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=255)
    grid = padded.transpose(0, 2, 1, 3).reshape(rows * 18, 10 * 18)
    Image.fromarray(grid).resize((10 * 18 * 3, rows * 18 * 3), Image.NEAREST).save(path)


def main() -> None:
    from components.models import ASSETS_DIR

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gpt", action="store_true")
    parser.add_argument("--ddpm", action="store_true")
    parser.add_argument("--assets", type=Path, default=ASSETS_DIR)
    args = parser.parse_args()
    both = not (args.gpt or args.ddpm)
    if args.gpt or both:
        print(json.dumps({"shakespeare-gpt": evaluate_gpt(args.assets)}, indent=2, ensure_ascii=False))
    if args.ddpm or both:
        print(json.dumps({"digits-ddpm": evaluate_ddpm(args.assets)}, indent=2))
        save_sample_grid(args.assets, args.assets / "digits-ddpm" / "samples.png")


if __name__ == "__main__":
    main()
