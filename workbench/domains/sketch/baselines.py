"""What a user could do without a model, as yardsticks for Vary and Complete.

- jitter: each sample is a support drawing under a random affine map
  (rotation, scale, shear, shift) and an elastic distortion (a smooth random
  displacement field), resampled bilinearly.
- nearest: the training drawings closest to the support (pixel distance on a
  blurred 16x16 copy), one per sample.
- mirror (Complete): the partial drawing plus its left-right mirror image
  about the frame's centre.
- nearest_fill (Complete): the partial plus the training drawing that covers
  most of the partial's ink (within 1 px; ties go to less ink).
- bent_fill (Complete): the partial plus the user's example bent toward it
  that fits it best (align.py), in the partial's pen (pen_width.py): where
  Complete starts, without the network.

`covering` also gives Complete its support drawings (generate.complete).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import torch
from torch.nn import functional as F

from workbench.domains.sketch import align, pen_width
from workbench.domains.sketch.metrics import INK
from workbench.domains.sketch.observe import cover_score, near_ink

POOL_CLASSES = 400
POOL_PER_CLASS = 2


@lru_cache(maxsize=2)
def training_pool(size: int, seed: int = 0) -> np.ndarray:
    """Built-in training-split drawings [800, size, size] (rendered once per process, ~0.4 s)."""
    from workbench.domains.drawings.glyphs import render_glyphs

    pool = render_glyphs(range(POOL_CLASSES), range(POOL_PER_CLASS), seed=seed, split="train", size=size)
    return pool.reshape(-1, size, size)


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


_NEAR_CACHE: dict[tuple, tuple[torch.Tensor, torch.Tensor]] = {}


CACHED_POOL = 100  # pools at least this large (the training pool) are cached; a user's few examples are not


def _near_ink(pool: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """(pixels within 1 px of each pool drawing's ink [N, P], ink pixel counts [N]), computed once
    per large pool array (the cached training pool is one array for the process: Complete stays
    fast); a handful of examples is cheap to do afresh and must not evict it."""
    if len(pool) < CACHED_POOL:
        return _near_and_counts(pool)
    # address, shape and ink total: a freed array's address reused by another pool still misses
    key = (pool.__array_interface__["data"][0], pool.shape, float(pool.sum()))
    if key not in _NEAR_CACHE:
        _NEAR_CACHE.clear()
        _NEAR_CACHE[key] = _near_and_counts(pool)
    return _NEAR_CACHE[key]


def _near_and_counts(pool: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    ink = torch.from_numpy(pool > INK).float()
    return near_ink(ink, 1).flatten(1), ink.flatten(1).sum(1)


def covering(partial: np.ndarray, pool: np.ndarray, k: int = 1) -> np.ndarray:
    """Indices of the k pool drawings whose ink covers most of the partial's ink (within 1 px),
    best first; among equal cover, less ink first."""
    given = torch.from_numpy(partial > INK).float().flatten()
    near, ink = _near_ink(pool)
    score = cover_score(near, ink, given)
    return score.argsort(descending=True)[:k].numpy()


def nearest_fill(partial: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """The partial plus the pool drawing whose ink best covers the partial's."""
    if not (partial > INK).any():
        return partial.copy()
    return np.maximum(partial, pool[covering(partial, pool, 1)[0]])


def bent_fill(partial: np.ndarray, examples: np.ndarray) -> np.ndarray:
    """The partial plus the example [K, S, S] bent toward it that fits it best (align.fitted),
    redrawn with the partial's pen (pen_width.in_pen_of): the canvas Complete starts from."""
    bent, order = align.fitted(examples, partial)
    return np.maximum(partial, pen_width.in_pen_of(bent[order[0]], partial))
