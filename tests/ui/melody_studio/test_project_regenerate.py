"""Through the window: generate, save the project, reopen it elsewhere, generate again: the same melodies."""

from __future__ import annotations

from tests.ui.melody_studio.test_generate import fill_support
from workbench.ui.context import AppContext
from workbench.ui.main_window import MainWindow


def test_reopened_project_generates_the_same_melodies(qtbot, tmp_path, tiny_melody_checkpoint):
    windows = []

    def window():
        made = MainWindow(AppContext())
        qtbot.addWidget(made)
        windows.append(made)
        return made

    def generate(panel):
        with qtbot.waitSignal(panel.runner.finished, timeout=60_000):
            panel.generate()
        return [m.notes for m in panel.results.melodies()]

    first = window()
    panel = first.host.show_panel("melody")
    assert panel.model_picker.load(str(tiny_melody_checkpoint))       # a model of the user's library
    fill_support(panel)
    panel.controls.variations.setValue(2)
    panel.controls.bars.setValue(2)
    panel.controls.seed.setValue(11)
    made = generate(panel)
    assert first.project.save_to(str(tmp_path / "tunes.wbproj"))

    second = window()
    assert second.project.open(str(tmp_path / "tunes.wbproj"))
    again = second.host.panels["melody"]
    assert again.model_picker.entry().id == panel.model_picker.entry().id
    assert [m.notes for m in again.results.melodies()] == made          # the saved results
    assert generate(again) == made                                      # and the same ones made again
    for each in windows:
        each.shutdown()
