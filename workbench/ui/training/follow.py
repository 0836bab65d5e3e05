"""Follow a run: tail the JSON-lines metric stream another process appends to.

`workbench train --jsonl-file PATH` (rank 0 of a torchrun job, or any run)
appends one record per line; the training panel plots what this follower
reads, exactly as it plots a local run. Reading is a poll on a QTimer that
takes only the new bytes (at most CHUNK_BYTES per tick, so a long file loads
in steps and never blocks the GUI thread for long); a half-written last line
waits for the next tick.
"""

from __future__ import annotations

import json
import os

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from workbench.meta.errors import DataError
from workbench.meta.records import record_from_dict

POLL_MS = 250
CHUNK_BYTES = 1 << 20


class RunFollower(QObject):
    records = Signal(list)          # a batch of typed records (IterationRecord, ValidationRecord, ...)
    problem = Signal(str)           # a message a user understands: unreadable file, bad lines
    restarted = Signal()            # the file was replaced or truncated: the plots start over

    def __init__(self, parent: QObject | None = None, interval_ms: int = POLL_MS):
        super().__init__(parent)
        self.path: str | None = None
        self._offset = 0
        self._partial = b""
        self._bad_lines = 0
        self._missing_reported = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    @property
    def following(self) -> bool:
        return self.path is not None

    def start(self, path: str) -> None:
        self.stop()
        self.path = path
        self._offset, self._partial, self._bad_lines, self._missing_reported = 0, b"", 0, False
        self.poll()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.path = None

    @Slot()
    def poll(self) -> None:
        if self.path is None:
            return
        try:
            size = os.path.getsize(self.path)
            if size < self._offset:  # truncated or replaced by a new run
                self._offset, self._partial = 0, b""
                self.restarted.emit()
            if size == self._offset:
                return
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                data = handle.read(CHUNK_BYTES)
        except OSError as exc:
            if not self._missing_reported:  # the run may not have created it yet: say so once, keep polling
                self._missing_reported = True
                self.problem.emit(f"Cannot read {self.path} ({exc.strerror or exc}); still watching for it")
            return
        self._missing_reported = False
        self._offset += len(data)
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()  # the part after the last newline: not complete yet
        batch = [record for record in map(self._parse, lines) if record is not None]
        if batch:
            self.records.emit(batch)

    def _parse(self, line: bytes):
        if not line.strip():
            return None
        try:
            return record_from_dict(json.loads(line))
        except (ValueError, TypeError, DataError) as exc:
            self._bad_lines += 1
            if self._bad_lines == 1:  # one message, not one per line
                self.problem.emit(f"{os.path.basename(self.path)}: skipped a line that is not a training record "
                                  f"({str(exc)[:120]})")
            return None
