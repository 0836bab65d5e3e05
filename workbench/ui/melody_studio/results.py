"""Generated melodies as mini rolls: open, play, add to support, export, drag out as .mid."""

from __future__ import annotations

import logging

from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QAbstractItemView

from workbench.ui.melody_studio.files import DragFolder
from workbench.ui.melody_studio.melody_list import MELODY_ROLE, MelodyListWidget

log = logging.getLogger(__name__)


class ResultsList(MelodyListWidget):
    """Dragging items out hands the receiver .mid files (file URLs of temp files)."""

    def __init__(self, notifier=None, parent=None):
        super().__init__(parent, empty_hint="Press Generate: new melodies in the support set's style appear here")
        self._notifier = notifier
        self._drag_folder = DragFolder()
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setToolTip("Double-click to open in the roll; drag onto the desktop or a DAW to get .mid files")

    def set_melodies(self, melodies) -> None:
        self.clear()
        for melody in melodies:
            self.add_melody(melody)

    def startDrag(self, _supported_actions) -> None:
        """Copy only: a file manager that moves the temp file must not take the result out of the list
        (the stock startDrag removes items when the drop target answers MoveAction)."""
        items = self.selectedItems()
        if not items:
            return
        data = self.mimeData(items)
        if not data.hasUrls():
            return
        drag = QDrag(self)
        drag.setMimeData(data)
        drag.setPixmap(items[0].icon().pixmap(self.iconSize()))
        drag.exec(Qt.DropAction.CopyAction, Qt.DropAction.CopyAction)

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list"]

    def mimeData(self, items) -> QMimeData:
        data = QMimeData()
        melodies = [item.data(MELODY_ROLE) for item in sorted(items, key=self.row)]
        try:
            paths = self._drag_folder.write_midis(melodies)
        except Exception as exc:  # noqa: BLE001 - a failed drag must not crash the view
            log.warning("writing drag files failed", exc_info=True)
            if self._notifier is not None:
                self._notifier.error(f"Could not write the MIDI files to drag: {exc}")
            return data
        data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
        data.setText("\n".join(str(p) for p in paths))
        return data
