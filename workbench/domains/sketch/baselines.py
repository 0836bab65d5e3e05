"""What a user could do without a model, as yardsticks for Vary and Complete.

- jitter: each sample is a support drawing under a random affine map
  (rotation, scale, shear, shift) and an elastic distortion (a smooth random
  displacement field), resampled bilinearly.
- nearest: the training drawings closest to the support (pixel distance on a
  blurred 16x16 copy), one per sample.
- mirror (Complete): the partial drawing plus its left-right mirror image
  about the frame's centre.
- nearest_fill (Complete): the partial plus the training drawing whose ink
  lies closest to the partial's (chamfer from the partial's ink to its ink).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch.nn import functional as F

from workbench.domains.sketch.metrics import INK, dilate


def jitter(support: np.ndarray, n: int, generator: torch.Generator, elastic: float = 0.04) -> np.ndarray:
    """n distorted copies [n, S, S] of the support drawings [K, S, S] (cycled)."""
    k, s, _ = support.shape
    picks = torch.arange(n) % k
    images = torch.from_numpy(support)[picks].unsqueeze(1)
    angle = (torch.rand(n, generator=generator) - 0.5) * math.radians(20)
    scale = 0.9 + 0.2 * torch.rand(n, generator=generator)
    shear = (torch.rand(n, generator=generator) - 0.5) * 0.2
    shift = (torch.rand(n, 2, generator=generator) - 0.5) * 0.1
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin + shear, shift[:, 0]], 1),
                         torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, (n, 1, s, s), align_corners=False)
    coarse = (torch.rand(n, 2, 4, 4, generator=generator) - 0.5) * 2 * elastic
    grid = grid + F.interpolate(coarse, size=(s, s), mode="bicubic", align_corners=False).permute(0, 2, 3, 1)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)[:, 0].numpy()


def _signature(drawings: np.ndarray) -> torch.Tensor:
    t = torch.from_numpy(drawings).float().unsqueeze(1)
    return F.adaptive_avg_pool2d(t, 16).flatten(1)


def nearest(support: np.ndarray, pool: np.ndarray, n: int) -> np.ndarray:
    """The n pool drawings [n, S, S] nearest to any support drawing."""
    d = torch.cdist(_signature(pool), _signature(support)).min(1).values
    return pool[d.argsort()[:n].numpy()]


def mirror(partial: np.ndarray) -> np.ndarray:
    return np.maximum(partial, partial[:, ::-1])


def nearest_fill(partial: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """The partial plus the pool drawing whose ink best covers the partial's."""
    given = partial > INK
    if not given.any():
        return partial.copy()
    # Share of the partial's ink that lies within 1 px of each candidate's ink; ties go to less ink.
    covered = np.array([(given & dilate(c > INK)).sum() for c in pool]) / given.sum()
    score = covered - 1e-4 * (pool > INK).reshape(len(pool), -1).sum(1)
    return np.maximum(partial, pool[int(np.argmax(score))])
