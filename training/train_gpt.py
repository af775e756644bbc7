"""Train the bundled Shakespeare GPT: a byte-level BPE tokenizer and a small GPT2LMHeadModel.

Full run:   python -m training.train_gpt
Quick mode: python -m training.train_gpt --quick --out /tmp/gpt   (seconds; used by the tests)

The held-out works (training/data.py) are never trained on; the validation loss in the log is
measured on them. Optimiser: AdamW with linear warm-up then cosine decay (Loshchilov & Hutter,
2019), as in nanoGPT.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import time
from pathlib import Path

import numpy as np
import torch

from training.cli import parse_config
from training.data import CACHE_DIR, load_works, split_works

EOS = "<|endoftext|>"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "assets" / "models" / "shakespeare-gpt"


@dataclasses.dataclass(frozen=True)
class GPTTrainConfig:
    vocab_size: int = 2048        # BPE merges learned on the training works
    block_size: int = 256         # context length (tokens) = n_positions
    n_layer: int = 6
    n_head: int = 6
    n_embd: int = 192
    dropout: float = 0.1          # on embeddings and residual branches: ~10 passes over the data; without
                                  # it training loss fell to 2.9 nats/token while held-out loss stalled at 3.84
    attn_dropout: float = 0.0     # on attention weights: batch x heads x T^2 random numbers a layer (38 M a
                                  # step here, residual dropout 48x fewer); with it a step took 0.88 s, not 0.70-0.84
    batch_size: int = 16
    work_start_share: float = 0.05  # share of windows that begin at a work's <|endoftext|> (see get_batch)
    bf16: bool = True             # matmuls in bfloat16 under autocast; the weights stay float32
    max_steps: int = 4600         # 59 min on one core (training/logs/gpt_candidates/README.md)
    warmup_steps: int = 100
    lr: float = 2e-3
    min_lr: float = 1e-4          # cosine decays to this
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    eval_every: int = 200
    eval_batches: int = 16        # validation batches per logged point (the full figure is in evaluate.py)
    threads: int = 1              # two 1-thread runs side by side: 0.88 s a step each; one 2-thread run: 0.64 s
    seed: int = 1337


QUICK = GPTTrainConfig(vocab_size=300, block_size=64, n_layer=2, n_head=2, n_embd=32,
                       batch_size=8, max_steps=30, warmup_steps=5, eval_every=15, eval_batches=2)


def train_tokenizer(texts: list[str], vocab_size: int):
    """GPT-2-style byte-level BPE (Radford et al., 2019) trained with the `tokenizers` library."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2TokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    # Wrapping through tokenizer_object= keeps the trained vocabulary (building
    # GPT2TokenizerFast from vocab/merges files silently gives an empty one).
    return GPT2TokenizerFast(tokenizer_object=tok, bos_token=EOS, eos_token=EOS, unk_token=EOS)


def encode_corpus(tokenizer, works: dict[str, str]) -> np.ndarray:
    """Every work preceded by <|endoftext|>, concatenated: one long stream of token ids."""
    ids: list[int] = []
    for text in works.values():
        ids.append(tokenizer.eos_token_id)
        ids.extend(tokenizer(text)["input_ids"])
    return np.asarray(ids, dtype=np.int64)


def get_batch(data: np.ndarray, block: int, batch: int, gen: np.random.Generator,
              work_starts: np.ndarray | None = None, work_start_share: float = 0.0):
    """Random windows of ``block`` tokens and their next tokens. A share of them begin exactly at a
    work's <|endoftext|>: sampling from <|endoftext|> alone puts it at position 0, which random
    windows show the model only about once in a million, so without them a title page generated
    from nothing is a jumble of capitals."""
    starts = gen.integers(0, len(data) - block - 1, size=batch)
    if work_starts is not None and work_start_share > 0:
        aligned = gen.random(batch) < work_start_share
        starts[aligned] = gen.choice(work_starts, size=int(aligned.sum()))
    x = np.stack([data[s : s + block] for s in starts])
    y = np.stack([data[s + 1 : s + block + 1] for s in starts])
    return torch.from_numpy(x), torch.from_numpy(y)


