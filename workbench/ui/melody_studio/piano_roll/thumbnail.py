"""Mini piano-roll pictures of melodies, for the support strip and the results list."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap

from workbench.domains.melody.notes import Melody
from workbench.ui.melody_studio.piano_roll.items import velocity_color

THUMB_SIZE = QSize(150, 64)


def render_thumbnail(melody: Melody, size: QSize = THUMB_SIZE) -> QPixmap:
    """Notes scaled to fill the picture; bar lines faint; an empty melody says so."""
    pixmap = QPixmap(size)
    pixmap.fill(QColor(36, 38, 44))
    painter = QPainter(pixmap)
    try:
        w, h = size.width(), size.height()
        if not melody.notes:
            painter.setPen(QColor(140, 140, 150))
            painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, "empty")
            return pixmap
        length = max(melody.length_ticks, melody.ticks_per_bar)
        bars = -(-length // melody.ticks_per_bar)
        total = bars * melody.ticks_per_bar
        low, high = melody.pitch_range()
        low, high = low - 2, high + 2
        rows = high - low + 1
        margin = 3
        sx = (w - 2 * margin) / total
        row_h = (h - 2 * margin) / rows
        painter.setPen(QColor(62, 66, 76))
        for bar in range(1, bars):
            x = margin + bar * melody.ticks_per_bar * sx
            painter.drawLine(int(x), 0, int(x), h)
        painter.setPen(Qt.PenStyle.NoPen)
        for note in melody.notes:
            rect = QRectF(margin + note.onset * sx, margin + (high - note.pitch) * row_h,
                          max(1.5, note.duration * sx - 0.5), max(1.5, row_h))
            painter.fillRect(rect, velocity_color(note.velocity))
    finally:
        painter.end()
    return pixmap
