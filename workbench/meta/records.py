"""Frozen metric records yielded by the training generator (the CLI prints them
as JSON lines; the GUI plots them)."""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, fields

from workbench.meta.errors import DataError


@dataclass(frozen=True)
class Record:
    def to_dict(self) -> dict:
        return {"kind": self.kind, **asdict(self)}

    kind = "record"


@dataclass(frozen=True)
class IterationRecord(Record):
    kind = "iteration"
    iteration: int
    outer_loss: float
    query_loss: float
    support_losses: tuple[float, ...]   # mean support loss before step 1 .. after step S
    accuracy: float | None
    tasks_per_s: float
    memory_mb: float
    outer_lr: float
    inner_lr: dict                      # {"mean", "min", "max"}: Meta-SGD's learned rates, else the fixed one
    elapsed_s: float
    iterations_total: int


@dataclass(frozen=True)
class ValidationRecord(Record):
    kind = "validation"
    iteration: int
    loss: float
    accuracy: float | None
    support_losses: tuple[float, ...]
    tasks: int


@dataclass(frozen=True)
class CheckpointRecord(Record):
    kind = "checkpoint"
    iteration: int
    path: str


@dataclass(frozen=True)
class StatusRecord(Record):
    kind = "status"
    iteration: int
    state: str          # started | paused | resumed | stopped | finished | info | save_failed
    message: str = ""


RECORD_TYPES = {cls.kind: cls for cls in (IterationRecord, ValidationRecord, CheckpointRecord, StatusRecord)}


def record_from_dict(data: dict) -> Record:
    """The record whose `.to_dict()` this is (for example one JSON line of `workbench train --json`)."""
    cls = RECORD_TYPES.get(data.get("kind")) if isinstance(data, dict) else None
    if cls is None:
        kind = data.get("kind") if isinstance(data, dict) else type(data).__name__
        raise DataError(f"not a training record (kind {kind!r}); expected one of {', '.join(RECORD_TYPES)}")
    values = {}
    for field in fields(cls):
        if field.name in data:
            value = data[field.name]
            values[field.name] = tuple(value) if field.name == "support_losses" and value is not None else value
        elif field.default is MISSING:
            raise DataError(f"a {cls.kind} record without {field.name!r}")
    return cls(**values)
