"""Playback timing without Qt: ranges, the playhead, MIDI events due, ticks and seconds."""

import pytest

from workbench.domains.melody.notes import TICKS_PER_BEAT, Melody, Note
from workbench.domains.melody.playback import (
    MidiSchedule,
    NoteEvent,
    PlayRange,
    note_events,
    play_range,
    seconds_to_ticks,
    segment,
    ticks_to_seconds,
)

BEAT = TICKS_PER_BEAT


def two_notes(tempo=120.0):
    return Melody(notes=(Note(0, BEAT, 60, 100), Note(BEAT, BEAT, 64, 80)), tempo=tempo)


def test_a_beat_at_120_bpm_is_half_a_second_both_ways():
    assert ticks_to_seconds(BEAT, 120.0) == pytest.approx(0.5)
    assert seconds_to_ticks(0.5, 120.0) == pytest.approx(BEAT)
    assert seconds_to_ticks(ticks_to_seconds(37, 93.0), 93.0) == pytest.approx(37)


def test_segment_clips_and_shifts_the_notes_sounding_in_the_range():
    part = segment(two_notes(), BEAT // 2, BEAT + BEAT // 2)
    assert [(n.onset, n.duration, n.pitch) for n in part.notes] == [(0, BEAT // 2, 60), (BEAT // 2, BEAT // 2, 64)]


def test_play_range_from_the_playhead_from_the_top_or_nothing():
    melody = two_notes()
    assert play_range(melody, 6) == PlayRange(6, 2 * BEAT)
    assert play_range(melody, 10 * BEAT) == PlayRange(0, 2 * BEAT)  # past the end: from the top
    assert play_range(Melody(), 0) is None


def test_a_loop_is_entered_where_the_playhead_is_when_it_is_inside():
    melody = two_notes()
    assert play_range(melody, BEAT + 4, loop=(BEAT, 2 * BEAT)) == PlayRange(BEAT, 2 * BEAT, loop=True, offset=4)
    assert play_range(melody, 0, loop=(BEAT, 2 * BEAT)).offset == 0
    assert play_range(melody, 3, loop=(BEAT, BEAT)) == PlayRange(3, 2 * BEAT)  # an empty loop is no loop


def test_the_playhead_runs_to_the_end_once_or_wraps_in_a_loop():
    once = PlayRange(BEAT, 2 * BEAT)
    assert once.position(5) == (BEAT + 5, False)
    assert once.position(BEAT) == (2 * BEAT, True)
    looped = PlayRange(BEAT, 2 * BEAT, loop=True, offset=4)
    elapsed = looped.elapsed_ticks(ticks_to_seconds(BEAT, 120.0), 120.0)  # one loop later
    assert looped.position(elapsed) == (BEAT + 4, False)


def test_audio_lengths_follow_the_range():
    assert PlayRange(0, BEAT, loop=True).loop_samples(120.0, 44100) == 22050
    assert PlayRange(0, BEAT, offset=BEAT // 2).offset_samples(120.0, 44100) == 11025
    assert PlayRange(0, BEAT).extended_to(1.0, 120.0).end == 2 * BEAT  # the release tail rings on
    assert PlayRange(0, BEAT, loop=True).extended_to(1.0, 120.0).end == BEAT  # a loop keeps its length


def test_note_offs_come_before_note_ons_at_the_same_tick():
    events = note_events(Melody(notes=(Note(0, BEAT, 60), Note(BEAT, BEAT, 60))))
    assert [(e.tick, e.on) for e in events] == [(0, True), (BEAT, False), (BEAT, True), (2 * BEAT, False)]


def test_the_schedule_sends_each_event_once_when_due():
    part = two_notes()
    schedule = MidiSchedule(note_events(part), PlayRange(0, 2 * BEAT))
    assert [(e.on, e.pitch) for e in schedule.due(0)] == [(True, 60)]
    assert schedule.due(BEAT - 1) == []
    assert [(e.on, e.pitch) for e in schedule.due(BEAT)] == [(False, 60), (True, 64)]
    assert schedule.sounding == {64}
    assert schedule.release_all() == [NoteEvent(0, False, 64)] and schedule.sounding == set()


def test_a_wrapping_loop_releases_what_sounds_and_starts_over():
    part = Melody(notes=(Note(0, 2 * BEAT, 60),))  # held past the loop's end
    schedule = MidiSchedule(note_events(segment(part, 0, BEAT)), PlayRange(0, BEAT, loop=True))
    assert [(e.on, e.pitch) for e in schedule.due(1)] == [(True, 60)]
    assert [(e.on, e.pitch) for e in schedule.due(BEAT + 1)] == [(False, 60), (True, 60)]


def test_a_schedule_entered_mid_loop_skips_the_events_before_the_offset():
    schedule = MidiSchedule(note_events(two_notes()), PlayRange(0, 2 * BEAT, loop=True, offset=BEAT))
    assert [(e.on, e.pitch) for e in schedule.due(BEAT)] == [(False, 60), (True, 64)]
