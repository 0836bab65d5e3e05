import struct

import mido
import pytest

from workbench.domains.melody import api, midi_io
from workbench.domains.melody.notes import TICKS_PER_BEAT as B
from workbench.domains.melody.notes import Melody, Note
from workbench.meta.errors import DataError

TPB = 480


def save(path, tracks, type_=1, tpb=TPB):
    midi = mido.MidiFile(type=type_, ticks_per_beat=tpb)
    for messages in tracks:
        track = mido.MidiTrack()
        track.extend(messages)
        midi.tracks.append(track)
    midi.save(str(path))
    return path


def on(note, time=0, velocity=90, channel=0):
    return mido.Message("note_on", note=note, velocity=velocity, time=time, channel=channel)


def off(note, time=0, channel=0):
    return mido.Message("note_off", note=note, velocity=0, time=time, channel=channel)


def scale_notes(pitches, channel=0, length=TPB):
    messages = []
    for p in pitches:
        messages += [on(p, channel=channel), off(p, time=length, channel=channel)]
    return messages


def test_round_trip_type1_with_tempo_signature_name_program(tmp_path):
    melody = Melody(
        notes=(Note(0, 6, 60, 80), Note(6, 6, 62), Note(12, 12, 64, 100), Note(30, 2, 67), Note(32, 4, 69),
               Note(36, 24, 72, 127)),
        tempo=113.0, beats_per_bar=6, beat_unit=8, key=9, mode="minor", name="Round trip",
    )
    path = tmp_path / "x.mid"
    api.write_midi(melody, path)
    back, report = api.read_midi(path)
    assert back == melody
    assert report == []
    midi = mido.MidiFile(str(path))
    assert midi.type == 1
    kinds = {m.type for track in midi.tracks for m in track}
    assert {"set_tempo", "time_signature", "track_name", "program_change", "key_signature"} <= kinds


def test_empty_melody_name_becomes_file_stem(tmp_path):
    path = tmp_path / "stem.mid"
    api.write_midi(Melody(notes=(Note(0, 12, 60),)), path)
    assert api.read_midi(path)[0].name == "stem"


def test_type0_running_status_and_velocity_zero_note_off(tmp_path):
    # hand-written bytes: the second and later events use running status (no status byte)
    events = bytes([
        0x00, 0x90, 60, 100,   # note on C4
        0x83, 0x60, 60, 0,     # 480 ticks later: running status, velocity 0 = note off
        0x00, 62, 90,          # running status note on D4
        0x83, 0x60, 62, 0,
        0x00, 0xFF, 0x2F, 0x00,
    ])
    data = b"MThd" + struct.pack(">IHHH", 6, 0, 1, TPB) + b"MTrk" + struct.pack(">I", len(events)) + events
    path = tmp_path / "running.mid"
    path.write_bytes(data)
    melody, report = api.read_midi(path)
    assert [(n.onset, n.duration, n.pitch) for n in melody.notes] == [(0, B, 60), (B, B, 62)]
    assert melody.notes[0].velocity == 100


def test_type0_channels_are_voices_and_busiest_is_kept(tmp_path):
    messages = scale_notes([40, 41], channel=1) + scale_notes([60, 62, 64, 65], channel=0)
    path = save(tmp_path / "t0.mid", [messages], type_=0)
    melody, report = api.read_midi(path)
    assert [n.pitch for n in melody.notes] == [60, 62, 64, 65]
    assert any("dropped 2 notes" in line for line in report)


def test_reduction_rule_busiest_track_then_top_of_chords(tmp_path):
    bass = scale_notes([36, 38])
    lead = [on(60), on(64), on(67), off(60, TPB), off(64), off(67), on(62), off(62, TPB), on(65), off(65, TPB)]
    path = save(tmp_path / "multi.mid", [[mido.MetaMessage("track_name", name="Song")], bass, lead])
    melody, report = api.read_midi(path)
    assert [n.pitch for n in melody.notes] == [67, 62, 65]
    assert melody.name == "Song"
    assert any("dropped 2 notes below the top voice" in line for line in report)
    assert any("track 2" in line and "dropped 2 notes" in line for line in report)


