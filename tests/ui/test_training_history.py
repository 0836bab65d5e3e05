"""Load Checkpoint replaces the last run's plots and status with the loaded run's history."""

from __future__ import annotations

import pytest

from tests.ui.test_training_panel import FAST
from workbench.ui.training.history import history_path


@pytest.fixture
def panel(ready_training_panel):
    return ready_training_panel


def run(qtbot, panel, iterations: int) -> str:
    panel.form.set_state({**FAST, "iterations": iterations, "val_every": 0})
    panel.form.extra_config = {"batching": "loop"}
    with qtbot.waitSignal(panel.session.ended, timeout=120_000):
        assert panel.start()
    assert panel.last_error is None and len(panel.store) == iterations
    return panel.autosave_path


def test_load_checkpoint_shows_the_loaded_runs_history(qtbot, panel, tmp_path):
    first = run(qtbot, panel, 6)
    assert history_path(first).exists()
    saved_elsewhere = str(tmp_path / "kept.safetensors")
    panel.save_checkpoint(saved_elsewhere)  # Save Checkpoint… after the run takes the history along
    qtbot.waitUntil(lambda: history_path(saved_elsewhere).exists(), timeout=30_000)
    run(qtbot, panel, 3)
    assert panel.load_checkpoint(saved_elsewhere)
    assert len(panel.store) == 6 and list(panel.store.column("iteration")) == [1, 2, 3, 4, 5, 6]
    assert panel.progress.state.text() == "Loaded kept.safetensors" and panel.progress.bar.value() == 6


def test_a_checkpoint_without_history_clears_the_last_runs_plots(qtbot, panel):
    from workbench.resources_path import resource_path

    run(qtbot, panel, 3)
    assert panel.load_checkpoint(str(resource_path("checkpoints", "sinusoid.safetensors")))
    assert len(panel.store) == 0
    assert "no metric history" in panel.progress.rate.text()
