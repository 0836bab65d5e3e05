"""The drawing canvas: pressure strokes, brush/eraser, undo by stroke, zoom, model view, light table,
and the strokes Complete suggests (shown until the drawing changes; Tab adds them).

The drawing is a plain value (workbench.ui.sketch_studio.strokes), so undo/redo swaps
values and re-renders; nothing is edited in place.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QImage,
    QKeySequence,
    QPainter,
    QPen,
    QPointingDevice,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from workbench.domains.imageio import resize_area
from workbench.ui.sketch_studio import canvas_drop
from workbench.ui.sketch_studio.strokes import (
    CANVAS_SIZE,
    Drawing,
    Stroke,
    begin_paint,
    ink_preview_image,
    ink_to_image,
    light_table_image,
    paint_dot,
    paint_segment,
    paint_stroke,
    tinted_image,
)

MIN_BRUSH, MAX_BRUSH = 1.0, 64.0
DEFAULT_BRUSH = 14.0
SMOOTHING = 0.45                   # weight of each new input point in the stabiliser
MIN_ZOOM, MAX_ZOOM = 0.5, 8.0
UNDO_LIMIT = 100                   # steps; each keeps a 256 KB picture
SUGGESTION_COLOUR = (215, 100, 20)  # Complete's suggested strokes: warm, unlike the ink and the light table
SUGGESTION_ALPHA = 0.6


class _SetDrawing(QUndoCommand):
    """Swap the drawing value. The rendered pictures before and after are kept with the
    command (QImage shares them with the canvas), so undo and redo never re-render."""

    def __init__(self, canvas: SketchCanvas, new: Drawing, text: str, rendered: QImage | None = None):
        super().__init__(text)
        self._canvas = canvas
        self._old, self._old_image = canvas._drawing, canvas._layer
        self._new, self._new_image = new, rendered

    def redo(self):
        self._canvas._apply(self._new, self._new_image)
        self._new_image = self._canvas._layer

    def undo(self):
        self._canvas._apply(self._old, self._old_image)


class SketchCanvas(QWidget):
    """Square drawing surface. `to_array()` is the ink image [CANVAS_SIZE]^2 in [0, 1]."""

    changed = Signal()                 # the drawing changed (stroke, undo, clear, load)
    tool_changed = Signal(str)         # "brush" | "eraser"
    brush_size_changed = Signal(float)
    model_view_changed = Signal(bool)
    light_table_changed = Signal(bool)
    notice = Signal(str, str)          # level ("info" | "warning"), message: what a drop did

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAttribute(Qt.WA_TabletTracking, False)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(220, 220)
        self.setCursor(Qt.CrossCursor)
        self.setMouseTracking(True)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self._drawing = Drawing()
        self._layer = self._new_layer()
        self._preview: QImage | None = None       # layer + the stroke being drawn
        self._points: list[tuple[float, float, float]] = []
        self._painted = 0
        self._drawing_erase = False
        self._tool = "brush"
        self._brush = DEFAULT_BRUSH
        self._zoom = 1.0
        self._pan = QPointF(0, 0)
        self._pan_from: QPointF | None = None
        self._hover: QPointF | None = None          # pointer position, for the brush outline
        self._model_view = False
        self._model_image: QImage | None = None
        self._light_table = True
        self._underlay: QImage | None = None       # the light table's picture of the support set
        self._suggestion: np.ndarray | None = None # ink Complete suggests adding, [CANVAS_SIZE]^2
        self._suggestion_image: QImage | None = None
        self.setAcceptDrops(True)
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
        base = np.clip(resize_area(np.asarray(ink, np.float32), CANVAS_SIZE), 0, 1)  # the loader's resizer
        self.undo_stack.push(_SetDrawing(self, Drawing(base=base), text))
        if self.isVisible():  # the tool keys (B, E, [, ]) work on what was just opened, without a click
            self.setFocus(Qt.OtherFocusReason)

    def clear(self) -> None:
        if self._drawing.base is not None or self._drawing.strokes:
            self.undo_stack.push(_SetDrawing(self, Drawing(), "Clear"))

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

    @property
    def light_table(self) -> bool:
        return self._light_table

    def set_light_table(self, on: bool) -> None:
        self.act_light_table.setChecked(bool(on))     # toggled -> _on_light_table

    def _on_light_table(self, on: bool) -> None:
        self._light_table = on
        self.light_table_changed.emit(on)
        self.update()

    def set_underlay(self, pages: list[np.ndarray]) -> None:
        """The drawings the light table shows under the ink, on square pages as Complete reads them
        (a partial drawn over them lines up with them); not part of the drawing."""
        self._underlay = light_table_image(pages) if pages else None
        self.update()

    @property
    def has_suggestion(self) -> bool:
        return self._suggestion is not None

    def set_suggestion(self, ink: np.ndarray | None) -> None:
        """Strokes Complete suggests adding (a square ink image of any size, e.g. the model's
        64 px; None clears): shown in a warm tint under the drawing until it changes. Tab, or
        accept_suggestion(), adds them to the drawing (one undo step)."""
        if ink is None or not (np.asarray(ink) > 0.5).any() or self._preview is not None:  # or mid-stroke: stale
            self._suggestion = self._suggestion_image = None
        else:
            from workbench.domains.sketch.api import smooth_upscale  # numpy and PIL only

            ink = np.asarray(ink, np.float32)
            scale = max(1, CANVAS_SIZE // ink.shape[0])
            big = smooth_upscale(ink, scale) if scale > 1 else ink
            self._suggestion = np.clip(resize_area(big, CANVAS_SIZE), 0.0, 1.0)
            self._suggestion_image = tinted_image(SUGGESTION_ALPHA * self._suggestion, SUGGESTION_COLOUR)
        self.act_accept.setEnabled(self._suggestion is not None)
        self.update()

    def accept_suggestion(self) -> None:
        if self._suggestion is not None:
            merged = np.maximum(self.to_array(), self._suggestion)
            self.undo_stack.push(_SetDrawing(self, Drawing(base=merged), "Accept suggestion"))

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
        # Own actions rather than QUndoStack.createUndoAction: a fixed text keeps the toolbar still.
        self.act_undo = self._action("Undo", ["Ctrl+Z"], self.undo_stack.undo, tip="Undo the last stroke")
        self.act_redo = self._action("Redo", ["Ctrl+Shift+Z", "Ctrl+Y"], self.undo_stack.redo,
                                     tip="Redo the stroke")
        self.act_undo.setEnabled(False)
        self.act_redo.setEnabled(False)
        self.undo_stack.canUndoChanged.connect(self.act_undo.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.act_redo.setEnabled)
        self.act_clear = self._action("Clear", ["Delete"], self.clear, tip="Clear the canvas")
        self.act_model_view = self._action("Model view", ["M"], self._on_model_view, True,
                                           tip="Show the drawing as the model sees it")
        self.act_light_table = self._action(
            "Light table", ["L"], self._on_light_table, True,
            tip="Show the support set's drawings faintly under the canvas, where Complete reads them: "
                "a partial drawn over them, or within a few pixels (Complete bends them to it), lines up with them")
        self.act_light_table.setChecked(True)
        self.act_accept = self._action("Accept suggestion", ["Tab"], self.accept_suggestion,
                                       tip="Add the strokes Complete suggests (orange on the canvas) to the drawing")
        self.act_accept.setEnabled(False)
        self.act_zoom_in = self._action("Zoom in", ["Ctrl+=", "Ctrl++"],
                                        lambda: self.set_zoom(self._zoom * 1.25))
        self.act_zoom_out = self._action("Zoom out", ["Ctrl+-"], lambda: self.set_zoom(self._zoom / 1.25))
        self.act_zoom_fit = self._action("Fit", ["Ctrl+0"], self.reset_view, tip="Fit the canvas")
        self.act_zoom_out.setIconText("−")        # the toolbar's short labels: it fits a 1280-px window
        self.act_zoom_in.setIconText("+")

    def tool_actions(self) -> list[QAction | None]:
        """Actions for a toolbar, None = separator."""
        return [self.act_brush, self.act_eraser, self.act_smaller, self.act_bigger, None,
                self.act_undo, self.act_redo, self.act_clear, None,
                self.act_model_view, self.act_light_table, self.act_zoom_out, self.act_zoom_in, self.act_zoom_fit]

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
        self.set_suggestion(None)              # it completed the drawing as it was
        self._layer = rendered if rendered is not None else self._render(drawing)
        self._model_image = None
        self.changed.emit()
        self.update()

    # ---- input ------------------------------------------------------------------
    def _begin(self, pos: QPointF, pressure: float, erase: bool) -> None:
        self._drawing_erase = erase or self._tool == "eraser"
        self.set_suggestion(None)
        p = self.widget_to_image(pos)
        self._points = [(p.x(), p.y(), pressure)]
        self._preview = self._layer.copy()
        self._painted = 0                  # segments of the live stroke already on the preview
        self.update()

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
        # Segment i is final once point i+1 exists; the last one waits for the release.
        self._paint_live(len(self._points) - 2)

    def _finish(self, pos: QPointF | None) -> None:
        if not self._points:
            return
        if pos is not None and len(self._points) > 1:
            p = self.widget_to_image(pos)
            self._points.append((p.x(), p.y(), self._points[-1][2]))
        self._paint_live(len(self._points) - 1)
        stroke = self._live_stroke()
        if len(stroke.points) == 1:
            painter = QPainter(self._preview)
            painter.setRenderHint(QPainter.Antialiasing)
            begin_paint(painter, stroke.erase)
            paint_dot(painter, stroke)
            painter.end()
        self._points = []
        rendered, self._preview = self._preview, None
        new = Drawing(self._drawing.base, self._drawing.strokes + (stroke,))
        text = "Erase" if stroke.erase else "Stroke"
        self.undo_stack.push(_SetDrawing(self, new, text, rendered))

    def _live_stroke(self) -> Stroke:
        return Stroke(tuple(self._points), self._brush, self._drawing_erase)

    def _paint_live(self, upto: int) -> None:
        """Paint the live stroke's segments painted+1 .. upto onto the preview."""
        if upto <= self._painted:
            return
        stroke = self._live_stroke()
        painter = QPainter(self._preview)
        painter.setRenderHint(QPainter.Antialiasing)
        begin_paint(painter, stroke.erase)
        for i in range(self._painted + 1, upto + 1):
            paint_segment(painter, stroke, i)
        painter.end()
        self._painted = upto
        self.update()

    # ---- drops: an image file opens as an editable layer -------------------------
    def dragEnterEvent(self, event):
        if canvas_drop.can_open(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event):
        if canvas_drop.can_open(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event):
        ink, name, message = canvas_drop.ink_from_mime(event.mimeData(), CANVAS_SIZE)
        event.acceptProposedAction()
        if ink is not None:
            self.set_array(ink, f"Open {name}")
            self.activateWindow()
            self.setFocus(Qt.OtherFocusReason)
        if message:
            self.notice.emit("info" if ink is not None else "warning", message)

    def mousePressEvent(self, event):
        self.setFocus(Qt.MouseFocusReason)
        if event.button() == Qt.LeftButton:
            self._begin(event.position(), 1.0, False)
        elif event.button() == Qt.MiddleButton:
            self._pan_from = event.position()
        event.accept()

    def leaveEvent(self, event):
        self._hover = None
        self.update()
        super().leaveEvent(event)

    def mouseMoveEvent(self, event):
        self._hover = event.position()
        if not event.buttons():
            self.update()
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
            self.setFocus(Qt.OtherFocusReason)
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
            from workbench.domains.sketch.api import to_model_array  # numpy only, no torch
            self._model_image = ink_preview_image(to_model_array(self.to_array()))
        return self._model_image

    def _showing_light_table(self) -> bool:
        """The model view shows only what the model reads, so the light table hides there."""
        return self._light_table and self._underlay is not None and not (self._model_view and self._preview is None)

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        rect = self._view_rect()
        painter.fillRect(rect, QColor(255, 255, 255))
        if self._model_view and self._preview is None:
            painter.drawImage(rect, self._model_preview())      # nearest: pixels stay visible
        else:
            painter.setRenderHint(QPainter.SmoothPixmapTransform)
            if self._showing_light_table():
                painter.drawImage(rect, self._underlay)
            if self._suggestion_image is not None:
                painter.drawImage(rect, self._suggestion_image)
            painter.drawImage(rect, self._preview if self._preview is not None else self._layer)
        painter.setPen(QPen(QColor(150, 150, 150), 1))
        painter.drawRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5))
        if self._preview is None and self._drawing.base is None and not self._drawing.strokes:
            painter.setPen(QColor(160, 160, 160))
            painter.drawText(rect, Qt.AlignCenter, "Draw here\n\nB brush · E eraser · [ ] size\n"
                                                   "Ctrl+Z undo · Delete clear · M model view · L light table")
        if self._hover is not None and self._pan_from is None:
            radius = self._brush * rect.width() / CANVAS_SIZE / 2
            painter.setRenderHint(QPainter.Antialiasing)
            painter.setBrush(Qt.NoBrush)
            painter.setPen(QPen(QColor(0, 120, 215) if self._tool == "brush" else QColor(200, 60, 60), 1))
            painter.drawEllipse(self._hover, radius, radius)
        label = f"{self._tool}  {self._brush:.0f}px  {self._zoom * 100:.0f}%"
        if self._model_view:
            label += "  · model view"
        elif self._showing_light_table():
            label += "  · light table"
        box = painter.fontMetrics().boundingRect(label).adjusted(-4, -2, 4, 2)
        box.moveBottomLeft(self.rect().bottomLeft() + QPoint(2, -2))
        painter.fillRect(box, self.palette().window())
        painter.setPen(self.palette().text().color())
        painter.drawText(box, Qt.AlignCenter, label)
        painter.end()
