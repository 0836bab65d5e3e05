"""Adaptation for the playground, run on a JobRunner thread (torch is imported here, not on the GUI thread).

It goes through the engine's one adaptation path (`Learner.adapt`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

GRID = np.linspace(-5.0, 5.0, 200)

# Loaded learners by (path, modification time); touched only from the runner's single thread.
_LEARNERS: dict[tuple[str, float], object] = {}


@dataclass(frozen=True)
class Prediction:
    """One model's prediction on GRID after each inner step 0..S, and its support loss per step."""

    label: str
    checkpoint: str
    curves: np.ndarray  # [S+1, len(GRID)]
    support_losses: list[float]


@dataclass(frozen=True)
class AdaptResult:
    grid: np.ndarray
    meta: Prediction
    baseline: Prediction | None
    steps: int


def _key(path: str) -> tuple[str, float]:
    return os.path.abspath(path), os.path.getmtime(path)


def load_learners(*paths: str | None) -> None:
    """Load (or reuse) the learners for these checkpoints; forget any others."""
    from workbench.domains.registry import load_learner

    keep = {}
    for path in paths:
        if path:
            key = _key(path)
            keep[key] = _LEARNERS.get(key) or load_learner(path)
    _LEARNERS.clear()
    _LEARNERS.update(keep)


def _predict(label: str, path: str, xs, ys, steps: int, cancelled) -> Prediction | None:
    import torch

    learner = _LEARNERS[_key(path)]
    support = (torch.tensor(xs, dtype=torch.float32).view(-1, 1), torch.tensor(ys, dtype=torch.float32).view(-1, 1))
    result = learner.adapt(support, steps=steps, trajectory=True, on_step=lambda *_: cancelled())
    if cancelled():
        return None
    grid = torch.tensor(GRID, dtype=torch.float32).view(-1, 1)
    curves = np.stack([learner.forward(params, grid).view(-1).cpu().numpy() for params in result.trajectory])
    return Prediction(label, path, curves, [float(loss) for loss in result.losses])


def adapt_sinusoid(checkpoint: str, baseline: str | None, xs, ys, steps: int, *, progress, cancelled):
    """Adapt the meta-trained checkpoint (and the pretrained baseline, if given) to the support points."""
    progress(0, 2, "adapting the meta-trained model")
    load_learners(checkpoint, baseline)
    meta = _predict("meta-trained", checkpoint, xs, ys, steps, cancelled)
    if meta is None:
        return None
    progress(1, 2, "adapting the pretrained baseline")
    base = _predict("pretrained", baseline, xs, ys, steps, cancelled) if baseline else None
    progress(2, 2, "done")
    return AdaptResult(GRID, meta, base, steps)
