"""Painting helpers shared by the roll, the velocity lane and the thumbnails."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from workbench.domains.melody.notes import Note, pitch_name

BLACK_KEYS = {1, 3, 6, 8, 10}

BACKGROUND_WHITE_ROW = QColor(46, 49, 56)
BACKGROUND_BLACK_ROW = QColor(36, 38, 44)
LINE_ROW = QColor(30, 32, 37)
LINE_GRID = QColor(58, 62, 70)
LINE_BEAT = QColor(76, 81, 92)
LINE_BAR = QColor(120, 126, 140)
LOOP_SHADE = QColor(90, 160, 255, 28)
PLAYHEAD = QColor(255, 196, 64)
SELECTION_PEN = QColor(255, 255, 255)


def velocity_color(velocity: int) -> QColor:
    """Quiet notes are cool and pale, loud notes warm and saturated."""
    t = max(0.0, min(1.0, (velocity - 1) / 126.0))
    hue = int(200 - 185 * t)          # blue (quiet) .. orange-red (loud)
    saturation = int(110 + 130 * t)
    value = int(200 + 45 * t)
    return QColor.fromHsv(hue, saturation, value)


def is_black_key(pitch: int) -> bool:
    return pitch % 12 in BLACK_KEYS


class NoteItem(QGraphicsRectItem):
    """One note. Not interactive itself: the view handles every gesture."""

    def __init__(self, note: Note, rect: QRectF):
        super().__init__(rect)
        self.note = note
        self._selected = False
        self._read_by_model = True
        self.setZValue(1)
        self._apply_style()

    def set_selected(self, selected: bool) -> None:
        if selected != self._selected:
            self._selected = selected
            self._apply_style()

    def set_read_by_model(self, read: bool) -> None:
        """False for a note below the clip's top voice: it sounds and exports, but the model skips it."""
        if read != self._read_by_model:
            self._read_by_model = read
            self._apply_style()

    @property
    def is_read_by_model(self) -> bool:
        return self._read_by_model

    def _apply_style(self) -> None:
        tip = f"{pitch_name(self.note.pitch)}  velocity {self.note.velocity}"
        self.setToolTip(tip if self._read_by_model else tip + "\nbelow the top voice: the model does not read it")
        color = velocity_color(self.note.velocity)
        if not self._read_by_model:
            color = QColor.fromHsv(color.hsvHue(), color.hsvSaturation() // 3, color.value() * 2 // 3)
        if self._selected:
            self.setBrush(QBrush(color.lighter(135)))
            self.setPen(QPen(SELECTION_PEN, 2))
            self.setZValue(2)
        else:
            self.setBrush(QBrush(color))
            self.setPen(QPen(color.darker(220), 1) if self._read_by_model
                        else QPen(color.lighter(160), 1, Qt.PenStyle.DashLine))
            self.setZValue(1 if self._read_by_model else 0.5)

    def paint(self, painter, option, widget=None):  # noqa: D401 - Qt override
        super().paint(painter, option, widget)
        rect = self.rect()
        if rect.width() > 34 and rect.height() >= 11:
            painter.setPen(QColor(20, 20, 24))
            font = painter.font()
            font.setPixelSize(max(8, min(11, int(rect.height()) - 3)))
            painter.setFont(font)
            painter.drawText(rect.adjusted(3, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             pitch_name(self.note.pitch))
