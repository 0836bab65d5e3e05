"""The playground's model: a hidden target sine and the user's support points (no torch, no widgets)."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QObject, Signal

# The task distribution of the sinusoid domain (workbench.domains.sinusoid.problem), kept here as plain
# numbers so the playground does not import torch on the GUI thread.
AMPLITUDE = (0.1, 5.0)
PHASE = (0.0, math.pi)
X_RANGE = (-5.0, 5.0)
MAX_POINTS = 50


class PlaygroundModel(QObject):
    """Views subscribe to `changed` (the support set or the target changed)."""

    changed = Signal()

    def __init__(self, seed: int | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.rng = np.random.default_rng(seed)
        self.amplitude = 1.0
        self.phase = 0.0
        self.points: list[tuple[float, float]] = []
        self.new_target(notify=False)

    def target(self, x):
        return self.amplitude * np.sin(np.asarray(x, dtype=float) - self.phase)

    def new_target(self, notify: bool = True) -> None:
        """A fresh hidden sine from the training distribution; the support set is cleared."""
        self.amplitude = float(self.rng.uniform(*AMPLITUDE))
        self.phase = float(self.rng.uniform(*PHASE))
        self.points = []
        if notify:
            self.changed.emit()

    def add_point(self, x: float, y: float | None = None) -> bool:
        """Add a support point at x, on the target unless y is given. False when full or outside the range."""
        if len(self.points) >= MAX_POINTS or not X_RANGE[0] <= x <= X_RANGE[1]:
            return False
        self.points.append((float(x), float(self.target(x) if y is None else y)))
        self.changed.emit()
        return True

    def remove_nearest(self, x: float, y: float) -> bool:
        if not self.points:
            return False
        distances = [(px - x) ** 2 + (py - y) ** 2 for px, py in self.points]
        del self.points[int(np.argmin(distances))]
        self.changed.emit()
        return True

    def sample(self, k: int) -> None:
        """Replace the support set with k random points of the target."""
        xs = self.rng.uniform(*X_RANGE, size=int(k))
        self.points = [(float(x), float(self.target(x))) for x in xs]
        self.changed.emit()

    def clear(self) -> None:
        self.points = []
        self.changed.emit()

    def support_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.points:
            return np.empty(0), np.empty(0)
        xs, ys = zip(*self.points)
        return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
