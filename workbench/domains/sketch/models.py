"""The sketch domain's networks (torch) and shipped checkpoint names.

InkNet (Vary and Complete) lives in inknet.py. GlyphEmbedding ("classify") is
a 4-block conv net, 32 filters (GroupNorm, so an embedding never depends on
the rest of the batch) for Prototypical Networks; the evaluation's judge of
fidelity.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

# "classify": the studio's judge of fidelity, trained on built-in glyphs. `eval sketch` takes
# --judge, one trained on Omniglot small1 (never seen by the generator; not shipped).
CHECKPOINT_NAMES = {"ink": "sketch-ink", "classify": "sketch-classify"}


def checkpoint_base(mode: str) -> Path:
    """Path (without suffix) of the shipped checkpoint for a mode."""
    if mode not in CHECKPOINT_NAMES:
        raise ValueError(f"mode must be one of {', '.join(CHECKPOINT_NAMES)}, got {mode!r}")
    from workbench.resources_path import resource_path

    return resource_path("checkpoints", CHECKPOINT_NAMES[mode])


class GlyphEmbedding(nn.Module):
    def __init__(self, size: int = 28, channels: int = 32, way: int = 20):
        super().__init__()
        blocks: list[nn.Module] = []
        fan_in = 1
        for _ in range(4):
            blocks += [nn.Conv2d(fan_in, channels, 3, padding=1), nn.GroupNorm(8, channels), nn.ReLU(), nn.MaxPool2d(2)]
            fan_in = channels
        self.size = size
        self.features = nn.Sequential(*blocks, nn.Flatten())
        out = channels * (size // 16) ** 2
        # A linear head only for the algorithms that need one (MAML etc.); ProtoNet ignores it.
        self.head = nn.Linear(out, way)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embeddings [N, D] of drawings x [N, size, size] or [N, size*size]."""
        return self.features(x.reshape(-1, 1, self.size, self.size))
