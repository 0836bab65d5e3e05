"""Live training plots (pyqtgraph). Curves are created once and updated with setData;
long curves use peak downsampling and clip-to-view, so 100k points stay cheap."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from workbench.ui.training.metrics import MetricsStore
from workbench.ui.training.view_range import FollowRange

TRAIN_COLOR = QColor("#1f77b4")
SMOOTH_COLOR = QColor("#0b3d91")
VAL_COLOR = QColor("#d62728")
ACC_COLOR = QColor("#2ca02c")
INNER_COLOR = (255, 127, 14)
RATE_COLOR = QColor("#9467bd")


def _on_white(color, alpha: float) -> QColor:
    """An opaque colour that looks like `color` at `alpha` over the white background (opaque paths draw faster)."""
    c = QColor(color) if not isinstance(color, tuple) else QColor(*color)
    mix = lambda v: int(round(255 - (255 - v) * alpha))  # noqa: E731
    return QColor(mix(c.red()), mix(c.green()), mix(c.blue()))


def _long_curve(curve) -> None:
    """A curve that may hold 100k+ points: draw at most ~2 points per pixel column, only the visible part."""
    curve.setDownsampling(auto=True, method="peak")
    curve.opts["autoDownsampleFactor"] = 1.0  # pyqtgraph's default (5) draws ~10 points per pixel
    curve.setClipToView(True)
    curve.setSkipFiniteCheck(True)  # the data is filtered before setData


def _finite(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(y)
    return (x, y) if keep.all() else (x[keep], y[keep])


def _plot_widget(parent: QWidget | None, title: str, x_label: str, y_label: str) -> pg.PlotWidget:
    widget = pg.PlotWidget(parent=parent, background="w")
    item = widget.getPlotItem()
    item.setTitle(title, color="#222", size="10pt")
    item.setLabel("bottom", x_label)
    item.setLabel("left", y_label)
    # No grid: pyqtgraph draws it as part of the axes, and it costs ~20 ms per repaint in software rendering.
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
        raw_pen = pg.mkPen(_on_white(TRAIN_COLOR, 0.3), width=1)
        self.train_raw = item.plot(pen=raw_pen, name="meta-train loss")
        self.train_smooth = item.plot(pen=pg.mkPen(SMOOTH_COLOR, width=1), name="meta-train (smoothed)")
        self.validation = item.plot(pen=pg.mkPen(VAL_COLOR, width=1), symbol="o", symbolSize=5,
                                    symbolBrush=VAL_COLOR, symbolPen=None, name="meta-validation loss")
        for curve in (self.train_raw, self.train_smooth):
            _long_curve(curve)

        self.accuracy_widget = _plot_widget(parent, "Accuracy", "iteration", "accuracy")
        self.accuracy_widget.setObjectName("accuracy-plot")
        acc_item = self.accuracy_widget.getPlotItem()
        acc_item.addLegend(offset=(-10, 10), labelTextColor="#222")
        acc_item.setXLink(item)
        self.train_accuracy = acc_item.plot(pen=pg.mkPen(_on_white(ACC_COLOR, 0.35), width=1), name="meta-train")
        _long_curve(self.train_accuracy)
        self.val_accuracy = acc_item.plot(pen=pg.mkPen(ACC_COLOR, width=1), symbol="o", symbolSize=5,
                                          symbolBrush=ACC_COLOR, symbolPen=None, name="meta-validation")
        self.accuracy_widget.setVisible(False)
        self.range = FollowRange(item)
        self.accuracy_range = FollowRange(acc_item)
        self._validations_shown = -1
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
        val_loss = store.validation("loss")
        if len(val_loss) != self._validations_shown:  # new validation points arrive rarely
            self._validations_shown = len(val_loss)
            self.validation.setData(*_finite(store.validation("iteration"), val_loss))
            if store.has_accuracy:
                self.val_accuracy.setData(*_finite(store.validation("iteration"), store.validation("accuracy")))
        x_max = max(float(x[-1]) if len(x) else 0.0, float(store.validation("iteration")[-1]) if len(val_loss) else 0.0)
        self.range.update(x_max, [loss, val_loss], self.log_y)
        if store.has_accuracy:
            self.accuracy_widget.setVisible(True)
            accuracy, val_accuracy = store.column("accuracy"), store.validation("accuracy")
            self.train_accuracy.setData(*_finite(x, accuracy))
            self.accuracy_range.update(x_max, [accuracy, val_accuracy])

    def clear(self) -> None:
        for curve in (self.train_raw, self.train_smooth, self.validation, self.train_accuracy, self.val_accuracy):
            curve.setData([], [])
        self._validations_shown = -1
        self.accuracy_widget.setVisible(False)
        self.range.follow(True)
        self.accuracy_range.follow(True)


def _age_groups(curves: list, groups: int) -> list[list]:
    """Split curves (oldest first) into `groups` lists; the last group holds the newest."""
    size = -(-len(curves) // groups) if curves else 0
    chunks = [curves[max(0, len(curves) - (groups - i) * size): len(curves) - (groups - 1 - i) * size]
              for i in range(groups)] if size else [[] for _ in range(groups)]
    return chunks


def _joined(curves: list) -> tuple[np.ndarray, np.ndarray]:
    """Several curves against step 0..S as one x/y pair with NaN breaks between them."""
    xs, ys = [], []
    for losses in curves:
        xs.extend(range(len(losses)))
        ys.extend(losses)
        xs.append(np.nan)
        ys.append(np.nan)
    return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)


class InnerLossPlot:
    """Support loss against inner step 0..S for the latest iterations; older curves fade out."""

    AGE_GROUPS = 3  # older curves are drawn in 3 shades, one plot item per shade (each item costs a paint call)

    def __init__(self, parent: QWidget | None = None):
        self.widget = _plot_widget(parent, "Inner loop: support loss per adaptation step", "inner step", "support loss")
        self.widget.setObjectName("inner-plot")
        item = self.widget.getPlotItem()
        self.legend = item.addLegend(offset=(-10, 10), labelTextColor="#222")
        # One item per age group, its curves joined by NaN breaks; pens are set once, oldest palest.
        groups = self.AGE_GROUPS
        self.curves = [item.plot(pen=pg.mkPen(_on_white(INNER_COLOR, 0.2 + 0.45 * (i + 1) / groups), width=1),
                                 connect="finite") for i in range(groups)]
        self.latest = item.plot(pen=pg.mkPen(INNER_COLOR, width=2), symbol="o", symbolSize=6,
                                symbolBrush=INNER_COLOR, symbolPen=None, name="latest iteration")
        # No symbols here: each symbol item costs ~1 ms per repaint; the dashes tell this curve apart.
        self.validation = item.plot(pen=pg.mkPen(VAL_COLOR, width=1, style=Qt.PenStyle.DashLine),
                                    name="meta-validation (test-time steps)")
        self.log_y = False
        self._steps = -1
        self._validation_shown = None
        self.range = FollowRange(item, fixed_x=(0.0, 1.0))

    def set_log_y(self, on: bool) -> None:
        self.log_y = bool(on)
        self.widget.getPlotItem().setLogMode(y=self.log_y)

    def update(self, store: MetricsStore) -> None:
        recent = list(store.recent_inner)
        older = [losses for _, losses in recent[:-1]]
        for curve, group in zip(self.curves, _age_groups(older, len(self.curves))):
            if group:
                curve.setData(*_joined(group))
            elif curve.xData is not None and len(curve.xData):
                curve.setData([], [])
        validation = store.last_validation_inner[1] if store.last_validation_inner else ()
        steps = max([len(c) for _, c in recent] + [len(validation)])
        if steps != self._steps:  # whole inner steps only on the x axis
            self._steps = steps
            axis = self.widget.getPlotItem().getAxis("bottom")
            axis.setTickSpacing(1, 1) if 1 < steps <= 21 else axis.setTickSpacing()
            self.range.set_fixed_x(0.0, max(steps - 1, 1))
        shown = [np.asarray(c, dtype=float) for _, c in recent]
        if store.last_validation_inner:
            shown.append(np.asarray(store.last_validation_inner[1], dtype=float))
        self.range.update(None, shown, self.log_y)
        if recent:
            _, losses = recent[-1]
            self.latest.setData(np.arange(len(losses)), np.asarray(losses, dtype=float))
        else:
            self.latest.setData([], [])
        if store.last_validation_inner is not self._validation_shown:  # changes only every val_every iterations
            self._validation_shown = store.last_validation_inner
            if store.last_validation_inner:
                _, losses = store.last_validation_inner
                self.validation.setData(np.arange(len(losses)), np.asarray(losses, dtype=float))
            else:
                self.validation.setData([], [])

    def clear(self) -> None:
        for curve in (*self.curves, self.latest, self.validation):
            curve.setData([], [])
        self._validation_shown = None
        self.range.follow(True)


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
            _long_curve(curve)
        self.range = FollowRange(item)

    def update(self, store: MetricsStore) -> None:
        x = store.column("iteration")
        self.mean.setData(*_finite(x, store.column("inner_lr_mean")))
        self.low.setData(*_finite(x, store.column("inner_lr_min")))
        self.high.setData(*_finite(x, store.column("inner_lr_max")))
        self.range.update(float(x[-1]) if len(x) else None,
                          [store.column("inner_lr_min"), store.column("inner_lr_max")])

    def clear(self) -> None:
        for curve in (self.low, self.high, self.mean):
            curve.setData([], [])
        self.range.follow(True)
