"""A progress line for long commands: a bar on a terminal, a line every few seconds in a log."""

from __future__ import annotations

import sys
import time


class ProgressLine:
    def __init__(self, enabled: bool = True, stream=None, every_s: float = 10.0):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty()
        self.every_s = every_s if not self.tty else 0.1
        self._last = 0.0
        self._rate = None

    def update(self, record) -> None:
        if not self.enabled:
            return
        if record.kind == "status" and record.message:
            self._write(f"[{record.state}] {record.message}", final=True)
        if record.kind == "validation":
            acc = "" if record.accuracy is None else f" acc {record.accuracy:.3f}"
            self._write(f"validation @ {record.iteration}: loss {record.loss:.4f}{acc}", final=True)
        if record.kind != "iteration":
            return
        now = time.monotonic()
        # exponential average so the ETA does not jump with every iteration
        self._rate = record.tasks_per_s if self._rate is None else 0.9 * self._rate + 0.1 * record.tasks_per_s
        if now - self._last < self.every_s and record.iteration < record.iterations_total:
            return
        self._last = now
        done, total = record.iteration, record.iterations_total
        per_iteration = record.elapsed_s if record.elapsed_s > 0 else 0.0
        eta = format_eta((total - done) * per_iteration)
        width = 24
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        self._write(f"[{bar}] {done}/{total}  loss {record.outer_loss:.4f}  {self._rate:.0f} tasks/s  ETA {eta}")

    def _write(self, text: str, final: bool = False) -> None:
        if self.tty:
            self.stream.write("\r\033[K" + text + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def format_eta(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
