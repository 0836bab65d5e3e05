"""Shared view state of one roll: zoom/grid geometry and the transport (playhead, loop).

The note view, keyboard, ruler and velocity lane all read one RollGeometry, so
they stay aligned when the user zooms or changes the grid.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from workbench.domains.melody.notes import TICKS_PER_BEAT

PITCHES = 128

# (label, ticks). 24 ticks per quarter note hold straight notes down to 1/32 (3 ticks)
# and triplets down to 1/32T (2 ticks).
GRID_CHOICES: list[tuple[str, int]] = [
    ("1/1", 4 * TICKS_PER_BEAT),
    ("1/2", 2 * TICKS_PER_BEAT),
    ("1/4", TICKS_PER_BEAT),
    ("1/8", TICKS_PER_BEAT // 2),
    ("1/16", TICKS_PER_BEAT // 4),
    ("1/32", TICKS_PER_BEAT // 8),
    ("1/2T", 4 * TICKS_PER_BEAT // 3),
    ("1/4T", 2 * TICKS_PER_BEAT // 3),
    ("1/8T", TICKS_PER_BEAT // 3),
    ("1/16T", TICKS_PER_BEAT // 6),
    ("1/32T", TICKS_PER_BEAT // 12),
]
DEFAULT_GRID = "1/16"

MIN_PX_PER_TICK, MAX_PX_PER_TICK = 0.5, 24.0
MIN_ROW_HEIGHT, MAX_ROW_HEIGHT = 5.0, 40.0


class RollGeometry(QObject):
    """Scene coordinates: x = tick * px_per_tick, y = (127 - pitch) * row_height."""

    changed = Signal()  # zoom or grid changed

    def __init__(self, px_per_tick: float = 4.0, row_height: float = 12.0, grid: int = TICKS_PER_BEAT // 4,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._px = px_per_tick
        self._row = row_height
        self._grid = grid

    @property
    def px_per_tick(self) -> float:
        return self._px

    @property
    def row_height(self) -> float:
        return self._row

    @property
    def grid(self) -> int:
        return self._grid

    def set_grid(self, ticks: int) -> None:
        if ticks != self._grid:
            self._grid = max(1, int(ticks))
            self.changed.emit()

    def set_zoom(self, px_per_tick: float | None = None, row_height: float | None = None) -> None:
        px = self._px if px_per_tick is None else min(MAX_PX_PER_TICK, max(MIN_PX_PER_TICK, px_per_tick))
        row = self._row if row_height is None else min(MAX_ROW_HEIGHT, max(MIN_ROW_HEIGHT, row_height))
        if (px, row) != (self._px, self._row):
            self._px, self._row = px, row
            self.changed.emit()

    def x(self, tick: float) -> float:
        return tick * self._px

    def tick(self, x: float) -> float:
        return x / self._px

    def y(self, pitch: int) -> float:
        """Top edge of the pitch's row."""
        return (PITCHES - 1 - pitch) * self._row

    def pitch(self, y: float) -> int:
        return max(0, min(PITCHES - 1, PITCHES - 1 - int(y // self._row)))

    @property
    def height(self) -> float:
        return PITCHES * self._row


class TransportState(QObject):
    """Playhead (also the paste position) and loop range, in ticks."""

    playhead_changed = Signal(int)
    loop_changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._playhead = 0
        self._loop: tuple[int, int] | None = None
        self._loop_enabled = False

    @property
    def playhead(self) -> int:
        return self._playhead

    def set_playhead(self, tick: int) -> None:
        tick = max(0, int(tick))
        if tick != self._playhead:
            self._playhead = tick
            self.playhead_changed.emit(tick)

    @property
    def loop_range(self) -> tuple[int, int] | None:
        return self._loop

    def set_loop_range(self, start: int | None, end: int | None = None) -> None:
        loop = None
        if start is not None and end is not None and end != start:
            loop = (max(0, min(start, end)), max(start, end))
        if loop != self._loop:
            self._loop = loop
            if loop is None:
                self._loop_enabled = False
            self.loop_changed.emit()

    @property
    def loop_enabled(self) -> bool:
        return self._loop_enabled and self._loop is not None

    def set_loop_enabled(self, enabled: bool) -> None:
        if bool(enabled) != self._loop_enabled:
            self._loop_enabled = bool(enabled)
            self.loop_changed.emit()

    def active_loop(self) -> tuple[int, int] | None:
        return self._loop if self.loop_enabled else None
