"""The support set: a strip of mini rolls. Drop .mid files or folders, add the clip,
remove, reorder (drag or the arrow buttons), open an item in the roll.

Dropped files are read on a background thread (a 3 MB MIDI file takes seconds to
parse), with a progress bar and Cancel under the strip; the melodies join the
strip when the read finishes."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.domains.melody import api
from workbench.domains.melody.notes import Melody
from workbench.meta.errors import first_few
from workbench.ui.job_progress import JobProgress
from workbench.ui.jobs import JobRunner
from workbench.ui.melody_studio.melody_list import MelodyListWidget

MAX_SUPPORT = 32


class SupportList(MelodyListWidget):
    """Accepts file drops from outside; items reorder by internal drag."""

    paths_dropped = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent, empty_hint="Drop .mid files or a folder of them here — 3 to 5 melodies "
                                             "in one style work best")
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Snap)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setAcceptDrops(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

    def _external(self, event) -> bool:
        return event.source() is not self and event.mimeData().hasUrls()

    def dragEnterEvent(self, event) -> None:
        if self._external(event):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if self._external(event):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        if self._external(event):
            paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            if paths:
                self.paths_dropped.emit(paths)
            return
        # an internal drag reorders: move the dragged rows to the drop position
        rows = self.selected_rows()
        target = self.indexAt(event.position().toPoint()).row()
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if rows:
            self.move_rows(rows, self.count() if target < 0 else target)

    def move_rows(self, rows: list[int], target: int) -> None:
        items = [self.takeItem(row - i) for i, row in enumerate(sorted(rows))]
        target -= sum(1 for row in rows if row < target)
        for offset, item in enumerate(items):
            self.insertItem(max(0, target) + offset, item)
            item.setSelected(True)


class SupportStrip(QWidget):
    open_requested = Signal(object)   # Melody
    add_clip_requested = Signal()
    changed = Signal()

    def __init__(self, notifier, parent=None):
        super().__init__(parent)
        self._notifier = notifier
        self.list = SupportList()
        self.list.setFixedHeight(self.list.gridSize().height() + 8)
        self.list.paths_dropped.connect(self.add_paths)
        self.list.open_requested.connect(self.open_requested)
        model = self.list.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.rowsMoved):
            signal.connect(lambda *_: self.changed.emit())
        self.title = QLabel()
        self.changed.connect(self._update_title)
        self.reader = JobRunner(self, name="midi-reading")
        self.reader.finished.connect(self._on_read)
        self.reader.errored.connect(lambda message: self._notifier.error(f"Reading MIDI files failed: {message}"))
        self.reading = JobProgress(self.reader)
        self.reading.cancel_requested.connect(self.reader.cancel)
        self.reading.cancel_requested.connect(self.reading.hide)

        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        self.add_clip_button = self._button("Add clip", "Add the melody in the roll to the support set",
                                            self.add_clip_requested.emit)
        self.add_files_button = self._button("Add files…", "Add .mid files or a folder", self._choose_files)
        self.open_button = self._button("Open in roll", "Edit the selected melody in the roll", self._open_selected)
        self.left_button = self._button("◀", "Move the selection left", lambda: self._shift(-1))
        self.right_button = self._button("▶", "Move the selection right", lambda: self._shift(1))
        self.remove_button = self._button("Remove", "Remove the selected melodies (Delete)", self.remove_selected)
        for button in (self.add_clip_button, self.add_files_button, self.open_button, self.left_button,
                       self.right_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        header = QHBoxLayout()
        self.title.setWordWrap(True)  # wraps, rather than widen the window, when 1024 px is all there is
        header.addWidget(self.title, 1)
        header.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.list)
        layout.addWidget(self.reading)
        self._update_title()

    def _button(self, text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(lambda _=False: slot())
        return button

    def _update_title(self) -> None:
        count = self.list.count()
        hint = "the melodies to learn from; or draw in the roll and press Add clip"
        self.title.setText(f"<b>Support set</b> — {hint}" if count == 0 else
                           f"<b>Support set</b> ({count} melodies) — the style to learn from")

    # -- public -------------------------------------------------------------------
    def melodies(self) -> list[Melody]:
        return self.list.melodies()

    def add_melody(self, melody: Melody) -> bool:
        if self.list.count() >= MAX_SUPPORT:
            self._notifier.warning(f"The support set holds at most {MAX_SUPPORT} melodies; remove some first.")
            return False
        self.list.add_melody(melody)
        return True

    def add_paths(self, paths) -> None:
        """Read MIDI files (and folders of them) in the background; bad files are reported by
        name and skipped. A newer drop replaces a read still running."""
        self.reader.submit(api.read_midis, list(paths))
        self.reading.show_waiting(f"Reading {len(paths)} dropped item{'s' if len(paths) != 1 else ''}…")

    def shutdown(self) -> None:
        self.reader.shutdown()

    def _on_read(self, result) -> None:
        melodies, errors, reports = result
        added = 0
        for melody in melodies:
            if not self.add_melody(melody):
                break
            added += 1
        if errors:
            self._notifier.warning(f"Added {added} melodies; skipped: {first_few(errors, 6)}")
        elif added:
            details = "".join(f" {report}." for report in reports[:6])  # what reading changed, per file
            self._notifier.info(f"Added {added} melodies to the support set.{details}")

    def remove_selected(self) -> None:
        for row in reversed(self.list.selected_rows()):
            self.list.takeItem(row)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove_selected()
        else:
            super().keyPressEvent(event)

    # -- internals ------------------------------------------------------------------
    def _choose_files(self) -> None:
        patterns = " ".join("*" + suffix for suffix in api.MIDI_SUFFIXES)
        paths, _ = QFileDialog.getOpenFileNames(self, "Add MIDI files to the support set", "",
                                                f"MIDI files ({patterns});;All files (*)")
        if paths:
            self.add_paths(paths)

    def _open_selected(self) -> None:
        melody = self.list.current_melody()
        if melody is not None:
            self.open_requested.emit(melody)

    def _shift(self, direction: int) -> None:
        rows = self.list.selected_rows()
        if not rows:
            return
        if (direction < 0 and rows[0] == 0) or (direction > 0 and rows[-1] == self.list.count() - 1):
            return
        self.list.clearSelection()
        target = rows[0] - 1 if direction < 0 else rows[-1] + 2
        self.list.move_rows(rows, target)
