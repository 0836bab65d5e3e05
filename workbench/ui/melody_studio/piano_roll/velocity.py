"""The velocity lane under the roll: one stem per note; drag to set velocities.

Dragging over a selected note sets the whole selection; dragging across
unselected notes paints each one. One drag is one undo step.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QScrollBar, QSizePolicy, QWidget

from workbench.domains.melody.notes import Note
from workbench.ui.melody_studio.piano_roll import editing
from workbench.ui.melody_studio.piano_roll.clip import ClipModel
from workbench.ui.melody_studio.piano_roll.items import velocity_color
from workbench.ui.melody_studio.piano_roll.state import RollGeometry

HEIGHT = 72
PAD = 4


class VelocityLane(QWidget):
    def __init__(self, model: ClipModel, geometry: RollGeometry, scroll: QScrollBar, parent=None):
        super().__init__(parent)
        self.model, self.geometry, self._scroll = model, geometry, scroll
        self._before = None
        self._before_selection = frozenset()
        self.last_velocity: int | None = None
        self.setFixedHeight(HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Velocity: drag a stem up or down")
        for signal in (geometry.changed, model.changed, model.selection_changed, scroll.valueChanged):
            signal.connect(self.update)

    def velocity_at(self, y: float) -> int:
        usable = self.height() - 2 * PAD
        return max(1, min(127, round(127 * (self.height() - PAD - y) / usable)))

    def note_at(self, x: float) -> Note | None:
        """The note whose stem is nearest x (within 6 px), else the note sounding at x."""
        tick_x = x + self._scroll.value()
        best, best_distance = None, 6.0
        for note in self.model.notes:
            distance = abs(self.geometry.x(note.onset) - tick_x)
            if distance <= best_distance:
                best, best_distance = note, distance
        if best is None:
            tick = self.geometry.tick(tick_x)
            best = next((n for n in self.model.notes if n.onset <= tick < n.end), None)
        return best

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(32, 34, 40))
        painter.setPen(QColor(60, 64, 72))
        for fraction in (0.25, 0.5, 0.75):
            y = self.height() - PAD - fraction * (self.height() - 2 * PAD)
            painter.drawLine(QPointF(0, y), QPointF(self.width(), y))
        offset, selection = self._scroll.value(), self.model.selection
        for note in self.model.notes:
            x = self.geometry.x(note.onset) - offset
            if x < -8 or x > self.width() + 8:
                continue
            top = self.height() - PAD - note.velocity / 127 * (self.height() - 2 * PAD)
            color = velocity_color(note.velocity)
            pen = QPen(QColor(255, 255, 255) if note in selection else color, 2)
            painter.setPen(pen)
            painter.drawLine(QPointF(x + 1, self.height() - PAD), QPointF(x + 1, top))
            painter.fillRect(QRectF(x - 2, top - 2, 7, 4), pen.color())

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self._before = self.model.melody
        self._before_selection = self.model.selection
        self._apply(event.position())

    def mouseMoveEvent(self, event) -> None:
        if self._before is not None:
            self._apply(event.position())

    def mouseReleaseEvent(self, _event) -> None:
        if self._before is not None:
            self.model.commit(self._before, self._before_selection, "Change velocity")
            self._before = None

    def _apply(self, pos: QPointF) -> None:
        note = self.note_at(pos.x())
        if note is None:
            return
        velocity = self.velocity_at(pos.y())
        targets = self.model.selection if note in self.model.selection else {note}
        was_selected = note in self.model.selection
        notes, changed = editing.set_velocity(self.model.notes, targets, velocity)
        selection = changed if was_selected else [
            n for n in notes if any(n.onset == s.onset and n.pitch == s.pitch for s in self.model.selection)]
        self.model.preview(self.model.melody.with_notes(notes), selection)
        self.last_velocity = velocity
