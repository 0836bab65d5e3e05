"""Progress of a run: a bar with iterations, plus tasks/s and an ETA from the recent rate."""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

RATE_WINDOW_S = 10.0


def format_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProgressView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("training-progress")
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setFormat("idle")
        self.state = QLabel("Idle", self)
        self.state.setObjectName("training-state")
        self.rate = QLabel("", self)
        self.rate.setObjectName("training-rate")
        row = QHBoxLayout()
        row.addWidget(self.state)
        row.addStretch(1)
        row.addWidget(self.rate)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addLayout(row)
        self._samples: deque[tuple[float, int]] = deque()
        self.iteration = 0
        self.total = 0
        self.preparing = False  # the bar counts data files, not iterations

    def start(self, iteration: int, total: int) -> None:
        self.iteration, self.total = iteration, max(total, 1)
        self.bar.setRange(0, self.total)
        self.bar.setValue(iteration)
        self.bar.setFormat("iteration %v / %m")
        self.rate.setText("loading the engine…")
        self.preparing = False
        self.reset_rate()

    def show_preparation(self, done: int, total: int, message: str, now: float | None = None) -> None:
        """The domain loads its data before the first iteration (a first melody corpus parse takes
        minutes): count, ETA from the recent rate, and Stop cancels it."""
        now = time.monotonic() if now is None else now
        if not self.preparing:
            self.preparing = True
            self.reset_rate()
            self.set_state("Preparing data (Stop cancels)")
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, max(total, 1)))
        self.bar.setFormat("data %v / %m")
        per_second = self._per_second(now, done)
        eta = f" · ETA {format_duration((total - done) / per_second)}" if per_second else ""
        self.rate.setText(message + eta)

    def _per_second(self, now: float, count: int) -> float | None:
        """Items per second over the last RATE_WINDOW_S (None until it is known)."""
        self._samples.append((now, count))
        while len(self._samples) > 2 and now - self._samples[0][0] > RATE_WINDOW_S:
            self._samples.popleft()
        if len(self._samples) >= 2:
            (t0, c0), (t1, c1) = self._samples[0], self._samples[-1]
            if t1 > t0 and c1 > c0:
                return (c1 - c0) / (t1 - t0)
        return None

    def reset_rate(self) -> None:
        """Forget the rate window (after a pause, the old rate would make the ETA wrong)."""
        self._samples.clear()

    def set_state(self, text: str) -> None:
        self.state.setText(text)

    def update_progress(self, iteration: int, total: int, tasks_per_s: float, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if self.preparing:  # the data is loaded: the bar counts iterations again
            self.preparing = False
            self.reset_rate()
            self.bar.setFormat("iteration %v / %m")
        self.iteration, self.total = iteration, max(total, 1)
        if self.bar.maximum() != self.total:
            self.bar.setRange(0, self.total)
        self.bar.setValue(min(iteration, self.total))
        text = f"{tasks_per_s:,.0f} tasks/s"
        per_second = self._per_second(now, iteration)
        if per_second:
            text += f" · {per_second:,.1f} it/s · ETA {format_duration((self.total - iteration) / per_second)}"
        self.rate.setText(text)

    def show_loaded(self, name: str, iteration: int, total: int, has_history: bool) -> None:
        """A loaded checkpoint replaces the last run's status: where its run got to."""
        self.preparing = False
        self.iteration, self.total = iteration, max(total, iteration, 1)
        self.bar.setRange(0, self.total)
        self.bar.setValue(iteration)
        self.bar.setFormat("iteration %v / %m")
        self.set_state(f"Loaded {name}")
        self.rate.setText("" if has_history else "no metric history saved with it")
        self.reset_rate()

    def finish(self, text: str) -> None:
        self.set_state(text)
        self.rate.setText("")
        self.reset_rate()
