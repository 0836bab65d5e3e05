"""The results gallery: step slider, sending results on, PNG export, contact sheet, drag out."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.ui.sketch_studio.helpers import glyph_array
from workbench.ui.notifications import Notifier
from workbench.ui.sketch_studio.export import UPSCALE
from workbench.ui.sketch_studio.gallery import Gallery


@pytest.fixture
def gallery(qtbot):
    widget = Gallery(Notifier())
    qtbot.addWidget(widget)
    widget.resize(600, 400)
    widget.show()
    return widget


def frames(n):
    return [glyph_array("cross") * (i + 1) / n for i in range(n)]


def test_variations_fill_the_grid_without_a_step_slider(gallery):
    gallery.show_variations([glyph_array("cross"), glyph_array("plus"), glyph_array("cross")], "three")
    assert gallery.mode == "vary" and gallery.list.count() == 3
    assert [name for name, _ in gallery.results()] == ["variation 1", "variation 2", "variation 3"]
    assert not gallery.step_slider.isVisibleTo(gallery)


def test_variations_show_fidelity_and_novelty_and_sort_by_them(gallery):
    images = [glyph_array("cross"), glyph_array("plus"), glyph_array("cross")]
    scores = [{"fidelity": 0.2, "novelty": 0.9}, {"fidelity": 0.9, "novelty": 0.1}, {"fidelity": 0.5, "novelty": 0.5}]
    gallery.show_variations(images, "three", scores)
    assert gallery.sort.isVisibleTo(gallery)
    assert "fid .20 · new .90" in gallery.list.item(0).text()
    gallery.sort.setCurrentIndex(1)                                    # fidelity, best first
    assert [name for name, _ in gallery.results()] == ["variation 2", "variation 3", "variation 1"]
    assert [s["fidelity"] for s in gallery.scores()] == [0.9, 0.5, 0.2]
    gallery.sort.setCurrentIndex(2)                                    # novelty, most novel first
    assert [name for name, _ in gallery.results()] == ["variation 1", "variation 3", "variation 2"]
    gallery.sort.setCurrentIndex(0)                                    # as drawn
    assert [name for name, _ in gallery.results()] == ["variation 1", "variation 2", "variation 3"]
    gallery.show_steps(frames(3))                                      # Complete has no scores to sort by
    assert not gallery.sort.isVisibleTo(gallery) and gallery.scores() is None


def test_complete_steps_follow_the_slider(gallery):
    gallery.show_steps(frames(5))
    assert gallery.step_slider.isVisibleTo(gallery)
    assert gallery.step_slider.maximum() == 4 and gallery.list.currentRow() == 4
    gallery.step_slider.setValue(1)
    assert gallery.list.currentRow() == 1
    assert gallery.step_label.text() == "step 1 / 4"
    gallery.list.setCurrentRow(3)
    assert gallery.step_slider.value() == 3


def test_send_current_to_canvas_and_selection_to_support(qtbot, gallery):
    gallery.show_variations([glyph_array("cross"), glyph_array("plus"), glyph_array("cross")])
    gallery.list.setCurrentRow(1)
    with qtbot.waitSignal(gallery.send_to_canvas) as to_canvas:
        gallery.act_canvas.trigger()
    np.testing.assert_array_equal(to_canvas.args[0], glyph_array("plus"))
    gallery.list.clearSelection()
    gallery.list.item(0).setSelected(True)
    gallery.list.item(2).setSelected(True)
    with qtbot.waitSignal(gallery.send_to_support) as to_support:
        gallery.act_support.trigger()
    assert [name for name, _ in to_support.args[0]] == ["variation 1", "variation 3"]


def test_export_selected_writes_model_size_and_upscaled_pngs_and_an_svg(gallery, tmp_path):
    gallery.show_variations([glyph_array("cross"), glyph_array("plus"), glyph_array("cross")])
    gallery.list.clearSelection()
    gallery.list.item(1).setSelected(True)
    written = gallery.export_to(tmp_path)
    assert sorted(p.name for p in written) == ["sketch-variation-2.png", "sketch-variation-2.strokes.svg",
                                               "sketch-variation-2.svg", f"sketch-variation-2@{UPSCALE}x.png"]
    vector = next(p for p in written if p.name.endswith("2.svg")).read_text()
    assert vector.startswith("<svg") and 'fill-rule="evenodd"' in vector and "Workbench" in vector
    strokes = next(p for p in written if p.name.endswith(".strokes.svg")).read_text()
    assert 'fill="none" stroke="black"' in strokes and 'stroke-linecap="round"' in strokes
    small, big = (Image.open(p) for p in sorted((p for p in written if p.suffix == ".png"), key=lambda p: len(p.name)))
    assert small.size == (28, 28) and big.size == (28 * UPSCALE, 28 * UPSCALE)
    # Black ink on white: the plus's centre is dark, the corner is paper.
    assert small.convert("L").getpixel((14, 14)) < 50 and small.convert("L").getpixel((0, 0)) > 200
    again = gallery.export_to(tmp_path)                   # never overwrites an earlier export
    assert {p.name for p in again}.isdisjoint({p.name for p in written})


def test_export_all_and_contact_sheet(gallery, tmp_path):
    assert gallery.act_sheet.text() == "Contact Sheet…"            # no dangling "of" before any result
    gallery.show_steps(frames(4))
    assert gallery.act_sheet.text() == "Contact Sheet of All (4)…"
    gallery.list.clearSelection()
    written = gallery.export_to(tmp_path / "out")
    assert len(written) == 16 and all(p.exists() for p in written)
    sheet = gallery.save_contact_sheet(tmp_path / "sheet.png")
    with Image.open(sheet) as img:
        assert img.size == (4 * (4 * 28 + 3 * 2), 4 * 28)


def test_drag_out_gives_png_files_and_the_image(gallery):
    gallery.show_variations([glyph_array("cross"), glyph_array("plus")])
    lst = gallery.list
    mime = lst.model().mimeData([lst.indexFromItem(lst.item(0)), lst.indexFromItem(lst.item(1))])  # as a drag does
    paths = [u.toLocalFile() for u in mime.urls()]
    assert len(paths) == 2 and all(p.endswith(".png") for p in paths)
    for path in paths:
        with Image.open(path) as img:
            assert img.size == (28 * UPSCALE, 28 * UPSCALE)
    assert mime.hasImage()
    gallery.cleanup()


def test_an_export_that_cannot_be_written_is_reported(gallery, tmp_path):
    gallery.show_variations([glyph_array("cross")])
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the export folder should be")
    gallery._guarded(gallery.export_to, blocker)
    errors = [n.message for n in gallery._notifier.history() if n.level == "error"]
    assert len(errors) == 1 and "not-a-folder" in errors[0]


def test_export_after_vary_writes_every_result_and_says_how_many(gallery, tmp_path):
    gallery.show_variations([glyph_array("cross"), glyph_array("plus"), glyph_array("cross")])
    assert gallery.list.currentRow() == 0 and not gallery.list.selectedItems()  # previewed, not selected
    assert gallery.act_export.text() == "Export PNG + SVG All (3)…"
    assert len(gallery.export_to(tmp_path / "all")) == 12  # three drawings: two PNG sizes and two SVGs each
    gallery.list.item(2).setSelected(True)
    assert gallery.act_export.text() == "Export PNG + SVG Selected (1)…"
    assert len(gallery.export_to(tmp_path / "one")) == 4
