"""Pure note edits on tuples of Notes (no Qt): every roll gesture is one of these.

A clip keeps every note: placing, moving, resizing or pasting notes never
trims or removes another one, so chords and overlapping notes stay (as in a
DAW). Only an exact duplicate (same onset, length, pitch and velocity) merges
into one note. Where the model needs one line it reads the clip's top voice
(notes.top_voice); the roll shows which notes that is.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from workbench.domains.melody.notes import Note

MIN_PITCH, MAX_PITCH = 0, 127


def place_note(notes: Iterable[Note], new: Note) -> list[Note]:
    """`notes` with `new` added; every other note stays as it is."""
    return place_notes(notes, [new])


def place_notes(notes: Iterable[Note], new_notes: Iterable[Note]) -> list[Note]:
    """`notes` with `new_notes` added (an exact duplicate of a note already there adds nothing)."""
    return sorted(set(notes) | set(new_notes))


def remove_notes(notes: Iterable[Note], targets: Iterable[Note]) -> list[Note]:
    gone = set(targets)
    return [n for n in notes if n not in gone]


def move_notes(notes: Iterable[Note], targets: Iterable[Note], dt: int, dp: int) -> tuple[list[Note], list[Note]]:
    """Shift `targets` by dt ticks and dp semitones, clamped to tick 0 and pitch 0..127.

    Returns (all notes, the moved notes) so a selection can follow its notes.
    """
    targets = sorted(set(targets))
    if not targets:
        return list(notes), []
    dt = max(dt, -min(n.onset for n in targets))
    dp = max(min(dp, MAX_PITCH - max(n.pitch for n in targets)), MIN_PITCH - min(n.pitch for n in targets))
    moved = [replace(n, onset=n.onset + dt, pitch=n.pitch + dp) for n in targets]
    kept = remove_notes(notes, targets)
    return place_notes(kept, moved), moved


def resize_notes(notes: Iterable[Note], targets: Iterable[Note], d_duration: int,
                 min_duration: int = 1) -> tuple[list[Note], list[Note]]:
    """Lengthen or shorten `targets` by d_duration ticks (never below min_duration)."""
    targets = sorted(set(targets))
    resized = [replace(n, duration=max(min_duration, n.duration + d_duration)) for n in targets]
    return place_notes(remove_notes(notes, targets), resized), resized


def set_velocity(notes: Iterable[Note], targets: Iterable[Note], velocity: int) -> tuple[list[Note], list[Note]]:
    velocity = max(1, min(127, int(velocity)))
    targets = set(targets)
    out, changed = [], []
    for note in notes:
        if note in targets:
            note = replace(note, velocity=velocity)
            changed.append(note)
        out.append(note)
    return out, changed


def span(notes: Iterable[Note]) -> tuple[int, int]:
    notes = list(notes)
    if not notes:
        return (0, 0)
    return min(n.onset for n in notes), max(n.end for n in notes)


def to_clipboard(notes: Iterable[Note]) -> list[Note]:
    """Notes relative to the first onset, as copy/cut put them on the clipboard."""
    notes = sorted(notes)
    if not notes:
        return []
    start = notes[0].onset
    return [replace(n, onset=n.onset - start) for n in notes]


def paste(notes: Iterable[Note], clip: Iterable[Note], at: int) -> tuple[list[Note], list[Note]]:
    pasted = [replace(n, onset=n.onset + max(0, at)) for n in clip]
    return place_notes(notes, pasted), pasted


def duplicate(notes: Iterable[Note], targets: Iterable[Note], grid: int) -> tuple[list[Note], list[Note]]:
    """Copy `targets` right after their own span (rounded up to the grid)."""
    targets = sorted(set(targets))
    if not targets:
        return list(notes), []
    start, end = span(targets)
    length = max(grid, -(-(end - start) // grid) * grid)
    copies = [replace(n, onset=n.onset + length) for n in targets]
    return place_notes(notes, copies), copies


def snap(tick: float, grid: int) -> int:
    return int(round(tick / grid)) * grid


def snap_down(tick: float, grid: int) -> int:
    return int(tick // grid) * grid
