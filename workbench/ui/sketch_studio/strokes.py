"""Strokes and ink images: the canvas's plain data and how it is painted.

A drawing is a value (an optional base image plus a tuple of strokes); painting it
is a pure function of that value, so undo/redo only swaps values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen

from workbench.domains.imageio import resize_area

CANVAS_SIZE = 256                  # drawing resolution in pixels (square)


@dataclass(frozen=True)
class Stroke:
    points: tuple[tuple[float, float, float], ...]   # x, y in canvas pixels, pressure 0..1
    width: float
    erase: bool = False


@dataclass(frozen=True, eq=False)
class Drawing:
    base: np.ndarray | None = None   # float32 [CANVAS_SIZE]^2 ink loaded from an image
    strokes: tuple[Stroke, ...] = ()


def _pen_width(stroke: Stroke, pressure: float) -> float:
    # Light pressure still leaves a visible line; full pressure is the brush size.
    return max(0.5, stroke.width * (0.3 + 0.7 * pressure))


def begin_paint(painter: QPainter, erase: bool) -> None:
    painter.setCompositionMode(QPainter.CompositionMode_Clear if erase
                               else QPainter.CompositionMode_SourceOver)


def paint_segment(painter: QPainter, stroke: Stroke, i: int) -> None:
    """Segment i (1..n-1) of a stroke: a quadratic curve from the previous midpoint through
    point i to the next midpoint; the last segment is a line to the end point. Painting
    segments one at a time gives exactly the picture paint_stroke gives, so a stroke can
    be drawn incrementally while the pointer moves."""
    pts = stroke.points
    x0, y0, p0 = pts[i - 1]
    x1, y1, p1 = pts[i]
    start = QPointF(x0, y0) if i == 1 else QPointF((pts[i - 2][0] + x0) / 2, (pts[i - 2][1] + y0) / 2)
    path = QPainterPath(start)
    if i == len(pts) - 1:
        path.lineTo(x1, y1)
    else:
        x2, y2, _ = pts[i + 1]
        path.quadTo(QPointF(x1, y1), QPointF((x1 + x2) / 2, (y1 + y2) / 2))
    painter.setBrush(Qt.NoBrush)
    painter.setPen(QPen(QColor(0, 0, 0), _pen_width(stroke, (p0 + p1) / 2),
                        Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
    painter.drawPath(path)


def paint_dot(painter: QPainter, stroke: Stroke) -> None:
    x, y, p = stroke.points[0]
    r = _pen_width(stroke, p) / 2
    painter.setPen(Qt.NoPen)
    painter.setBrush(QColor(0, 0, 0))
    painter.drawEllipse(QPointF(x, y), r, r)


def paint_stroke(painter: QPainter, stroke: Stroke) -> None:
    """The whole stroke: smoothed curves through the midpoints of its (stabilised) points."""
    begin_paint(painter, stroke.erase)
    if len(stroke.points) == 1:
        paint_dot(painter, stroke)
    for i in range(1, len(stroke.points)):
        paint_segment(painter, stroke, i)


def ink_to_image(ink: np.ndarray) -> QImage:
    """Ink [H,W] in [0,1] -> black ink with that alpha (premultiplied ARGB)."""
    alpha = (np.clip(ink, 0.0, 1.0) * 255 + 0.5).astype(np.uint32)
    argb = np.ascontiguousarray(alpha << 24)
    h, w = argb.shape
    return QImage(argb.data, w, h, 4 * w, QImage.Format_ARGB32_Premultiplied).copy()


def ink_preview_image(ink: np.ndarray) -> QImage:
    """Ink [H,W] in [0,1] -> an opaque grayscale picture, black ink on white."""
    gray = np.ascontiguousarray(255 - (np.clip(ink, 0, 1) * 255 + 0.5).astype(np.uint8))
    h, w = gray.shape
    return QImage(gray.data, w, h, w, QImage.Format_Grayscale8).copy()


LIGHT_TABLE_SIZE = 128             # resolution of the light table's picture, stretched to the canvas
LIGHT_TABLE_COLOUR = (30, 100, 220)
LIGHT_TABLE_ALPHA = 0.35           # opacity where every drawing has ink: faint enough to draw over


def tinted_image(alpha: np.ndarray, colour: tuple[int, int, int]) -> QImage:
    """Opacity [H, W] in [0, 1] -> that colour with that opacity (premultiplied ARGB)."""
    a = (np.clip(alpha, 0.0, 1.0) * 255 + 0.5).astype(np.uint32)
    red, green, blue = colour
    argb = np.ascontiguousarray((a << 24) | ((a * red // 255) << 16) | ((a * green // 255) << 8) | (a * blue // 255))
    h, w = argb.shape
    return QImage(argb.data, w, h, 4 * w, QImage.Format_ARGB32_Premultiplied).copy()


def light_table_image(pages: list[np.ndarray]) -> QImage:
    """Drawings on square pages of any size (ink = 1) -> one faint blue picture of them all, to
    draw over. Opacity follows the square root of the share of drawings with ink at a pixel, so a
    stroke only one of five drawings has still shows (at 45 % of a shared one)."""
    share = np.mean([resize_area(np.clip(np.asarray(p, np.float32), 0.0, 1.0), LIGHT_TABLE_SIZE) for p in pages],
                    axis=0)
    return tinted_image(LIGHT_TABLE_ALPHA * np.sqrt(share / max(float(share.max()), 1e-6)), LIGHT_TABLE_COLOUR)
