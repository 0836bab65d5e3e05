"""Playback timing without Qt: what a range plays, where the playhead is, which
MIDI events are due. numpy-free, torch-free, mido-free.

The Qt player (workbench/ui/melody_studio/audio.py) only moves bytes to a
sound device, messages to a MIDI port and fires a timer; every decision about
ticks and seconds is made here, so it is tested without an event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from workbench.domains.melody.notes import TICKS_PER_BEAT, Melody, Note


def ticks_to_seconds(ticks: float, tempo: float) -> float:
    """Ticks at `tempo` quarter notes per minute, in seconds."""
    return ticks / TICKS_PER_BEAT * 60.0 / tempo


def seconds_to_ticks(seconds: float, tempo: float) -> float:
    return seconds * tempo / 60.0 * TICKS_PER_BEAT


def segment(melody: Melody, start: int, end: int) -> Melody:
    """The notes sounding in [start, end), clipped to it and shifted to tick 0."""
    notes = []
    for note in melody.notes:
        onset, stop = max(note.onset, start), min(note.end, end)
        if stop > onset:
            notes.append(Note(onset - start, stop - onset, note.pitch, note.velocity))
    return melody.with_notes(notes)


@dataclass(frozen=True)
class PlayRange:
    """The part of a melody being played: [start, end) in melody ticks, once or
    looped, beginning `offset` ticks into it (the playhead sat inside the loop)."""

    start: int
    end: int
    loop: bool = False
    offset: int = 0

    @property
    def length(self) -> int:
        return self.end - self.start

    def elapsed_ticks(self, seconds: float, tempo: float) -> float:
        """Ticks into the part after `seconds` of playing (counting the offset)."""
        return self.offset + seconds_to_ticks(seconds, tempo)

    def position(self, elapsed: float) -> tuple[int, bool]:
        """(melody tick under the playhead, whether a one-shot range has ended) after `elapsed` ticks."""
        if self.loop:
            return int(self.start + elapsed % self.length), False
        if self.start + elapsed >= self.end:
            return self.end, True
        return int(self.start + elapsed), False

    def extended_to(self, seconds: float, tempo: float) -> PlayRange:
        """A one-shot range that lasts at least `seconds` (the synthesizer's release tail
        may ring past the last note: the playhead follows it)."""
        if self.loop:
            return self
        return replace(self, end=max(self.end, self.start + int(seconds_to_ticks(seconds, tempo))))

    def loop_samples(self, tempo: float, sample_rate: int) -> int:
        """Samples in one pass of a loop, so streamed audio wraps in time with the playhead."""
        return round(ticks_to_seconds(self.length, tempo) * sample_rate)

    def offset_samples(self, tempo: float, sample_rate: int) -> int:
        return round(ticks_to_seconds(self.offset, tempo) * sample_rate)


def play_range(melody: Melody, start_tick: int = 0, loop: tuple[int, int] | None = None) -> PlayRange | None:
    """What Play plays: the loop when one is set (entered where the playhead is, if it
    is inside), else from start_tick to the end (from the top when start_tick is past
    the end). None when there is nothing to play."""
    if loop is not None and loop[1] > loop[0]:
        a, b = loop
        return PlayRange(a, b, loop=True, offset=start_tick - a if a <= start_tick < b else 0)
    end = max(melody.length_ticks, start_tick)
    if end <= start_tick:
        start_tick, end = 0, melody.length_ticks
    if end <= 0:
        return None
    return PlayRange(start_tick, end)


@dataclass(frozen=True, order=True)
class NoteEvent:
    """A note-on or note-off at a tick of the played part; offs sort before ons at the same tick."""

    tick: int
    on: bool
    pitch: int
    velocity: int = 0


def note_events(part: Melody) -> list[NoteEvent]:
    """Every note of `part` as a note-on and a note-off, in the order a MIDI port gets them."""
    events = []
    for note in part.notes:
        events.append(NoteEvent(note.onset, True, note.pitch, note.velocity))
        events.append(NoteEvent(note.end, False, note.pitch, 0))
    return sorted(events, key=lambda e: (e.tick, e.on))


@dataclass
class MidiSchedule:
    """Which note events are due as the playhead moves; on a loop's wrap, the
    notes still sounding are released first, so none hangs."""

    events: list[NoteEvent]
    range: PlayRange
    sounding: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        first = next((i for i, e in enumerate(self.events) if e.tick >= self.range.offset), len(self.events))
        self._next = (0, first)  # (loop pass, index) of the next event to send

    def due(self, elapsed: float) -> list[NoteEvent]:
        """The events to send now, `elapsed` ticks into the part (see PlayRange.elapsed_ticks)."""
        looping = self.range.loop
        cycle, within = (int(elapsed // self.range.length), elapsed % self.range.length) if looping else (0, elapsed)
        out = []
        while True:
            c, i = self._next
            if i >= len(self.events):
                if not looping or c >= cycle:
                    break
                out += self.release_all()  # the loop wraps: silence what still sounds, start over
                self._next = (c + 1, 0)
                continue
            event = self.events[i]
            if (c, event.tick) > (cycle, within):
                break
            out.append(event)
            (self.sounding.add if event.on else self.sounding.discard)(event.pitch)
            self._next = (c, i + 1)
        return out

    def release_all(self) -> list[NoteEvent]:
        """Note-offs for every sounding note (on stop, and when a loop wraps)."""
        offs = [NoteEvent(0, False, pitch) for pitch in sorted(self.sounding)]
        self.sounding.clear()
        return offs
