"""The ruler above the roll: bars and beats, the playhead and the loop range.

Click or drag in the upper part to move the playhead; drag in the lower strip
to set the loop range (snapped to the grid, Shift bypasses); double-click the
strip to clear it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPolygonF
from PySide6.QtWidgets import QScrollBar, QSizePolicy, QWidget

from workbench.domains.melody.notes import TICKS_PER_BEAT
from workbench.ui.melody_studio.piano_roll import editing
from workbench.ui.melody_studio.piano_roll.clip import ClipModel
from workbench.ui.melody_studio.piano_roll.items import PLAYHEAD
from workbench.ui.melody_studio.piano_roll.state import RollGeometry, TransportState

HEIGHT = 32
LOOP_STRIP = 11


class RulerWidget(QWidget):
    seek_requested = Signal(int)  # the user clicked or dragged the playhead (playback follows)

    def __init__(self, model: ClipModel, geometry: RollGeometry, transport: TransportState,
                 scroll: QScrollBar, parent=None):
        super().__init__(parent)
        self.model, self.geometry, self.transport, self._scroll = model, geometry, transport, scroll
        self._drag: str | None = None
        self._loop_anchor = 0
        self.setFixedHeight(HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Click to move the playhead; drag in the lower strip to set the loop range")
        for signal in (geometry.changed, model.changed, transport.loop_changed, scroll.valueChanged):
            signal.connect(self.update)
        transport.playhead_changed.connect(lambda _t: self.update())

    def tick_at(self, x: float, bypass_snap: bool = False) -> int:
        tick = max(0.0, self.geometry.tick(x + self._scroll.value()))
        return int(round(tick)) if bypass_snap else editing.snap(tick, self.geometry.grid)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        g, offset, melody = self.geometry, self._scroll.value(), self.model.melody
        painter.fillRect(self.rect(), QColor(28, 30, 35))
        strip_top = self.height() - LOOP_STRIP
        painter.fillRect(QRectF(0, strip_top, self.width(), LOOP_STRIP), QColor(38, 41, 48))
        loop = self.transport.loop_range
        if loop is not None:
            color = QColor(90, 160, 255) if self.transport.loop_enabled else QColor(100, 110, 130)
            painter.fillRect(QRectF(g.x(loop[0]) - offset, strip_top + 1, g.x(loop[1] - loop[0]), LOOP_STRIP - 2),
                             color)
        bar, beat = melody.ticks_per_bar, max(1, TICKS_PER_BEAT * 4 // melody.beat_unit)
        first_bar = int(g.tick(offset) // bar)
        last_tick = g.tick(offset + self.width())
        label_every = 1
        while g.x(bar * label_every) < 28:  # keep bar numbers readable when zoomed out
            label_every *= 2
        font = painter.font()
        font.setPixelSize(10)
        painter.setFont(font)
        tick = first_bar * bar
        while tick <= last_tick:
            x = g.x(tick) - offset
            index = tick // bar
            painter.setPen(QColor(200, 204, 214))
            painter.drawLine(QPointF(x, 2), QPointF(x, strip_top))
            if index % label_every == 0:
                painter.drawText(QPointF(x + 3, 12), str(index + 1))
            if g.x(beat) >= 6:
                painter.setPen(QColor(110, 116, 130))
                for b in range(beat, bar, beat):
                    bx = g.x(tick + b) - offset
                    painter.drawLine(QPointF(bx, strip_top - 6), QPointF(bx, strip_top))
            tick += bar
        x = g.x(self.transport.playhead) - offset
        painter.setPen(PLAYHEAD)
        painter.setBrush(PLAYHEAD)
        painter.drawPolygon(QPolygonF([QPointF(x - 5, strip_top - 9), QPointF(x + 5, strip_top - 9),
                                       QPointF(x, strip_top)]))
        painter.drawLine(QPointF(x, strip_top), QPointF(x, self.height()))

    def _in_loop_strip(self, y: float) -> bool:
        return y >= self.height() - LOOP_STRIP

    def mousePressEvent(self, event) -> None:
        pos = event.position()
        bypass = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if self._in_loop_strip(pos.y()):
            self._drag = "loop"
            self._loop_anchor = self.tick_at(pos.x(), bypass)
        else:
            self._drag = "seek"
            self._seek(self.tick_at(pos.x(), bypass))

    def mouseMoveEvent(self, event) -> None:
        bypass = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        tick = self.tick_at(event.position().x(), bypass)
        if self._drag == "seek" and tick != self.transport.playhead:
            self._seek(tick)
        elif self._drag == "loop" and tick != self._loop_anchor:
            self.transport.set_loop_range(self._loop_anchor, tick)
            self.transport.set_loop_enabled(True)

    def mouseReleaseEvent(self, _event) -> None:
        self._drag = None

    def _seek(self, tick: int) -> None:
        self.transport.set_playhead(tick)
        self.seek_requested.emit(tick)

    def mouseDoubleClickEvent(self, event) -> None:
        if self._in_loop_strip(event.position().y()):
            self.transport.set_loop_range(None)
