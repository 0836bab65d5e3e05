"""TrainingSession: owns the training QThread and its worker; the panel talks only to this.

All signals are re-emitted on the GUI thread. `shutdown()` stops the run and
joins the thread, so a QThread is never destroyed while running.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from workbench.ui.training.worker import TrainingJob, TrainingWorker

log = logging.getLogger(__name__)


class TrainingSession(QObject):
    metrics = Signal(list)
    status = Signal(str, str)
    checkpoint_saved = Signal(str)
    failed = Signal(str, str)
    preparing = Signal(int, int, str)  # the domain loads its data before the first iteration
    ended = Signal()  # the thread has finished and been joined

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None
        self.trainer = None  # the last run's trainer (kept for Save after the run)

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def paused(self) -> bool:
        """Read from the run's Controller, the one place pause and stop live."""
        return self._worker is not None and self._worker.controller.paused

    def start(self, job: TrainingJob) -> None:
        if self.running:
            raise RuntimeError("a training run is already in progress")
        thread = QThread()
        thread.setObjectName("workbench-training")
        worker = TrainingWorker(job)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.metrics.connect(self.metrics)
        worker.status.connect(self.status)
        worker.checkpoint_saved.connect(self.checkpoint_saved)
        worker.failed.connect(self.failed)
        worker.preparing.connect(self.preparing)
        # Direct: quit() is thread-safe, and a queued call would never run while the GUI thread waits in shutdown().
        worker.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        thread.start()

    def pause(self) -> None:
        if self._worker is not None:
            self._worker.pause()

    def resume(self) -> None:
        if self._worker is not None:
            self._worker.resume()

    def stop(self, save: bool = True) -> None:
        if self._worker is not None:
            self._worker.stop(save=save)

    def request_checkpoint(self, path: str) -> bool:
        """True if the running worker will save; False if the run has already ended."""
        return self._worker is not None and self._worker.request_checkpoint(path)

    @property
    def latest_trainer(self):
        """The trainer of the run in progress (or just ended), else of the last run."""
        worker_trainer = getattr(self._worker, "trainer", None)
        return worker_trainer if worker_trainer is not None else self.trainer

    def shutdown(self, save: bool = False, timeout_ms: int = 60_000) -> bool:
        """Stop the run and join the thread (called on close). Returns False if it did not end in time."""
        if self._thread is None:
            return True
        self.stop(save=save)
        thread = self._thread
        if not thread.wait(timeout_ms):
            log.error("the training thread did not stop within %d ms", timeout_ms)
            return False
        self._on_thread_finished()
        return True

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._thread is None:
            return
        if self._worker is not None and self._worker.trainer is not None:
            self.trainer = self._worker.trainer
        self._thread.deleteLater()  # we may be inside its finished signal: delete it later
        # the worker's thread has ended, so dropping the last reference deletes it safely here
        self._thread = None
        self._worker = None
        self.ended.emit()
