"""Quality figures of the bundled text-to-image pipeline `assets/models/shapes-sd`, read by the lab's
judge (demos/text2image/judge.py). The bars are in issue 18 and the model card.

python -m training.evaluate_shapes_sd [--folder DIR] [--prompts 300] [--steps 50] [--guidance 7.5] [--threads 2]

Protocol
* Prompts: ``--prompts`` scenes of the seen colour×shape pairs and as many of the held-out pairs
  (drawn with seeds the training never used), each captioned once in English and once in Chinese
  with random wording. English and Chinese prompts of a scene share the initial noise, so the
  languages are compared on the same draws.
* Generation: StableDiffusionPipeline.__call__ of the folder as loaded by from_pretrained, its DDIM
  scheduler, ``--steps`` steps, classifier-free guidance ``--guidance`` (7.5 is the pipeline's default)
  with the empty prompt as the unconditional one, initial noise seeded per prompt.
* Reading: the judge reads colour, shape, size and position of each image; a figure is the share
  read as the prompt asked, "all" the share with all four right.
* VAE: ``--vae-scenes`` scenes of every pair encoded (posterior mean) and decoded: PSNR per image in
  dB (pixels in [0, 1]), averaged; and the judge's figures on the reconstructions.
* Bars: each of issue 18's bars against these figures (``bars`` in the output).
Writes evaluation.json and sample grids (PNG) into the folder.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from demos.text2image import judge, scenes
from training.train_shapes_sd import DEFAULT_OUT

EVAL_SEED = 7_000_000          # scenes and noise seeds far from any the training drew

# Issue 18's bars: (group, attribute) -> lowest share; Chinese within ZH_GAP of English on every figure.
BARS = {
    **{("seen", a): v for a, v in {"colour": 0.95, "position": 0.95, "shape": 0.90, "size": 0.95, "all": 0.90}.items()},
    **{("held_out", a): v for a, v in {"colour": 0.90, "position": 0.90, "shape": 0.70}.items()},
}
ZH_GAP = 0.05
VAE_PSNR_DB, VAE_JUDGE = 28.0, 0.98


def load(folder: Path):
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(folder, safety_checker=None, feature_extractor=None,
                                                   requires_safety_checker=False, local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    return pipe


@torch.no_grad()
def generate(pipe, prompts: list[str], seeds: list[int], steps: int, guidance: float, batch: int = 100) -> np.ndarray:
    """(N, 32, 32, 3) images in [0, 1], one per prompt, noise seeded by ``seeds``."""
    images = []
    for start in range(0, len(prompts), batch):
        gens = [torch.Generator().manual_seed(s) for s in seeds[start:start + batch]]
        images.append(pipe(prompts[start:start + batch], num_inference_steps=steps, guidance_scale=guidance,
                           generator=gens, output_type="np").images)
    return np.concatenate(images)


@torch.no_grad()
def reconstruct(vae, images: np.ndarray, batch: int = 250) -> np.ndarray:
    """Encode (posterior mean) and decode (N, 32, 32, 3) images in [0, 1]."""
    out = []
    for start in range(0, len(images), batch):
        x = torch.from_numpy(images[start:start + batch]).permute(0, 3, 1, 2) * 2 - 1
        recon = vae.decode(vae.encode(x).latent_dist.mean).sample
        out.append(((recon + 1) / 2).clamp(0, 1).permute(0, 2, 3, 1).numpy())
    return np.concatenate(out)


def psnr_db(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    mse = ((a.astype(np.float64) - b) ** 2).reshape(len(a), -1).mean(1)
    return 10 * np.log10(1 / np.maximum(mse, 1e-12))


def save_grid(images: np.ndarray, titles: list[str], path: Path, columns: int = 8) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = ["DejaVu Sans", "WenQuanYi Micro Hei"]
    rows = -(-len(images) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.6, rows * 1.9), dpi=100, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, title in zip(axes.flat, images, titles):
        ax.imshow(image, interpolation="nearest")
        ax.set_title(title, fontsize=6.5, wrap=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def short(text: str, width: int = 22) -> str:
    """Break an English caption into lines of about ``width`` characters for a grid title."""
    if not text.isascii():
        return text if len(text) <= 12 else text[:12] + "\n" + text[12:]
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join(lines + [line])


def bars(result: dict) -> list[dict]:
    """Each bar of issue 18 against the figures: what, the bar, the value, met or not."""
    rows = []
    for (pairs, attribute), low in BARS.items():
        for lang in scenes.LANGUAGES:
            value = result[f"{pairs}_{lang}"][attribute]
            rows.append({"what": f"{pairs} {lang} {attribute}", "bar": f">= {low:.0%}", "value": value,
                         "met": value >= low})
    for pairs in ("seen", "held_out"):
        for attribute, gap in result[f"{pairs}_zh_minus_en"].items():
            rows.append({"what": f"{pairs} zh - en {attribute}", "bar": f">= -{ZH_GAP:.0%}", "value": gap,
                         "met": gap >= -ZH_GAP})
    vae = result["vae"]
    rows.append({"what": "vae psnr_db (mean)", "bar": f">= {VAE_PSNR_DB}", "value": vae["psnr_db_mean"],
                 "met": vae["psnr_db_mean"] >= VAE_PSNR_DB})
    for attribute in judge.ATTRIBUTES:
        value = vae[f"judge_{attribute}"]
        rows.append({"what": f"vae judge {attribute}", "bar": f">= {VAE_JUDGE:.0%}", "value": value,
                     "met": value >= VAE_JUDGE})
    return rows


def evaluate(folder: Path, n_prompts: int, steps: int, guidance: float, vae_scenes: int, threads: int = 2,
             log=print) -> dict:
    torch.set_num_threads(threads)
    pipe = load(folder)
    t0 = time.time()
    result: dict = {"protocol": {"prompts_per_group": n_prompts, "steps": steps, "guidance": guidance,
                                 "scheduler": type(pipe.scheduler).__name__, "vae_scenes": vae_scenes}}
    grids = {}
    for g, pairs in enumerate(("seen", "held_out")):
        wanted = scenes.sample_scenes(n_prompts, EVAL_SEED + g, pairs)
        seeds = [EVAL_SEED + 10_000 * (g + 1) + i for i in range(n_prompts)]
        for lang in scenes.LANGUAGES:
            prompts = scenes.captions(wanted, lang, EVAL_SEED + 100 + g)
            images = generate(pipe, prompts, seeds, steps, guidance)
            readings = judge.read_batch(images)
            figures = judge.score(readings, wanted)
            result[f"{pairs}_{lang}"] = figures
            log(json.dumps({"group": f"{pairs}_{lang}", **figures, "seconds": round(time.time() - t0, 1)}))
            grids[f"{pairs}_{lang}"] = (images[:24], [short(p) for p in prompts[:24]])
    for pairs in ("seen", "held_out"):
        result[f"{pairs}_zh_minus_en"] = {k: result[f"{pairs}_zh"][k] - result[f"{pairs}_en"][k]
                                          for k in result[f"{pairs}_en"]}

    # the VAE alone
    truth = scenes.sample_scenes(vae_scenes, EVAL_SEED + 5, "all")
    originals = scenes.render_batch(truth)
    recons = reconstruct(pipe.vae, originals)
    db = psnr_db(recons, originals)
    result["vae"] = {"psnr_db_mean": float(db.mean()), "psnr_db_min": float(db.min()),
                     **{f"judge_{k}": v for k, v in judge.score(judge.read_batch(recons), truth).items()}}
    log(json.dumps({"group": "vae", **result["vae"]}))
    result["bars"] = bars(result)
    missed = [b for b in result["bars"] if not b["met"]]
    log(f"bars met: {len(result['bars']) - len(missed)} of {len(result['bars'])}; missed: {json.dumps(missed)}")
    result["seconds"] = round(time.time() - t0, 1)

    (folder / "evaluation.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    for name, (images, titles) in grids.items():
        save_grid(images, titles, folder / f"samples_{name}.png")
    pairs = np.stack([originals[:8], recons[:8]], axis=1).reshape(-1, *originals.shape[1:])
    save_grid(pairs, [t for i in range(8) for t in (f"scene {i}", f"VAE {db[i]:.1f} dB")],
              folder / "vae_reconstructions.png")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--prompts", type=int, default=300)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--guidance", type=float, default=7.5)
    parser.add_argument("--vae-scenes", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    evaluate(args.folder, args.prompts, args.steps, args.guidance, args.vae_scenes, args.threads)


if __name__ == "__main__":
    main()
