"""A list of melodies shown as mini piano rolls (support strip, results)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem

from workbench.domains.melody.notes import Melody
from workbench.ui.melody_studio.piano_roll.thumbnail import THUMB_SIZE, render_thumbnail

MELODY_ROLE = Qt.ItemDataRole.UserRole


def describe(melody: Melody) -> str:
    return (f"{melody.name or 'untitled'}\n{len(melody.notes)} notes, {melody.bars} bars, "
            f"{melody.beats_per_bar}/{melody.beat_unit}, {melody.tempo:g} bpm")


class MelodyListWidget(QListWidget):
    open_requested = Signal(object)  # Melody (double click)

    def __init__(self, parent=None, empty_hint: str = ""):
        super().__init__(parent)
        self.empty_hint = empty_hint
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setIconSize(THUMB_SIZE)
        self.setGridSize(QSize(THUMB_SIZE.width() + 12, THUMB_SIZE.height() + 26))
        self.setUniformItemSizes(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.itemDoubleClicked.connect(lambda item: self.open_requested.emit(item.data(MELODY_ROLE)))

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.count() == 0 and self.empty_hint:  # say what belongs here instead of an empty box
            painter = QPainter(self.viewport())
            painter.setPen(QColor(128, 128, 128))
            painter.drawText(self.viewport().rect().adjusted(8, 8, -8, -8),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_hint)

    def add_melody(self, melody: Melody) -> QListWidgetItem:
        item = QListWidgetItem(QIcon(render_thumbnail(melody)), melody.name or "untitled")
        item.setData(MELODY_ROLE, melody)
        item.setToolTip(describe(melody))
        self.addItem(item)
        return item

    def melodies(self) -> list[Melody]:
        return [self.item(i).data(MELODY_ROLE) for i in range(self.count())]

    def selected_rows(self) -> list[int]:
        return sorted(self.row(item) for item in self.selectedItems())

    def selected_melodies(self) -> list[Melody]:
        return [self.item(row).data(MELODY_ROLE) for row in self.selected_rows()]

    def current_melody(self) -> Melody | None:
        """The current item (new results have one, unselected), else the first selected one."""
        item = self.currentItem()
        if item is not None and (item.isSelected() or not self.selectedItems()):
            return item.data(MELODY_ROLE)
        selected = self.selected_melodies()
        return selected[0] if selected else None
