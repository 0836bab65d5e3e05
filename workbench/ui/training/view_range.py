"""Axis ranges for live plots that change rarely.

pyqtgraph's auto-range moves the axes on every new point, and regenerating an
axis (ticks, text) is the most expensive part of a repaint. FollowRange sets
the range itself, rounded outwards to "nice" numbers, so it changes only when
the data crosses a boundary. A pan or zoom by the user stops following until
`follow(True)` is called again.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QObject, Signal

NICE = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)  # at most 25% empty, axis moves rarely


def nice_ceiling(value: float) -> float:
    """The smallest NICE x 10^k that is >= value (value > 0)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(n * power for n in NICE if n * power >= value * (1 - 1e-12))


def nice_step(span: float) -> float:
    if span <= 0 or not math.isfinite(span):
        return 1.0
    power = 10 ** math.floor(math.log10(span))
    return next(n * power for n in (1.0, 2.0, 5.0, 10.0) if n * power >= span)


def rounded_bounds(low: float, high: float, divisions: int = 8) -> tuple[float, float]:
    """[low, high] widened to multiples of a nice step of about (high - low) / divisions."""
    if high <= low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = nice_step((high - low) / divisions)
    return math.floor(low / step) * step, math.ceil(high / step) * step


def _still_fits(shown: tuple[float, float], low: float, high: float) -> bool:
    """The data lies inside the shown range and fills at least half of it."""
    span = shown[1] - shown[0]
    return shown[0] <= low and high <= shown[1] and (high - low) >= 0.5 * span


class FollowRange(QObject):
    following_changed = Signal(bool)

    def __init__(self, plot_item, fixed_x: tuple[float, float] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.view = plot_item.getViewBox()
        self.view.disableAutoRange()
        plot_item.hideButtons()
        self.following = True
        self.fixed_x = fixed_x
        self._x: tuple[float, float] | None = None
        self._y: tuple[float, float] | None = None
        self._setting = False
        self.view.sigRangeChangedManually.connect(self._on_manual)

    def _on_manual(self, *_args) -> None:
        if not self._setting and self.following:
            self.following = False
            self.following_changed.emit(False)

    def follow(self, on: bool) -> None:
        if on != self.following:
            self.following = on
            self._x = self._y = None  # apply on the next update
            self.following_changed.emit(on)

    def set_fixed_x(self, low: float, high: float) -> None:
        self.fixed_x = (low, high)

    def update(self, x_max: float | None, ys: list[np.ndarray], log_y: bool = False) -> None:
        """Show [0, nice x_max] (or the fixed x range) and the rounded bounds of the finite ys."""
        if not self.following:
            return
        x_range = self.fixed_x or ((0.0, nice_ceiling(x_max)) if x_max else None)
        y_range = None
        parts = [y[np.isfinite(y) & ((y > 0) if log_y else True)] for y in ys if len(y)]
        parts = [p for p in parts if len(p)]
        if parts:
            low = min(float(p.min()) for p in parts)
            high = max(float(p.max()) for p in parts)
            if log_y:
                low, high = math.log10(low), math.log10(high)
            y_range = rounded_bounds(low, high)
            if self._y and _still_fits(self._y, low, high):
                y_range = self._y  # hysteresis: keep the axis (and its cached ticks) while the data fits well
        self._setting = True
        try:
            if x_range and x_range != self._x:
                self._x = x_range
                self.view.setXRange(*x_range, padding=0.02)
            if y_range and y_range != self._y:
                self._y = y_range
                self.view.setYRange(*y_range, padding=0.02)
        finally:
            self._setting = False
