"""Status bar: transient messages on the left, the device and the current checkpoint on the right."""

from __future__ import annotations

import os

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from workbench.ui.context import AppContext

MESSAGE_MS = {"info": 5000, "warning": 10000, "error": 0}  # errors stay until the next message


class WorkbenchStatusBar(QStatusBar):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("status-bar")
        self.checkpoint_label = QLabel("Checkpoint: shipped default", self)
        self.device_label = QLabel("Device: detecting…", self)
        self.checkpoint_label.setObjectName("status-checkpoint")
        self.device_label.setObjectName("status-device")
        self.addPermanentWidget(self.checkpoint_label)
        self.addPermanentWidget(self.device_label)
        context.notifier.posted.connect(self.on_posted)
        context.checkpoint_changed.connect(self.on_checkpoint_changed)
        last = context.last_checkpoint()
        if last:
            self.on_checkpoint_changed(last[0], last[1] or "")

    @Slot(str, str)
    def on_posted(self, level: str, message: str) -> None:
        color = {"error": "#c62828", "warning": "#a15c00"}.get(level, "")
        self.setStyleSheet(f"QStatusBar {{ color: {color}; }}" if color else "")
        self.showMessage(message, MESSAGE_MS.get(level, 5000))

    @Slot(str, str)
    def on_checkpoint_changed(self, domain: str, path: str) -> None:
        name = os.path.basename(path) if path else "shipped default"
        self.checkpoint_label.setText(f"Checkpoint: {domain} · {name}")
        self.checkpoint_label.setToolTip(path or "the checkpoint shipped with the workbench")

    def set_device(self, label: str) -> None:
        self.device_label.setText(f"Device: {label}")
