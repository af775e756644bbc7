"""The digit classifier that judges generated digits (diffusion evaluation, GAN lab).

A small CNN trained on real scikit-learn digits at 16x16, pixels in [-1, 1] (+1 = ink), by
``training/train_classifier.py``; bundled in ``assets/models/digits-classifier``.
"""

from __future__ import annotations

import functools
import json

import torch
from torch import nn

CLASSIFIER_ID = "digits-classifier"


class DigitClassifier(nn.Module):
    def __init__(self, width: int = 32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1), nn.ReLU(),                             # (w, 16, 16)
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1), nn.ReLU(),           # (2w, 8, 8)
            nn.Conv2d(2 * width, 2 * width, 3, stride=2, padding=1), nn.ReLU(),       # (2w, 4, 4)
            nn.Flatten(), nn.Dropout(0.2), nn.Linear(2 * width * 16, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, 16, 16) in [-1, 1] -> (B, 10) logits."""
        return self.net(x)


@functools.lru_cache(maxsize=1)
def load_digit_classifier() -> DigitClassifier:
    from safetensors.torch import load_file

    from components.models import ASSETS_DIR

    folder = ASSETS_DIR / CLASSIFIER_ID
    config = json.loads((folder / "config.json").read_text())
    model = DigitClassifier(width=config["width"])
    model.load_state_dict(load_file(folder / "model.safetensors"))
    return model.eval()


@torch.no_grad()
def classify(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(predicted digit, confidence) for (B, 1, 16, 16) images in [-1, 1]."""
    probs = torch.softmax(load_digit_classifier()(images.clamp(-1, 1)), dim=-1)
    confidence, digit = probs.max(dim=-1)
    return digit, confidence