def lr_at(step: int, cfg: GPTTrainConfig) -> float:
    """Linear warm-up, then cosine decay from lr to min_lr."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    progress = min(1.0, (step - cfg.warmup_steps) / max(1, cfg.max_steps - cfg.warmup_steps))
    return cfg.min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (cfg.lr - cfg.min_lr)


def build_model(cfg: GPTTrainConfig, tokenizer):
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(
        vocab_size=len(tokenizer), n_positions=cfg.block_size, n_embd=cfg.n_embd,
        n_layer=cfg.n_layer, n_head=cfg.n_head, resid_pdrop=cfg.dropout, embd_pdrop=cfg.dropout,
        attn_pdrop=cfg.attn_dropout, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.eos_token_id,
        attn_implementation="eager",
    )
    # Eager attention: on 2 CPU cores it trains faster than SDPA (0.64 vs 0.72 s a step under
    # bf16 autocast), and it is what the registry loads for attention maps anyway.
    return GPT2LMHeadModel(config)


def lm_loss(model, x: torch.Tensor, y: torch.Tensor, bf16: bool = False) -> torch.Tensor:
    """Mean next-token cross-entropy; y is x shifted left by one. With ``bf16`` the matmuls run in
    bfloat16 (1.5x faster on CPUs with AVX512-BF16); the softmax cross-entropy stays float32."""
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        # every position is real text; the explicit mask only spares transformers' padding warning
        logits = model(input_ids=x, attention_mask=torch.ones_like(x)).logits  # (B, T, V)
    return torch.nn.functional.cross_entropy(logits.float().flatten(0, 1), y.flatten())


def plot_losses(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    steps = [r["step"] for r in rows]
    ax.plot(steps, [r["train_loss"] for r in rows], label="train")
    ax.plot(steps, [r["val_loss"] for r in rows], label="validation (Tempest, Macbeth)")
    ax.set_title("Shakespeare GPT: cross-entropy per token")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("loss (nats / token)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def train(cfg: GPTTrainConfig, out: Path, cache_dir: Path = CACHE_DIR, log=print) -> dict:
    from transformers import GenerationConfig

    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    gen = np.random.default_rng(cfg.seed)
    out.mkdir(parents=True, exist_ok=True)

    # 1. data and tokenizer: trained on the training works only
    train_works, val_works = split_works(load_works(cache_dir))
    tokenizer = train_tokenizer(list(train_works.values()), cfg.vocab_size)
    train_ids = encode_corpus(tokenizer, train_works)
    val_ids = encode_corpus(tokenizer, val_works)
    work_starts = np.flatnonzero(train_ids == tokenizer.eos_token_id)
    chars = sum(map(len, train_works.values()))
    log(f"train tokens {len(train_ids):,} ({chars / len(train_ids):.2f} chars/token), val tokens {len(val_ids):,}")

    # 2. model and optimiser; no weight decay on biases and LayerNorm gains
    model = build_model(cfg, tokenizer)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"parameters {n_params:,}")
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=cfg.lr, betas=(0.9, 0.95),
    )

    @torch.no_grad()
    def val_loss() -> float:
        model.eval()
        vgen = np.random.default_rng(0)  # same validation windows at every point
        losses = [lm_loss(model, *get_batch(val_ids, cfg.block_size, cfg.batch_size, vgen)).item()
                  for _ in range(cfg.eval_batches)]
        model.train()
        return float(np.mean(losses))

    # 3. training loop
    rows, running, t0 = [], [], time.time()
    model.train()
    for step in range(cfg.max_steps):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, cfg)
        x, y = get_batch(train_ids, cfg.block_size, cfg.batch_size, gen, work_starts, cfg.work_start_share)
        loss = lm_loss(model, x, y, cfg.bf16)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()
        running.append(loss.item())
        if (step + 1) % cfg.eval_every == 0 or step + 1 == cfg.max_steps:
            row = {"step": step + 1, "train_loss": float(np.mean(running)), "val_loss": val_loss(),
                   "lr": lr_at(step, cfg), "seconds": round(time.time() - t0, 1)}
            rows.append(row)
            running = []
            log(json.dumps(row))

    # 4. save everything from_pretrained needs, plus the log and its plot
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.eos_token_id, do_sample=True, top_p=0.9, temperature=0.8,
        max_new_tokens=100,
    )
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    with open(out / "training_log.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    plot_losses(rows, out / "training_loss.png")
    summary = {"parameters": n_params, "seconds": round(time.time() - t0, 1),
               "train_tokens": len(train_ids), "config": dataclasses.asdict(cfg)}
    (out / "training_summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def main() -> None:
    cfg, out = parse_config(__doc__, GPTTrainConfig(), QUICK, DEFAULT_OUT, "tiny model, a few steps (seconds)",
                            {"max_steps": int, "threads": int, "dropout": float, "n_layer": int, "n_head": int,
                             "n_embd": int, "lr": float, "work_start_share": float, "eval_every": int})
    train(cfg, out)


if __name__ == "__main__":
    main()
