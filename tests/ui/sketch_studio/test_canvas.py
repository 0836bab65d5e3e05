"""The drawing canvas: strokes, tools, undo by stroke, clear, model view, light table."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.ui.sketch_studio.helpers import draw_stroke, ink_in, line_points
from workbench.ui.sketch_studio.canvas import CANVAS_SIZE, SketchCanvas


@pytest.fixture
def canvas(qtbot):
    widget = SketchCanvas()
    qtbot.addWidget(widget)
    widget.resize(320, 320)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_blank_canvas_has_no_ink(canvas):
    ink = canvas.to_array()
    assert ink.shape == (CANVAS_SIZE, CANVAS_SIZE) and ink.dtype == np.float32
    assert ink.max() == 0.0 and not canvas.has_ink()


def test_mouse_stroke_puts_ink_along_its_path_only(qtbot, canvas):
    draw_stroke(qtbot, canvas, line_points(40, 128, 216, 128))
    ink = canvas.to_array()
    assert ink_in(ink, 100, 118, 156, 138) > 0.9          # on the line
    assert ink_in(ink, 0, 0, 256, 60) == 0.0               # far above it
    assert ink_in(ink, 0, 200, 256, 256) == 0.0            # far below it
    assert canvas.undo_stack.count() == 1


def test_undo_removes_the_last_stroke_only_and_redo_restores_it(qtbot, canvas):
    draw_stroke(qtbot, canvas, line_points(40, 60, 216, 60))
    draw_stroke(qtbot, canvas, line_points(40, 200, 216, 200))
    both = canvas.to_array()
    qtbot.keyClick(canvas, Qt.Key_Z, Qt.ControlModifier)
    one = canvas.to_array()
    assert ink_in(one, 100, 50, 156, 70) > 0.9             # first stroke kept
    assert ink_in(one, 0, 150, 256, 256) == 0.0            # second stroke gone
    qtbot.keyClick(canvas, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    np.testing.assert_allclose(canvas.to_array(), both, atol=1 / 255)


def test_the_drawing_value_renders_to_the_picture_drawn_live(qtbot, canvas):
    draw_stroke(qtbot, canvas, line_points(40, 60, 216, 90))
    draw_stroke(qtbot, canvas, [(60 + 40 * np.cos(t), 160 + 40 * np.sin(t)) for t in np.linspace(0, 5, 30)])
    canvas.set_tool("eraser")
    draw_stroke(qtbot, canvas, line_points(128, 40, 128, 220))
    assert len(canvas.drawing.strokes) == 3
    rendered = canvas._render(canvas.drawing).convertToFormat(canvas._layer.format())
    assert rendered == canvas._layer                      # undo history can rebuild any state


def test_eraser_removes_ink_and_is_one_undo_step(qtbot, canvas):
    draw_stroke(qtbot, canvas, line_points(40, 128, 216, 128))
    qtbot.keyClick(canvas, Qt.Key_E)
    assert canvas.tool == "eraser"
    canvas.set_brush_size(30)
    draw_stroke(qtbot, canvas, line_points(128, 90, 128, 166))
    ink = canvas.to_array()
    assert ink_in(ink, 120, 120, 136, 136) == 0.0          # erased where the strokes cross
    assert ink_in(ink, 50, 120, 80, 136) > 0.9             # kept elsewhere
    canvas.undo_stack.undo()
    assert ink_in(canvas.to_array(), 120, 120, 136, 136) > 0.9
    qtbot.keyClick(canvas, Qt.Key_B)
    assert canvas.tool == "brush"


def test_brush_size_keys_change_stroke_width(qtbot, canvas):
    start = canvas.brush_size
    qtbot.keyClick(canvas, Qt.Key_BracketRight)
    assert canvas.brush_size > start
    for _ in range(30):
        qtbot.keyClick(canvas, Qt.Key_BracketLeft)
    assert canvas.brush_size == 1.0
    draw_stroke(qtbot, canvas, line_points(40, 128, 216, 128))
    thin = int((canvas.to_array()[:, 128] > 0.5).sum())
    canvas.clear()
    canvas.set_brush_size(24)
    draw_stroke(qtbot, canvas, line_points(40, 128, 216, 128))
    thick = int((canvas.to_array()[:, 128] > 0.5).sum())
    assert thin <= 2 and thick >= 20


def test_delete_clears_and_clear_is_undoable(qtbot, canvas):
    draw_stroke(qtbot, canvas, line_points(40, 128, 216, 128))
    qtbot.keyClick(canvas, Qt.Key_Delete)
    assert not canvas.has_ink()
    canvas.undo_stack.undo()
    assert canvas.has_ink()


def test_set_array_loads_an_image_undoably(canvas):
    small = np.zeros((28, 28), np.float32)
    small[10:18, 4:24] = 1.0
    canvas.set_array(small)
    ink = canvas.to_array()
    assert ink[128, 128] > 0.9 and ink[20, 20] == 0.0
    canvas.undo_stack.undo()
    assert not canvas.has_ink()


def test_zoom_keeps_strokes_where_the_pointer_was(qtbot, canvas):
    canvas.set_zoom(2.0)
    draw_stroke(qtbot, canvas, line_points(100, 128, 156, 128))
    ink = canvas.to_array()
    assert ink_in(ink, 110, 122, 146, 134) > 0.9
    assert ink_in(ink, 0, 0, 256, 100) == 0.0


def test_model_view_shows_the_downsampled_drawing(qtbot, canvas):
    from workbench.domains.sketch.api import MODEL_SIZE
    draw_stroke(qtbot, canvas, line_points(40, 128, 216, 128))
    canvas.set_model_view(True)
    assert canvas.model_view and canvas.act_model_view.isChecked()
    shot = canvas.grab().toImage()
    assert not shot.isNull()
    preview = canvas._model_preview()
    assert (preview.width(), preview.height()) == (MODEL_SIZE, MODEL_SIZE)
    qtbot.keyClick(canvas, Qt.Key_M)
    assert not canvas.model_view


def test_light_table_shows_drawings_under_the_ink_without_drawing_them(qtbot, canvas):
    page = np.zeros((64, 64), np.float32)
    page[:, 8:16] = 1.0                                   # a bar on the left of the page
    canvas.set_underlay([page])
    assert canvas.light_table and canvas.to_array().max() == 0.0 and not canvas.has_ink()

    def colour_at(x):
        pos = canvas.image_to_widget(x, 128).toPoint()
        return canvas.grab().toImage().pixelColor(pos)

    under, beside = colour_at(48), colour_at(200)
    assert under.blue() > under.red() + 40               # faint blue where the drawing is
    assert (beside.red(), beside.green(), beside.blue()) == (255, 255, 255)
    qtbot.keyClick(canvas, Qt.Key_L)                     # L hides it
    assert not canvas.light_table and colour_at(48).red() == 255
    canvas.set_light_table(True)
    canvas.set_model_view(True)                           # the model view shows only what the model reads
    assert colour_at(48).red() == 255
    canvas.set_model_view(False)
    canvas.set_underlay([])
    assert colour_at(48).red() == 255


def test_light_table_picture_keeps_a_stroke_only_one_drawing_has_visible():
    from workbench.ui.sketch_studio.strokes import LIGHT_TABLE_ALPHA, LIGHT_TABLE_SIZE, light_table_image

    shared = np.zeros((64, 64), np.float32)
    shared[10:20, :] = 1.0
    own = shared.copy()
    own[40:50, :] = 1.0                                    # a stroke only this one of four has
    image = light_table_image([shared, shared, shared, own])
    assert (image.width(), image.height()) == (LIGHT_TABLE_SIZE, LIGHT_TABLE_SIZE)
    alpha = lambda y: image.pixelColor(64, y).alphaF()   # noqa: E731
    assert alpha(30) == pytest.approx(LIGHT_TABLE_ALPHA, abs=0.01)
    assert alpha(90) == pytest.approx(LIGHT_TABLE_ALPHA * 0.5, abs=0.01)   # sqrt(1/4) of a shared stroke
    assert alpha(120) == 0.0


def test_a_suggestion_shows_until_the_drawing_changes_and_tab_adds_it(qtbot, canvas):
    draw_stroke(qtbot, canvas, line_points(40, 60, 216, 60))
    suggested = np.zeros((64, 64), np.float32)
    suggested[40:44, 10:54] = 1.0                           # a bar low on the page, in model pixels
    assert not canvas.act_accept.isEnabled()
    canvas.set_suggestion(suggested)
    assert canvas.has_suggestion and canvas.act_accept.isEnabled()
    shown = canvas.grab().toImage().pixelColor(canvas.image_to_widget(128, 168).toPoint())
    assert shown.red() > shown.blue() + 60                  # warm, not ink
    assert ink_in(canvas.to_array(), 60, 160, 200, 176) == 0.0      # not part of the drawing yet
    qtbot.keyClick(canvas, Qt.Key_Tab)
    assert not canvas.has_suggestion
    ink = canvas.to_array()
    assert ink_in(ink, 60, 164, 200, 172) > 0.9 and ink_in(ink, 100, 55, 156, 65) > 0.9   # both kept
    canvas.undo_stack.undo()
    assert ink_in(canvas.to_array(), 60, 160, 200, 176) == 0.0
    canvas.set_suggestion(suggested)
    draw_stroke(qtbot, canvas, line_points(40, 220, 216, 220))
    assert not canvas.has_suggestion                       # it completed the drawing as it was
    canvas.set_suggestion(np.zeros((64, 64), np.float32))   # nothing to add: nothing to show
    assert not canvas.has_suggestion


def _tablet_stroke(canvas, pressure, pointer=None):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
    from PySide6.QtWidgets import QApplication
    pointer = pointer or QPointingDevice.PointerType.Pen
    device = QPointingDevice("test pen", 1, QInputDevice.DeviceType.Stylus, pointer,
                             QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 3)
    accepted = []
    points = [(40, 128, QEvent.TabletPress)] + [(x, 128, QEvent.TabletMove) for x in range(44, 220, 4)]
    for x, y, kind in points + [(220, 128, QEvent.TabletRelease)]:
        pos = canvas.image_to_widget(x, y)
        event = QTabletEvent(kind, device, pos, canvas.mapToGlobal(pos), pressure, 0.0, 0.0, 0.0, 0.0, 0.0,
                             Qt.NoModifier, Qt.LeftButton, Qt.LeftButton)
        QApplication.sendEvent(canvas, event)
        accepted.append(event.isAccepted())
    return all(accepted)


def test_tablet_pressure_sets_the_stroke_width(canvas):
    canvas.set_brush_size(20)
    assert _tablet_stroke(canvas, 0.1)
    light = int((canvas.to_array()[:, 128] > 0.5).sum())
    canvas.clear()
    assert _tablet_stroke(canvas, 1.0)
    full = int((canvas.to_array()[:, 128] > 0.5).sum())
    assert 4 <= light < full / 2 and full >= 18
    assert canvas.undo_stack.count() == 3                # stroke, clear, stroke


def test_tablet_eraser_end_erases(canvas):
    from PySide6.QtGui import QPointingDevice
    canvas.set_brush_size(20)
    _tablet_stroke(canvas, 1.0)
    canvas.set_brush_size(32)                            # wider than the line, so no fringe stays
    _tablet_stroke(canvas, 1.0, QPointingDevice.PointerType.Eraser)
    assert not canvas.has_ink()
    assert canvas.tool == "brush"                        # flipping the pen does not change the tool
