"""The Sinusoid playground panel: click points on a hidden sine, watch the model adapt step by step.

Adaptation runs on a JobRunner thread; a newer request cancels an older one.
"""

from __future__ import annotations

import os

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.resources_path import resource_path
from workbench.ui.context import AppContext
from workbench.ui.elided_label import ElidedLabel
from workbench.ui.jobs import JobRunner
from workbench.ui.model_picker import ModelPicker
from workbench.ui.playground.adapt import AdaptResult, adapt_sinusoid
from workbench.ui.playground.model import X_RANGE, PlaygroundModel

DOMAIN = "sinusoid"
DEBOUNCE_MS = 120
META_COLOR = QColor("#d62728")
BASE_COLOR = QColor("#2ca02c")


def shipped_checkpoint(name: str) -> str | None:
    path = resource_path("checkpoints", name)
    return str(path) if path.exists() else None


class PlaygroundPanel(QWidget):
    adapted = Signal()  # a new adaptation result is shown

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("playground-panel")
        self.context = context
        self.model = PlaygroundModel(parent=self)
        self.jobs = JobRunner(self, name="playground")
        self.result: AdaptResult | None = None
        self.model_picker = ModelPicker(context, DOMAIN)   # explicit; starts on the shipped model
        self._build()
        self.model.changed.connect(self._schedule)
        self.jobs.finished.connect(self._on_result)
        self.jobs.errored.connect(self._on_error)
        self.jobs.started.connect(lambda: self.status.setText("Adapting…"))
        self.model_picker.changed.connect(lambda _entry: self._schedule())
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.adapt)
        self.model.sample(self.k.value())

    # -- layout ---------------------------------------------------------------
    def _build(self) -> None:
        self.plot = pg.PlotWidget(background="w")
        self.plot.setObjectName("playground-plot")
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.setMouseEnabled(x=False, y=False)
        item.hideButtons()
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setXRange(*X_RANGE, padding=0.02)
        item.setYRange(-6, 6, padding=0)
        item.setLabel("bottom", "x")
        item.setLabel("left", "y")
        self.legend = item.addLegend(offset=(-10, 10), labelTextColor="#222", brush=pg.mkBrush(255, 255, 255, 220),
                                     pen=pg.mkPen("#ccc"))
        self.target_curve = item.plot(pen=pg.mkPen("#777", width=1, style=Qt.PenStyle.DashLine), name="hidden target")
        self.initial_curve = item.plot(pen=pg.mkPen((214, 39, 40, 80), width=1), name="meta-trained, before adapting")
        self.base_curve = item.plot(pen=pg.mkPen(BASE_COLOR, width=2), name="pretrained baseline, adapted")
        self.meta_curve = item.plot(pen=pg.mkPen(META_COLOR, width=2), name="meta-trained, adapted")
        self.points = pg.ScatterPlotItem(size=10, brush=pg.mkBrush("#1f77b4"), pen=pg.mkPen("w"), name="support points")
        item.addItem(self.points)
        self.plot.scene().sigMouseClicked.connect(self._on_click)

        self.new_target = QPushButton("New target")
        self.new_target.clicked.connect(lambda: self.model.new_target())
        self.k = QSpinBox()
        self.k.setRange(1, 50)
        self.k.setValue(5)
        self.k.setPrefix("K = ")
        self.sample = QPushButton("Sample K points")
        self.sample.clicked.connect(lambda: self.model.sample(self.k.value()))
        self.clear = QPushButton("Clear points")
        self.clear.clicked.connect(lambda: self.model.clear())
        self.show_target = QCheckBox("Show target")
        self.show_target.setChecked(True)
        self.show_target.toggled.connect(self._draw_target)
        self.steps = QSpinBox()
        self.steps.setRange(1, 100)
        self.steps.setValue(10)
        self.steps.setPrefix("steps: ")
        self.steps.valueChanged.connect(lambda _: self._schedule())
        self.step_slider = QSlider(Qt.Orientation.Horizontal)
        self.step_slider.setObjectName("step-slider")
        self.step_slider.setRange(0, 10)
        self.step_slider.valueChanged.connect(self._draw_prediction)
        self.step_label = QLabel("step 0")
        self.status = QLabel("")
        self.status.setObjectName("playground-status")
        self.scores = QLabel("")
        self.scores.setObjectName("playground-scores")

        top = QHBoxLayout()
        for widget in (self.new_target, self.k, self.sample, self.clear, self.show_target):
            top.addWidget(widget)
        top.addWidget(QLabel("Model"))
        top.addWidget(self.model_picker)
        # the hint gives way to the controls in a narrow window ('…', full text in its tooltip)
        hint = ElidedLabel("Click: add a point on the target · Shift+click: exactly there · Right-click: remove")
        hint.setAlignment(Qt.AlignmentFlag.AlignRight)
        top.addWidget(hint, 1)
        steps_row = QHBoxLayout()
        steps_row.addWidget(self.steps)
        steps_row.addWidget(QLabel("Show step"))
        steps_row.addWidget(self.step_slider, 1)
        steps_row.addWidget(self.step_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        layout.addLayout(steps_row)
        layout.addWidget(self.scores)
        layout.addWidget(self.status)

    # -- checkpoints ------------------------------------------------------------
    def checkpoint(self) -> str | None:
        """The model picked in the panel (the shipped one unless the user picked another)."""
        return self.model_picker.path()

    def baseline(self) -> str | None:
        return shipped_checkpoint("sinusoid-pretrained.safetensors")

    # -- interaction --------------------------------------------------------------
    def _on_click(self, event) -> None:
        view = self.plot.getPlotItem().getViewBox()
        if not view.sceneBoundingRect().contains(event.scenePos()):
            return
        point = view.mapSceneToView(event.scenePos())
        if event.button() == Qt.MouseButton.RightButton:
            self.model.remove_nearest(point.x(), point.y())
        elif event.button() == Qt.MouseButton.LeftButton:
            exact = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.model.add_point(point.x(), point.y() if exact else None)
        event.accept()

    def _schedule(self) -> None:
        self._draw_target()
        xs, ys = self.model.support_arrays()
        self.points.setData(xs, ys)
        self._debounce.start()

    def adapt(self) -> None:
        """Adapt the current checkpoint to the support points (in the background)."""
        path = self.checkpoint()
        if path is None:
            self.status.setText("No sinusoid checkpoint yet: train one in the Training panel.")
            return
        xs, ys = self.model.support_arrays()
        steps = self.steps.value() if len(xs) else 0  # no points: show the meta-trained prior only
        self.jobs.submit(adapt_sinusoid, path, self.baseline(), xs, ys, steps)

    @Slot(object)
    def _on_result(self, result: AdaptResult | None) -> None:
        if result is None:
            return
        # Show the last step unless the user is looking at an earlier one.
        follow = self.result is None or self.step_slider.value() == self.step_slider.maximum()
        self.step_slider.setMaximum(result.steps)
        self.result = result
        if follow or self.step_slider.value() > result.steps:
            self.step_slider.setValue(result.steps)
        self.initial_curve.setData(result.grid, result.meta.curves[0])
        self._draw_prediction()
        name = os.path.basename(result.meta.checkpoint)
        base = "" if result.baseline else " (no pretrained baseline checkpoint found)"
        self.legend.removeItem(self.base_curve)  # listed only when there is a baseline to show
        if result.baseline is not None:
            self.legend.addItem(self.base_curve, "pretrained baseline, adapted")
        self.status.setText(f"Adapted {name} to {len(self.model.points)} points{base}")
        self.adapted.emit()

    @Slot(str)
    def _on_error(self, message: str) -> None:
        self.status.setText(f"Adaptation failed: {message}")
        self.context.notifier.error(f"Playground: {message}")

    # -- drawing ----------------------------------------------------------------------
    def _draw_target(self, *_args) -> None:
        grid = np.linspace(*X_RANGE, 200)
        if self.show_target.isChecked():
            self.target_curve.setData(grid, self.model.target(grid))
        else:
            self.target_curve.setData([], [])

    def _draw_prediction(self, *_args) -> None:
        step = self.step_slider.value()
        self.step_label.setText(f"step {step}")
        result = self.result
        if result is None:
            return
        step = min(step, len(result.meta.curves) - 1)
        target = self.model.target(result.grid)
        meta = result.meta.curves[step]
        self.meta_curve.setData(result.grid, meta)
        text = f"Step {step}: MSE against the hidden target, meta-trained {np.mean((meta - target) ** 2):.3f}"
        if result.baseline is not None:
            base = result.baseline.curves[min(step, len(result.baseline.curves) - 1)]
            self.base_curve.setData(result.grid, base)
            text += f", pretrained {np.mean((base - target) ** 2):.3f}"
        else:
            self.base_curve.setData([], [])
        self.scores.setText(text)

    # -- panel protocol ------------------------------------------------------------------
    def is_busy(self) -> bool:
        return False  # adaptation is cheap to redo: closing never loses anything

    def shutdown(self) -> None:
        self._debounce.stop()
        self.jobs.shutdown()
