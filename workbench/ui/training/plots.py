"""Live training plots (pyqtgraph). Curves are created once and updated with setData;
long curves use peak downsampling and clip-to-view, so 100k points stay cheap."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from workbench.ui.training.metrics import MetricsStore

TRAIN_COLOR = QColor("#1f77b4")
SMOOTH_COLOR = QColor("#0b3d91")
VAL_COLOR = QColor("#d62728")
ACC_COLOR = QColor("#2ca02c")
INNER_COLOR = (255, 127, 14)
RATE_COLOR = QColor("#9467bd")


def _finite(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(y)
    return (x, y) if keep.all() else (x[keep], y[keep])


def _plot_widget(parent: QWidget | None, title: str, x_label: str, y_label: str) -> pg.PlotWidget:
    widget = pg.PlotWidget(parent=parent, background="w")
    item = widget.getPlotItem()
    item.setTitle(title, color="#222", size="10pt")
    item.setLabel("bottom", x_label)
    item.setLabel("left", y_label)
    item.showGrid(x=True, y=True, alpha=0.2)
    for axis in ("left", "bottom"):
        item.getAxis(axis).setTextPen("#333")
        item.getAxis(axis).setPen("#888")
    return widget


class OuterLossPlot:
    """Meta-training loss (raw and smoothed) and meta-validation loss against iteration, accuracy below."""

    def __init__(self, parent: QWidget | None = None):
        self.widget = _plot_widget(parent, "Outer loop: meta-training and meta-validation loss", "iteration", "loss")
        self.widget.setObjectName("outer-plot")
        item = self.widget.getPlotItem()
        self.legend = item.addLegend(offset=(-10, 10), labelTextColor="#222")
        raw_pen = pg.mkPen(QColor(TRAIN_COLOR.red(), TRAIN_COLOR.green(), TRAIN_COLOR.blue(), 70), width=1)
        self.train_raw = item.plot(pen=raw_pen, name="meta-train loss")
        self.train_smooth = item.plot(pen=pg.mkPen(SMOOTH_COLOR, width=1), name="meta-train (smoothed)")
        self.validation = item.plot(pen=pg.mkPen(VAL_COLOR, width=1), symbol="o", symbolSize=5,
                                    symbolBrush=VAL_COLOR, symbolPen=None, name="meta-validation loss")
        for curve in (self.train_raw, self.train_smooth):
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            curve.setSkipFiniteCheck(True)

        self.accuracy_widget = _plot_widget(parent, "Accuracy", "iteration", "accuracy")
        self.accuracy_widget.setObjectName("accuracy-plot")
        acc_item = self.accuracy_widget.getPlotItem()
        acc_item.addLegend(offset=(-10, 10), labelTextColor="#222")
        acc_item.setXLink(item)
        self.train_accuracy = acc_item.plot(pen=pg.mkPen(QColor(44, 160, 44, 90), width=1), name="meta-train")
        self.train_accuracy.setDownsampling(auto=True, method="peak")
        self.train_accuracy.setClipToView(True)
        self.val_accuracy = acc_item.plot(pen=pg.mkPen(ACC_COLOR, width=1), symbol="o", symbolSize=5,
                                          symbolBrush=ACC_COLOR, symbolPen=None, name="meta-validation")
        self.accuracy_widget.setVisible(False)
        self.log_y = False

    def set_log_y(self, on: bool) -> None:
        self.log_y = bool(on)
        self.widget.getPlotItem().setLogMode(y=self.log_y)

    def update(self, store: MetricsStore) -> None:
        x = store.column("iteration")
        loss = store.column("outer_loss")
        smooth = store.smoothed_loss.view()
        if self.log_y:  # log of a non-positive loss is undefined: drop those points from view
            loss = np.where(loss > 0, loss, np.nan)
            smooth = np.where(smooth > 0, smooth, np.nan)
        self.train_raw.setData(*_finite(x, loss))
        self.train_smooth.setData(*_finite(x, smooth))
        self.validation.setData(*_finite(store.validation("iteration"), store.validation("loss")))
        if store.has_accuracy:
            self.accuracy_widget.setVisible(True)
            self.train_accuracy.setData(*_finite(x, store.column("accuracy")))
            self.val_accuracy.setData(*_finite(store.validation("iteration"), store.validation("accuracy")))

    def clear(self) -> None:
        for curve in (self.train_raw, self.train_smooth, self.validation, self.train_accuracy, self.val_accuracy):
            curve.setData([], [])
        self.accuracy_widget.setVisible(False)


class InnerLossPlot:
    """Support loss against inner step 0..S for the latest iterations; older curves fade out."""

    def __init__(self, parent: QWidget | None = None, curves: int = 12):
        self.widget = _plot_widget(parent, "Inner loop: support loss per adaptation step", "inner step", "support loss")
        self.widget.setObjectName("inner-plot")
        item = self.widget.getPlotItem()
        self.legend = item.addLegend(offset=(-10, 10), labelTextColor="#222")
        self.curves = [item.plot(pen=None) for _ in range(curves)]
        self.latest = item.plot(pen=pg.mkPen(INNER_COLOR, width=2), symbol="o", symbolSize=6,
                                symbolBrush=INNER_COLOR, symbolPen=None, name="latest iteration")
        self.validation = item.plot(pen=pg.mkPen(VAL_COLOR, width=1, style=Qt.PenStyle.DashLine), symbol="t",
                                    symbolSize=6, symbolBrush=VAL_COLOR, symbolPen=None,
                                    name="meta-validation (test-time steps)")
        self.log_y = False

    def set_log_y(self, on: bool) -> None:
        self.log_y = bool(on)
        self.widget.getPlotItem().setLogMode(y=self.log_y)

    def update(self, store: MetricsStore) -> None:
        recent = list(store.recent_inner)
        older = recent[:-1]
        for i, curve in enumerate(self.curves):
            if i < len(older):
                _, losses = older[i]
                alpha = int(30 + 150 * (i + 1) / max(len(older), 1))  # newer = more opaque
                curve.setPen(pg.mkPen((*INNER_COLOR, alpha), width=1))
                curve.setData(np.arange(len(losses)), np.asarray(losses, dtype=float))
            else:
                curve.setData([], [])
        if recent:
            iteration, losses = recent[-1]
            self.latest.setData(np.arange(len(losses)), np.asarray(losses, dtype=float))
            self.widget.getPlotItem().setTitle(
                f"Inner loop: support loss per adaptation step (iteration {iteration})", color="#222", size="10pt")
        else:
            self.latest.setData([], [])
        if store.last_validation_inner:
            _, losses = store.last_validation_inner
            self.validation.setData(np.arange(len(losses)), np.asarray(losses, dtype=float))
        else:
            self.validation.setData([], [])

    def clear(self) -> None:
        for curve in (*self.curves, self.latest, self.validation):
            curve.setData([], [])


class InnerRatePlot:
    """Meta-SGD: the learned per-parameter inner rates' mean with a min..max band, against iteration."""

    def __init__(self, parent: QWidget | None = None):
        self.widget = _plot_widget(parent, "Meta-SGD learned inner rates", "iteration", "inner lr")
        self.widget.setObjectName("rate-plot")
        item = self.widget.getPlotItem()
        item.addLegend(offset=(-10, 10), labelTextColor="#222")
        band = QColor(RATE_COLOR)
        band.setAlpha(50)
        self.low = item.plot(pen=pg.mkPen(band, width=1))
        self.high = item.plot(pen=pg.mkPen(band, width=1), name="min..max")
        self.band = pg.FillBetweenItem(self.low, self.high, brush=pg.mkBrush(band))
        item.addItem(self.band)
        self.mean = item.plot(pen=pg.mkPen(RATE_COLOR, width=1), name="mean")
        for curve in (self.low, self.high, self.mean):
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)

    def update(self, store: MetricsStore) -> None:
        x = store.column("iteration")
        self.mean.setData(*_finite(x, store.column("inner_lr_mean")))
        self.low.setData(*_finite(x, store.column("inner_lr_min")))
        self.high.setData(*_finite(x, store.column("inner_lr_max")))

    def clear(self) -> None:
        for curve in (self.low, self.high, self.mean):
            curve.setData([], [])
