"""What "a partial drawing" means for Complete, in training, evaluation and use.

A partial drawing is a connected-looking piece of the full drawing: the ink
nearest to one point of it, up to a given share of the total ink (as if the
person had drawn only that part). The pixels the model treats as observed are
the partial's ink and a one-pixel band around it (which says how thin the
strokes are there); everything else is unknown and is what Complete fills in.
The same `observed_mask` turns a user's partial drawing into observations.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

INK_LEVEL = 0.2
BAND = 1  # pixels of paper around the partial's ink that count as observed
# Complete started from an example, in training (inktasks): none of the example's pixels is known
# this near the partial's ink, where the two meet and the network redraws. The app leaves it one
# pixel more (generate.COMPLETE_GAP, chosen on validation data).
EXAMPLE_GAP = 3


def cover_score(near: torch.Tensor, ink: torch.Tensor, partial: torch.Tensor) -> torch.Tensor:
    """How well N drawings cover a partial drawing: the share of its ink pixels (`partial`, [..., P]
    0/1) within 1 px of a drawing's ink (`near`, [..., N, P] 0/1), less 1e-4 per ink pixel of the
    drawing (`ink`, [..., N]), so that among equal cover the leaner drawing wins -> [..., N].
    Training starts Complete from the example with the best score (inktasks); the app, since
    2026-12-02, from the example that fits the partial best once bent toward it (align.py)."""
    covered = (near @ partial.unsqueeze(-1)).squeeze(-1)           # a matrix product: 800 drawings in 0.5 ms
    return covered / partial.sum(-1, keepdim=True).clamp_min(1.0) - 1e-4 * ink


def near_ink(drawings: torch.Tensor, pixels: int) -> torch.Tensor:
    """drawings [..., S, S] -> float mask [..., S, S] of the pixels within `pixels` of their ink
    (a square neighbourhood)."""
    shape = drawings.shape
    ink = (drawings.reshape(-1, 1, shape[-2], shape[-1]) > INK_LEVEL).float()
    return F.max_pool2d(ink, 2 * pixels + 1, stride=1, padding=pixels).reshape(shape)


def observed_mask(partial: torch.Tensor) -> torch.Tensor:
    """partial [..., S, S] -> float mask [..., S, S] of observed pixels."""
    return near_ink(partial, BAND)


def partial_drawings(images: torch.Tensor, fractions: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Keep about `fractions` of each image's ink, nearest to a random ink pixel.

    images [B, S, S] in [0, 1], fractions [B] -> partial drawings [B, S, S].
    """
    b, s, _ = images.shape
    flat = images.reshape(b, -1)
    weights = (flat > INK_LEVEL).float() + 1e-6
    seed = torch.multinomial(weights, 1, generator=generator).squeeze(1)         # [B]
    ys = torch.arange(s, dtype=images.dtype).repeat_interleave(s)
    xs = torch.arange(s, dtype=images.dtype).repeat(s)
    dy = ys.unsqueeze(0) - ys[seed].unsqueeze(1)
    dx = xs.unsqueeze(0) - xs[seed].unsqueeze(1)
    distance = (dy * dy + dx * dx).sqrt()                                          # [B, P]
    order = distance.argsort(dim=1)
    sorted_ink = flat.gather(1, order)
    cumulative = sorted_ink.cumsum(1)
    total = cumulative[:, -1:].clamp_min(1e-6)
    inside_sorted = cumulative <= fractions.unsqueeze(1) * total
    inside_sorted[:, 0] = True
    radius = (distance.gather(1, order) * inside_sorted).amax(1, keepdim=True)
    return (flat * (distance <= radius)).reshape(b, s, s)
