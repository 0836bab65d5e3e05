"""Bend the user's examples toward the strokes they have drawn, for Complete.

Two drawings of one character by two hands differ by a few pixels here and
there, and Complete redraws the example it starts from: where the example's
strokes run 2-3 px beside the person's, so does the completion. The partial
says where this person's strokes run near it, so each example is moved
there, but only near it: the pull fades with the distance from the
partial's ink (a Gaussian of SIGMA px), and far from it the example stays
where its framing put it. Each piece of the partial (nearby groups of at
least PIECE ink pixels, at most PIECES) pulls by its own move, since two
hands also differ in proportion (one stroke sits further left, another
lower); between pieces the moves blend over BLEND px. A move is the shift
(at most REACH px each way) that brings the piece's ink nearest the
example's ink (mean distance, each capped at CAP px so that strokes the
example lacks do not decide it), plus PRIOR per pixel moved, so that a
piece that fits anywhere leaves the example where it is. That cost for the
whole partial and for its pieces, with a few more measures, ranks the
examples (choose.py): Complete starts from the first (the studio's Another
from the next). Chosen on the validation sets (built-in val classes and Omniglot
small1's own alphabets; docs/sketch.md).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from workbench.domains.sketch import choose
from workbench.domains.sketch.metrics import INK

REACH = 6
CAP = 2.0
PRIOR = 0.1
SIGMA = 8.0
PIECE = 20
PIECES = 8
BLEND = 3.0


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


_STEPS = torch.arange(-REACH, REACH + 1)
SHIFTS = torch.cartesian_prod(_STEPS, _STEPS)                                            # [M, 2] (dy, dx)
SHIFT_COST = PRIOR * SHIFTS.float().norm(dim=1)                                          # [M]


def _distances(given: torch.Tensor, example: np.ndarray) -> torch.Tensor:
    """[M, G]: for each of the SHIFTS of the example [S, S], the capped distance from each point of
    `given` [G, 2] to its ink."""
    away = _capped_distance(example)
    size = away.shape[-1]
    # the example moved by s lies at distance away[p - s] from a pixel p; off the page counts as CAP
    source = given.long().unsqueeze(0) - SHIFTS.unsqueeze(1)                            # [M, G, 2]
    inside = ((source >= 0) & (source < size)).all(2)
    return torch.where(inside, away[source[..., 0].clamp(0, size - 1), source[..., 1].clamp(0, size - 1)],
                       torch.full(inside.shape, CAP))


def best_shift(partial: np.ndarray, example: np.ndarray) -> tuple[tuple[int, int], float]:
    """((dy, dx), cost): the move of `example` [S, S] that brings the partial's ink nearest its ink,
    and the cost there (mean capped distance in px plus the move's PRIOR; module doc)."""
    given = _points(partial)
    if len(given) == 0 or not (example > INK).any():
        return (0, 0), CAP
    best, cost = _whole_move(_distances(given, example))
    dy, dx = SHIFTS[best].tolist()
    return (dy, dx), cost


def _whole_move(distance: torch.Tensor) -> tuple[int, float]:
    """(index into SHIFTS, cost) of the one move for the whole partial, from `_distances` [M, G]."""
    cost = distance.mean(1) + SHIFT_COST
    best = int(cost.argmin())
    return best, float(cost[best])


def _pieces(given: torch.Tensor) -> torch.Tensor:
    """The piece [G] of each of the partial's ink points [G, 2]: nearby groups of about PIECE points
    or more (at most PIECES), by k-means started from points spread as far apart as they go, so
    that two strokes far apart never start in one piece. Numbered 0..N-1, none empty."""
    count = max(1, min(PIECES, len(given) // PIECE))
    centres = [given[0]]
    nearest = torch.full((len(given),), float("inf"))
    for _ in range(count - 1):
        nearest = torch.minimum(nearest, (given - centres[-1]).norm(dim=1))
        centres.append(given[int(nearest.argmax())])
    centre = torch.stack(centres)
    for _ in range(10):
        label = torch.cdist(given, centre).argmin(1)
        centre = torch.stack([given[label == j].mean(0) if (label == j).any() else centre[j] for j in range(count)])
    label = torch.cdist(given, centre).argmin(1)
    return torch.unique(label, return_inverse=True)[1]


def _pull(given: torch.Tensor, piece: torch.Tensor, size: int) -> torch.Tensor:
    """[S*S, N]: how much of each piece's move each pixel of the page takes. Its nearest piece's,
    blended over BLEND px where two are about as near, times the fade with the distance from the
    partial's ink (a Gaussian of SIGMA px: 1 on the ink)."""
    far = torch.cdist(_grid(size), given)                                               # [S*S, G]
    count = int(piece.max()) + 1
    near = far.new_full((far.shape[0], count), float("inf"))
    near = near.scatter_reduce(1, piece.expand_as(far), far, reduce="amin")             # [S*S, N]
    fade = torch.exp(-near.amin(1, keepdim=True) ** 2 / (2 * SIGMA ** 2))
    return fade * torch.softmax(-near ** 2 / (2 * BLEND ** 2), dim=1)


def _moved(example: np.ndarray, move: torch.Tensor) -> np.ndarray:
    """The example [S, S] with the ink of each pixel moved by `move` [S*S, 2] (dy, dx) (where the
    ink of a pixel comes from: the pixel minus its move, nearest neighbour)."""
    size = example.shape[-1]
    source = _grid(size) - move
    where = (2 * source.flip(1) + 1) / size - 1                       # grid_sample's (x, y) in [-1, 1]
    image = torch.from_numpy(np.ascontiguousarray(example, dtype=np.float32)).reshape(1, 1, size, size)
    bent = F.grid_sample(image, where.reshape(1, size, size, 2), mode="nearest", align_corners=False)
    return bent.reshape(size, size).numpy().astype(example.dtype)


def measured(examples: np.ndarray, partial: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The examples [K, S, S] each bent toward the partial [S, S] (it has ink), and the measures of
    how each fits it [K, len(choose.FEATURES)] (choose.py)."""
    given = _points(partial)
    piece = _pieces(given)
    share = F.one_hot(piece).float()
    share /= share.sum(0)                                                               # [G, N]: a piece's mean
    pull = _pull(given, piece, partial.shape[-1])
    bent, costs, residuals = [], [], []
    for example in examples:
        distance = _distances(given, example)                                          # [M, G]
        costs.append(_whole_move(distance)[1])
        per_piece = distance @ share + SHIFT_COST.unsqueeze(1)                           # [M, N]
        best = per_piece.argmin(0)                                                      # each piece's shift
        residuals.append(float(per_piece.gather(0, best.unsqueeze(0)).mean()))
        bent.append(_moved(example, pull @ SHIFTS[best].float()))
    bent = np.stack(bent)
    return bent, choose.measures(bent, partial, _capped_distance(partial).numpy(), costs, residuals)


def fitted(examples: np.ndarray, partial: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """The examples [K, S, S] each bent toward the partial [S, S], and their indices in the order
    Complete would start from them, best first (choose.py)."""
    if not (partial > INK).any():
        return examples.copy(), list(range(len(examples)))
    bent, values = measured(examples, partial)
    inked = [bool((example > INK).any()) for example in examples]
    return bent, sorted(choose.ranked(values), key=lambda i: not inked[i])     # one without ink last


def bend(example: np.ndarray, partial: np.ndarray) -> np.ndarray:
    """One example [S, S] bent toward the partial [S, S] (fitted)."""
    return fitted(example[None], partial)[0][0]