def test_overlapping_notes_are_shortened_and_restrikes_ended(tmp_path):
    lead = [on(60), on(62, TPB // 2), off(60, TPB // 2), off(62, TPB // 2), on(64), on(64, TPB), off(64, TPB)]
    path = save(tmp_path / "overlap.mid", [lead])
    melody, report = api.read_midi(path)
    assert [(n.onset, n.duration, n.pitch) for n in melody.notes] == [
        (0, B // 2, 60), (B // 2, B, 62), (3 * B // 2, B, 64), (5 * B // 2, B, 64)]
    assert any("shortened 1" in line for line in report)
    assert any("struck again" in line for line in report)


def test_unterminated_notes_end_at_track_end(tmp_path):
    lead = [on(60), off(60, TPB), on(62), mido.MetaMessage("marker", text="end", time=2 * TPB)]
    path = save(tmp_path / "open.mid", [lead])
    melody, report = api.read_midi(path)
    assert melody.notes[-1].pitch == 62 and melody.notes[-1].duration == 2 * B
    assert any("no note-off" in line for line in report)


def test_tempo_and_signature_changes_are_reported(tmp_path):
    conductor = [
        mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(90)),
        mido.MetaMessage("time_signature", numerator=3, denominator=4),
        mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(140), time=TPB * 3),
        mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0),
    ]
    path = save(tmp_path / "changes.mid", [conductor, scale_notes([60, 62, 64, 65])])
    melody, report = api.read_midi(path)
    assert melody.tempo == 90.0 and (melody.beats_per_bar, melody.beat_unit) == (3, 4)
    assert any("tempo changes ignored" in line for line in report)
    assert any("time signature changes ignored" in line for line in report)


def test_absurd_tempo_is_clamped_and_reported(tmp_path):
    path = save(tmp_path / "fast.mid", [[mido.MetaMessage("set_tempo", tempo=1000)] + scale_notes([60, 62])])
    melody, report = api.read_midi(path)
    assert melody.tempo == midi_io.MAX_BPM
    assert any("outside" in line for line in report)


def test_drum_channel_ignored(tmp_path):
    path = save(tmp_path / "drums.mid", [scale_notes([36, 38, 42, 36, 38], channel=9) + scale_notes([60, 62])])
    melody, report = api.read_midi(path)
    assert [n.pitch for n in melody.notes] == [60, 62]
    assert any("drum" in line for line in report)


def test_only_drums_is_an_error_naming_the_file(tmp_path):
    path = save(tmp_path / "beat.mid", [scale_notes([36, 38], channel=9)])
    with pytest.raises(DataError, match="beat.mid.*only drum"):
        api.read_midi(path)


def test_no_notes_is_an_error(tmp_path):
    path = save(tmp_path / "empty.mid", [[mido.MetaMessage("track_name", name="nothing")]])
    with pytest.raises(DataError, match="empty.mid.*no notes"):
        api.read_midi(path)


def test_non_midi_file(tmp_path):
    path = tmp_path / "notes.mid"
    path.write_text("this is not a MIDI file")
    with pytest.raises(DataError, match="notes.mid.*not a MIDI file"):
        api.read_midi(path)


def test_truncated_file(tmp_path):
    good = save(tmp_path / "good.mid", [scale_notes([60, 62, 64, 65, 67])])
    path = tmp_path / "cut.mid"
    path.write_bytes(good.read_bytes()[:30])
    with pytest.raises(DataError, match="cut.mid.*truncated or corrupt"):
        api.read_midi(path)


def test_huge_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.mid"
    with open(path, "wb") as handle:
        handle.write(b"MThd")
        handle.truncate(50_000_000)  # sparse: 50 MB on paper
    with pytest.raises(DataError, match=r"huge.mid.*50\.\d MB"):
        api.read_midi(path)


def test_too_long_melody_is_capped_and_reported(tmp_path):
    path = save(tmp_path / "long.mid", [scale_notes([60 + i % 12 for i in range(4 * 100)])])
    melody, report = api.read_midi(path)
    assert melody.bars == midi_io.MAX_BARS
    assert any("kept the first 64" in line for line in report)


def test_read_midis_keeps_the_good_ones(tmp_path):
    good = save(tmp_path / "good.mid", [scale_notes([60, 62])])
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"garbage")
    melodies, errors, _reports = api.read_midis([good, bad, tmp_path / "missing.mid"])
    assert len(melodies) == 1 and len(errors) == 2
    assert "bad.mid" in errors[0] and "missing.mid" in errors[1]


def test_a_clip_with_chords_exports_every_note_and_reads_back_as_its_top_voice(tmp_path):
    clip = Melody(notes=(Note(0, 2 * B, 60), Note(0, 2 * B, 64), Note(B, B, 72)))
    path = tmp_path / "chords.mid"
    midi_io.write_midi(clip, path)
    starts = [m.note for m in mido.MidiFile(str(path)).tracks[1] if m.type == "note_on" and m.velocity]
    assert sorted(starts) == [60, 64, 72]
    melody, report = midi_io.read_midi(path)
    assert melody.notes == clip.top_voice().notes == (Note(0, B, 64), Note(B, B, 72))
    assert any("below the top voice" in line for line in report)
