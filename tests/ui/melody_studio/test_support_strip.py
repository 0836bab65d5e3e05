"""Dropping MIDI files and folders onto the support strip; bad files are named and skipped."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from tests.ui.melody_studio.conftest import notices, write_mido_file
from workbench.domains.melody.notes import Melody, Note


def drop_urls(widget, paths):
    """What a file manager's drag delivers: enter, move, drop (offscreen has no real drag)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    # drag enter/move take an integer point, drop a float one
    enter, move = QDragEnterEvent(QPoint(20, 20), *args), QDragMoveEvent(QPoint(20, 20), *args)
    drop = QDropEvent(QPointF(20, 20), *args)
    for event in (enter, move, drop):
        QApplication.sendEvent(widget.viewport(), event)
    accepted = (enter.isAccepted(), drop.isAccepted())
    return accepted


def read_done(panel, qtbot):
    qtbot.waitUntil(lambda: not panel.support.reader.busy and not panel.support.reading.isVisible(), timeout=5000)


def test_dropping_mid_urls_adds_good_files_and_names_the_bad_one(panel, context, qtbot, tmp_path):
    good_a = write_mido_file(tmp_path / "reel.mid", [62, 64, 66, 67, 69])
    good_b = write_mido_file(tmp_path / "jig.mid", [60, 62, 64])
    bad = tmp_path / "broken.mid"
    bad.write_bytes(b"this is not a MIDI file at all")
    assert drop_urls(panel.support.list, [good_a, bad, good_b]) == (True, True)
    read_done(panel, qtbot)
    melodies = panel.support.melodies()
    assert [len(m.notes) for m in melodies] == [5, 3]
    assert [n.pitch for n in melodies[0].notes] == [62, 64, 66, 67, 69]
    warnings = notices(context, "warning")
    assert len(warnings) == 1 and "broken.mid" in warnings[0]
    assert "reel.mid" not in warnings[0]


def test_dropping_a_folder_reads_its_midi_files(panel, qtbot, tmp_path):
    folder = tmp_path / "style"
    (folder / "sub").mkdir(parents=True)
    write_mido_file(folder / "a.mid", [60, 62])
    write_mido_file(folder / "sub" / "b.midi", [64, 65, 67])
    (folder / "notes.txt").write_text("not music")
    drop_urls(panel.support.list, [folder])
    read_done(panel, qtbot)
    assert sorted(len(m.notes) for m in panel.support.melodies()) == [2, 3]


def test_a_slow_read_runs_off_the_gui_thread_with_progress_and_cancel(panel, qtbot, monkeypatch, tmp_path):
    """A big MIDI file takes seconds to parse: the GUI keeps running, shows progress, and Cancel
    drops the read (nothing half-read joins the support set)."""
    import threading

    from workbench.domains.melody import api

    reading = threading.Event()

    def slow_read(paths, progress, cancelled, chords=False):
        progress(0, len(paths), "reading big.mid")
        reading.set()
        while not cancelled():
            threading.Event().wait(0.01)
        return [Melody(notes=(Note(0, 12, 60),))], [], []

    monkeypatch.setattr(api, "read_midis", slow_read)
    path = write_mido_file(tmp_path / "big.mid", [60, 62])
    drop_urls(panel.support.list, [path])
    assert reading.wait(5)
    ticks = []
    timer = QTimer(interval=10, timeout=lambda: ticks.append(1))
    timer.start()
    qtbot.waitUntil(lambda: len(ticks) >= 5 and "big.mid" in panel.support.reading.status.text(), timeout=5000)
    timer.stop()
    assert panel.support.reading.isVisible()
    panel.support.reading.cancel_button.click()
    read_done(panel, qtbot)
    assert panel.support.melodies() == []


def test_add_clip_reorder_remove_and_open_in_roll(panel, qtbot, tune):
    panel.editor.open_melody(tune)
    panel.add_clip_to_support()
    other = Melody(notes=(Note(0, 3, 70),), name="other")
    panel.support.add_melody(other)
    strip = panel.support
    assert [m.name for m in strip.melodies()] == ["tune", "other"]
    strip.list.item(1).setSelected(True)
    strip.left_button.click()
    assert [m.name for m in strip.melodies()] == ["other", "tune"]
    strip.list.clearSelection()
    strip.list.setCurrentRow(1)
    with qtbot.waitSignal(strip.open_requested):
        strip.open_button.click()
    assert panel.editor.melody == tune
    strip.list.clearSelection()
    strip.list.item(0).setSelected(True)
    strip.remove_button.click()
    assert [m.name for m in strip.melodies()] == ["tune"]


def test_adding_an_empty_clip_says_why(panel, context):
    panel.add_clip_to_support()
    assert panel.support.melodies() == []
    assert any("empty" in m for m in notices(context, "warning"))


def roll_read_done(panel, qtbot):
    qtbot.waitUntil(lambda: not panel.roll_reader.busy and not panel.roll_reading.isVisible(), timeout=5000)


def test_dropping_a_midi_file_on_the_roll_opens_it(panel, qtbot, tmp_path):
    path = write_mido_file(tmp_path / "air.mid", [67, 69, 71])
    assert drop_urls(panel.editor.view, [path]) == (True, True)
    roll_read_done(panel, qtbot)
    assert [n.pitch for n in panel.editor.melody.notes] == [67, 69, 71]
    assert panel.clip_label.text().startswith("air")
    panel.new_clip_button.click()
    assert panel.editor.melody.notes == () and panel.editor.melody.tempo == 100
    panel.editor.model.undo_stack.undo()
    panel.editor.model.undo_stack.undo()  # opening is undoable: the previous clip is not lost
    assert panel.editor.melody.notes == ()
    panel.editor.model.undo_stack.redo()
    assert [n.pitch for n in panel.editor.melody.notes] == [67, 69, 71]


def test_a_midi_file_with_chords_opens_in_the_roll_with_every_note(panel, qtbot, tmp_path):
    import mido

    midi = mido.MidiFile(type=1, ticks_per_beat=480)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    for chord in ([60, 64, 67], [62, 65, 69]):  # two block chords, one beat each
        for pitch in chord:
            track.append(mido.Message("note_on", note=pitch, velocity=80, time=0))
        for i, pitch in enumerate(chord):
            track.append(mido.Message("note_off", note=pitch, velocity=0, time=480 if i == 0 else 0))
    path = tmp_path / "chords.mid"
    midi.save(str(path))
    assert drop_urls(panel.editor.view, [path]) == (True, True)
    roll_read_done(panel, qtbot)
    assert sorted(n.pitch for n in panel.editor.melody.notes) == [60, 62, 64, 65, 67, 69]
    assert {n.pitch for n in panel.editor.model.read_by_model()} == {67, 69}  # the top voice
