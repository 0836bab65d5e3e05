"""The plots area of the training panel: outer/inner/rate plots, their controls, PNG and CSV export.

It redraws from a MetricsStore on a timer (at most REDRAW_HZ), never once per record.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSlider, QSplitter, QVBoxLayout, QWidget

from workbench.ui.training.metrics import MetricsStore
from workbench.ui.training.plots import InnerLossPlot, InnerRatePlot, OuterLossPlot

REDRAW_HZ = 20  # timer ticks per second; each tick redraws one stale plot
# The least a plot may shrink to and still show its title, tick labels and a curve (1024x640 window).
MIN_PLOT_WIDTH, MIN_PLOT_HEIGHT = 220, 110


class PlotsView(QWidget):
    def __init__(self, store: MetricsStore, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self._drawn_version = -1
        self.redraws = 0  # how many times the plots were redrawn (tests and benchmarks read it)

        self.smoothing = QSlider(Qt.Orientation.Horizontal)
        self.smoothing.setObjectName("smoothing")
        self.smoothing.setRange(0, 99)
        self.smoothing.setValue(int(round(store.smoothed_loss.weight * 100)))
        self.smoothing.setMaximumWidth(160)
        self.smoothing.setToolTip("Exponential moving average of the meta-training loss (0 = raw)")
        self.smoothing_label = QLabel()
        self.log_y = QCheckBox("log scale")
        self.log_y.setObjectName("log-scale")
        self.follow = QCheckBox("follow")
        self.follow.setObjectName("follow")
        self.follow.setChecked(True)
        self.follow.setToolTip("Keep all data in view as it arrives (unchecked when you pan or zoom a plot)")
        self.rate_summary = QLabel("")
        self.rate_summary.setObjectName("rate-summary")

        controls = QHBoxLayout()
        controls.addWidget(QLabel("Smoothing"))
        controls.addWidget(self.smoothing)
        controls.addWidget(self.smoothing_label)
        controls.addSpacing(12)
        controls.addWidget(self.log_y)
        controls.addWidget(self.follow)
        controls.addStretch(1)
        controls.addWidget(self.rate_summary)

        self.outer = OuterLossPlot(self)
        self.inner = InnerLossPlot(self)
        self.rates = InnerRatePlot(self)
        self.rates.widget.setVisible(False)

        top = QSplitter(Qt.Orientation.Vertical)
        top.addWidget(self.outer.widget)
        top.addWidget(self.outer.accuracy_widget)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.inner.widget)
        bottom.addWidget(self.rates.widget)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("plots-splitter")
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.splitter = split
        for splitter in (top, bottom, split):
            splitter.setChildrenCollapsible(False)
        for plot in (self.outer.widget, self.outer.accuracy_widget, self.inner.widget, self.rates.widget):
            plot.setMinimumSize(MIN_PLOT_WIDTH, MIN_PLOT_HEIGHT)
        self._top, self._bottom = top, bottom
        self._shown_plots = (False, False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(split, 1)

        self.smoothing.valueChanged.connect(self._on_smoothing)
        self.log_y.toggled.connect(self._on_log)
        self.follow.toggled.connect(self._on_follow)
        for view_range in self._ranges():
            view_range.following_changed.connect(self._on_range_following)
        self._on_smoothing(self.smoothing.value(), update_store=False)
        self.timer = QTimer(self)
        self.timer.setInterval(int(1000 / REDRAW_HZ))
        self.timer.timeout.connect(self._tick)
        self._turn = 0

    def set_live(self, live: bool) -> None:
        """Redraw on a timer while a run is live; one last redraw when it ends."""
        if live:
            self.timer.start()
        else:
            self.timer.stop()
            self.refresh()

    def show_rates(self, on: bool) -> None:
        self.rates.widget.setVisible(on)
        self._give_room()

    def _give_room(self) -> None:
        """A plot shown later (accuracy, Meta-SGD rates) would keep the zero size its splitter gave it
        while hidden: share the space out again whenever the set of shown plots changes."""
        shown = (not self.outer.accuracy_widget.isHidden(), not self.rates.widget.isHidden())
        if shown == self._shown_plots:
            return
        self._shown_plots = shown
        if shown[0]:
            self._top.setSizes([2000, 1000])    # loss 2/3, accuracy 1/3 (setSizes keeps the ratio)
        if shown[1]:
            self._bottom.setSizes([1000, 1000])  # inner loss and learned rates side by side, equal

    def _plots(self) -> list:
        return [self.outer, self.inner] + ([self.rates] if self.rates.widget.isVisible() else [])

    @Slot()
    def _tick(self) -> None:
        """While live: redraw ONE stale plot per tick, so no tick blocks the GUI thread for long."""
        plots = self._plots()
        for _ in range(len(plots)):
            plot = plots[self._turn % len(plots)]
            self._turn += 1
            if getattr(plot, "drawn_version", None) != self.store.version:
                plot.drawn_version = self.store.version
                plot.update(self.store)
                if plot is self.outer:
                    self._update_rate_summary()
                    self._give_room()
                self.redraws += 1
                return

    @Slot()
    def refresh(self, force: bool = False) -> None:
        """Redraw every plot now (after a run, on a settings change)."""
        if not force and self.store.version == self._drawn_version:
            return
        self._drawn_version = self.store.version
        for plot in self._plots():
            plot.drawn_version = self.store.version
            plot.update(self.store)
        self._update_rate_summary()
        self._give_room()
        self.redraws += 1

    def clear(self) -> None:
        self.outer.clear()
        self.inner.clear()
        self.rates.clear()
        self._give_room()
        self.rate_summary.setText("")
        self._drawn_version = -1
        for plot in (self.outer, self.inner, self.rates):
            plot.drawn_version = None

    def _update_rate_summary(self) -> None:
        mean = self.store.column("inner_lr_mean")
        if not len(mean):
            return
        low, high = self.store.column("inner_lr_min")[-1], self.store.column("inner_lr_max")[-1]
        if low == high:
            self.rate_summary.setText(f"inner lr {mean[-1]:.4g}")
        else:
            self.rate_summary.setText(f"learned inner lr: mean {mean[-1]:.4g} (min {low:.4g}, max {high:.4g})")

    def _on_smoothing(self, value: int, update_store: bool = True) -> None:
        self.smoothing_label.setText(f"{value / 100:.2f}")
        if update_store:
            self.store.set_smoothing(value / 100)
            self.refresh()

    def _ranges(self):
        return (self.outer.range, self.outer.accuracy_range, self.inner.range, self.rates.range)

    def _on_follow(self, on: bool) -> None:
        for view_range in self._ranges():
            view_range.follow(on)
        self.refresh(force=True)

    def _on_range_following(self, on: bool) -> None:
        if not on and self.follow.isChecked():
            self.follow.blockSignals(True)  # the user zoomed one plot: the others keep following
            self.follow.setChecked(False)
            self.follow.blockSignals(False)

    def _on_log(self, on: bool) -> None:
        self.outer.set_log_y(on)
        self.inner.set_log_y(on)
        for view_range in self._ranges():
            view_range.follow(view_range.following)  # recompute the ranges in the new scale
            view_range._x = view_range._y = None
        self.refresh(force=True)

    def save_png(self, path: str) -> bool:
        """The plots as they look now (what a user would paste into a report)."""
        return self.splitter.grab().save(path, "PNG")
