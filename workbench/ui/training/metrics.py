"""The metrics of one training run, stored as growing numpy columns (100k+ iterations stay cheap).

The panel appends batches of the engine's records (IterationRecord,
ValidationRecord); plots read array views; `write_csv` exports everything.
"""

from __future__ import annotations

import csv
import math
from collections import deque

import numpy as np

from workbench.meta.records import IterationRecord, Record, ValidationRecord

RECENT_INNER_CURVES = 12

ITERATION_COLUMNS = (
    "iteration", "outer_loss", "query_loss", "accuracy", "tasks_per_s", "memory_mb",
    "outer_lr", "inner_lr_mean", "inner_lr_min", "inner_lr_max", "elapsed_s",
)
VALIDATION_COLUMNS = ("iteration", "loss", "accuracy")


class Column:
    """A float64 array that grows by doubling; `view()` is the filled part."""

    def __init__(self, capacity: int = 1024):
        self._data = np.empty(capacity, dtype=np.float64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=np.float64)
        needed = self._size + len(values)
        if needed > len(self._data):
            grown = np.empty(max(needed, 2 * len(self._data)), dtype=np.float64)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size: needed] = values
        self._size = needed

    def view(self) -> np.ndarray:
        return self._data[: self._size]


def _number(value) -> float:
    return float("nan") if value is None else float(value)


class SmoothedColumn:
    """TensorBoard-style debiased exponential moving average of a column, updated incrementally."""

    def __init__(self, weight: float = 0.6):
        self.values = Column()
        self.weight = weight
        self._last = 0.0
        self._count = 0

    def set_weight(self, weight: float, source: np.ndarray) -> None:
        self.weight = min(max(float(weight), 0.0), 0.999)
        self.values = Column(max(1024, len(source)))
        self._last = 0.0
        self._count = 0
        self.extend(source)

    def extend(self, raw: np.ndarray) -> None:
        weight, last, count = self.weight, self._last, self._count
        out = np.empty(len(raw), dtype=np.float64)
        for i, value in enumerate(raw.tolist()):  # a Python loop over new points only
            if math.isfinite(value):
                last = weight * last + (1.0 - weight) * value
                count += 1
            out[i] = last / (1.0 - weight**count) if count and weight < 1 else (last if count else math.nan)
        self._last, self._count = last, count
        self.values.extend(out)

    def view(self) -> np.ndarray:
        return self.values.view()


class MetricsStore:
    """Everything the training plots show, plus what the CSV export writes."""

    def __init__(self, smoothing: float = 0.6):
        self.iterations = {name: Column() for name in ITERATION_COLUMNS}
        self.validations = {name: Column(64) for name in VALIDATION_COLUMNS}
        self.smoothed_loss = SmoothedColumn(smoothing)
        self.support_rows: list[tuple[int, tuple[float, ...]]] = []  # every iteration's inner curve (for CSV)
        self.recent_inner: deque[tuple[int, tuple[float, ...]]] = deque(maxlen=RECENT_INNER_CURVES)
        self.last_validation_inner: tuple[int, tuple[float, ...]] | None = None
        self.has_accuracy = False
        self.version = 0  # bumped on every change, so views redraw only when needed

    def __len__(self) -> int:
        return len(self.iterations["iteration"])

    def clear(self) -> None:
        self.__init__(self.smoothed_loss.weight)

    def add(self, records: list[Record]) -> None:
        """Append a batch of records (kinds other than iteration/validation are ignored)."""
        rows = [r for r in records if isinstance(r, IterationRecord)]
        vals = [r for r in records if isinstance(r, ValidationRecord)]
        if rows:
            self._add_iterations(rows)
        if vals:
            for name in VALIDATION_COLUMNS:
                self.validations[name].extend([_number(getattr(r, name)) for r in vals])
            self.has_accuracy = self.has_accuracy or any(r.accuracy is not None for r in vals)
            last = vals[-1]
            self.last_validation_inner = (int(last.iteration), tuple(last.support_losses or ()))
        if rows or vals:
            self.version += 1

    def _add_iterations(self, rows: list[IterationRecord]) -> None:
        columns = {name: [] for name in ITERATION_COLUMNS}
        for r in rows:
            lr = r.inner_lr or {}
            for name in ("iteration", "outer_loss", "query_loss", "accuracy", "tasks_per_s", "memory_mb",
                         "outer_lr", "elapsed_s"):
                columns[name].append(_number(getattr(r, name)))
            columns["inner_lr_mean"].append(_number(lr.get("mean")))
            columns["inner_lr_min"].append(_number(lr.get("min")))
            columns["inner_lr_max"].append(_number(lr.get("max")))
            curve = (int(r.iteration), tuple(r.support_losses or ()))
            self.support_rows.append(curve)
            self.recent_inner.append(curve)
        for name, values in columns.items():
            self.iterations[name].extend(values)
        self.smoothed_loss.extend(np.asarray(columns["outer_loss"], dtype=np.float64))
        self.has_accuracy = self.has_accuracy or any(r.accuracy is not None for r in rows)

    def set_smoothing(self, weight: float) -> None:
        self.smoothed_loss.set_weight(weight, self.iterations["outer_loss"].view())
        self.version += 1

    def column(self, name: str) -> np.ndarray:
        return self.iterations[name].view()

    def validation(self, name: str) -> np.ndarray:
        return self.validations[name].view()

    def write_csv(self, path: str) -> int:
        """One row per record: kind, iteration, the metrics, support_loss_step_0..S. Returns rows written."""
        steps = max((len(c) for _, c in self.support_rows), default=0)
        if self.last_validation_inner:
            steps = max(steps, len(self.last_validation_inner[1]))
        header = ["kind", *ITERATION_COLUMNS, "val_loss", "val_accuracy"]
        header += [f"support_loss_step_{i}" for i in range(steps)]
        rows = 0
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            data = {name: self.column(name) for name in ITERATION_COLUMNS}
            for i, (_, curve) in enumerate(self.support_rows):
                values = [_cell(data[name][i]) for name in ITERATION_COLUMNS]
                writer.writerow(["iteration", *values, "", "", *curve])
                rows += 1
            val_it, val_loss, val_acc = (self.validation(n) for n in VALIDATION_COLUMNS)
            for i in range(len(val_it)):
                blank = [""] * (len(ITERATION_COLUMNS) - 1)
                writer.writerow(["validation", _cell(val_it[i]), *blank, _cell(val_loss[i]), _cell(val_acc[i])])
                rows += 1
        return rows


def _cell(value: float):
    if math.isnan(value):
        return ""
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else repr(float(value))
