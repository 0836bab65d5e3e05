"""The one notification sink: every panel and worker error reaches the user through it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

log = logging.getLogger("workbench.ui")

LEVELS = ("info", "warning", "error")
HISTORY_LIMIT = 500


@dataclass(frozen=True)
class Notice:
    level: str
    message: str
    time: float  # time.time() when posted


class Notifier(QObject):
    """Panels call info/warning/error; the window shows them (status bar, log, dialog)."""

    posted = Signal(str, str)  # level ("info" | "warning" | "error"), message

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._history: list[Notice] = []

    def info(self, msg: str) -> None:
        self.post("info", msg)

    def warning(self, msg: str) -> None:
        self.post("warning", msg)

    def error(self, msg: str) -> None:
        self.post("error", msg)

    def post(self, level: str, msg: str) -> None:
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
        msg = str(msg)
        self._history.append(Notice(level, msg, time.time()))
        del self._history[:-HISTORY_LIMIT]
        getattr(log, "info" if level == "info" else level)(msg)
        self.posted.emit(level, msg)

    def history(self) -> list[Notice]:
        """The notices posted so far, oldest first (bounded)."""
        return list(self._history)
