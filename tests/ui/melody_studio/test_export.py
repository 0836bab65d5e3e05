"""Export selected results as .mid and .wav; drag a result out as a .mid file."""

from __future__ import annotations

import tempfile
import wave

from PySide6.QtCore import Qt

from tests.ui.melody_studio.conftest import notices, read_notes_with_mido
from workbench.domains.melody import api
from workbench.domains.melody.notes import TICKS_PER_BEAT, Melody, Note


def results():
    return [
        Melody(notes=(Note(0, 3, 60, 100), Note(3, 6, 67, 64), Note(12, 12, 72, 30)), tempo=96.0, name="first"),
        Melody(notes=(Note(2, 4, 55, 90), Note(8, 4, 57, 90)), beats_per_bar=3, name="second"),
    ]


def assert_same_notes(path, melody):
    ticks_per_beat, found = read_notes_with_mido(path)
    scale = ticks_per_beat // TICKS_PER_BEAT
    assert found == [(n.onset * scale, n.duration * scale, n.pitch, n.velocity) for n in melody.notes]


def test_export_selected_results_writes_midi_that_reads_back_and_wav(panel, context, tmp_path):
    panel.results.set_melodies(results())
    panel.results.selectAll()
    written = panel.export_results(tmp_path / "out")
    names = sorted(p.name for p in written)
    assert names == ["first.mid", "first.wav", "second.mid", "second.wav"]
    for melody in results():
        assert_same_notes(tmp_path / "out" / f"{melody.name}.mid", melody)
        with wave.open(str(tmp_path / "out" / f"{melody.name}.wav")) as wav:
            assert wav.getnframes() == len(api.render_audio(melody, wav.getframerate()))
    assert any("Exported 2 melodies" in m for m in notices(context, "info"))
    again = panel.export_results(tmp_path / "out", wav=False)  # never overwrites
    assert sorted(p.name for p in again) == ["first-2.mid", "second-2.mid"]


def test_export_only_the_selection(panel, tmp_path):
    panel.results.set_melodies(results())
    panel.results.item(1).setSelected(True)
    written = panel.export_results(tmp_path, wav=False)
    assert [p.name for p in written] == ["second.mid"]


def test_dragging_a_result_out_gives_mid_file_urls(panel, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # keep the drag files out of the real /tmp
    panel.results.set_melodies(results())
    model = panel.results.model()
    mime = model.mimeData([model.index(0, 0), model.index(1, 0)])  # what a drag out of the list carries
    urls = mime.urls()
    assert len(urls) == 2 and all(url.isLocalFile() for url in urls)
    for url, melody in zip(urls, results()):
        assert url.toLocalFile().endswith(".mid")
        assert_same_notes(url.toLocalFile(), melody)
        assert url.toLocalFile().startswith(str(tmp_path))
        read_back, _report = api.read_midi(url.toLocalFile())
        assert read_back.notes == melody.notes


def test_start_drag_offers_copy_only_so_results_stay_in_the_list(panel, tmp_path, monkeypatch):
    import workbench.ui.melody_studio.results as results_module
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    started = []

    class RecordingDrag:  # stands in for QDrag, whose exec() needs a real windowing system
        def __init__(self, source):
            self.source = source

        def setMimeData(self, data):
            self.data = data

        def setPixmap(self, pixmap):
            self.pixmap = pixmap

        def exec(self, actions, default):
            started.append((self.data.urls(), actions, default))
            return Qt.DropAction.MoveAction  # a file manager that moved the file

    monkeypatch.setattr(results_module, "QDrag", RecordingDrag)
    panel.results.set_melodies(results())
    panel.results.item(0).setSelected(True)
    panel.results.startDrag(Qt.DropAction.CopyAction | Qt.DropAction.MoveAction)
    (urls, actions, default), = started
    assert actions == Qt.DropAction.CopyAction and default == Qt.DropAction.CopyAction
    assert [u.fileName() for u in urls] == ["first.mid"]
    assert panel.results.count() == 2


def test_export_after_generate_writes_every_result_and_says_how_many(panel, context, tmp_path):
    panel._seed = 0
    panel._on_generated(results())  # what a finished Generate hands the panel
    button = panel.result_buttons["export"]
    assert button.text() == "Export All (2)…" and panel.export_action.text() == "Export Results All (2)…"
    assert panel.results.current_melody().notes == results()[0].notes  # Play and Open still have a result
    written = panel.export_results(tmp_path / "all", wav=False)
    assert len(written) == 2 and any("Exported 2 melodies" in m for m in notices(context, "info"))
    panel.results.item(1).setSelected(True)
    assert button.text() == "Export Selected (1)…"
    (one,) = panel.export_results(tmp_path / "one", wav=False)
    assert_same_notes(one, results()[1])
