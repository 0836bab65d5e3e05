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
    """A clip of notes sorted by onset. Notes may overlap (chords, held notes under
    a line), as in a DAW clip, so an editor never has to delete one; the model
    reads one line of it, `top_voice(notes)`, by the rule the MIDI reader uses.

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
        object.__setattr__(self, "notes", tuple(sorted(self.notes)))

    @property
    def ticks_per_bar(self) -> int:
        return self.beats_per_bar * TICKS_PER_BEAT * 4 // self.beat_unit

    @property
    def length_ticks(self) -> int:
        return max((n.end for n in self.notes), default=0)  # a held earlier note may end last

    @property
    def bars(self) -> int:
        """Number of bars the melody touches (at least 1)."""
        return max(1, -(-self.length_ticks // self.ticks_per_bar))

    @property
    def is_monophonic(self) -> bool:
        return all(b.onset >= a.end for a, b in zip(self.notes, self.notes[1:]))

    def top_voice(self) -> "Melody":
        """The one line the model reads (see `top_voice`); self when already monophonic."""
        return self if self.is_monophonic else self.with_notes(top_voice(self.notes).notes)

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


@dataclass(frozen=True)
class TopVoice:
    notes: tuple[Note, ...]   # one line, no two notes overlapping
    below_top: int            # notes dropped because a higher one starts at the same tick
    shortened: int            # notes cut to end where the next one starts


def top_voice(notes) -> TopVoice:
    """The clip's top voice, the line the model reads (the MIDI reader uses the same rule):
    of notes starting at the same tick only the highest is kept (chords -> top note), and a
    note still sounding when the next one starts is shortened to end there."""
    by_onset: dict[int, Note] = {}
    below_top = 0
    for note in notes:
        kept = by_onset.get(note.onset)
        if kept is not None:
            below_top += 1
            if note.pitch <= kept.pitch:
                continue
        by_onset[note.onset] = note
    line: list[Note] = []
    shortened = 0
    onsets = sorted(by_onset)
    for i, onset in enumerate(onsets):
        note = by_onset[onset]
        if i + 1 < len(onsets) and note.end > onsets[i + 1]:
            note = replace(note, duration=onsets[i + 1] - onset)
            shortened += 1
        line.append(note)
    return TopVoice(tuple(line), below_top, shortened)


def pitch_name(pitch: int) -> str:
    """Scientific pitch name, e.g. 60 -> 'C4'."""
    return f"{PITCH_NAMES[pitch % 12]}{pitch // 12 - 1}"
