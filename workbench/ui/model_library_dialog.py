"""Manage Models: the library of one domain (or all): rename, delete, reveal, import.

Shipped models are listed and read-only. Every change goes through
workbench.project.library and is announced with context.library_changed,
so every picker updates.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from workbench.ui.checkpoint_info import CHECKPOINT_FILTER
from workbench.ui.errors import describe_error

COLUMNS = ("Name", "Domain", "Algorithm", "Iterations", "Saved", "Evaluation")


class ModelLibraryDialog(QDialog):
    def __init__(self, context, domain: str | None = None, mode: str | None = None, parent=None):
        super().__init__(parent)
        self.context = context
        self.domain, self.mode = domain, mode
        self.setWindowTitle(f"{(domain or 'All').capitalize()} Models" + (f" ({mode})" if mode else ""))
        self.resize(820, 360)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(lambda *_: self.rename())
        buttons = QHBoxLayout()
        self.rename_button = self._button(buttons, "Rename…", self.rename, "Give your model a name")
        self.delete_button = self._button(buttons, "Delete…", self.delete, "Delete your model's checkpoint file")
        self.reveal_button = self._button(buttons, "Show in Folder", self.reveal, "Open the folder that holds it")
        self._button(buttons, "Import…", self.choose_import, "Add a checkpoint file (it is checked first)")
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self.fill()

    @staticmethod
    def _button(row, text, slot, tip) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(lambda _=False: slot())
        row.addWidget(button)
        return button

    def fill(self) -> None:
        """List the models again, keeping the selected one selected."""
        keep = self.selected().id if self.selected() is not None else None
        self.tree.clear()
        for entry in self.context.model_library().entries(self.domain, self.mode):
            iterations = str(entry.iteration)
            if entry.stopped_early:
                iterations = f"{entry.iteration} of {entry.iterations_planned} (stopped early)"
            item = QTreeWidgetItem([entry.name + ("  (shipped, read-only)" if entry.shipped else ""),
                                    entry.domain + (f" / {entry.mode}" if entry.mode else ""), entry.algorithm,
                                    iterations, entry.saved_at[:16].replace("T", " "), entry.evaluation or "—"])
            item.setToolTip(0, str(entry.path))
            item.setData(0, 256, entry)                 # Qt.UserRole
            self.tree.addTopLevelItem(item)
            if entry.id == keep:
                self.tree.setCurrentItem(item)
        for column in range(len(COLUMNS)):
            self.tree.resizeColumnToContents(column)
        self._update_buttons()

    def selected(self):
        items = self.tree.selectedItems()
        return items[0].data(0, 256) if items else None

    def _update_buttons(self) -> None:
        entry = self.selected()
        own = entry is not None and not entry.shipped
        self.rename_button.setEnabled(own)
        self.delete_button.setEnabled(own)
        self.reveal_button.setEnabled(entry is not None)

    def rename(self, name: str | None = None) -> bool:
        entry = self.selected()
        if entry is None or entry.shipped:
            return False
        if name is None:
            name, ok = QInputDialog.getText(self, "Rename Model", "Name:", text=entry.name)
            if not ok:
                return False
        return self._change(entry, lambda library: library.rename(entry.id, name))

    def delete(self, confirm: bool = True) -> bool:
        entry = self.selected()
        if entry is None or entry.shipped:
            return False
        if confirm:
            answer = QMessageBox.question(self, "Delete Model",
                                          f"Delete “{entry.name}”? Its checkpoint file is removed from disk.",
                                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                          QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Yes:
                return False
        return self._change(entry, lambda library: library.delete(entry.id))

    def reveal(self) -> None:
        entry = self.selected()
        if entry is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(entry.path.parent)))

    def choose_import(self) -> None:
        from workbench.ui.model_picker import import_checkpoint
        path, _ = QFileDialog.getOpenFileName(self, "Import a Checkpoint", "", CHECKPOINT_FILTER)
        if path and import_checkpoint(self.context, path, self.domain, self.mode) is not None:
            self.fill()

    def _change(self, entry, change) -> bool:
        try:
            change(self.context.model_library())
        except Exception as exc:  # noqa: BLE001 - a message, never a traceback
            self.context.notifier.error(describe_error(exc))
            return False
        self.context.library_changed.emit(entry.domain)
        self.fill()
        return True
