"""The support set: a strip of thumbnails filled from the canvas, files, folders and the clipboard."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QImage, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.sketch_studio.strokes import ink_preview_image

THUMB = 64


@dataclass(frozen=True, eq=False)
class SupportItem:
    image: np.ndarray              # [S,S] as the model sees it
    name: str
    ink: np.ndarray | None = None  # full-resolution canvas drawing, when it came from the canvas


def thumbnail(image: np.ndarray, size: int = THUMB) -> QIcon:
    pix = QPixmap.fromImage(ink_preview_image(image).scaled(
        size, size, Qt.KeepAspectRatio, Qt.SmoothTransformation))
    return QIcon(pix)


class _SupportList(QListWidget):
    """Reorders by internal drag; hands file/image drops from outside to the strip."""

    def __init__(self, strip: SupportStrip):
        super().__init__(strip)
        self._strip = strip
        self.setViewMode(QListView.ListMode)      # ListMode + Static movement: internal moves reorder
        self.setFlow(QListView.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Static)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setSpacing(3)
        self.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDrop)
        self.setDefaultDropAction(Qt.MoveAction)
        self.setAcceptDrops(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFixedHeight(THUMB + 40)

    def _external(self, event) -> bool:
        mime = event.mimeData()
        return event.source() is not self and (mime.hasUrls() or mime.hasImage())

    def dragEnterEvent(self, event):
        if self._external(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event):
        if self._external(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event):
        if self._external(event):
            event.acceptProposedAction()
            self._strip.add_mime(event.mimeData())
        else:
            super().dropEvent(event)
            self._strip.changed.emit()


class SupportStrip(QWidget):
    """The few examples the model adapts to. `images()` returns them in order."""

    changed = Signal()
    open_requested = Signal(object)      # ink array to load into the canvas

    def __init__(self, notifier, parent=None):
        super().__init__(parent)
        self._notifier = notifier
        self._items: dict[int, SupportItem] = {}
        self._next_id = 0
        self._list = _SupportList(self)
        self._list.itemDoubleClicked.connect(lambda item: self._open(item))
        self._list.itemSelectionChanged.connect(self._update_buttons)
        self._title = QLabel()
        self.add_canvas_button = QToolButton(text="Add drawing")
        self.add_canvas_button.setToolTip("Add the canvas drawing to the support set (Ctrl+Enter)")

        self.act_paste = self._action("Paste", QKeySequence.Paste, self.paste, "Paste an image or files")
        self.act_add_files = self._action("Add files…", QKeySequence(), self.choose_files,
                                          "Add image files or a folder")
        self.act_open = self._action("Open in canvas", QKeySequence("Return"), self.open_current,
                                     "Open the selected item in the canvas (double-click)")
        self.act_remove = self._action("Remove", QKeySequence.Delete, self.remove_selected,
                                       "Remove the selected items (Delete)")
        self.act_left = self._action("◀", QKeySequence("Ctrl+Left"), lambda: self.move_selected(-1),
                                     "Move left (Ctrl+Left)")
        self.act_right = self._action("▶", QKeySequence("Ctrl+Right"), lambda: self.move_selected(1),
                                      "Move right (Ctrl+Right)")

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self._title)
        buttons.addStretch(1)
        buttons.addWidget(self.add_canvas_button)
        for act in (self.act_paste, self.act_add_files, self.act_open, self.act_remove,
                    self.act_left, self.act_right):
            button = QToolButton()
            button.setDefaultAction(act)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(buttons)
        layout.addWidget(self._list)
        self.setAcceptDrops(True)
        self.changed.connect(self._update_buttons)
        self._update_buttons()

    def _action(self, text, keys, slot, tip):
        act = QAction(text, self)
        act.setShortcut(keys)
        act.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        act.setToolTip(tip)
        act.triggered.connect(slot)
        self._list.addAction(act)
        return act

    # ---- contents ---------------------------------------------------------------
    def images(self) -> list[np.ndarray]:
        return [self._items[self._list.item(r).data(Qt.UserRole)].image for r in range(self._list.count())]

    def names(self) -> list[str]:
        return [self._items[self._list.item(r).data(Qt.UserRole)].name for r in range(self._list.count())]

    def count(self) -> int:
        return self._list.count()

    def list_widget(self) -> QListWidget:
        return self._list

    def pages(self) -> list[np.ndarray | None]:
        """Per drawing, the full canvas drawing it came from, or None (a file)."""
        return [self._items[self._list.item(r).data(Qt.UserRole)].ink for r in range(self._list.count())]

    def page_images(self) -> list[np.ndarray]:
        """Each example as drawn: the full canvas drawing where it came from the canvas (so it lines
        up with a partial drawn on the same canvas), else the framed image."""
        return [page if page is not None else image for page, image in zip(self.pages(), self.images())]

    def add_image(self, image: np.ndarray, name: str, ink: np.ndarray | None = None) -> None:
        """Add an image already at model resolution (ink = the full-size drawing it came from)."""
        self._add(SupportItem(np.asarray(image, np.float32), name, ink))
        self.changed.emit()

    def _add(self, item: SupportItem) -> None:
        key = self._next_id
        self._next_id += 1
        self._items[key] = item
        row = QListWidgetItem(thumbnail(item.image), item.name)
        row.setData(Qt.UserRole, key)
        row.setToolTip(item.name)
        row.setFlags(row.flags() & ~Qt.ItemIsDropEnabled)
        self._list.addItem(row)

    def add_paths(self, paths: list[str]) -> int:
        """Load image files (folders expand to their images); report bad files by name, keep the rest."""
        from workbench.domains.sketch.api import load_support_images
        images, names, errors = load_support_images(paths)
        for image, name in zip(images, names):
            self._add(SupportItem(image, name))
        for message in errors:
            self._notifier.warning(message)
        if not images and not errors:
            self._notifier.warning("No image files found in " + ", ".join(map(str, paths)))
        if errors and images:
            self._notifier.info(f"Added {len(images)} images; skipped {len(errors)} files or folders.")
        if images:
            self.changed.emit()
        return len(images)

    def add_qimage(self, image: QImage, name: str = "pasted image") -> int:
        """Decode through the same loader as files, so a pasted image is treated like a dropped one."""
        with tempfile.TemporaryDirectory(prefix="workbench-paste-") as tmp:
            path = os.path.join(tmp, f"{name}.png")
            if image.isNull() or not image.save(path, "PNG"):
                self._notifier.warning(f"Could not read the {name}.")
                return 0
            from workbench.domains.sketch.api import load_support_image
            from workbench.meta.errors import DataError
            try:
                array = load_support_image(path)
            except DataError as exc:
                self._notifier.warning(str(exc))
                return 0
        self.add_image(array, name)
        return 1

    def add_mime(self, mime: QMimeData) -> int:
        if mime.hasUrls():
            paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            if paths:
                return self.add_paths(paths)
        if mime.hasImage():
            return self.add_qimage(QImage(mime.imageData()))
        self._notifier.warning("Nothing to add: drop or paste image files, a folder or an image.")
        return 0

    def paste(self) -> int:
        return self.add_mime(QGuiApplication.clipboard().mimeData())

    def choose_files(self) -> None:
        from workbench.domains.sketch.api import IMAGE_SUFFIXES
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Add support images", "", "Images (" + " ".join("*" + s for s in IMAGE_SUFFIXES) + ")")
        if paths:
            self.add_paths(paths)

    def remove_selected(self) -> None:
        rows = sorted((self._list.row(i) for i in self._list.selectedItems()), reverse=True)
        for row in rows:
            item = self._list.takeItem(row)
            self._items.pop(item.data(Qt.UserRole), None)
        if rows:
            self.changed.emit()

    def clear(self) -> None:
        self._list.clear()
        self._items.clear()
        self.changed.emit()

    def move_selected(self, delta: int) -> None:
        """Move the selected items one place left (-1) or right (+1), keeping them selected."""
        rows = sorted(self._list.row(i) for i in self._list.selectedItems())
        if not rows or rows[0] + delta < 0 or rows[-1] + delta >= self._list.count():
            return
        for row in (rows if delta < 0 else reversed(rows)):
            item = self._list.takeItem(row)
            self._list.insertItem(row + delta, item)
        self._list.clearSelection()
        for row in rows:
            self._list.item(row + delta).setSelected(True)
        self._list.setCurrentRow(rows[0] + delta, self._list.selectionModel().SelectionFlag.NoUpdate)
        self.changed.emit()

    def open_current(self) -> None:
        item = self._list.currentItem() or (self._list.selectedItems() or [None])[0]
        if item is not None:
            self._open(item)

    def _open(self, row: QListWidgetItem) -> None:
        item = self._items[row.data(Qt.UserRole)]
        self.open_requested.emit(item.ink if item.ink is not None else item.image)

    def _update_buttons(self) -> None:
        n = self._list.count()
        self._title.setText(f"<b>Support set</b> · {n} example{'s' if n != 1 else ''}"
                            + ("" if n else " — draw and press Add drawing, or drop images here"))
        selected = bool(self._list.selectedItems())
        for act in (self.act_open, self.act_remove, self.act_left, self.act_right):
            act.setEnabled(selected)

    # Drops on the strip's header or empty area behave like drops on the list.
    def dragEnterEvent(self, event):
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event):
        event.acceptProposedAction()
        self.add_mime(event.mimeData())
