"""The keyboard on the left of the roll: one row per pitch, click to hear it."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QScrollBar, QSizePolicy, QWidget

from workbench.domains.melody.notes import pitch_name
from workbench.ui.melody_studio.piano_roll.items import is_black_key
from workbench.ui.melody_studio.piano_roll.state import RollGeometry

WIDTH = 58


class KeyboardWidget(QWidget):
    pitch_pressed = Signal(int)

    def __init__(self, geometry: RollGeometry, scroll: QScrollBar, parent=None):
        super().__init__(parent)
        self.geometry, self._scroll = geometry, scroll
        self._pressed: int | None = None
        self.setFixedWidth(WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click a key to hear its pitch")
        geometry.changed.connect(self.update)
        scroll.valueChanged.connect(self.update)

    def pitch_at(self, y: float) -> int:
        return self.geometry.pitch(y + self._scroll.value())

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        g, offset = self.geometry, self._scroll.value()
        painter.fillRect(self.rect(), QColor(235, 235, 235))
        top, bottom = g.pitch(offset), g.pitch(offset + self.height())
        font = painter.font()
        font.setPixelSize(max(7, min(10, int(g.row_height) - 2)))
        painter.setFont(font)
        for pitch in range(bottom, top + 1):
            y = g.y(pitch) - offset
            row = QRectF(0, y, self.width(), g.row_height)
            if is_black_key(pitch):
                painter.fillRect(QRectF(0, y, self.width() * 0.62, g.row_height), QColor(30, 30, 34))
            if pitch == self._pressed:
                painter.fillRect(row, QColor(255, 196, 64, 190))
            painter.setPen(QColor(150, 150, 150) if pitch % 12 else QColor(60, 60, 60))
            painter.drawLine(row.bottomLeft(), row.bottomRight())
            if pitch % 12 == 0 and g.row_height >= 7:
                painter.setPen(QColor(40, 40, 40))
                painter.drawText(row.adjusted(0, 0, -3, 0), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                                 pitch_name(pitch))
        painter.setPen(QColor(90, 90, 90))
        painter.drawLine(self.width() - 1, 0, self.width() - 1, self.height())

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._pressed = self.pitch_at(event.position().y())
            self.pitch_pressed.emit(self._pressed)
            self.update()

    def mouseMoveEvent(self, event) -> None:
        if self._pressed is not None:  # glissando: each new key sounds
            pitch = self.pitch_at(event.position().y())
            if pitch != self._pressed:
                self._pressed = pitch
                self.pitch_pressed.emit(pitch)
                self.update()

    def mouseReleaseEvent(self, _event) -> None:
        self._pressed = None
        self.update()
