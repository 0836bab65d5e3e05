"""The drawing canvas: pressure strokes, brush/eraser, undo by stroke, zoom, model view.

The drawing is a plain value (an optional base image plus a tuple of strokes), so
undo/redo swaps values and re-renders; nothing is edited in place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (QAction, QActionGroup, QColor, QImage, QKeySequence, QPainter, QPainterPath,
                           QPen, QPointingDevice, QUndoCommand, QUndoStack)
from PySide6.QtWidgets import QSizePolicy, QWidget

CANVAS_SIZE = 256                  # drawing resolution in pixels (square)
MIN_BRUSH, MAX_BRUSH = 1.0, 64.0
DEFAULT_BRUSH = 10.0
SMOOTHING = 0.45                   # weight of each new input point in the stabiliser
MIN_ZOOM, MAX_ZOOM = 0.5, 8.0


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


def paint_stroke(painter: QPainter, stroke: Stroke) -> None:
    """Quadratic curves through the midpoints of the (already stabilised) points."""
    mode = (QPainter.CompositionMode_Clear if stroke.erase
            else QPainter.CompositionMode_SourceOver)
    painter.setCompositionMode(mode)
    pts = [QPointF(x, y) for x, y, _ in stroke.points]
    pressures = [p for _, _, p in stroke.points]
    if len(pts) == 1:
        r = _pen_width(stroke, pressures[0]) / 2
        painter.setPen(Qt.NoPen)
        painter.setBrush(QColor(0, 0, 0))
        painter.drawEllipse(pts[0], r, r)
        return
    painter.setBrush(Qt.NoBrush)
    start = pts[0]
    for i in range(1, len(pts)):
        end = pts[i] if i == len(pts) - 1 else (pts[i] + pts[i + 1]) / 2
        path = QPainterPath(start)
        if i == len(pts) - 1:
            path.lineTo(end)
        else:
            path.quadTo(pts[i], end)
        pen = QPen(QColor(0, 0, 0), _pen_width(stroke, (pressures[i - 1] + pressures[i]) / 2),
                   Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin)
        painter.setPen(pen)
        painter.drawPath(path)
        start = end


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


def resize_ink(ink: np.ndarray, size: int) -> np.ndarray:
    """Resample an ink array to size x size (smooth)."""
    if ink.shape == (size, size):
        return ink.astype(np.float32)
    img = ink_preview_image(ink).scaled(size, size, Qt.IgnoreAspectRatio, Qt.SmoothTransformation)
    img = img.convertToFormat(QImage.Format_Grayscale8)
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(size, img.bytesPerLine())[:, :size]
    return (1.0 - arr.astype(np.float32) / 255.0)


class _SetDrawing(QUndoCommand):
    def __init__(self, canvas: SketchCanvas, old: Drawing, new: Drawing, text: str,
                 rendered: QImage | None = None):
        super().__init__(text)
        self._canvas, self._old, self._new, self._rendered = canvas, old, new, rendered

    def redo(self):
        self._canvas._apply(self._new, self._rendered)
        self._rendered = None          # later redos re-render from the value

    def undo(self):
        self._canvas._apply(self._old)


class SketchCanvas(QWidget):
    """Square drawing surface. `to_array()` is the ink image [CANVAS_SIZE]^2 in [0, 1]."""

    changed = Signal()                 # the drawing changed (stroke, undo, clear, load)
    tool_changed = Signal(str)         # "brush" | "eraser"
    brush_size_changed = Signal(float)
    model_view_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAttribute(Qt.WA_TabletTracking, False)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(220, 220)
        self.setCursor(Qt.CrossCursor)
        self.undo_stack = QUndoStack(self)
        self._drawing = Drawing()
        self._layer = self._new_layer()
        self._preview: QImage | None = None       # layer + the stroke being drawn
        self._points: list[tuple[float, float, float]] = []
        self._drawing_erase = False
        self._tool = "brush"
        self._brush = DEFAULT_BRUSH
        self._zoom = 1.0
        self._pan = QPointF(0, 0)
        self._pan_from: QPointF | None = None
        self._model_view = False
        self._model_image: QImage | None = None
        self._build_actions()

    # ---- public API -------------------------------------------------------------
    def to_array(self) -> np.ndarray:
        """The ink image, float32 [CANVAS_SIZE, CANVAS_SIZE], ink = 1.0, paper = 0.0."""
        alpha = self._layer.convertToFormat(QImage.Format_Alpha8)
        raw = np.frombuffer(alpha.constBits(), np.uint8).reshape(CANVAS_SIZE, alpha.bytesPerLine())
        return raw[:, :CANVAS_SIZE].astype(np.float32) / 255.0

    def has_ink(self) -> bool:
        return bool(self.to_array().max() > 0.05)

    def set_array(self, ink: np.ndarray, text: str = "Open drawing") -> None:
        """Replace the drawing by an ink image of any size (undoable)."""
        base = np.clip(resize_ink(np.asarray(ink, np.float32), CANVAS_SIZE), 0, 1)
        self.undo_stack.push(_SetDrawing(self, self._drawing, Drawing(base=base), text))

    def clear(self) -> None:
        if self._drawing.base is not None or self._drawing.strokes:
            self.undo_stack.push(_SetDrawing(self, self._drawing, Drawing(), "Clear"))

    @property
    def drawing(self) -> Drawing:
        return self._drawing

    @property
    def tool(self) -> str:
        return self._tool

    def set_tool(self, tool: str) -> None:
        if tool not in ("brush", "eraser"):
            raise ValueError(f"tool: expected 'brush' or 'eraser', got {tool!r}")
        (self.act_brush if tool == "brush" else self.act_eraser).setChecked(True)

    def _on_tool(self, tool: str, on: bool) -> None:
        if on and tool != self._tool:
            self._tool = tool
            self.tool_changed.emit(tool)

    @property
    def brush_size(self) -> float:
        return self._brush

    def set_brush_size(self, size: float) -> None:
        self._brush = float(min(MAX_BRUSH, max(MIN_BRUSH, size)))
        self.brush_size_changed.emit(self._brush)
        self.update()

    @property
    def zoom(self) -> float:
        return self._zoom

    def set_zoom(self, zoom: float) -> None:
        self._zoom = float(min(MAX_ZOOM, max(MIN_ZOOM, zoom)))
        if self._zoom <= 1.0:
            self._pan = QPointF(0, 0)
        self.update()

    def reset_view(self) -> None:
        self._pan = QPointF(0, 0)
        self.set_zoom(1.0)

    @property
    def model_view(self) -> bool:
        return self._model_view

    def set_model_view(self, on: bool) -> None:
        self.act_model_view.setChecked(bool(on))       # toggled -> _on_model_view

    def _on_model_view(self, on: bool) -> None:
        self._model_view = on
        self._model_image = None
        self.model_view_changed.emit(self._model_view)
        self.update()

    def image_to_widget(self, x: float, y: float) -> QPointF:
        rect = self._view_rect()
        s = rect.width() / CANVAS_SIZE
        return QPointF(rect.left() + x * s, rect.top() + y * s)

    def widget_to_image(self, pos: QPointF) -> QPointF:
        rect = self._view_rect()
        s = rect.width() / CANVAS_SIZE
        return QPointF((pos.x() - rect.left()) / s, (pos.y() - rect.top()) / s)

    # ---- actions ----------------------------------------------------------------
    def _action(self, text, shortcuts, slot, checkable=False, tip=""):
        act = QAction(text, self)
        act.setShortcuts([QKeySequence(s) for s in shortcuts])
        act.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        act.setCheckable(checkable)
        keys = ", ".join(shortcuts)
        act.setToolTip(f"{tip or text} ({keys})" if keys else (tip or text))
        (act.toggled if checkable else act.triggered).connect(slot)
        self.addAction(act)
        return act

    def _build_actions(self):
        self.act_brush = self._action("Brush", ["B"], lambda on: self._on_tool("brush", on), True)
        self.act_eraser = self._action("Eraser", ["E"], lambda on: self._on_tool("eraser", on), True)
        self.act_brush.setChecked(True)
        group = QActionGroup(self)
        group.addAction(self.act_brush)
        group.addAction(self.act_eraser)
        self.act_smaller = self._action("Smaller", ["["], lambda: self.set_brush_size(self._brush / 1.25),
                                        tip="Smaller brush")
        self.act_bigger = self._action("Bigger", ["]"], lambda: self.set_brush_size(self._brush * 1.25),
                                       tip="Bigger brush")
        self.act_undo = self.undo_stack.createUndoAction(self, "Undo")
        self.act_redo = self.undo_stack.createRedoAction(self, "Redo")
        for act, keys in ((self.act_undo, [QKeySequence.Undo]),
                          (self.act_redo, [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])):
            act.setShortcuts(keys)
            act.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            self.addAction(act)
        self.act_clear = self._action("Clear", ["Delete"], self.clear, tip="Clear the canvas")
        self.act_model_view = self._action("Model view", ["M"], self._on_model_view, True,
                                           tip="Show the drawing as the model sees it")
        self.act_zoom_in = self._action("Zoom in", ["Ctrl+=", "Ctrl++"],
                                        lambda: self.set_zoom(self._zoom * 1.25))
        self.act_zoom_out = self._action("Zoom out", ["Ctrl+-"], lambda: self.set_zoom(self._zoom / 1.25))
        self.act_zoom_fit = self._action("Fit", ["Ctrl+0"], self.reset_view, tip="Fit the canvas")

    def tool_actions(self) -> list[QAction | None]:
        """Actions for a toolbar, None = separator."""
        return [self.act_brush, self.act_eraser, self.act_smaller, self.act_bigger, None,
                self.act_undo, self.act_redo, self.act_clear, None,
                self.act_model_view, self.act_zoom_out, self.act_zoom_in, self.act_zoom_fit]

    # ---- state ------------------------------------------------------------------
    @staticmethod
    def _new_layer() -> QImage:
        img = QImage(CANVAS_SIZE, CANVAS_SIZE, QImage.Format_ARGB32_Premultiplied)
        img.fill(Qt.transparent)
        return img

    def _render(self, drawing: Drawing) -> QImage:
        layer = ink_to_image(drawing.base) if drawing.base is not None else self._new_layer()
        painter = QPainter(layer)
        painter.setRenderHint(QPainter.Antialiasing)
        for stroke in drawing.strokes:
            paint_stroke(painter, stroke)
        painter.end()
        return layer

    def _apply(self, drawing: Drawing, rendered: QImage | None = None) -> None:
        self._drawing = drawing
        self._layer = rendered if rendered is not None else self._render(drawing)
        self._model_image = None
        self.changed.emit()
        self.update()

    # ---- input ------------------------------------------------------------------
    def _begin(self, pos: QPointF, pressure: float, erase: bool) -> None:
        self._drawing_erase = erase or self._tool == "eraser"
        p = self.widget_to_image(pos)
        self._points = [(p.x(), p.y(), pressure)]
        self._update_preview()

    def _extend(self, pos: QPointF, pressure: float) -> None:
        if not self._points:
            return
        p = self.widget_to_image(pos)
        lx, ly, lp = self._points[-1]
        # Stabiliser: move part of the way toward the pointer, which smooths jitter.
        x, y = lx + (p.x() - lx) * SMOOTHING, ly + (p.y() - ly) * SMOOTHING
        if (x - lx) ** 2 + (y - ly) ** 2 < 0.25:
            return
        self._points.append((x, y, lp + (pressure - lp) * SMOOTHING))
        self._update_preview()

    def _finish(self, pos: QPointF | None) -> None:
        if not self._points:
            return
        if pos is not None and len(self._points) > 1:
            p = self.widget_to_image(pos)
            self._points.append((p.x(), p.y(), self._points[-1][2]))
        stroke = Stroke(tuple(self._points), self._brush, self._drawing_erase)
        self._points = []
        self._update_preview(stroke)
        rendered, self._preview = self._preview, None
        new = Drawing(self._drawing.base, self._drawing.strokes + (stroke,))
        text = "Erase" if stroke.erase else "Stroke"
        self.undo_stack.push(_SetDrawing(self, self._drawing, new, text, rendered))

    def _update_preview(self, stroke: Stroke | None = None) -> None:
        stroke = stroke or Stroke(tuple(self._points), self._brush, self._drawing_erase)
        preview = self._layer.copy()
        painter = QPainter(preview)
        painter.setRenderHint(QPainter.Antialiasing)
        paint_stroke(painter, stroke)
        painter.end()
        self._preview = preview
        self.update()

    def mousePressEvent(self, event):
        self.setFocus(Qt.MouseFocusReason)
        if event.button() == Qt.LeftButton:
            self._begin(event.position(), 1.0, False)
        elif event.button() == Qt.MiddleButton:
            self._pan_from = event.position()
        event.accept()

    def mouseMoveEvent(self, event):
        if self._pan_from is not None:
            self._pan += event.position() - self._pan_from
            self._pan_from = event.position()
            self.update()
        elif event.buttons() & Qt.LeftButton:
            self._extend(event.position(), 1.0)
        event.accept()

    def mouseReleaseEvent(self, event):
        if event.button() == Qt.LeftButton:
            self._finish(event.position())
        elif event.button() == Qt.MiddleButton:
            self._pan_from = None
        event.accept()

    def tabletEvent(self, event):
        pressure = float(event.pressure()) if event.pressure() > 0 else 1.0
        erase = event.pointerType() == QPointingDevice.PointerType.Eraser
        t = event.type()
        if t == event.Type.TabletPress:
            self.setFocus(Qt.TabletFocusReason)
            self._begin(event.position(), pressure, erase)
        elif t == event.Type.TabletMove:
            self._extend(event.position(), pressure)
        elif t == event.Type.TabletRelease:
            self._finish(event.position())
        event.accept()                 # no synthesised mouse events after this

    def wheelEvent(self, event):
        if event.modifiers() & Qt.ControlModifier:
            factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
            self.set_zoom(self._zoom * factor)
        elif self._zoom > 1.0:
            self._pan += QPointF(event.angleDelta().x(), event.angleDelta().y()) / 4
            self.update()
        event.accept()

    # ---- painting ---------------------------------------------------------------
    def _view_rect(self) -> QRectF:
        side = max(16.0, min(self.width(), self.height()) - 8.0) * self._zoom
        x = (self.width() - side) / 2 + self._pan.x()
        y = (self.height() - side) / 2 + self._pan.y()
        return QRectF(x, y, side, side)

    def _model_preview(self) -> QImage:
        if self._model_image is None:
            from workbench.domains.sketch.api import to_model_array   # numpy only, no torch
            self._model_image = ink_preview_image(to_model_array(self.to_array()))
        return self._model_image

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        rect = self._view_rect()
        painter.fillRect(rect, QColor(255, 255, 255))
        if self._model_view and self._preview is None:
            painter.drawImage(rect, self._model_preview())      # nearest: pixels stay visible
        else:
            painter.setRenderHint(QPainter.SmoothPixmapTransform)
            painter.drawImage(rect, self._preview if self._preview is not None else self._layer)
        painter.setPen(QPen(QColor(150, 150, 150), 1))
        painter.drawRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5))
        label = f"{self._tool}  {self._brush:.0f}px  {self._zoom * 100:.0f}%"
        if self._model_view:
            label += "  · model view"
        painter.setPen(self.palette().text().color())
        painter.drawText(6, self.height() - 6, label)
        painter.end()
