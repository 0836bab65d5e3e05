"""A run's metric history beside its checkpoint, so Load Checkpoint can show the run that made it.

`name.safetensors` gets `name.metrics.jsonl`: one record per line, the format
`workbench train --jsonl-file` writes and the run follower reads
(workbench.meta.records.record_from_dict), so a CLI run saved with
`--out name.safetensors --jsonl-file name.metrics.jsonl` loads with its plots too.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from workbench.meta.errors import DataError
from workbench.meta.records import record_from_dict

SUFFIX = ".metrics.jsonl"
KINDS = ("iteration", "validation", "status")


def history_path(checkpoint) -> Path:
    path = Path(checkpoint)
    stem = path.name[: -len(".safetensors")] if path.name.endswith(".safetensors") else path.stem
    return path.with_name(stem + SUFFIX)


class HistoryWriter:
    """Appends a run's records to its autosave checkpoint's history (the worker thread owns it)."""

    def __init__(self, checkpoint, continue_from=None):
        self.path = history_path(checkpoint)
        self.handle = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if continue_from is not None and not self.path.exists():
                earlier = history_path(continue_from)
                if earlier.exists():  # a resumed run's plots start with the run it continues
                    shutil.copyfile(earlier, self.path)
            self.handle = open(self.path, "a", encoding="utf-8")
        except OSError:
            self.handle = None  # no history is a lesser loss than no run: training goes on without it

    def write(self, record) -> None:
        if self.handle is not None and record.kind in KINDS:
            self.handle.write(json.dumps(record.to_dict()) + "\n")

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def copy_history(source_checkpoint, checkpoint) -> None:
    """A checkpoint saved elsewhere (Save Checkpoint…) takes the run's history along."""
    source, target = history_path(source_checkpoint), history_path(checkpoint)
    if source.exists() and source != target:
        try:
            shutil.copyfile(source, target)
        except OSError:
            pass  # the checkpoint itself was saved; only its plots will be missing on load


def read_history(checkpoint) -> list | None:
    """The records saved with a checkpoint (lines that are not records are skipped); None without a file."""
    path = history_path(checkpoint)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    records = []
    for line in text.splitlines():
        try:
            records.append(record_from_dict(json.loads(line)))
        except (ValueError, TypeError, DataError):
            continue  # a half-written last line of a run that was killed
    return records
