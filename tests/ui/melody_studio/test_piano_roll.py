"""The piano roll driven by real mouse and key events: draw, move, resize, delete, undo, redo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from workbench.domains.melody.notes import TICKS_PER_BEAT, Melody, Note
from workbench.ui.melody_studio.piano_roll import PianoRollEditor
from workbench.ui.melody_studio.piano_roll.tools import Tool

K = TICKS_PER_BEAT // 12  # the tick numbers below are in twelfths of a beat

LEFT = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def editor(qtbot):
    widget = PianoRollEditor()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    widget.view.center_on_pitch(62)
    return widget


def at(editor, tick: float, pitch: int) -> QPoint:
    """Viewport point in the middle of the row of `pitch`, at `tick`."""
    g = editor.geometry
    return editor.view.mapFromScene(QPointF(g.x(tick), g.y(pitch) + g.row_height / 2))


def drag(qtbot, widget, start: QPoint, end: QPoint, modifier=NO_MOD, steps: int = 4):
    qtbot.mousePress(widget, LEFT, modifier, start)
    for i in range(1, steps + 1):
        pos = start + (end - start) * (i / steps)
        if modifier == NO_MOD:
            qtbot.mouseMove(widget, pos)
        else:  # QTest cannot hold a modifier during a move: send the event a held key would give
            event = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), QPointF(widget.mapToGlobal(pos)),
                                Qt.MouseButton.NoButton, LEFT, modifier)
            QApplication.sendEvent(widget, event)
    qtbot.mouseRelease(widget, LEFT, modifier, end)


def test_click_draws_a_note_one_grid_step_long_and_undo_redo(qtbot, editor):
    port = editor.view.viewport()
    qtbot.mouseClick(port, LEFT, NO_MOD, at(editor, 13 * K, 62))   # 1/16 grid: snaps down to 12
    assert editor.melody.notes == (Note(12 * K, 3 * K, 62, 90),)
    editor.set_grid("1/8T")
    qtbot.mouseClick(port, LEFT, NO_MOD, at(editor, 25 * K, 64))
    assert editor.melody.notes[-1] == Note(24 * K, 4 * K, 64, 90)
    qtbot.keyClick(editor.view, Qt.Key.Key_Z, CTRL)
    assert editor.melody.notes == (Note(12 * K, 3 * K, 62, 90),)
    qtbot.keyClick(editor.view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert len(editor.melody.notes) == 2
    editor.set_grid("1/32")  # straight 32nds fit the grid too
    qtbot.mouseClick(port, LEFT, NO_MOD, at(editor, 36 * K + 1, 66))
    assert editor.melody.notes[-1] == Note(36 * K, TICKS_PER_BEAT // 8, 66, 90)


def test_drag_after_click_draws_a_longer_note_in_one_undo_step(qtbot, editor):
    port = editor.view.viewport()
    drag(qtbot, port, at(editor, 1 * K, 60), at(editor, 11 * K, 60))
    assert editor.melody.notes == (Note(0, 12 * K, 60, 90),)
    assert editor.model.undo_stack.count() == 1


def test_move_transpose_resize_delete_with_undo_and_redo(qtbot, editor):
    port = editor.view.viewport()
    qtbot.mouseClick(port, LEFT, NO_MOD, at(editor, 1 * K, 60))
    note = editor.melody.notes[0]
    assert note == Note(0, 3 * K, 60, 90)

    drag(qtbot, port, at(editor, 1 * K, 60), at(editor, (1 + 12) * K, 62))  # one beat later, two semitones up
    assert editor.melody.notes == (Note(12 * K, 3 * K, 62, 90),)

    rect = editor.view.note_rect(editor.melody.notes[0])
    edge = editor.view.mapFromScene(QPointF(rect.right() - 1, rect.center().y()))
    drag(qtbot, port, edge, edge + QPoint(int(editor.geometry.x(9 * K)), 0))  # lengthen by 9 twelfths
    assert editor.melody.notes == (Note(12 * K, 12 * K, 62, 90),)

    qtbot.mouseClick(port, LEFT, NO_MOD, at(editor, 14 * K, 62))  # click selects it
    qtbot.keyClick(editor.view, Qt.Key.Key_Delete)
    assert editor.melody.notes == ()

    stack = editor.model.undo_stack
    assert [stack.text(i) for i in range(stack.count())] == [
        "Add note", "Move notes", "Resize notes", "Delete notes"]
    for expected in ((Note(12 * K, 12 * K, 62, 90),), (Note(12 * K, 3 * K, 62, 90),), (Note(0, 3 * K, 60, 90),), ()):
        qtbot.keyClick(editor.view, Qt.Key.Key_Z, CTRL)
        assert editor.melody.notes == expected
    for expected in ((Note(0, 3 * K, 60, 90),), (Note(12 * K, 3 * K, 62, 90),), (Note(12 * K, 12 * K, 62, 90),), ()):
        qtbot.keyClick(editor.view, Qt.Key.Key_Z, CTRL | SHIFT)
        assert editor.melody.notes == expected


def test_drawing_over_a_sounding_note_keeps_it_and_marks_what_the_model_reads(qtbot, editor):
    g4 = Note(0, 24 * K, 67)
    editor.open_melody(Melody(notes=(g4,)))
    editor.view.center_on_pitch(76)
    qtbot.mouseClick(editor.view.viewport(), LEFT, NO_MOD, at(editor, 13 * K, 84))  # C6 while G4 sounds
    c6 = Note(12 * K, 3 * K, 84, 90)
    assert editor.melody.notes == (g4, c6)
    assert editor.model.read_by_model() == {g4, c6}  # the top voice: G4 up to C6, then C6
    qtbot.mouseClick(editor.view.viewport(), LEFT, NO_MOD, at(editor, 1 * K, 60))  # a C4 under G4: a chord
    c4 = Note(0, 3 * K, 60, 90)
    assert editor.melody.notes == (c4, g4, c6)
    assert editor.model.read_by_model() == {g4, c6}
    assert not editor.view._items[c4].is_read_by_model and editor.view._items[g4].is_read_by_model
    assert editor.voice_label.isVisible() and "2 of 3" in editor.voice_label.text()


def test_lengthening_a_note_keeps_the_next_one(qtbot, editor):
    first, second = Note(0, 6 * K, 60), Note(6 * K, 6 * K, 62)
    editor.open_melody(Melody(notes=(first, second)))
    rect = editor.view.note_rect(first)
    edge = editor.view.mapFromScene(QPointF(rect.right() - 1, rect.center().y()))
    drag(qtbot, editor.view.viewport(), edge, edge + QPoint(int(editor.geometry.x(12 * K)), 0))
    assert editor.melody.notes == (Note(0, 18 * K, 60), second)


def test_nudging_a_selection_keeps_other_notes(qtbot, editor):
    low, far = Note(0, 6 * K, 60), Note(6 * K, 6 * K, 73)
    editor.open_melody(Melody(notes=(low, far)))
    editor.model.set_selection([low])
    qtbot.keyClick(editor.view, Qt.Key.Key_Right)
    qtbot.keyClick(editor.view, Qt.Key.Key_Up, SHIFT)  # an octave up: next to the note 13 semitones away
    assert len(editor.melody.notes) == 2 and far in editor.melody.notes


def test_click_just_past_a_notes_end_grabs_its_edge_and_deletes_nothing(qtbot, editor):
    note, neighbour = Note(0, 5 * K, 60), Note(6 * K, 6 * K, 60)  # ends off the 1/16 grid
    editor.open_melody(Melody(notes=(note, neighbour)))
    rect = editor.view.note_rect(note)
    past = editor.view.mapFromScene(QPointF(rect.right() + 0.5, rect.center().y()))
    qtbot.mouseClick(editor.view.viewport(), LEFT, NO_MOD, past)
    assert editor.melody.notes == (note, neighbour)
    assert editor.model.selection == {note}


def test_shift_bypasses_the_grid_when_moving(qtbot, editor):
    editor.open_melody(Melody(notes=(Note(12 * K, 3 * K, 60),)))
    port = editor.view.viewport()
    drag(qtbot, port, at(editor, 13 * K, 60), at(editor, 13 * K + 1, 60), modifier=SHIFT)
    assert editor.melody.notes[0].onset == 12 * K + 1


def test_rubber_band_selection_copy_paste_duplicate_and_nudge(qtbot, editor, tune):
    editor.open_melody(tune)
    qtbot.keyClick(editor.view, Qt.Key.Key_S)  # the select tool's key
    assert editor.view.tool == Tool.SELECT and editor.tool_buttons[Tool.SELECT].isChecked()
    port = editor.view.viewport()
    drag(qtbot, port, at(editor, -0.0, 66) + QPoint(2, 0), at(editor, 11 * K, 59))  # around the first two notes
    assert editor.model.selected_notes() == list(tune.notes[:2])

    qtbot.keyClick(editor.view, Qt.Key.Key_D, CTRL)  # duplicate right after the selection
    assert [n.onset for n in editor.model.selected_notes()] == [12 * K, 18 * K]
    assert len(editor.melody.notes) == 6  # the copies sit over the notes at 12 and 18; both stay

    qtbot.keyClick(editor.view, Qt.Key.Key_Up)
    assert [n.pitch for n in editor.model.selected_notes()] == [61, 63]
    qtbot.keyClick(editor.view, Qt.Key.Key_Right)
    assert [n.onset for n in editor.model.selected_notes()] == [15 * K, 21 * K]

    qtbot.keyClick(editor.view, Qt.Key.Key_C, CTRL)
    editor.transport.set_playhead(48 * K)
    qtbot.keyClick(editor.view, Qt.Key.Key_V, CTRL)
    assert [(n.onset, n.pitch) for n in editor.model.selected_notes()] == [(48 * K, 61), (54 * K, 63)]

    qtbot.keyClick(editor.view, Qt.Key.Key_A, CTRL)
    assert editor.model.selection == frozenset(editor.melody.notes)
    qtbot.keyClick(editor.view, Qt.Key.Key_X, CTRL)
    assert editor.melody.notes == ()
    qtbot.keyClick(editor.view, Qt.Key.Key_Z, CTRL)
    assert len(editor.melody.notes) == 8  # the pasted two sit over the note at 48 and keep it


def test_erase_tool_and_right_click_delete(qtbot, editor, tune):
    editor.open_melody(tune)
    port = editor.view.viewport()
    qtbot.mouseClick(port, Qt.MouseButton.RightButton, NO_MOD, at(editor, 1 * K, 60))
    assert Note(0, 6 * K, 60, 70) not in editor.melody.notes
    editor.view.set_tool(Tool.ERASE)
    drag(qtbot, port, at(editor, 7 * K, 62), at(editor, 7 * K, 62))
    assert len(editor.melody.notes) == 2
    qtbot.keyClick(editor.view, Qt.Key.Key_Z, CTRL)
    assert len(editor.melody.notes) == 3


def test_velocity_lane_drag_sets_velocity_as_one_step(qtbot, editor, tune):
    editor.open_melody(tune)
    lane = editor.velocity_lane
    x = int(editor.geometry.x(12 * K) - editor.view.horizontalScrollBar().value()) + 1
    drag(qtbot, lane, QPoint(x, lane.height() - 10), QPoint(x, 6))
    changed = [n for n in editor.melody.notes if n.onset == 12 * K][0]
    assert changed.velocity > 115
    assert editor.model.undo_stack.undoText() == "Change velocity"
    editor.model.undo_stack.undo()
    assert editor.melody == tune


def test_ctrl_wheel_zooms_time_and_pitch(qtbot, editor):
    port = editor.view.viewport()
    before_px, before_row = editor.geometry.px_per_tick, editor.geometry.row_height

    def wheel(modifiers):
        pos = QPointF(200, 200)
        event = QWheelEvent(pos, port.mapToGlobal(pos), QPoint(0, 0), QPoint(0, 240), Qt.MouseButton.NoButton,
                            modifiers, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(port, event)

    wheel(CTRL)
    assert editor.geometry.px_per_tick > before_px
    assert editor.geometry.row_height == before_row
    wheel(CTRL | SHIFT)
    assert editor.geometry.row_height > before_row


def test_keyboard_click_auditions_the_pitch_under_the_mouse(qtbot, editor):
    g = editor.geometry
    y = int(g.y(64) + g.row_height / 2 - editor.view.verticalScrollBar().value())
    with qtbot.waitSignal(editor.pitch_auditioned) as blocker:
        qtbot.mouseClick(editor.keyboard, LEFT, NO_MOD, QPoint(10, y))
    assert blocker.args == [64]


def test_tempo_and_time_signature_are_undoable_clip_edits(qtbot, editor, tune):
    editor.open_melody(tune)
    editor.tempo_spin.setValue(100)
    editor.tempo_spin.setValue(90)  # spin clicks in a row are one undo step
    editor.beats_spin.setValue(3)
    editor.unit_combo.setCurrentIndex(editor.unit_combo.findData(8))
    assert (editor.melody.tempo, editor.melody.beats_per_bar, editor.melody.beat_unit) == (90, 3, 8)
    assert editor.melody.ticks_per_bar == 18 * K
    assert editor.model.undo_stack.count() == 3  # open, tempo, time signature
    editor.model.undo_stack.undo()
    assert editor.melody.beats_per_bar == 4 and editor.beats_spin.value() == 4
    editor.model.undo_stack.undo()
    assert editor.melody.tempo == 110 and editor.tempo_spin.value() == 110


def test_ruler_moves_playhead_and_sets_loop(qtbot, editor):
    ruler = editor.ruler
    x = int(editor.geometry.x(24 * K) - editor.view.horizontalScrollBar().value())
    qtbot.mouseClick(ruler, LEFT, NO_MOD, QPoint(x, 4))
    assert editor.transport.playhead == 24 * K
    x2 = int(editor.geometry.x(72 * K) - editor.view.horizontalScrollBar().value())
    drag(qtbot, ruler, QPoint(x, ruler.height() - 3), QPoint(x2, ruler.height() - 3))
    assert editor.transport.active_loop() == (24 * K, 72 * K)


def test_escape_during_a_drag_puts_the_notes_back(qtbot, editor, tune):
    editor.open_melody(tune)
    port = editor.view.viewport()
    start = at(editor, 1 * K, 60)
    qtbot.mousePress(port, LEFT, NO_MOD, start)
    qtbot.mouseMove(port, at(editor, 25 * K, 65))
    assert editor.melody != tune  # the drag previews live
    qtbot.keyClick(editor.view, Qt.Key.Key_Escape)
    qtbot.mouseRelease(port, LEFT, NO_MOD, at(editor, 25 * K, 65))
    assert editor.melody == tune
    assert editor.model.undo_stack.count() == 1  # only the open
