"""InkNet: one network for Vary and Complete, by masked iterative decoding of binary ink.

A canvas has three pixel states: known ink, known paper, unknown. The network
predicts the ink probability of every pixel from the known ones (MaskGIT,
Chang et al. 2022; absorbing-state discrete diffusion, Austin et al. 2021).
Vary decodes from an all-unknown canvas, Complete from the user's ink; each
decoding step commits the most confident pixels to ink or paper, so what comes
out is black and white, never grey.

The drawings of the task (the support) reach the decoder two ways: their
weighted mean image is an input channel beside the canvas (where the support
has ink, pixel by pixel: drawings are framed alike, so it lines up; with
`fine_support` also at full resolution in the last layers), and a
small encoder's pooled embedding, plus a learned per-task `code`, scales and
shifts the decoder's features (FiLM, Perez et al. 2018). The engine adapts
`code` and `film` to the support (first-order ANIL); the rest is shared.

Cost: the decoder works on a 16x16 grid (4x4 pixels per cell, pixel-shuffled
back to 64x64), so one pass over a 64x64 canvas is about 10 M multiply-adds.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

INK_THRESHOLD = 0.5  # a pixel of a greyscale drawing counts as ink above this


class InkNet(nn.Module):
    def __init__(self, size: int = 64, width: int = 32, embed: int = 64, dilations=(1, 2, 4, 8, 1),
                 fine_support: bool = False):
        super().__init__()
        self.fine_support = bool(fine_support)
        if size % 4:
            raise ValueError(f"InkNet needs a size divisible by 4, got {size}")
        self.size, self.width, self.embed = size, width, embed
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, embed, 3, stride=2, padding=1), nn.ReLU(),
        )
        self.code = nn.Parameter(torch.zeros(embed))
        self.film = nn.Linear(embed, 2 * width * len(dilations))
        # Start with FiLM at identity (scale 1, shift 0) so early training is a plain decoder.
        nn.init.zeros_(self.film.weight)
        nn.init.zeros_(self.film.bias)
        self.stem = nn.Conv2d(4, 16, 3, stride=2, padding=1)
        self.down = nn.Conv2d(16, width, 3, stride=2, padding=1)
        self.blocks = nn.ModuleList(nn.Conv2d(width, width, 3, padding=d, dilation=d) for d in dilations)
        self.norms = nn.ModuleList(nn.GroupNorm(8, width) for _ in dilations)
        self.head = nn.Conv2d(width, 4 * 16, 1)
        if self.fine_support:
            # The support's mean at full resolution beside the decoder's output: the 16x16 grid
            # alone places strokes only to within a few pixels of where the examples have them.
            self.fine = nn.Conv2d(4 + 2 + 1, 16, 3, padding=1)
            self.refine = nn.Conv2d(16, 1, 3, padding=1)
        else:
            self.refine = nn.Conv2d(4 + 2, 1, 3, padding=1)

    def context(self, drawings: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        """Weighted mean embedding [embed] of drawings [K, P] (weights [K]) plus the task code."""
        x = drawings.reshape(-1, 1, self.size, self.size)
        e = self.encoder(x).mean(dim=(2, 3))                                  # [K, embed]
        pooled = (e * weight.unsqueeze(1)).sum(0) / weight.sum().clamp_min(1e-6)
        return pooled + self.code

    def condition(self, drawings: torch.Tensor, weight: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """What the decoder reads from the task's drawings [K, P] (weights [K]): FiLM's scales and
        shifts [blocks, 2, width, 1, 1] and the weighted mean image [1, 1, S, S]. It does not depend
        on the canvas, so decoding computes it once for all its steps."""
        mean = (drawings * weight.unsqueeze(1)).sum(0) / weight.sum().clamp_min(1e-6)
        gamma_beta = self.film(self.context(drawings, weight)).reshape(len(self.blocks), 2, self.width, 1, 1)
        return gamma_beta, mean.reshape(1, 1, self.size, self.size)

    def logits(self, condition: tuple[torch.Tensor, torch.Tensor], ink: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
        """Ink logits [N, P] of canvases (ink, known: [N, P], 1 = known ink / known pixel) under
        `condition` (InkNet.condition)."""
        gamma_beta, mean = condition
        n, s = ink.shape[0], self.size
        known = known.reshape(n, 1, s, s)
        known_ink = ink.reshape(n, 1, s, s) * known
        unknown_share = (1.0 - known).mean(dim=(1, 2, 3), keepdim=True).expand(n, 1, s, s)
        support_mean = mean.expand(n, 1, s, s)
        canvas = torch.cat([known_ink, known - known_ink, unknown_share, support_mean], dim=1)
        h = F.relu(self.stem(canvas))
        h = F.relu(self.down(h))
        for i, (conv, norm) in enumerate(zip(self.blocks, self.norms)):
            y = norm(conv(h)) * (1.0 + gamma_beta[i, 0]) + gamma_beta[i, 1]
            h = h + F.relu(y)
        up = F.pixel_shuffle(self.head(h), 4)                                  # [N, 4, S, S]
        pixels = [up, known_ink, known - known_ink]
        if self.fine_support:
            logits = self.refine(F.relu(self.fine(torch.cat(pixels + [support_mean], dim=1))))
        else:
            logits = self.refine(torch.cat(pixels, dim=1))
        return logits.reshape(n, s * s)

    def forward(self, drawings: torch.Tensor, weight: torch.Tensor, ink: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
        """Ink logits [N, P] of canvases (ink, known: [N, P]) given the task's drawings [K, P] with weights [K]."""
        return self.logits(self.condition(drawings, weight), ink, known)


def binary_ink(drawings: torch.Tensor) -> torch.Tensor:
    """Greyscale ink in [0, 1] -> 0/1 ink."""
    return (drawings > INK_THRESHOLD).to(drawings.dtype)


def masked_bce(logits: torch.Tensor, target: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
    """Mean binary cross-entropy [N] over each canvas's unknown pixels."""
    unknown = 1.0 - known
    bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    return (bce * unknown).sum(1) / unknown.sum(1).clamp_min(1.0)
