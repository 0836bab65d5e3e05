"""Run one long callable at a time on a QThread and report back through signals.

The GUI calls `JobRunner.submit(fn, ...)`; `fn` runs on the runner's own
thread as `fn(*args, progress=..., cancelled=..., **kwargs)` where
`progress(done, total, message)` reports progress (throttled to about 30 Hz
before it crosses threads) and `cancelled()` returns True once the job should
stop early. Results come back as queued signals, so slots run on the GUI
thread and may touch widgets.

A job that was cancelled (by `cancel()`, by a newer `submit()` or by
`shutdown()`) is stale: its result and its error are dropped, never emitted.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from workbench.ui.errors import describe_error

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 1 / 30
GUI_SWITCH_INTERVAL_S = 0.001


def prefer_gui_thread() -> None:
    """Let the GUI thread take the GIL sooner from a busy worker thread.

    Python hands the GIL to a waiting thread only after the switch interval
    (5 ms by default); every return from Qt into Python code (a timer, a paint)
    waits that long while a training thread runs Python. 1 ms keeps the GUI
    responsive (see `workbench bench ui`); the worker loses little throughput.
    """
    if sys.getswitchinterval() > GUI_SWITCH_INTERVAL_S:
        sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)


# Each collection pauses every thread (it holds the GIL) for as long as the young generation is
# big: training leaves about 30 k collectable objects a second, 10 ms to collect at once.
GC_INTERVAL_MS = 100


def collect_garbage_on_gui_thread(app: QObject) -> QTimer:
    """Turn Python's automatic cyclic garbage collection off and collect on the GUI thread instead.

    The automatic collector runs on whichever thread allocates next. A Qt object held only by a
    reference cycle then dies on a worker thread: seen as a hang in the test suite, a QMenu's
    destructor on the training thread waiting for the GIL forever. Collected here, by a timer on
    the GUI thread, with Python's own rules (gcmodule.c): a generation when its count passes its
    threshold, and the oldest (every object) only when the objects that reached it since its last
    collection are more than a quarter of those that were in it then: without that rule a full
    collection came every 14 s while training, 55 ms with the GIL held. Returns the timer (a child
    of `app`); stop it and call gc.enable() to undo.
    """
    thresholds = gc.get_threshold()
    long_lived = {"total": 0, "pending": 0}

    def collect() -> None:
        counts = gc.get_count()
        if counts[0] <= thresholds[0]:
            return
        if counts[1] <= thresholds[1]:
            gc.collect(0)
        elif counts[2] <= thresholds[2] or long_lived["pending"] <= long_lived["total"] // 4:
            young = len(gc.get_objects(0)) + len(gc.get_objects(1))
            long_lived["pending"] += max(0, young - gc.collect(1))       # the survivors move up
        else:
            gc.collect(2)
            long_lived.update(total=len(gc.get_objects(2)), pending=0)

    gc.disable()
    timer = QTimer(app)
    timer.timeout.connect(collect)
    timer.start(GC_INTERVAL_MS)
    return timer


_start_up_frozen = False


def freeze_start_up_objects() -> None:
    """Leave every object alive now out of later collections (gc.freeze); once per process, when
    torch has loaded. Importing torch, numpy and Qt makes about half a million objects that live
    as long as the process; every collection of the older generations walked them all, 150-230 ms
    with the GIL held (the GUI froze that long while training, `workbench bench ui`). Objects made
    later are collected as before. No collection first: that would be one such pause, and the
    little cyclic garbage of start-up that it would free is not worth it."""
    global _start_up_frozen
    if not _start_up_frozen:
        _start_up_frozen = True
        gc.freeze()


@dataclass
class _Job:
    job_id: int
    fn: Callable[..., Any]
    args: tuple
    kwargs: dict
    cancel_event: threading.Event = field(default_factory=threading.Event)


class _Worker(QObject):
    """Lives on the runner's thread; runs jobs it is handed through a queued signal."""

    job_started = Signal(int)
    job_progress = Signal(int, int, int, str)
    job_finished = Signal(int, object)
    job_failed = Signal(int, str)

    @Slot(object)
    def run(self, job: _Job) -> None:
        self.job_started.emit(job.job_id)
        last_emit = [0.0]

        def progress(done: int, total: int, message: str = "") -> None:
            now = time.monotonic()
            if done >= total or now - last_emit[0] >= PROGRESS_INTERVAL_S:
                last_emit[0] = now
                self.job_progress.emit(job.job_id, int(done), int(total), str(message))

        try:
            result = job.fn(*job.args, progress=progress, cancelled=job.cancel_event.is_set, **job.kwargs)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the user, not the console
            log.warning("background job failed", exc_info=True)
            self.job_failed.emit(job.job_id, describe_error(exc))
            return
        self.job_finished.emit(job.job_id, result)


