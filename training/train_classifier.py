"""Train the digit classifier that judges generated digits (see components/digits.py).

Full run:   python -m training.train_classifier          (about a minute on 2 cores)
Quick mode: python -m training.train_classifier --quick --out /tmp/clf

Real digits are split 80/20, stratified by class, with a fixed seed; the held-out 20% are never
trained on, and their accuracy is reported. Random shifts of up to one pixel make the classifier
less brittle to the small misplacements of generated digits.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from components.digits import CLASSIFIER_ID, DigitClassifier
from training.data import load_digits_images

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "assets" / "models" / CLASSIFIER_ID
SPLIT_SEED = 0


def split_indices(labels: np.ndarray, held_out: float = 0.2, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) indices, stratified by class."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        cut = round(len(idx) * held_out)
        test.extend(idx[:cut])
        train.extend(idx[cut:])
    return np.sort(train), np.sort(test)


def random_shift(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Shift each image by -1, 0 or +1 pixels in x and y, padding with blank paper (-1)."""
    padded = F.pad(x, (1, 1, 1, 1), value=-1.0)
    out = torch.empty_like(x)
    offsets = torch.randint(0, 3, (len(x), 2), generator=gen)
    for i, (dy, dx) in enumerate(offsets.tolist()):
        out[i] = padded[i, :, dy:dy + x.shape[-2], dx:dx + x.shape[-1]]
    return out


@torch.no_grad()
def accuracy(model: DigitClassifier, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    return float((model(x).argmax(-1) == y).float().mean())


def train(out: Path, epochs: int = 40, width: int = 32, seed: int = 0, log=print) -> dict:
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    images, labels = load_digits_images(16)
    train_idx, test_idx = split_indices(labels)
    x_train, y_train = torch.from_numpy(images[train_idx]), torch.from_numpy(labels[train_idx])
    x_test, y_test = torch.from_numpy(images[test_idx]), torch.from_numpy(labels[test_idx])
    model = DigitClassifier(width)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    t0 = time.time()
    for epoch in range(epochs):
        model.train()
        for batch in torch.randperm(len(x_train), generator=gen).split(64):
            loss = F.cross_entropy(model(random_shift(x_train[batch], gen)), y_train[batch])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        if (epoch + 1) % 10 == 0 or epoch + 1 == epochs:
            log(json.dumps({"epoch": epoch + 1, "loss": round(loss.item(), 4),
                            "held_out_accuracy": round(accuracy(model, x_test, y_test), 4)}))
    summary = {"width": width, "epochs": epochs, "train_images": len(train_idx), "held_out_images": len(test_idx),
               "held_out_accuracy": accuracy(model, x_test, y_test), "seconds": round(time.time() - t0, 1)}
    out.mkdir(parents=True, exist_ok=True)
    save_file(model.state_dict(), out / "model.safetensors")
    (out / "config.json").write_text(json.dumps(summary, indent=2))
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 epochs (seconds)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    print(json.dumps(train(args.out, epochs=2 if args.quick else 40)))


if __name__ == "__main__":
    main()
