"""The support strip: file/folder drops, a bad file among good ones, paste, reorder, remove, open."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from tests.ui.sketch_studio.helpers import glyph_array, write_glyph_png
from workbench.domains.sketch.api import MODEL_SIZE
from workbench.ui.notifications import Notifier
from workbench.ui.sketch_studio.support_strip import SupportStrip


@pytest.fixture
def strip(qtbot):
    widget = SupportStrip(Notifier())
    qtbot.addWidget(widget)
    widget.resize(700, 140)
    widget.show()
    return widget


def drop_urls(widget, paths) -> tuple[bool, bool]:
    """Drag file URLs in from outside and drop them, as a file manager does (enter, then drop)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(20, 20), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(widget, enter)
    drop = QDropEvent(QPointF(20, 20), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(widget, drop)
    return enter.isAccepted(), drop.isAccepted()


def messages(strip, level=None):
    return [n.message for n in strip._notifier.history() if level is None or n.level == level]


def test_dropping_files_adds_good_ones_and_reports_the_bad_one_by_name(strip, tmp_path):
    good = [write_glyph_png(tmp_path / "cross.png", "cross"), write_glyph_png(tmp_path / "circle.png", "circle")]
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    assert drop_urls(strip.list_widget().viewport(), [good[0], bad, good[1]]) == (True, True)
    assert strip.names() == ["cross.png", "circle.png"]
    images = strip.images()
    assert all(img.shape == (MODEL_SIZE, MODEL_SIZE) and img.max() > 0.5 for img in images)
    warnings = messages(strip, "warning")
    assert len(warnings) == 1 and "notes.png" in warnings[0]


def test_dropping_a_folder_adds_its_images_in_name_order(strip, tmp_path):
    folder = tmp_path / "glyphs"
    (folder / "sub").mkdir(parents=True)
    write_glyph_png(folder / "b.png", "plus")
    write_glyph_png(folder / "a.png", "cross")
    write_glyph_png(folder / "sub" / "c.png", "circle")
    (folder / "readme.txt").write_text("ignored: not an image name")
    drop_urls(strip, [folder])                           # on the strip itself, not only the list
    assert strip.names() == ["a.png", "b.png", "c.png"]
    assert messages(strip, "warning") == []


def test_paste_an_image_from_the_clipboard(strip):
    ink = np.full((60, 60), 255, np.uint8)
    ink[10:50, 28:32] = 0
    image = QImage(ink.data, 60, 60, 60, QImage.Format_Grayscale8).copy()
    QGuiApplication.clipboard().setImage(image)
    assert strip.paste() == 1
    assert strip.count() == 1 and strip.images()[0].max() > 0.5


def test_reorder_remove_and_open(qtbot, strip):
    for i, kind in enumerate(("cross", "plus", "cross")):
        strip.add_image(glyph_array(kind), f"item {i}", ink=np.full((256, 256), i / 2, np.float32))
    lst = strip.list_widget()
    lst.setCurrentRow(0)
    strip.move_selected(+1)
    assert strip.names() == ["item 1", "item 0", "item 2"]
    qtbot.keyClick(lst, Qt.Key_Right, Qt.ControlModifier)
    assert strip.names() == ["item 1", "item 2", "item 0"]
    with qtbot.waitSignal(strip.open_requested) as opened:
        strip.open_current()
    assert float(opened.args[0].max()) == 0.0            # item 0's full-size ink
    qtbot.keyClick(lst, Qt.Key_Delete)
    assert strip.names() == ["item 1", "item 2"]
    lst.selectAll()
    strip.remove_selected()
    assert strip.count() == 0 and strip.images() == []


def test_a_dataset_sized_drop_is_capped(strip, tmp_path):
    from workbench.domains.file_drops import MAX_FILES_PER_DROP
    for i in range(MAX_FILES_PER_DROP + 3):
        write_glyph_png(tmp_path / f"g{i:03d}.png", "plus")
    drop_urls(strip.list_widget().viewport(), [tmp_path])
    assert strip.count() == MAX_FILES_PER_DROP
    assert any(str(MAX_FILES_PER_DROP + 3) in m for m in messages(strip, "warning"))
