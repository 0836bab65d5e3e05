"""The sketch domain's networks (torch).

- GlyphVAE ("vary"): a small convolutional VAE whose decoder also reads a
  learned class code. Meta-training makes a few gradient steps on the ELBO of
  K support drawings turn it into a density over that class; sampling its
  prior then draws new members of the class.
- LatentDecoder ("complete", the default): an MLP decoder from a latent code
  that is itself a parameter; Complete adapts only the code to the observed
  pixels, each step is a picture (context adaptation, CAVIA).
- CoordinateNet ("complete", complete_model="coordinate"): a Fourier-feature
  MLP (x, y) -> ink logit over the fixed pixel grid, all weights adapted
  (learned initialisations, Tancik et al. 2021). Kept as the measured
  alternative: it fits the observed pixels but barely completes.
- GlyphEmbedding ("classify"): a 4-block conv net, 32 filters (GroupNorm, so an
  embedding never depends on the rest of the batch) for Prototypical Networks;
  the fidelity and novelty metrics use it.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

CHECKPOINT_NAMES = {"vary": "sketch-vary", "complete": "sketch-complete", "classify": "sketch-classify"}


def checkpoint_base(mode: str) -> Path:
    """Path (without suffix) of the shipped checkpoint for a mode."""
    if mode not in CHECKPOINT_NAMES:
        raise ValueError(f"mode must be one of {', '.join(CHECKPOINT_NAMES)}, got {mode!r}")
    from workbench.resources_path import resource_path

    return resource_path("checkpoints", CHECKPOINT_NAMES[mode])


class GlyphVAE(nn.Module):
    def __init__(self, size: int = 28, latent: int = 16, code: int = 16, hidden: int = 256):
        super().__init__()
        self.size, self.latent = size, latent
        pixels = size * size
        # MLPs, not convolutions: second-order meta-gradients through small
        # matrix products are several times cheaper on a CPU than through convs.
        self.encoder = nn.Sequential(nn.Linear(pixels, hidden), nn.ReLU(), nn.Linear(hidden, 2 * latent))
        self.code = nn.Parameter(torch.zeros(code))
        self.decoder = nn.Sequential(
            nn.Linear(latent + code, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, pixels),
        )

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        """z [N, latent] -> pixel logits [N, size*size]."""
        code = self.code.expand(z.shape[0], -1)
        return self.decoder(torch.cat([z, code], dim=1))

    def forward(self, x: torch.Tensor, eps: torch.Tensor | None = None, *, decode: bool = False) -> torch.Tensor:
        """Negative ELBO per drawing [N] (nats) for x [N, size*size] and noise eps [N, latent].

        decode=True: x is z [N, latent]; returns pixel probabilities [N, size*size].
        """
        if decode:
            return torch.sigmoid(self.decode_logits(x))
        stats = self.encoder(x.reshape(x.shape[0], -1))
        mu, logvar = stats[:, : self.latent], stats[:, self.latent:].clamp(-8.0, 6.0)
        z = mu + torch.exp(0.5 * logvar) * eps
        logits = self.decode_logits(z)
        reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(1)
        return reconstruction + kl


class CoordinateNet(nn.Module):
    def __init__(self, size: int = 28, features: int = 32, width: int = 64, depth: int = 3, scale: float = 2.5,
                 seed: int = 0):
        super().__init__()
        self.size = size
        axis = torch.linspace(-1.0, 1.0, size)
        yy, xx = torch.meshgrid(axis, axis, indexing="ij")
        coords = torch.stack([xx.flatten(), yy.flatten()], dim=1)            # [P, 2]
        frequencies = torch.randn(2, features, generator=torch.Generator().manual_seed(seed)) * scale
        projected = 2 * math.pi * coords @ frequencies
        # The grid is fixed, so its Fourier features are a constant buffer.
        self.register_buffer("encoded", torch.cat([projected.sin(), projected.cos()], dim=1), persistent=False)
        layers: list[nn.Module] = []
        fan_in = 2 * features
        for _ in range(depth - 1):
            layers += [nn.Linear(fan_in, width), nn.ReLU()]
            fan_in = width
        layers.append(nn.Linear(fan_in, 1))
        self.net = nn.Sequential(*layers)

    def forward(self) -> torch.Tensor:
        """Ink logits for every pixel [size*size]."""
        return self.net(self.encoded).squeeze(-1)


class LatentDecoder(nn.Module):
    """A glyph decoder whose input is a learned latent vector, itself a parameter.

    Complete adapts only `latent` (context adaptation, as in CAVIA, Zintgraf et
    al. 2019): every step moves the code through a space the decoder has learned
    to fill with whole glyphs, so a few observed strokes pull in a complete
    drawing instead of only themselves.
    """

    def __init__(self, size: int = 28, latent: int = 32, hidden: int = 256):
        super().__init__()
        self.size = size
        self.latent = nn.Parameter(torch.zeros(latent))
        self.net = nn.Sequential(
            nn.Linear(latent, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, size * size),
        )

    def forward(self) -> torch.Tensor:
        """Ink logits for every pixel [size*size]."""
        return self.net(self.latent)


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