class JobRunner(QObject):
    """One callable at a time on a QThread; see the module docstring."""

    started = Signal()
    progress = Signal(int, int, str)  # done, total, message
    finished = Signal(object)  # the callable's return value
    errored = Signal(str)  # a message a user understands

    _dispatch = Signal(object)

    def __init__(self, parent: QObject | None = None, name: str = "jobs"):
        super().__init__(parent)
        self._name = name
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        self._next_id = 0
        self._current: _Job | None = None
        self._pending: _Job | None = None
        self._closed = False

    # -- public API -----------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._current is not None or self._pending is not None

    def submit(self, fn: Callable[..., Any], *args, **kwargs) -> None:
        """Run fn on the worker thread; if a job is running, cancel it and run fn after it."""
        if self._closed:
            raise RuntimeError("JobRunner.submit after shutdown")
        self._next_id += 1
        job = _Job(self._next_id, fn, args, kwargs)
        if self._current is not None:
            self._current.cancel_event.set()
            self._pending = job  # a newer submit replaces an older pending one
            return
        self._start(job)

    def cancel(self) -> None:
        """Ask the running job to stop and forget the pending one; their results are dropped."""
        self._pending = None
        if self._current is not None:
            self._current.cancel_event.set()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel, quit and join the thread. Returns False if the job did not stop in time."""
        self._closed = True
        self.cancel()
        if self._thread is None:
            return True
        self._thread.quit()
        joined = self._thread.wait(timeout_ms)
        if not joined:
            log.error("background job %r did not stop within %d ms", self._name, timeout_ms)
            _ABANDONED.append((self._thread, self._worker))  # never destroy a running QThread
            return False
        self._worker.deleteLater()
        self._thread = None
        self._worker = None
        self._current = None
        return True

    # -- internals ------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._thread is not None:
            return
        self._thread = QThread()
        self._thread.setObjectName(f"workbench-{self._name}")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._dispatch.connect(self._worker.run)
        self._worker.job_progress.connect(self._on_progress)
        self._worker.job_finished.connect(self._on_finished)
        self._worker.job_failed.connect(self._on_failed)
        self._thread.start()

    def _start(self, job: _Job) -> None:
        self._ensure_thread()
        self._current = job
        self.started.emit()
        self._dispatch.emit(job)

    def _is_live(self, job_id: int) -> bool:
        job = self._current
        return job is not None and job.job_id == job_id and not job.cancel_event.is_set()

    @Slot(int, int, int, str)
    def _on_progress(self, job_id: int, done: int, total: int, message: str) -> None:
        if self._is_live(job_id):
            self.progress.emit(done, total, message)

    @Slot(int, object)
    def _on_finished(self, job_id: int, result: object) -> None:
        live = self._is_live(job_id)
        self._advance(job_id)
        if live:
            self.finished.emit(result)

    @Slot(int, str)
    def _on_failed(self, job_id: int, message: str) -> None:
        live = self._is_live(job_id)
        self._advance(job_id)
        if live:
            self.errored.emit(message)

    def _advance(self, job_id: int) -> None:
        if self._current is None or self._current.job_id != job_id:
            return
        self._current = None
        pending, self._pending = self._pending, None
        if pending is not None and not self._closed:
            self._start(pending)


# Threads whose job ignored cancellation at shutdown: kept referenced so Qt never
# destroys a running QThread (which would abort the process).
_ABANDONED: list = []
