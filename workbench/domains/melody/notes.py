"""The plain melody model: notes on a tick grid. No torch, no Qt.

Time is measured in ticks of TICKS_PER_BEAT per quarter note. 24 ticks per beat
hold straight notes down to 1/32 (3 ticks) and triplets down to 1/32T (2 ticks),
so the editor's grid has room for both while the model's 16th-note grid
(SIXTEENTH = 6 ticks) stays exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

TICKS_PER_BEAT = 24
SIXTEENTH = TICKS_PER_BEAT // 4
PITCH_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


@dataclass(frozen=True, order=True)
class Note:
    """One note: onset and duration in ticks, MIDI pitch 0-127, velocity 1-127."""

    onset: int
    duration: int
    pitch: int
    velocity: int = 90

    def __post_init__(self) -> None:
        if self.duration <= 0:
            raise ValueError(f"note duration must be positive, got {self.duration}")
        if not 0 <= self.pitch <= 127:
            raise ValueError(f"pitch must be in 0..127, got {self.pitch}")
        if not 1 <= self.velocity <= 127:
            raise ValueError(f"velocity must be in 1..127, got {self.velocity}")
        if self.onset < 0:
            raise ValueError(f"onset must not be negative, got {self.onset}")

    @property
    def end(self) -> int:
        return self.onset + self.duration


@dataclass(frozen=True)
class Melody:
    """A monophonic melody: notes sorted by onset, never overlapping.

    beats_per_bar/beat_unit is the time signature, tempo in quarter notes per
    minute, key a pitch class 0-11 (C=0) with mode "major"/"minor" when known.
    """

    notes: tuple[Note, ...] = ()
    tempo: float = 120.0
    beats_per_bar: int = 4
    beat_unit: int = 4
    key: int | None = None
    mode: str | None = None
    name: str = ""
    meta: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.notes))
        object.__setattr__(self, "notes", ordered)
        for a, b in zip(ordered, ordered[1:]):
            if b.onset < a.end:
                raise ValueError(f"notes overlap at tick {b.onset}: a melody is monophonic")

    @property
    def ticks_per_bar(self) -> int:
        return self.beats_per_bar * TICKS_PER_BEAT * 4 // self.beat_unit

    @property
    def length_ticks(self) -> int:
        return self.notes[-1].end if self.notes else 0

    @property
    def bars(self) -> int:
        """Number of bars the melody touches (at least 1)."""
        return max(1, -(-self.length_ticks // self.ticks_per_bar))

    def with_notes(self, notes) -> "Melody":
        return replace(self, notes=tuple(notes))

    def transposed(self, semitones: int) -> "Melody":
        key = None if self.key is None else (self.key + semitones) % 12
        return replace(
            self,
            notes=tuple(replace(n, pitch=n.pitch + semitones) for n in self.notes),
            key=key,
        )

    def pitch_range(self) -> tuple[int, int]:
        if not self.notes:
            return (60, 60)
        pitches = [n.pitch for n in self.notes]
        return (min(pitches), max(pitches))


def pitch_name(pitch: int) -> str:
    """Scientific pitch name, e.g. 60 -> 'C4'."""
    return f"{PITCH_NAMES[pitch % 12]}{pitch // 12 - 1}"
