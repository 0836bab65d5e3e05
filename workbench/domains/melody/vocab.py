"""Tokenization of melodies into note events for the model. numpy only, no torch.

A melody becomes a sequence of events on a 16th-note grid, one per note or
rest. Each event is a row of EVENT_FIELDS integers:

  pitch     0 = rest, 1..N_PITCHED = MIDI MIN_PITCH..MAX_PITCH (a melody whose median lies
            outside C3..C6 is first moved by whole octaves; single outliers are folded)
  duration  0..N_DURATIONS-1 = 1..16 sixteenths (longer notes are capped at a whole 4/4 bar)
  position  onset within the bar in 16ths, 0..N_POSITIONS-1
  metre     index into METRES (last index = any other metre)
  valid     1 for a real event, 0 for padding
  phrase    the event's bar within its 8-bar strain, 0..N_PHRASE_BARS-1, counted from the first
            full bar (a pickup bar counts as the strain's last bar), so the model knows where
            phrases begin and end

Gaps between notes become rest events (split into pieces of at most 16
sixteenths). Notes are quantized to the 16th grid, so triplets are rounded:
the grid the model sees is coarser than Melody's tick grid on purpose (it
keeps the vocabulary small).
"""

from __future__ import annotations

import numpy as np

from workbench.domains.melody.notes import SIXTEENTH, Melody, Note

MIN_PITCH, MAX_PITCH = 36, 96
N_PITCHED = MAX_PITCH - MIN_PITCH + 1
N_PITCH_TOKENS = N_PITCHED + 1  # + rest
REST = 0
N_DURATIONS = 16
N_POSITIONS = 32
METRES = ((4, 4), (2, 4), (3, 4), (6, 8), (9, 8), (12, 8), (2, 2), (3, 8))
N_METRES = len(METRES) + 1
N_PHRASE_BARS = 8
EVENT_FIELDS = 6
PITCH, DURATION, POSITION, METRE, VALID, PHRASE = range(EVENT_FIELDS)


def metre_index(beats_per_bar: int, beat_unit: int) -> int:
    try:
        return METRES.index((beats_per_bar, beat_unit))
    except ValueError:
        return len(METRES)


def bar_sixteenths(melody: Melody) -> int:
    return max(1, melody.ticks_per_bar // SIXTEENTH)


def pitch_token(pitch: int) -> int:
    while pitch < MIN_PITCH:
        pitch += 12
    while pitch > MAX_PITCH:
        pitch -= 12
    return pitch - MIN_PITCH + 1


def register_shift(pitches) -> int:
    """Whole octaves that move a melody's median pitch into C3..C6, so a melody far outside the
    model's range is moved as a unit (keeping its contour) instead of note by note."""
    if not len(pitches):
        return 0
    median = float(np.median(pitches))
    shift = 0
    while median + shift < 48:
        shift += 12
    while median + shift > 84:
        shift -= 12
    return shift


def token_pitch(token: int) -> int:
    return int(token) - 1 + MIN_PITCH


def phrase_origin(melody: Melody) -> int:
    """The first full bar (in 16ths from the start): a melody that opens with a pickup starts its
    first phrase at the next barline."""
    if not melody.notes:
        return 0
    bar = bar_sixteenths(melody)
    first = round(melody.notes[0].onset / SIXTEENTH)
    return first if first % bar == 0 else (first // bar + 1) * bar


def phrase_bar(onset: int, bar: int, origin: int) -> int:
    return ((onset - origin) // bar) % N_PHRASE_BARS


def encode(melody: Melody) -> np.ndarray:
    """Melody -> int64 events [L, EVENT_FIELDS] (no padding)."""
    bar = bar_sixteenths(melody)
    origin = phrase_origin(melody)
    metre = metre_index(melody.beats_per_bar, melody.beat_unit)
    shift = register_shift([n.pitch for n in melody.notes])
    rows: list[tuple[int, int, int, int, int, int]] = []
    cursor = None
    for note in melody.notes:
        onset = round(note.onset / SIXTEENTH)
        end = max(onset + 1, round(note.end / SIXTEENTH))
        if cursor is not None and onset < cursor:  # two notes on one 16th after rounding
            onset = cursor
            if end <= onset:
                continue
        if cursor is not None:
            while cursor < onset:
                length = min(N_DURATIONS, onset - cursor)
                rows.append((REST, length - 1, cursor % bar % N_POSITIONS, metre, 1, phrase_bar(cursor, bar, origin)))
                cursor += length
        length = min(N_DURATIONS, end - onset)
        rows.append((pitch_token(note.pitch + shift), length - 1, onset % bar % N_POSITIONS, metre, 1,
                     phrase_bar(onset, bar, origin)))
        cursor = onset + length
    return np.array(rows, dtype=np.int64).reshape(-1, EVENT_FIELDS)


def onsets_of(events: np.ndarray, start: int = 0) -> np.ndarray:
    """Onset in 16ths of each event, from the first event's bar position onward."""
    durations = events[:, DURATION] + 1
    return start + np.concatenate([[0], np.cumsum(durations)[:-1]]) if len(events) else np.zeros(0, np.int64)


def decode(events: np.ndarray, template: Melody, start_sixteenth: int = 0, velocity: int = 90) -> Melody:
    """Valid events -> a Melody with the template's tempo, metre, key and name; rests become gaps."""
    events = events[events[:, VALID] == 1] if len(events) else events
    notes = []
    for row, onset in zip(events, onsets_of(events, start_sixteenth)):
        if row[PITCH] == REST:
            continue
        notes.append(Note(int(onset) * SIXTEENTH, (int(row[DURATION]) + 1) * SIXTEENTH, token_pitch(row[PITCH]), velocity))
    return template.with_notes(notes)


def segments(melody: Melody, bars: int, max_events: int) -> list[np.ndarray]:
    """Non-overlapping windows of `bars` bars from the first full bar on (a pickup bar is left out),
    each padded/cut to [max_events, EVENT_FIELDS]."""
    events = encode(melody)
    if not len(events):
        return []
    bar = bar_sixteenths(melody)
    first = round(melody.notes[0].onset / SIXTEENTH)
    starts = onsets_of(events, first)
    bar_index = starts // bar
    out = []
    for begin in range(phrase_origin(melody) // bar, int(bar_index[-1]) + 1, bars):
        chosen = events[(bar_index >= begin) & (bar_index < begin + bars)]
        # drop rests at the start of a window: a window begins with a note
        while len(chosen) and chosen[0, PITCH] == REST:
            chosen = chosen[1:]
        if len(chosen) >= 4:
            out.append(pad(chosen, max_events))
    return out


def pad(events: np.ndarray, length: int) -> np.ndarray:
    out = np.zeros((length, EVENT_FIELDS), dtype=np.int64)
    count = min(length, len(events))
    out[:count] = events[:count]
    if count < length and count:
        out[count:, METRE] = events[0, METRE]
    return out
