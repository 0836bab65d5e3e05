"""Checkpoint selectors: shipped default, the one just meta-trained, or one loaded from disk.

Vary and Complete use different models (a VAE and a coordinate network), so each mode
has its own selector and a checkpoint goes to the mode named in its metadata.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog

from workbench.ui.checkpoint_info import CHECKPOINT_FILTER, metadata_path, read_checkpoint_meta

DOMAIN = "sketch"
_LOAD = "__load__"
SETTINGS = "sketch_studio/checkpoint_"


def checkpoint_mode(path: str) -> str:
    """The sketch mode ("vary", "complete", ...) of a checkpoint; CheckpointError if not a sketch one."""
    from workbench.meta.errors import CheckpointError
    info = read_checkpoint_meta(path)
    if info.get("domain") != DOMAIN:
        raise CheckpointError(f"{path}: a {info.get('domain')!r} checkpoint; the Sketch Studio needs a sketch one")
    return str((info.get("problem") or {}).get("mode", ""))


class CheckpointSelector(QComboBox):
    """The checkpoint one mode uses; `path()` is None for the shipped default."""

    changed = Signal(object)          # str path | None

    def __init__(self, context, mode: str, parent=None):
        super().__init__(parent)
        self._context = context
        self.mode = mode
        self._current = ""
        self._origin = "made current elsewhere (Training panel or File > Open)"
        self.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(16)
        self.addItem("Shipped default", "")
        self.setItemData(0, f"The {mode} checkpoint that ships with the workbench", Qt.ToolTipRole)
        self.addItem("Load from disk…", _LOAD)
        for path, origin in ((context.settings.value(SETTINGS + mode, "", type=str), "used last time"),
                             (context.checkpoint_for(DOMAIN) or "", "the current sketch checkpoint")):
            if path and metadata_path(path).exists() and self._mode_of(path) == mode:
                self._select(path, origin)
        self.activated.connect(self._on_activated)
        context.checkpoint_changed.connect(self._on_context_changed)

    def path(self) -> str | None:
        return self._current or None

    def label(self) -> str:
        return "shipped default" if not self._current else Path(self._current).name

    def load(self, path: str) -> bool:
        """Use a checkpoint file; refuse (with a warning naming it) one this mode cannot use."""
        from workbench.meta.errors import CheckpointError
        try:
            mode = checkpoint_mode(path)
        except CheckpointError as exc:
            self._context.notifier.warning(str(exc))
            return False
        if mode != self.mode:
            self._context.notifier.warning(
                f"{path}: a sketch {mode!r} checkpoint; {self.mode.capitalize()} needs a {self.mode!r} one")
            return False
        previous, self._origin = self._origin, "loaded from disk here"
        try:
            self._context.set_checkpoint(DOMAIN, path)   # -> checkpoint_changed -> _select
        finally:
            self._origin = previous
        return True

    @staticmethod
    def _mode_of(path: str) -> str:
        try:
            return checkpoint_mode(path)
        except Exception:  # noqa: BLE001 - a stale or foreign entry is simply not offered
            return ""

    @staticmethod
    def _entry_label(path: str) -> str:
        try:
            iteration = read_checkpoint_meta(path).get("iteration")
        except Exception:  # noqa: BLE001 - the label is informational; using it reports real errors
            iteration = None
        stem = Path(path).stem
        return f"{stem} (iteration {iteration})" if isinstance(iteration, int) else stem

    def _find(self, path: str) -> int:
        for i in range(self.count()):
            if self.itemData(i) == path:
                return i
        return -1

    def _select(self, path: str, origin: str) -> None:
        index = self._find(path)
        if path and index < 0:
            index = self.count() - 1                   # before "Load from disk…"
            self.insertItem(index, self._entry_label(path), path)
            self.setItemData(index, f"{path}\n{origin}", Qt.ToolTipRole)
        self.setCurrentIndex(index)
        self.setToolTip(self.itemData(index, Qt.ToolTipRole) or "")
        if path != self._current:
            self._current = path
            self._context.settings.setValue(SETTINGS + self.mode, path)
            self.changed.emit(self.path())

    def _on_activated(self, index: int) -> None:
        data = self.itemData(index)
        if data == _LOAD:
            self.setCurrentIndex(max(0, self._find(self._current)))
            path, _ = QFileDialog.getOpenFileName(self, f"Load a sketch {self.mode} checkpoint", "",
                                                  CHECKPOINT_FILTER)
            if path:
                self.load(path)
        else:
            self._select(data, "")

    def _on_context_changed(self, domain: str, path: str) -> None:
        if domain == DOMAIN and path and self._mode_of(path) == self.mode:
            self._select(path, self._origin)
