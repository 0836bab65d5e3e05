"""The main window: lazy panels, menus, status bar, notifications, layout settings, the app launch."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QKeySequence

from workbench.ui.about import about_text
from workbench.ui.context import AppContext
from workbench.ui.main_window import MainWindow
from workbench.ui.panels import PANELS, panel_specs


@pytest.fixture
def window(qtbot):
    win = MainWindow(AppContext())
    qtbot.addWidget(win)
    yield win
    win.shutdown()


def test_panels_are_listed_and_each_names_a_panel_class():
    keys = [key for key, _, _ in PANELS]
    assert keys[:2] == ["training", "playground"] and {"sketch", "melody"} <= set(keys)
    for spec in panel_specs():
        assert isinstance(spec.load(), type), spec.target


def test_panels_are_built_lazily(qtbot, window):
    assert window.host.panels == {}
    window.show()
    window.start_background_setup()
    assert set(window.host.panels) == {"training"}  # only the shown one
    panel = window.host.show_panel("playground")
    assert panel is not None and "playground" in window.host.panels
    assert window.host.currentWidget().objectName() == "panel-slot-playground"
    # The training panel's actions are in a menu, with their shortcuts.
    menus = [action.text() for action in window.menuBar().actions()]
    assert "&Training" in menus
    shortcuts = {action.text(): action.shortcut() for action in window.actions()}
    assert shortcuts["Start"] == QKeySequence("F5")
    assert shortcuts["Save Checkpoint…"] == QKeySequence("Ctrl+Alt+S")     # Ctrl+S saves the project
    assert window.project.save_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Save)
    assert window.quit_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)
    qtbot.waitUntil(lambda: not window._device_job.busy, timeout=60_000)
    assert window.status.device_label.text().startswith("Device: CPU") or "GPU" in window.status.device_label.text()


def test_errors_reach_the_status_bar_and_the_log(qtbot, window):
    window.context.notifier.error("the folder /nowhere does not exist")
    assert "/nowhere" in window.status.currentMessage()
    assert "ERROR: the folder /nowhere" in window.log_dock.text.toPlainText()
    assert window.log_dock.isVisibleTo(window)  # an error opens the log


def test_opening_a_checkpoint_sets_it_for_its_domain(qtbot, window, tmp_path):
    import torch

    from workbench.meta.checkpoint import save_checkpoint

    weights = save_checkpoint(tmp_path / "run", {"domain": "sinusoid", "problem_version": "1", "iteration": 1,
                                                 "config": {}}, {"params.w": torch.zeros(2)})
    assert window.load_checkpoint(str(weights))
    assert window.context.checkpoint_for("sinusoid") == str(weights)
    assert "run.safetensors" in window.status.checkpoint_label.text()
    assert str(weights) in window.context.recent_checkpoints()

    (tmp_path / "bad.safetensors").write_bytes(weights.read_bytes()[:-3])  # truncated: never becomes current
    assert not window.load_checkpoint(str(tmp_path / "bad.safetensors"))
    assert "bad.safetensors" in window.status.currentMessage()
    assert window.context.checkpoint_for("sinusoid") == str(weights)


def test_layout_is_remembered(qtbot):
    context = AppContext()
    first = MainWindow(context)
    qtbot.addWidget(first)
    first.resize(700, 520)  # within the offscreen screen (800x600)
    first.show()
    first.host.show_panel("playground")
    first.close()
    second = MainWindow(AppContext())
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (700, 520)
    assert second.host.current_key() == "playground"
    second.shutdown()


def test_about_names_versions_and_device():
    text = about_text("CPU (2 threads)")
    assert "Workbench" in text and "Qt" in text and "PyTorch" in text and "CPU (2 threads)" in text


@pytest.mark.slow  # the real app in a subprocess: imports, window, a training run, shutdown
def test_workbench_smoke_in_a_subprocess(tmp_path):
    env = dict(os.environ, WORKBENCH_SETTINGS_DIR=str(tmp_path / "settings"), WORKBENCH_DATA_DIR=str(tmp_path / "d"))
    proc = subprocess.run([sys.executable, "-m", "workbench", "--smoke"], env=env, capture_output=True, text=True,
                          timeout=280)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "smoke: ok" in proc.stdout
    assert "Destroyed while thread" not in proc.stderr


def test_closing_the_window_while_training_stops_and_joins(qtbot, monkeypatch):
    from workbench.ui.training import panel as panel_module

    asked = []
    monkeypatch.setattr(panel_module, "ask_save_on_close", lambda parent: asked.append(1) or "discard")
    window = MainWindow(AppContext())
    qtbot.addWidget(window)
    window.show()
    panel = window.host.show_panel("training")
    panel.form.set_state({"domain": "sinusoid", "algo": "maml", "iterations": 100_000, "meta_batch": 2,
                          "device": "cpu", "inner_lr": "0.01", "outer_lr": "0.001"})
    panel.form.extra_config = {"batching": "loop"}
    panel.start_button.click()
    qtbot.waitUntil(lambda: len(panel.store) >= 2, timeout=60_000)
    assert window.close()
    assert asked == [1]
    assert not panel.is_busy()
    assert window.context.checkpoint_for("sinusoid") is None  # "discard": nothing was saved
