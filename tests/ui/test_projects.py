"""Projects in the window: save and reopen everything, bad files, missing models, close, autosave, recovery."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from workbench.domains.melody.notes import Melody, Note
from workbench.project.archive import open_project, save_project
from workbench.project.document import ModelChoice
from workbench.ui.context import AppContext
from workbench.ui.main_window import MainWindow


def tune(name: str, shift: int = 0) -> Melody:
    return Melody(notes=tuple(Note(i * 12, 12, 60 + (i + shift) % 7) for i in range(16)), name=name)


@pytest.fixture
def make_window(qtbot):
    made = []

    def make():
        window = MainWindow(AppContext())
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        return window
    yield make
    for window in made:
        window.shutdown()


def fill(window):
    """Work in both studios: support sets, a canvas drawing, a clip, results, settings."""
    sketch = window.host.show_panel("sketch")
    rng = np.random.default_rng(0)
    for i in range(2):
        page = rng.random((256, 256), dtype=np.float32) if i == 0 else None   # drawn on the canvas / a file
        sketch.strip.add_image(rng.random((28, 28), dtype=np.float32), f"drawing {i + 1}", ink=page)
    ink = np.zeros((256, 256), np.float32)
    ink[100:140, 60:200] = 1.0
    sketch.canvas.set_array(ink)
    sketch.gallery.show_variations([rng.random((28, 28), dtype=np.float32) for _ in range(3)],
                                   "3 new characters from 2 examples · seed 9", name="new character")   # Invent's
    sketch.seed.setValue(9)
    sketch.temperature.setValue(0.7)
    melody = window.host.show_panel("melody")
    for k in range(3):
        melody.support.add_melody(tune(f"tune {k}", k))
    melody.open_in_roll(tune("my clip", 5))
    melody.results.set_melodies([tune("variation-01-seed4", 1)])
    melody.controls.seed.setValue(4)
    melody.controls.bars.setValue(4)
    return sketch, melody


def test_save_then_open_restores_both_studios_and_the_title(make_window, tmp_path):
    window = make_window()
    assert window.windowTitle() == "Untitled[*] — Workbench" and not window.isWindowModified()
    sketch, melody = fill(window)
    assert window.isWindowModified()                                  # the title shows the modified mark
    path = tmp_path / "song.wbproj"
    assert window.project.save_to(str(path))
    assert window.windowTitle() == "song[*] — Workbench" and not window.isWindowModified()

    other = make_window()
    assert other.project.open(str(path))
    assert other.windowTitle() == "song[*] — Workbench" and not other.isWindowModified()
    assert other.host.current_key() == "melody"                       # the panel that was open
    sketch2 = other.host.show_panel("sketch")                         # built now: restored from the project
    assert sketch2.strip.names() == sketch.strip.names()
    assert all(np.array_equal(a, b) for a, b in zip(sketch2.strip.images(), sketch.strip.images(), strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(sketch2.strip.page_images(), sketch.strip.page_images(),
                                                     strict=True))             # Complete lines them up the same
    assert sketch2.strip.pages()[1] is None
    assert np.array_equal(sketch2.canvas.to_array(), sketch.canvas.to_array())
    assert [name for name, _ in sketch2.gallery.results()] == [f"new character {i}" for i in (1, 2, 3)]
    assert "seed 9" in sketch2.gallery.caption.text()
    assert (sketch2.seed.value(), sketch2.temperature.value()) == (9, 0.7)
    assert sketch2.vary_checkpoint.entry().id == sketch.vary_checkpoint.entry().id
    melody2 = other.host.panels["melody"]
    assert melody2.support.melodies() == melody.support.melodies()
    assert melody2.editor.melody.notes == melody.editor.melody.notes
    assert melody2.results.melodies() == melody.results.melodies()
    assert (melody2.controls.seed.value(), melody2.controls.bars.value()) == (4, 4)
    assert not other.isWindowModified()                               # restoring is not an edit
    assert str(path) in other.project.recent()


def test_a_missing_model_and_asset_are_named_and_the_rest_opens(make_window, tmp_path):
    window = make_window()
    fill(window)
    path = tmp_path / "p.wbproj"
    project = window.project.collect()
    project.melody.model = ModelChoice("user:deleted-run", "my old jigs model")
    save_project(project, path)
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist() if n != "sketch/support/001.npy"}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    other = make_window()
    assert other.project.open(str(path))
    warning = [n.message for n in other.context.notifier.history() if n.level == "warning"][-1]
    assert "my old jigs model" in warning and "sketch/support/001.npy" in warning
    assert other.host.panels["melody"].model_picker.entry().shipped
    assert len(other.host.panels["melody"].support.melodies()) == 3
    assert other.host.show_panel("sketch").strip.names() == ["drawing 1"]


def test_a_bad_project_file_is_a_message_and_changes_nothing(make_window, tmp_path):
    window = make_window()
    sketch, _ = fill(window)
    bad = tmp_path / "bad.wbproj"
    bad.write_bytes(b"PK\x03\x04 truncated")
    assert not window.project.open(str(bad))
    errors = [n.message for n in window.context.notifier.history() if n.level == "error"]
    assert errors and "bad.wbproj" in errors[-1] and "Traceback" not in errors[-1]
    assert sketch.strip.count() == 2                                  # the open work is untouched


def test_closing_with_unsaved_changes_asks_save_discard_cancel(make_window, monkeypatch, tmp_path):
    from workbench.ui.project_controller import ProjectController, ask_unsaved_question
    window = make_window()
    fill(window)
    answers = iter(["cancel", "discard"])
    monkeypatch.setattr(ProjectController, "ask_unsaved", lambda self: next(answers))
    assert not window.close()                                         # Cancel: the window stays
    assert window.isVisible()
    assert window.project.autosave()                                  # a recovery file exists ...
    assert window.project.autosaver.pending()
    assert window.close()                                             # Discard: it closes ...
    assert not window.project.autosaver.pending()                     # ... cleanly: nothing to recover
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Save)
    assert ask_unsaved_question(None, "song") == "save" and "“song”" in asked[0]


def test_save_on_close_writes_the_project(make_window, monkeypatch, tmp_path):
    from workbench.ui.project_controller import ProjectController
    window = make_window()
    fill(window)
    assert window.project.save_to(str(tmp_path / "a.wbproj"))
    window.host.panels["sketch"].seed.setValue(77)
    window.host.panels["sketch"].complete_seed.setValue(78)
    monkeypatch.setattr(ProjectController, "ask_unsaved", lambda self: "save")
    assert window.close()
    settings = open_project(tmp_path / "a.wbproj").project.sketch.settings
    assert (settings["seed"], settings["complete_seed"]) == (77, 78)


def test_autosave_on_generation_and_recovery_after_a_crash(make_window, qtbot, monkeypatch):
    from workbench.domains.melody import api
    monkeypatch.setattr(api, "generate", lambda support, progress, cancelled, **kw: [tune("new", 3)])
    window = make_window()
    sketch, melody = fill(window)
    assert not window.project.autosaver.pending()
    with qtbot.waitSignal(melody.runner.finished, timeout=10_000):
        melody.generate()
    qtbot.waitUntil(window.project.autosaver.pending, timeout=5000)  # autosaved after the generation
    assert open_project(window.project.autosaver.path).project.melody.results[0].notes == tune("new", 3).notes
    # The process dies here (no close). The next start finds the recovery file and offers it.
    other = make_window()
    assert other.project.offer_recovery(ask=True)
    assert other.isWindowModified() and "Untitled" in other.windowTitle()
    assert other.host.show_panel("sketch").strip.names() == sketch.strip.names()
    assert other.host.panels["melody"].controls.seed.value() == 4
    other.project.close_cleanly()
    assert not other.project.autosaver.pending()


def test_the_autosave_timer_runs_every_30_seconds(make_window):
    window = make_window()
    assert window.project.timer.isActive() and window.project.timer.interval() == 30_000


def test_open_recovers_a_project_written_elsewhere_without_a_window(tmp_path):
    """The file a window writes is the file the headless API reads (same format, no Qt needed)."""
    from workbench.project.sample import sample_project
    save_project(sample_project(2, 2, 3), tmp_path / "x.wbproj")
    assert open_project(tmp_path / "x.wbproj").problems == []


def test_the_status_bar_names_the_shown_studios_model(make_window):
    window = make_window()
    window.context.set_checkpoint("omniglot", "/elsewhere/omniglot-maml.safetensors")   # e.g. loaded in Training
    melody = window.host.show_panel("melody")
    assert window.status.checkpoint_label.text() == f"Model: {melody.model_picker.label()}"
    assert "omniglot" not in window.status.checkpoint_label.text()
    window.host.show_panel("training")
    assert "omniglot" in window.status.checkpoint_label.text()


def test_new_project_clears_the_studios_and_recent_projects_reopen(make_window, tmp_path):
    window = make_window()
    sketch, melody = fill(window)
    assert window.project.save_to(str(tmp_path / "first.wbproj"))
    assert window.project.new()
    assert window.windowTitle() == "Untitled[*] — Workbench"
    assert sketch.strip.count() == 0 and melody.support.melodies() == [] and melody.results.count() == 0
    assert not sketch.canvas.has_ink()
    window.project._fill_recent()
    recent = [a for a in window.project.recent_menu.actions() if a.text() == "first.wbproj"]
    recent[0].trigger()
    assert window.windowTitle() == "first[*] — Workbench" and sketch.strip.count() == 2
