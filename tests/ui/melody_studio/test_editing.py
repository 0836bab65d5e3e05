"""The pure note edits behind every roll gesture (no Qt)."""

from workbench.domains.melody.notes import Melody, Note, top_voice
from workbench.ui.melody_studio.piano_roll import editing


def test_place_note_keeps_every_note_it_overlaps():
    notes = [Note(0, 12, 60), Note(12, 3, 62), Note(18, 6, 64)]
    out = editing.place_note(notes, Note(6, 12, 70))
    assert out == sorted(notes + [Note(6, 12, 70)])
    assert editing.place_note(out, Note(6, 12, 70)) == out  # an exact duplicate merges


def test_move_clamps_to_tick_zero_and_pitch_range():
    notes = [Note(3, 3, 126), Note(6, 3, 60)]
    out, moved = editing.move_notes(notes, [notes[0]], -10, 5)
    assert moved == [Note(0, 3, 127)]
    assert out == [Note(0, 3, 127), Note(6, 3, 60)]


def test_resize_of_several_notes_keeps_both_and_their_selection():
    notes = [Note(0, 3, 60), Note(3, 3, 62)]
    out, selected = editing.resize_notes(notes, notes, 6)
    assert out == [Note(0, 9, 60), Note(3, 9, 62)]
    assert selected == out


def test_move_never_removes_a_note_it_lands_on():
    notes = [Note(0, 6, 60), Note(6, 6, 73), Note(12, 6, 62)]
    out, moved = editing.move_notes(notes, [notes[0]], 6, 13)  # onto the note 13 semitones up
    assert moved == [Note(6, 6, 73)] and out == [Note(6, 6, 73), Note(12, 6, 62)]  # identical: merged
    out, moved = editing.move_notes(notes, [notes[0]], 6, 1)
    assert len(out) == 3 and Note(6, 6, 73) in out


def test_top_voice_is_the_midi_readers_rule():
    chord = Melody(notes=(Note(0, 12, 60), Note(0, 12, 64), Note(0, 12, 67), Note(6, 6, 72)))
    assert not chord.is_monophonic
    line = top_voice(chord.notes)
    assert line.notes == (Note(0, 6, 67), Note(6, 6, 72))
    assert (line.below_top, line.shortened) == (2, 1)
    assert chord.top_voice().is_monophonic and chord.length_ticks == 12


def test_duplicate_places_copies_after_the_span_on_the_grid():
    notes = [Note(0, 3, 60), Note(3, 2, 62)]
    out, copies = editing.duplicate(notes, notes, 3)
    assert copies == [Note(6, 3, 60), Note(9, 2, 62)]
    assert len(out) == 4


def test_clipboard_round_trip_pastes_at_a_position():
    clip = editing.to_clipboard([Note(12, 3, 60), Note(15, 3, 64)])
    assert clip[0].onset == 0
    out, pasted = editing.paste([Note(0, 3, 50)], clip, 24)
    assert pasted == [Note(24, 3, 60), Note(27, 3, 64)]
    assert len(out) == 3
