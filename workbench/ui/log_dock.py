"""A dock listing every notification, so messages that left the status bar stay readable."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QDockWidget, QPlainTextEdit, QWidget

from workbench.ui.notifications import Notifier

_PREFIX = {"info": "", "warning": "warning: ", "error": "ERROR: "}


class LogDock(QDockWidget):
    def __init__(self, notifier: Notifier, parent: QWidget | None = None):
        super().__init__("Log", parent)
        self.setObjectName("log-dock")
        self.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setMaximumBlockCount(2000)
        self.setWidget(self.text)
        for notice in notifier.history():
            self._append(notice.level, notice.message, notice.time)
        notifier.posted.connect(self.on_posted)

    @Slot(str, str)
    def on_posted(self, level: str, message: str) -> None:
        self._append(level, message, time.time())
        if level == "error":
            self.show()  # an error must be seen, not only logged

    def _append(self, level: str, message: str, when: float) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(when))
        self.text.appendPlainText(f"{stamp}  {_PREFIX.get(level, '')}{message}")
        self.text.moveCursor(QTextCursor.MoveOperation.End)
