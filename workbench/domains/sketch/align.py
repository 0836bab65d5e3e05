"""Bend the user's examples toward the strokes they have drawn, for Complete.

Two drawings of one character by two hands differ by a few pixels here and
there, and Complete redraws the example it starts from: where the example's
strokes run 2-3 px beside the person's, so does the completion. The partial
says where this person's strokes run near it, so each example is moved
there, but only near it: the pull fades with the distance from the
partial's ink (a Gaussian of SIGMA px), and far from it the example stays
where its framing put it. The move is the shift (at most REACH px each way)
that brings the partial's ink nearest the example's ink (mean distance,
each capped at CAP px so that strokes the example lacks do not decide it),
plus PRIOR per pixel moved, so that a partial that fits anywhere leaves the
example where it is. That cost also says which example fits the partial
best: Complete starts from it. Chosen on the validation sets (built-in val
classes and Omniglot small1's own alphabets; docs/sketch.md).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from workbench.domains.sketch.metrics import INK

REACH = 6
CAP = 2.0
PRIOR = 0.1
SIGMA = 8.0


def _points(ink: np.ndarray) -> torch.Tensor:
    """(y, x) of the ink pixels of [S, S] -> [N, 2] float."""
    ys, xs = np.nonzero(ink > INK)
    return torch.from_numpy(np.stack([ys, xs], 1).astype(np.float32))


def _grid(size: int) -> torch.Tensor:
    """(y, x) of every pixel of an [S, S] page, row by row -> [S*S, 2] float."""
    steps = torch.arange(size, dtype=torch.float32)
    return torch.cartesian_prod(steps, steps)


def _distance_kernels() -> tuple[torch.Tensor, torch.Tensor]:
    """The distances below CAP (which is 2) from a pixel to its neighbours, 0, 1, sqrt 2 and 2
    [L], and for each a 5x5 kernel that marks the neighbours at that distance [L, 1, 5, 5]."""
    offsets = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3) if math.hypot(dy, dx) <= CAP]
    levels = sorted({math.hypot(dy, dx) for dy, dx in offsets})
    kernels = torch.zeros(len(levels), 1, 5, 5)
    for dy, dx in offsets:
        kernels[levels.index(math.hypot(dy, dx)), 0, dy + 2, dx + 2] = 1.0
    return torch.tensor(levels).reshape(-1, 1, 1), kernels


LEVELS, KERNELS = _distance_kernels()


def _capped_distance(ink: np.ndarray) -> torch.Tensor:
    """[S, S] -> the distance of every pixel to the nearest ink pixel, capped at CAP (one small
    convolution per distance below it)."""
    image = torch.from_numpy((ink > INK).astype(np.float32))[None, None]
    near = F.conv2d(image, KERNELS, padding=2)[0] > 0                                   # [L, S, S]
    distance = LEVELS.expand_as(near)
    return torch.where(near, distance, torch.full_like(distance, CAP)).amin(0)


def best_shift(partial: np.ndarray, example: np.ndarray) -> tuple[tuple[int, int], float]:
    """((dy, dx), cost): the move of `example` [S, S] that brings the partial's ink nearest its ink,
    and the cost there (mean capped distance in px plus the move's PRIOR; module doc)."""
    given = _points(partial)
    if len(given) == 0 or not (example > INK).any():
        return (0, 0), CAP
    size = example.shape[-1]
    away = _capped_distance(example)                                                    # [S, S]
    steps = torch.arange(-REACH, REACH + 1)
    shifts = torch.cartesian_prod(steps, steps)                                         # [M, 2]
    # the example moved by s lies at distance away[p - s] from a pixel p; off the page counts as CAP
    source = given.long().unsqueeze(0) - shifts.unsqueeze(1)                            # [M, G, 2]
    inside = ((source >= 0) & (source < size)).all(2)
    distance = torch.where(inside, away[source[..., 0].clamp(0, size - 1), source[..., 1].clamp(0, size - 1)],
                           torch.full(inside.shape, CAP))
    cost = distance.mean(1) + PRIOR * shifts.float().norm(dim=1)
    best = int(cost.argmin())
    dy, dx = shifts[best].tolist()
    return (dy, dx), float(cost[best])


def _fade(partial: np.ndarray) -> torch.Tensor:
    """How much of the move each pixel of the page takes: 1 on the partial's ink, fading with the
    distance from it (a Gaussian of SIGMA px) -> [S*S]."""
    grid = _grid(partial.shape[-1])
    return torch.exp(-torch.cdist(grid, _points(partial)).amin(1) ** 2 / (2 * SIGMA ** 2))


def _bent(example: np.ndarray, fade: torch.Tensor, shift: tuple[int, int]) -> np.ndarray:
    """bend() with the partial's _fade given (fitted computes it once for all the examples)."""
    if shift == (0, 0):
        return example.copy()
    size = example.shape[-1]
    source = _grid(size) - fade.unsqueeze(1) * torch.tensor(shift, dtype=torch.float32)   # where ink comes from
    where = (2 * source.flip(1) + 1) / size - 1                       # grid_sample's (x, y) in [-1, 1]
    image = torch.from_numpy(np.ascontiguousarray(example, dtype=np.float32)).reshape(1, 1, size, size)
    bent = F.grid_sample(image, where.reshape(1, size, size, 2), mode="nearest", align_corners=False)
    return bent.reshape(size, size).numpy().astype(example.dtype)


def bend(example: np.ndarray, partial: np.ndarray, shift: tuple[int, int]) -> np.ndarray:
    """The example [S, S] moved by `shift` at the partial's ink, by less farther from it (module doc)."""
    if not (partial > INK).any():
        return example.copy()
    return _bent(example, _fade(partial), shift)


def fitted(examples: np.ndarray, partial: np.ndarray) -> tuple[np.ndarray, int]:
    """The examples [K, S, S] each bent toward the partial [S, S], and the index of the one that
    then fits it best (module doc)."""
    if not (partial > INK).any():
        return examples.copy(), 0
    fits = [best_shift(partial, e) for e in examples]
    fade = _fade(partial)
    bent = np.stack([_bent(e, fade, shift) for e, (shift, _) in zip(examples, fits)])
    return bent, int(np.argmin([cost for _, cost in fits]))
