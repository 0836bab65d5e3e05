"""The checkpoint selector: shipped default, the one just meta-trained, or one loaded from disk."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QWidget

from workbench.ui.checkpoint_info import CHECKPOINT_FILTER, checkpoint_domain, read_checkpoint_info

DOMAIN = "sketch"
_LOAD = "__load__"


class CheckpointSelector(QWidget):
    """Shows the checkpoint in use; `path()` is None for the shipped default."""

    changed = Signal(object)          # str path | None

    def __init__(self, context, parent=None):
        super().__init__(parent)
        self._context = context
        self.combo = QComboBox()
        self.combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(18)
        self.combo.addItem("Shipped default", "")
        self.combo.setItemData(0, "The checkpoints that ship with the workbench "
                                  "(meta-trained on the built-in glyphs)", Qt.ToolTipRole)
        self.combo.addItem("Load from disk…", _LOAD)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Checkpoint"))
        layout.addWidget(self.combo, 1)
        self._current = ""
        self._origin = "meta-trained"     # a checkpoint announced by someone else: the Training panel
        current = context.checkpoint_for(DOMAIN)
        if current:
            self._select(current, "current")
        self.combo.activated.connect(self._on_activated)
        context.checkpoint_changed.connect(self._on_context_changed)

    def path(self) -> str | None:
        return self._current or None

    def label(self) -> str:
        return "shipped default" if not self._current else Path(self._current).name

    def load(self, path: str) -> bool:
        """Use a checkpoint file; refuse (with a warning) one that is not a sketch checkpoint."""
        from workbench.meta.errors import CheckpointError
        try:
            domain = checkpoint_domain(path)
        except CheckpointError as exc:
            self._context.notifier.warning(str(exc))
            return False
        if domain != DOMAIN:
            self._context.notifier.warning(
                f"{path}: a {domain} checkpoint; the Sketch Studio needs a sketch checkpoint")
            return False
        self._origin = "loaded"
        try:
            self._context.set_checkpoint(DOMAIN, path)  # -> checkpoint_changed -> _select
        finally:
            self._origin = "meta-trained"
        return True

    def _find(self, path: str) -> int:
        for i in range(self.combo.count()):
            if self.combo.itemData(i) == path:
                return i
        return -1

    def _select(self, path: str, origin: str) -> None:
        index = self._find(path)
        if path and index < 0:
            index = self.combo.count() - 1              # before "Load from disk…"
            self.combo.insertItem(index, f"{Path(path).name} ({origin})", path)
            self.combo.setItemData(index, self._describe(path), Qt.ToolTipRole)
        self.combo.setCurrentIndex(index)
        self.combo.setToolTip(self.combo.itemData(index, Qt.ToolTipRole) or "")
        if path != self._current:
            self._current = path
            self.changed.emit(self.path())

    @staticmethod
    def _describe(path: str) -> str:
        try:
            info = read_checkpoint_info(path)
        except Exception:  # noqa: BLE001 - the tooltip is informational; use reports real errors
            return path
        return f"{path}\niteration {info.get('iteration', '?')}"

    def _on_activated(self, index: int) -> None:
        data = self.combo.itemData(index)
        if data == _LOAD:
            self.combo.setCurrentIndex(max(0, self._find(self._current)))
            path, _ = QFileDialog.getOpenFileName(self, "Load a sketch checkpoint", "", CHECKPOINT_FILTER)
            if path:
                self.load(path)
        elif data != self._current:
            self._context.set_checkpoint(DOMAIN, data or None)

    def _on_context_changed(self, domain: str, path: str) -> None:
        if domain != DOMAIN:
            return
        self._select(path, self._origin)
