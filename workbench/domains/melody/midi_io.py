"""MIDI files in and out with mido. No torch.

Reading reduces any file to one monophonic Melody by this rule (the "skyline of
the busiest voice"):

1. Notes on the drum channel (MIDI channel 10, index 9) are ignored.
2. Notes are grouped into voices by (track, channel); a type-0 file's single
   track is split by channel. The voice with the most notes is kept (ties: the
   earliest track, then the lowest channel); the other voices are dropped.
3. Note-on with velocity 0 counts as note-off. A note re-struck before its
   note-off ends the sounding one; a note never switched off ends at the last
   event of its track (at least one beat long).
4. Times are quantized to the melody grid (TICKS_PER_BEAT per quarter note).
   Of notes starting at the same tick only the highest is kept (chords ->
   top voice); a note still sounding when the next one starts is shortened to
   end there.
5. The first tempo, time signature and key signature are used; later changes
   are reported. Tempos outside MIN_BPM..MAX_BPM are clamped and reported.
6. Melodies longer than MAX_BARS bars are cut and reported.

Everything dropped or changed is listed in the report returned with the melody.
Files larger than MAX_FILE_BYTES are refused before parsing.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from workbench.domains.melody.notes import PITCH_NAMES, TICKS_PER_BEAT, Melody, Note, top_voice
from workbench.meta.errors import DataError

MAX_FILE_BYTES = 4 * 1024 * 1024  # melody MIDI files are kilobytes; refuse huge ones unparsed
MAX_BARS = 64
MIN_BPM, MAX_BPM = 20.0, 400.0
DRUM_CHANNEL = 9
EXPORT_TICKS_PER_BEAT = 480
MAJOR_KEYS = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MINOR_KEYS = ("Cm", "C#m", "Dm", "Ebm", "Em", "Fm", "F#m", "Gm", "G#m", "Am", "Bbm", "Bm")
_NOTE_INDEX = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def read_midi(path, max_bars: int = MAX_BARS, chords: bool = False) -> tuple[Melody, list[str]]:
    """Read a MIDI file as one melody; returns the melody and a report of what was dropped.

    chords=True keeps every note of the chosen voice (rule 4's top-voice step is skipped), for
    the piano roll, which edits clips with chords; the model reads their top voice later.
    Raises DataError naming the file for anything that is not a usable MIDI melody.
    """
    import mido

    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DataError(f"{name}: cannot read the file ({exc.strerror or exc})") from exc
    if not path.is_file():  # a FIFO or device would block the reader for ever
        raise DataError(f"{name}: not a regular file (a folder, pipe or device), so it was not read")
    if size > MAX_FILE_BYTES:
        raise DataError(
            f"{name}: file is {size / 1e6:.1f} MB; melody MIDI files are expected under "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB, so it was not read"
        )
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise DataError(f"{name}: cannot read the file ({exc.strerror or exc})") from exc
    if magic != b"MThd":
        raise DataError(f"{name}: not a MIDI file (it does not start with the 'MThd' header)")
    try:
        midi = mido.MidiFile(str(path), clip=True)
    except (EOFError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        detail = str(exc) or ("the file ends early" if isinstance(exc, EOFError) else type(exc).__name__)
        raise DataError(f"{name}: truncated or corrupt MIDI file ({detail})") from exc
    if midi.ticks_per_beat <= 0:
        raise DataError(f"{name}: corrupt MIDI header (ticks per beat is {midi.ticks_per_beat})")
    return _melody_from_midi(midi, path, max_bars, chords)


def _melody_from_midi(midi, path: Path, max_bars: int, chords: bool = False) -> tuple[Melody, list[str]]:
    name = path.name
    report: list[str] = []
    scale = TICKS_PER_BEAT / midi.ticks_per_beat
    tempos, signatures, keys, track_names = [], [], [], {}
    voices: dict[tuple[int, int], list[tuple[int, int, int, int]]] = defaultdict(list)  # onset, end, pitch, vel
    drum_notes = unterminated = restruck = 0
    if midi.type == 2:
        report.append("type-2 file (independent patterns): tracks read as if played together")
    for index, track in enumerate(midi.tracks):
        now = 0
        sounding: dict[tuple[int, int], tuple[int, int]] = {}  # (channel, pitch) -> onset, velocity
        for message in track:
            now += message.time
            kind = message.type
            if kind == "set_tempo":
                tempos.append((now * scale, message.tempo))
            elif kind == "time_signature":
                signatures.append((now * scale, message.numerator, message.denominator))
            elif kind == "key_signature":
                keys.append(message.key)
            elif kind == "track_name" and index not in track_names and message.name.strip():
                track_names[index] = message.name.strip()
            elif kind in ("note_on", "note_off"):
                if message.channel == DRUM_CHANNEL:
                    drum_notes += kind == "note_on" and message.velocity > 0
                    continue
                key = (message.channel, message.note)
                if key in sounding:
                    onset, velocity = sounding.pop(key)
                    voices[(index, message.channel)].append((onset, now, message.note, velocity))
                    if kind == "note_on" and message.velocity > 0:
                        restruck += 1
                if kind == "note_on" and message.velocity > 0:
                    sounding[key] = (now, message.velocity)
        for (channel, pitch), (onset, velocity) in sounding.items():
            unterminated += 1
            end = max(now, onset + midi.ticks_per_beat)
            voices[(index, channel)].append((onset, end, pitch, velocity))
    if drum_notes:
        report.append(f"ignored {drum_notes} notes on the drum channel (10)")
    if not voices:
        if drum_notes:
            raise DataError(f"{name}: only drum-channel notes, no melody to read")
        raise DataError(f"{name}: the file contains no notes")
    if restruck:
        report.append(f"{restruck} notes were struck again before their note-off; the first was ended there")
    if unterminated:
        report.append(f"{unterminated} notes had no note-off; they were ended at the end of their track")

    chosen = max(voices, key=lambda v: (len(voices[v]), -v[0], -v[1]))
    others = [(v, len(voices[v])) for v in voices if v != chosen]
    if others:
        dropped = sum(count for _, count in others)
        labels = ", ".join(_voice_label(v, track_names) for v, _ in others[:4]) + (" ..." if len(others) > 4 else "")
        report.append(
            f"kept the busiest voice ({_voice_label(chosen, track_names)}, {len(voices[chosen])} notes); "
            f"dropped {dropped} notes of {len(others)} other voices ({labels})"
        )
    notes, chord_notes, shortened = _skyline(voices[chosen], scale, keep_all=chords)
    if chord_notes:
        report.append(f"dropped {chord_notes} notes below the top voice of chords")
    if shortened:
        report.append(f"shortened {shortened} overlapping notes to make the line monophonic")

    tempo = _first_tempo(tempos, report)
    beats, unit = _first_signature(signatures, report)
    key, mode = _key(keys, report)
    melody = Melody(
        notes=tuple(notes), tempo=tempo, beats_per_bar=beats, beat_unit=unit, key=key, mode=mode,
        name=track_names.get(0) or path.stem,
    )
    if melody.bars > max_bars:
        limit = max_bars * melody.ticks_per_bar
        kept = [n for n in melody.notes if n.onset < limit]
        kept = [n if n.end <= limit else Note(n.onset, limit - n.onset, n.pitch, n.velocity) for n in kept]
        report.append(f"the melody has {melody.bars} bars; kept the first {max_bars} ({len(kept)} of {len(notes)} notes)")
        melody = melody.with_notes(kept)
    return melody, report


def _skyline(raw, scale, keep_all: bool = False) -> tuple[list[Note], int, int]:
    """Quantize one voice to the grid, then keep its top voice (notes.top_voice, the rule the model reads by);
    keep_all keeps every note (exact duplicates merge)."""
    quantized = []
    for onset, end, pitch, velocity in raw:
        q_onset = round(onset * scale)
        q_end = max(q_onset + 1, round(end * scale))
        quantized.append(Note(q_onset, q_end - q_onset, pitch, max(1, min(127, velocity))))
    if keep_all:
        return sorted(set(quantized)), 0, 0
    line = top_voice(quantized)
    return list(line.notes), line.below_top, line.shortened


def _voice_label(voice: tuple[int, int], names: dict[int, str]) -> str:
    track, channel = voice
    label = f"track {track + 1}"
    if track in names:
        label += f" '{names[track]}'"
    return f"{label} channel {channel + 1}"


def _first_tempo(tempos, report) -> float:
    if not tempos:
        return 120.0
    tempos.sort(key=lambda t: t[0])
    bpm = round(60_000_000 / tempos[0][1], 2) if tempos[0][1] > 0 else 0.0
    if len({t for _, t in tempos}) > 1:
        report.append(f"{len(tempos) - 1} tempo changes ignored; the melody plays at the first tempo ({bpm:g} bpm)")
    if not MIN_BPM <= bpm <= MAX_BPM:
        clamped = min(MAX_BPM, max(MIN_BPM, bpm))
        report.append(f"tempo {bpm:g} bpm is outside {MIN_BPM:g}-{MAX_BPM:g}; using {clamped:g} bpm")
        bpm = clamped
    return bpm


def _first_signature(signatures, report) -> tuple[int, int]:
    if not signatures:
        return 4, 4
    signatures.sort(key=lambda s: s[0])
    _, beats, unit = signatures[0]
    if len({(b, u) for _, b, u in signatures}) > 1:
        report.append(f"time signature changes ignored; the melody keeps {beats}/{unit}")
    if beats < 1 or beats > 32 or unit not in (1, 2, 4, 8, 16, 32):
        report.append(f"unusable time signature {beats}/{unit}; using 4/4")
        return 4, 4
    if (beats * TICKS_PER_BEAT * 4) % unit:
        report.append(f"time signature {beats}/{unit} does not fit the {TICKS_PER_BEAT}-per-beat grid; using 4/4")
        return 4, 4
    return beats, unit


def _key(keys, report) -> tuple[int | None, str | None]:
    if not keys:
        return None, None
    text = keys[0]
    if len(set(keys)) > 1:
        report.append(f"key changes ignored; the melody keeps {text}")
    minor = text.endswith("m")
    root = text[:-1] if minor else text
    pitch = _NOTE_INDEX.get(root[:1])
    if pitch is None:
        return None, None
    pitch += root.count("#") - root.count("b")
    return pitch % 12, "minor" if minor else "major"


def key_signature_name(key: int, mode: str | None) -> str:
    return (MINOR_KEYS if mode == "minor" else MAJOR_KEYS)[key % 12]


def write_midi(melody: Melody, path, program: int | None = None) -> None:
    """Write a type-1 file: a conductor track (name, tempo, time and key signature, and a text
    event with melody.meta["text"] when set: which model and seed made it) and a melody track.

    program is the General MIDI program (0-127) of the melody track; default
    melody.meta["program"] or 0 (acoustic grand piano). Written atomically.
    """
    path = Path(path)
    data = midi_bytes(melody, program, default_name=path.stem)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise DataError(f"{path}: cannot write the MIDI file ({exc.strerror or exc})") from exc


def midi_bytes(melody: Melody, program: int | None = None, default_name: str = "melody") -> bytes:
    """The bytes write_midi writes (a project file stores them without a file per melody)."""
    import io

    import mido

    program = melody.meta.get("program", 0) if program is None else program
    factor = EXPORT_TICKS_PER_BEAT // TICKS_PER_BEAT
    midi = mido.MidiFile(type=1, ticks_per_beat=EXPORT_TICKS_PER_BEAT)
    conductor = mido.MidiTrack()
    conductor.append(mido.MetaMessage("track_name", name=melody.name or default_name, time=0))
    if melody.meta.get("text"):
        conductor.append(mido.MetaMessage("text", text=str(melody.meta["text"]), time=0))
    conductor.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(melody.tempo), time=0))
    conductor.append(mido.MetaMessage(
        "time_signature", numerator=melody.beats_per_bar, denominator=melody.beat_unit, time=0,
    ))
    if melody.key is not None:
        conductor.append(mido.MetaMessage("key_signature", key=key_signature_name(melody.key, melody.mode), time=0))
    conductor.append(mido.MetaMessage("end_of_track", time=0))
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name="Melody", time=0))
    track.append(mido.Message("program_change", channel=0, program=int(program), time=0))
    events = []
    for note in melody.notes:
        events.append((note.onset * factor, 1, note.pitch, note.velocity))
        events.append((note.end * factor, 0, note.pitch, 0))
    events.sort()  # at equal times the note-off (0) goes before the next note-on (1)
    now = 0
    for time, on, pitch, velocity in events:
        kind = "note_on" if on else "note_off"
        track.append(mido.Message(kind, channel=0, note=pitch, velocity=velocity if on else 0, time=time - now))
        now = time
    track.append(mido.MetaMessage("end_of_track", time=0))
    midi.tracks.extend([conductor, track])
    buffer = io.BytesIO()
    midi.save(file=buffer)
    return buffer.getvalue()


def describe_key(key: int | None, mode: str | None) -> str:
    if key is None:
        return "unknown key"
    return f"{PITCH_NAMES[key]} {mode or ''}".strip()
