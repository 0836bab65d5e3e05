"""Results: a grid of generated drawings, a step slider for Complete, export and drag-out."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import QItemSelectionModel, QMimeData, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.export_scope import export_label, exports_selection
from workbench.ui.sketch_studio import export
from workbench.ui.sketch_studio.strokes import ink_preview_image
from workbench.ui.sketch_studio.support_strip import thumbnail

THUMB = 64
PREVIEW = 150
SORT_ORDERS = ("As drawn", "Fidelity", "Novelty")


def _short(score: float) -> str:
    """A score in [0, 1] in three characters: ".93", "1.0" (fits under a thumbnail)."""
    return "1.0" if score >= 0.995 else f"{score:.2f}"[1:]


class _ResultList(QListWidget):
    """Multi-select grid; dragging items out hands over PNG files plus the image itself."""

    def __init__(self, gallery: Gallery):
        super().__init__(gallery)
        self._gallery = gallery
        self.setViewMode(QListView.IconMode)
        self.setMovement(QListView.Static)
        self.setResizeMode(QListView.Adjust)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 44, THUMB + 38))   # two caption lines: name, fidelity · novelty
        self.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragOnly)
        self.setDefaultDropAction(Qt.CopyAction)
        self.setUniformItemSizes(True)

    def mimeData(self, items):
        return self._gallery.mime_for(items)


class Gallery(QWidget):
    send_to_canvas = Signal(object)       # one image [S,S]
    send_to_support = Signal(list)        # [(name, image), ...]

    def __init__(self, notifier, parent=None):
        super().__init__(parent)
        self._notifier = notifier
        self._results: list[tuple[str, np.ndarray]] = []
        self._scores: list[dict] | None = None     # Vary: per result {"fidelity", "novelty"}
        self._mode = ""
        self.made_by: dict[str, str] = {}          # {"Model": ..., "Seed": ...} of the shown results
        self._drag_dir = tempfile.TemporaryDirectory(prefix="workbench-drag-")

        self.caption = QLabel("No results yet: press Vary or Complete.")
        self.caption.setWordWrap(True)
        self.sort = QComboBox()
        self.sort.addItems(SORT_ORDERS)
        self.sort.setToolTip("Order of the variations: as drawn, most faithful to the support first "
                             "(the judge's score), or most novel first (least overlap with a support drawing)")
        self.sort.currentIndexChanged.connect(lambda _i: self._resort())
        self.sort.hide()
        self.preview = QLabel()
        self.preview.setFixedSize(PREVIEW, PREVIEW)
        self.preview.setAlignment(Qt.AlignCenter)
        self.preview.setStyleSheet("background: white; border: 1px solid #999;")
        self.preview.hide()                              # until there is something to show
        self.list = _ResultList(self)
        self.list.currentRowChanged.connect(self._on_current)
        self.list.itemSelectionChanged.connect(self._update_actions)
        self.list.itemDoubleClicked.connect(lambda _item: self.to_canvas())

        self.step_label = QLabel()
        self.step_slider = QSlider(Qt.Horizontal)
        self.step_slider.setPageStep(1)
        self.step_slider.setToolTip("The drawing after each decoding step: the fog clears as pixels are "
                                    "committed to ink or paper")
        self.step_slider.valueChanged.connect(
            lambda row: self.list.setCurrentRow(row, QItemSelectionModel.SelectionFlag.NoUpdate))
        steps_row = QHBoxLayout()
        steps_row.addWidget(self.step_label)
        steps_row.addWidget(self.step_slider, 1)
        self._steps_box = QWidget()
        self._steps_box.setLayout(steps_row)
        steps_row.setContentsMargins(0, 0, 0, 0)
        self._steps_box.hide()

        self.act_canvas = self._action("To canvas", "Open the current result in the canvas", self.to_canvas)
        self.act_support = self._action("To support", "Add the selected results to the support set",
                                        self.to_support)
        self.act_export = self._action("Export PNG + SVG…", "Export the selected results as PNG at model "
                                       "resolution and upscaled, and as SVG outlines; all of them when none "
                                       "(or all) are selected",
                                       self.choose_export)
        self.act_sheet = self._action("Contact sheet…", "Save the selected results (all when none are selected) "
                                      "as one image", self.choose_contact_sheet)

        buttons = QHBoxLayout()
        for act in (self.act_canvas, self.act_support, self.act_export, self.act_sheet):
            button = QToolButton()
            button.setDefaultAction(act)
            buttons.addWidget(button)
        buttons.addStretch(1)
        side = QVBoxLayout()
        side.addWidget(self.preview)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(side)
        body.addWidget(self.list, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.sort)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        layout.addWidget(self._steps_box)
        layout.addLayout(buttons)
        self._update_actions()

    def _action(self, text, tip, slot):
        act = QAction(text, self)
        act.setToolTip(tip)
        act.triggered.connect(slot)
        return act

    # ---- contents ---------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self._mode

    def results(self) -> list[tuple[str, np.ndarray]]:
        return list(self._results)

    def selected_results(self) -> list[tuple[str, np.ndarray]]:
        rows = sorted(self.list.row(i) for i in self.list.selectedItems())
        return [self._results[r] for r in rows]

    def show_variations(self, images: list[np.ndarray], caption: str = "", scores: list[dict] | None = None,
                        name: str = "variation") -> None:
        """Vary's (and Invent's) results; with scores, each shows its fidelity and novelty and the list can
        sort by them."""
        self._scores = list(scores) if scores is not None and len(scores) == len(images) else None
        self._fill("vary", [(f"{name} {i + 1}", img) for i, img in enumerate(images)], caption)
        self._resort()

    def scores(self) -> list[dict] | None:
        """The shown results' scores, in the shown order (None when there are none)."""
        return None if self._scores is None else list(self._scores)

    def _resort(self) -> None:
        """Reorder the shown variations by the chosen score (stable: ties keep the drawing order)."""
        if self._mode != "vary" or self._scores is None:
            return
        key = {1: "fidelity", 2: "novelty"}.get(self.sort.currentIndex())
        order = list(range(len(self._results)))
        if key:
            order.sort(key=lambda i: -self._scores[i][key])
        else:
            order.sort(key=lambda i: int(self._results[i][0].rsplit(" ", 1)[-1]))
        self._results = [self._results[i] for i in order]
        self._scores = [self._scores[i] for i in order]
        self._refill()
        if self._results:
            self.list.setCurrentRow(0, QItemSelectionModel.SelectionFlag.NoUpdate)

    def show_steps(self, frames: list[np.ndarray], caption: str = "") -> None:
        """Complete: the input drawing (step 0), then the canvas after each decoding step 1..S."""
        self._fill("complete", [(f"step {i}", img) for i, img in enumerate(frames)], caption)
        last = len(frames) - 1
        self.step_slider.setRange(0, max(0, last))
        self.step_slider.setValue(last)
        self.list.setCurrentRow(last, QItemSelectionModel.SelectionFlag.NoUpdate)

    def _fill(self, mode: str, results: list[tuple[str, np.ndarray]], caption: str) -> None:
        self._mode = mode
        if mode != "vary":
            self._scores = None
        self._results = [(name, np.asarray(img, np.float32)) for name, img in results]
        self._refill()
        self.sort.setVisible(self._scores is not None)
        self._steps_box.setVisible(mode == "complete")
        self.preview.setVisible(bool(self._results))
        self.caption.setText(caption)
        if self._results:  # current for the preview, not selected: Export then writes all of them
            self.list.setCurrentRow(0, QItemSelectionModel.SelectionFlag.NoUpdate)
        self._update_actions()

    def _refill(self) -> None:
        self.list.clear()
        for i, (name, img) in enumerate(self._results):
            text, tip = name, f"{name}: drag out as PNG, double-click to open in the canvas"
            if self._scores is not None:
                score = self._scores[i]
                text += f"\nfid {_short(score['fidelity'])} · new {_short(score['novelty'])}"
                tip += (f"\nfidelity {score['fidelity']:.2f}: the judge's confidence that it is of the support's "
                        "kind rather than of the 19 built-in kinds most like it"
                        f"\nnovelty {score['novelty']:.2f}: 1 - overlap with the nearest support drawing")
            item = QListWidgetItem(thumbnail(img, THUMB), text)
            item.setToolTip(tip)
            self.list.addItem(item)

    def _on_current(self, row: int) -> None:
        if 0 <= row < len(self._results):
            name, img = self._results[row]
            self.preview.setPixmap(QPixmap.fromImage(ink_preview_image(img).scaled(
                PREVIEW - 8, PREVIEW - 8, Qt.KeepAspectRatio, Qt.SmoothTransformation)))
            self.preview.setToolTip(name)
            if self._mode == "complete":
                self.step_label.setText(f"{name} / {len(self._results) - 1}")
                self.step_slider.setValue(row)
        else:
            self.preview.clear()

    def _update_actions(self) -> None:
        has = bool(self._results)
        self.act_canvas.setEnabled(has)
        self.act_support.setEnabled(has)
        self.act_export.setEnabled(has)
        self.act_sheet.setEnabled(has)
        selected, total = len(self.list.selectedItems()), len(self._results)
        self.act_export.setText(export_label(selected, total, "Export PNG + SVG"))
        self.act_sheet.setText(export_label(selected, total, "Contact Sheet of") if total else "Contact Sheet…")

    # ---- sending ----------------------------------------------------------------
    def _targets(self) -> list[tuple[str, np.ndarray]]:
        selected = self.selected_results()
        return selected if exports_selection(len(selected), len(self._results)) else self.results()

    def to_canvas(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._results):
            self.send_to_canvas.emit(self._results[row][1])

    def to_support(self) -> None:
        chosen = self.selected_results()
        if not chosen and 0 <= self.list.currentRow() < len(self._results):
            chosen = [self._results[self.list.currentRow()]]
        if chosen:
            self.send_to_support.emit(chosen)

    # ---- export -----------------------------------------------------------------
    def png_text(self) -> dict[str, str]:
        """PNG text chunks of exported files: the model and seed that made them (made_by, set by
        the studio with the results) and the caption."""
        return {"Software": "Workbench", **self.made_by, "Description": self.caption.text()}

    def export_to(self, folder: str | Path) -> list[Path]:
        """Selected results (or all): PNG at model resolution and upscaled, and SVG."""
        targets = [(f"sketch-{name}", img) for name, img in self._targets()]
        written = export.export_pngs(targets, folder, text=self.png_text())
        self._notifier.info(f"Exported {len(targets)} drawings ({len(written)} PNG and SVG files) to {folder}")
        return written

    def save_contact_sheet(self, path: str | Path) -> Path:
        written = export.export_contact_sheet([img for _, img in self._targets()], path, text=self.png_text())
        self._notifier.info(f"Saved contact sheet {written}")
        return written

    def choose_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export results as PNG and SVG")
        if folder:
            self._guarded(self.export_to, folder)

    def choose_contact_sheet(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save contact sheet", "contact-sheet.png",
                                              "PNG image (*.png)")
        if path:
            if not path.lower().endswith(".png"):
                path += ".png"
            self._guarded(self.save_contact_sheet, path)

    def _guarded(self, fn, path) -> None:
        from workbench.meta.errors import WorkbenchError
        try:
            fn(path)
        except WorkbenchError as exc:                    # save_png names the file
            self._notifier.error(str(exc))
        except OSError as exc:
            self._notifier.error(f"Could not write {exc.filename or path}: {exc.strerror or exc}")

    # ---- drag out ---------------------------------------------------------------
    def mime_for(self, items) -> QMimeData:
        """File URLs of upscaled temporary PNGs (for file managers) plus the image (for editors)."""
        from workbench.domains.sketch.api import save_png
        mime = QMimeData()
        rows = sorted(self.list.row(i) for i in items)
        urls = []
        for row in rows:
            name, img = self._results[row]
            path = Path(self._drag_dir.name) / f"sketch-{export.safe_name(name)}.png"
            save_png(img, path, scale=export.UPSCALE, text=self.png_text())
            urls.append(QUrl.fromLocalFile(str(path)))
        mime.setUrls(urls)
        if urls:  # the first PNG just written, so editors get what file managers get (one upscaler: save_png)
            mime.setImageData(QImage(urls[0].toLocalFile()))
        return mime

    def cleanup(self) -> None:
        self._drag_dir.cleanup()
