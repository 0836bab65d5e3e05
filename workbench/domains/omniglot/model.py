"""The MAML paper's Omniglot network: 4 blocks of 3x3 conv (64 filters), batch
normalisation, ReLU, stride 2 instead of pooling, then a linear head.

Normalisation uses batch statistics only (track_running_stats=False): running
statistics do not work under vmap, and MAML normalises with batch statistics
at test time too. `forward` returns the embedding; the problem applies the
head, so ProtoNet (embedding only) and MAML (embedding + head) share one model.
"""

from __future__ import annotations

import torch
from torch import nn


class ConvNet(nn.Module):
    def __init__(self, way: int, size: int = 28, channels: int = 64, blocks: int = 4):
        super().__init__()
        layers: list[nn.Module] = []
        fan_in, side = 1, size
        for _ in range(blocks):
            layers += [
                nn.Conv2d(fan_in, channels, 3, stride=2, padding=1),
                nn.BatchNorm2d(channels, track_running_stats=False),
                nn.ReLU(),
            ]
            fan_in, side = channels, (side + 1) // 2
        self.size = size
        self.features = nn.Sequential(*layers, nn.Flatten())
        self.embedding_size = channels * side * side
        self.head = nn.Linear(self.embedding_size, way)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embeddings [N, D] of images x [N, size, size]."""
        return self.features(x.reshape(-1, 1, self.size, self.size))


def head_logits(embedding: torch.Tensor, params: dict) -> torch.Tensor:
    return embedding @ params["head.weight"].t() + params["head.bias"]
