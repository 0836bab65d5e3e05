"""The canvas opens a dropped image as an editable layer; its tool keys work right after opening."""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from tests.ui.sketch_studio.helpers import ink_in
from workbench.ui.sketch_studio.canvas import SketchCanvas


def drop(canvas, mime: QMimeData) -> bool:
    """Send what a drag from a file manager sends: enter, then drop. Returns whether the enter was accepted."""
    enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(canvas, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(canvas, event)
    return True


def files(*paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def test_a_dropped_png_opens_on_the_canvas_where_it_was_drawn(qtbot, tmp_path):
    canvas = SketchCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(320, 320)
    canvas.show()
    qtbot.waitExposed(canvas)
    page = Image.new("L", (200, 200), 255)
    page.paste(0, (20, 20, 60, 60))  # a black square in the top-left quarter of a white page
    page.save(tmp_path / "page.png")
    notices = []
    canvas.notice.connect(lambda level, text: notices.append((level, text)))
    assert drop(canvas, files(tmp_path / "page.png"))
    ink = canvas.to_array()
    side = ink.shape[0]
    assert ink_in(ink, side // 5, side // 5, side // 4, side // 4) > 0.9  # kept its place: not cropped
    assert ink_in(ink, side // 2, side // 2, side, side) == 0.0
    assert canvas.undo_stack.undoText() == "Open page.png" and notices == []
    canvas.undo_stack.undo()
    assert not canvas.has_ink()


def test_a_bad_or_foreign_drop_says_why_and_changes_nothing(qtbot, tmp_path):
    canvas = SketchCanvas()
    qtbot.addWidget(canvas)
    (tmp_path / "broken.png").write_bytes(b"not a png")
    (tmp_path / "tune.mid").write_bytes(b"MThd")
    notices = []
    canvas.notice.connect(lambda level, text: notices.append((level, text)))
    assert not drop(canvas, files(tmp_path / "tune.mid"))  # not an image: the drag is refused
    assert drop(canvas, files(tmp_path / "broken.png"))
    assert not canvas.has_ink() and notices and notices[0][0] == "warning" and "broken.png" in notices[0][1]


def test_tool_keys_work_right_after_open_in_canvas(qtbot, context):
    from tests.ui.sketch_studio.helpers import glyph_array
    from workbench.ui.sketch_studio.panel import SketchStudioPanel

    panel = SketchStudioPanel(context)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    try:
        panel.strip.add_image(glyph_array("cross"), "cross")
        panel.strip.list_widget().setFocus()
        qtbot.waitUntil(panel.strip.list_widget().hasFocus)
        panel.strip.list_widget().setCurrentRow(0)
        panel.strip.open_current()                       # Open in canvas, from the support strip
        assert panel.canvas.has_ink()
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_E)  # typed where the focus is, as a user would
        assert panel.canvas.tool == "eraser"
        assert panel.temperature.minimum() > 0           # 0 would give identical "variations"
    finally:
        panel.shutdown()
