"""Frozen metric records yielded by the training generator (the CLI prints them
as JSON lines; the GUI plots them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


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
    state: str          # started | paused | resumed | stopped | finished | info
    message: str = ""
