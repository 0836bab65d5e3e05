"""Live plots: the metrics store, smoothing, CSV, ranges, and 100k points drawn downsampled."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbench.meta.records import IterationRecord, ValidationRecord
from workbench.ui.training.metrics import MetricsStore
from workbench.ui.training.plots import _age_groups
from workbench.ui.training.plots_view import PlotsView
from workbench.ui.training.view_range import nice_ceiling, rounded_bounds


def iteration(i: int, loss: float, steps=(2.0, 1.0), accuracy=None) -> IterationRecord:
    return IterationRecord(iteration=i, outer_loss=loss, query_loss=loss, support_losses=steps, accuracy=accuracy,
                           tasks_per_s=10.0, memory_mb=100.0, outer_lr=1e-3,
                           inner_lr={"mean": 0.01, "min": 0.005, "max": 0.02}, elapsed_s=0.1, iterations_total=100)


def test_store_grows_and_smooths_like_a_debiased_ema():
    store = MetricsStore(smoothing=0.5)
    store.add([iteration(i + 1, v) for i, v in enumerate([4.0, 2.0, 2.0])])
    assert list(store.column("iteration")) == [1, 2, 3]
    # debiased EMA: 4, (0.5*2+0.25*4)/0.75, ...
    assert store.smoothed_loss.view()[0] == pytest.approx(4.0)
    assert store.smoothed_loss.view()[1] == pytest.approx((0.5 * 2 + 0.5 * 0.5 * 4) / 0.75)
    store.set_smoothing(0.0)
    assert list(store.smoothed_loss.view()) == [4.0, 2.0, 2.0]
    store.add([iteration(4 + i, 1.0) for i in range(5000)])  # growing past the initial capacity
    assert len(store) == 5003 and store.column("iteration")[-1] == 5003


def test_store_keeps_recent_inner_curves_and_validation(tmp_path):
    store = MetricsStore()
    store.add([iteration(i, 1.0, steps=(float(i), 0.5)) for i in range(1, 20)])
    store.add([ValidationRecord(iteration=19, loss=0.7, accuracy=None, support_losses=(1.0, 0.6, 0.5), tasks=8)])
    assert [i for i, _ in store.recent_inner] == list(range(8, 20))  # the latest 12
    assert store.last_validation_inner == (19, (1.0, 0.6, 0.5))
    rows = store.write_csv(str(tmp_path / "m.csv"))
    assert rows == 20
    header = (tmp_path / "m.csv").read_text().splitlines()[0].split(",")
    assert header[:3] == ["kind", "iteration", "outer_loss"] and header[-1] == "support_loss_step_2"


def test_nice_ranges():
    assert nice_ceiling(101) == 120 and nice_ceiling(309) == 400 and nice_ceiling(7) == 8 and nice_ceiling(1000) == 1000
    low, high = rounded_bounds(0.93, 3.7)
    assert low <= 0.93 and high >= 3.7 and (high - low) < 2 * (3.7 - 0.93)
    assert math.isclose(rounded_bounds(1.0, 1.0)[0], 0.9)


def test_older_inner_curves_fall_into_age_groups():
    assert _age_groups([], 3) == [[], [], []]
    assert _age_groups(list(range(11)), 3) == [[0, 1, 2], [3, 4, 5, 6], [7, 8, 9, 10]]


def test_100k_points_are_drawn_downsampled_and_clipped(qtbot):
    store = MetricsStore()
    n = 100_000
    store.iterations["iteration"].extend(np.arange(1, n + 1))
    store.iterations["outer_loss"].extend(np.linspace(3, 0.3, n))
    for name in ("query_loss", "accuracy", "tasks_per_s", "memory_mb", "outer_lr", "inner_lr_mean",
                 "inner_lr_min", "inner_lr_max", "elapsed_s"):
        store.iterations[name].extend(np.full(n, np.nan))
    store.smoothed_loss.extend(np.linspace(3, 0.3, n))
    store.version += 1
    view = PlotsView(store)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    view.refresh(force=True)

    def drawn():  # what is drawn, not what is stored
        x, _ = view.outer.train_raw.getData()
        return np.empty(0) if x is None else x

    qtbot.waitUntil(lambda: 0 < len(drawn()) < 10_000, timeout=5000)
    view.outer.widget.getPlotItem().setXRange(1000, 2000, padding=0)
    qtbot.waitUntil(lambda: len(drawn()) and drawn().min() >= 900 and drawn().max() <= 2100, timeout=5000)
