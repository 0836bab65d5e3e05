"""A training run joins the model library and is offered; no studio switches to it until asked."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.ui.test_training_panel import click, configure
from workbench.ui.context import AppContext
from workbench.ui.model_picker import ModelPicker
from workbench.ui.training.panel import TrainingPanel


@pytest.fixture
def context():
    return AppContext()


def test_a_stopped_run_is_added_offered_and_used_only_when_asked(qtbot, context):
    panel = TrainingPanel(context)
    qtbot.addWidget(panel)
    picker = ModelPicker(context, "sinusoid")
    qtbot.addWidget(picker)
    qtbot.waitUntil(lambda: not panel.preset_jobs.busy, timeout=30_000)
    configure(panel, iterations=100_000)
    click(qtbot, panel.start_button)
    qtbot.waitUntil(lambda: len(panel.store.validation("loss")) >= 1, timeout=60_000)
    with qtbot.waitSignal(panel.run_ended, timeout=30_000):
        click(qtbot, panel.stop_button)

    offer = panel.model_offer
    assert isinstance(offer, QMessageBox) and "stopped early at iteration" in offer.text()
    run = [e for e in context.model_library().entries("sinusoid") if not e.shipped]
    assert len(run) == 1 and run[0].stopped_early and str(run[0].path) == panel.autosave_path
    assert run[0].evaluation.startswith("meta-validation at iteration")      # FAST validates every 4
    assert run[0].id in [picker.combo.itemData(i) for i in range(picker.combo.count())]   # listed ...
    assert picker.entry().shipped                                                          # ... not used
    use = next(b for b in offer.buttons() if b.text() == "Use in Sinusoid Playground")
    use.click()
    assert picker.entry().id == run[0].id
    panel.shutdown()


def test_rename_and_delete_in_the_library_dialog_update_the_pickers(qtbot, context, tmp_path, monkeypatch):
    from tests.project.test_library import copy_shipped
    from workbench.ui.model_library_dialog import ModelLibraryDialog
    library = context.model_library()
    library.add_run(copy_shipped("sinusoid", library.user_folder, "mine"), "mine")
    picker = ModelPicker(context, "sinusoid")
    qtbot.addWidget(picker)
    assert picker.select("user:mine")
    dialog = ModelLibraryDialog(context, "sinusoid")
    qtbot.addWidget(dialog)
    shipped_item = dialog.tree.topLevelItem(0)
    dialog.tree.setCurrentItem(shipped_item)
    assert not dialog.rename_button.isEnabled() and not dialog.delete_button.isEnabled()   # read-only
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(dialog.tree.topLevelItemCount() - 1))
    assert dialog.rename("jigs, take 2")
    assert picker.label() == "jigs, take 2"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    assert not dialog.delete()                                     # the confirmation said Cancel
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert dialog.delete()
    assert picker.entry().shipped                                  # its model is gone: back to the shipped one


def test_importing_a_bad_file_says_why_and_adds_nothing(qtbot, context, tmp_path):
    picker = ModelPicker(context, "sinusoid")
    qtbot.addWidget(picker)
    bad = tmp_path / "broken.safetensors"
    bad.write_bytes(b"not a checkpoint")
    count = picker.combo.count()
    assert not picker.import_file(str(bad))
    errors = [n.message for n in context.notifier.history() if n.level == "error"]
    assert errors and "broken" in errors[-1] and "Traceback" not in errors[-1]
    assert picker.combo.count() == count


def test_a_sketch_ink_model_is_offered_to_both_sketch_actions():
    from workbench.ui.model_picker import studio_title, studios_for
    assert studios_for("sketch", "ink") == ["sketch/vary", "sketch/complete"]
    assert studio_title("sketch/vary") == "Sketch Studio (Vary)" and studios_for("omniglot", None) == []


def test_a_checkpoint_opened_from_the_file_menu_joins_the_library_and_is_offered(qtbot, context, tmp_path):
    from tests.project.test_library import copy_shipped
    from workbench.ui.main_window import MainWindow
    window = MainWindow(context)
    qtbot.addWidget(window)
    playground = window.host.show_panel("playground")
    source = copy_shipped("sinusoid", tmp_path / "downloads", "from-a-friend")
    assert window.load_checkpoint(str(source))
    assert playground.model_picker.entry().shipped                   # offered, not switched in
    use = next(b for b in window.model_offer.buttons() if b.text() == "Use in Sinusoid Playground")
    use.click()
    assert playground.model_picker.entry().id.startswith("user:from-a-friend")
    window.shutdown()
