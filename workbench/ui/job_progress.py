"""One job-progress widget for the studios: a bar, the time left and Cancel,
bound to a JobRunner.

It appears when a job is submitted (`show_waiting`) or starts, follows the
job's progress(done, total, message) reports with an estimate of the time
left, and hides when the job finishes, fails or is cancelled. Cancel asks the
panel (the `cancel_requested` signal), which cancels the runner and says so.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from workbench.ui.jobs import JobRunner

ETA_AFTER_S = 1.0  # the first second of a job says too little about the rest


def time_left_text(elapsed: float, done: int, total: int) -> str:
    """' · about N s left' from the pace so far, or '' while there is nothing to go on."""
    if not (0 < done < total) or elapsed <= ETA_AFTER_S:
        return ""
    return f" · about {elapsed / done * (total - done):.0f} s left"


class JobProgress(QWidget):
    cancel_requested = Signal()

    def __init__(self, runner: JobRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._started = time.monotonic()
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.status = QLabel()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running job (Esc)")
        self.cancel_button.clicked.connect(self.cancel_requested)
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.setVisible(False)
        runner.started.connect(self._on_started)
        runner.progress.connect(self.show_progress)
        runner.finished.connect(self.hide)
        runner.errored.connect(self.hide)

    def show_waiting(self, message: str) -> None:
        """Busy, with no numbers yet (submitted, preparing)."""
        self.setVisible(True)
        self.bar.setRange(0, 0)
        self.status.setText(message)

    def show_progress(self, done: int, total: int, message: str) -> None:
        self.setVisible(True)
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(done)
        left = time_left_text(time.monotonic() - self._started, done, total)
        self.status.setText(f"{message or 'Working'} ({done}/{total}){left}")

    def _on_started(self) -> None:
        self._started = time.monotonic()
        self.show_waiting("Preparing…")
