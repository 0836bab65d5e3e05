"""Commands to a running meta-training generator from another thread: pause,
resume, stop, checkpoint now.

No torch here, so the Qt worker can create its controller (and take the
user's Pause or Stop) before torch has loaded; the generator reads it between
iterations.
"""

from __future__ import annotations

import threading
from collections import deque
from pathlib import Path


class Controller:
    """Commands from another thread, read by the generator between iterations."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = threading.Event()
        self._running.set()
        self._stop = False
        self._save_on_stop = True
        self._checkpoints: deque[str] = deque()
        self._closed = False

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self, save: bool = True) -> None:
        """Stop between iterations; save=False (from any stop request) drops the final save."""
        with self._lock:
            self._stop = True
            self._save_on_stop = self._save_on_stop and save
        self._running.set()

    def request_checkpoint(self, path: str | Path) -> bool:
        """Queue a "save now"; False once the run has closed (the caller then saves the trainer itself)."""
        with self._lock:
            if self._closed:
                return False
            self._checkpoints.append(str(path))
            return True

    def close(self) -> list[str]:
        """The run has ended: refuse later requests and hand over the ones not yet taken.

        A request that arrives after the generator's last check is then saved
        by whoever drives the run, never lost.
        """
        with self._lock:
            self._closed = True
            paths = list(self._checkpoints)
            self._checkpoints.clear()
        return paths

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def save_on_stop(self) -> bool:
        with self._lock:
            return self._save_on_stop

    @property
    def stop_requested(self) -> bool:
        with self._lock:
            return self._stop

    def wait_while_paused(self, timeout: float) -> None:
        self._running.wait(timeout)

    def take_checkpoint_requests(self) -> list[str]:
        with self._lock:
            paths = list(self._checkpoints)
            self._checkpoints.clear()
        return paths
