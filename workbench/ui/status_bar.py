"""Status bar: transient messages on the left, the device and the shown panel's model on the right.

A studio shows the model its own picker holds; a panel without one (Training) the
checkpoint made current last, so the status bar never names another domain's model
for a studio.
"""

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
        self._checkpoint = ("Checkpoint: shipped default", "the checkpoint shipped with the workbench")
        self._models: list[str] | None = None
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
        self._checkpoint = (f"Checkpoint: {domain} · {name}", path or "the checkpoint shipped with the workbench")
        if self._models is None:
            self.checkpoint_label.setText(self._checkpoint[0])
            self.checkpoint_label.setToolTip(self._checkpoint[1])

    def show_models(self, names: list[str] | None) -> None:
        """The shown panel's models (None: it has no model list; show the current checkpoint)."""
        self._models = list(dict.fromkeys(names)) if names else None
        if self._models is None:
            text, tip = self._checkpoint
        else:
            text, tip = "Model: " + " / ".join(self._models), "The model the shown studio uses (its Model list)"
        self.checkpoint_label.setText(text)
        self.checkpoint_label.setToolTip(tip)

    def set_device(self, label: str) -> None:
        self.device_label.setText(f"Device: {label}")
