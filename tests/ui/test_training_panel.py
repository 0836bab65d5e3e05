"""Training panel: the real buttons drive a real run on a QThread; metrics reach the plots."""

from __future__ import annotations

import csv
import os

import pytest
from PySide6.QtCore import Qt

from workbench.ui.context import AppContext
from workbench.ui.training import panel as panel_module
from workbench.ui.training.panel import TrainingPanel

# Small and fast: the per-task loop skips the batching measurement, 2 tasks per meta-batch.
FAST = {"domain": "sinusoid", "algo": "maml", "meta_batch": 2, "inner_steps": 2, "eval_steps": 3,
        "val_every": 4, "device": "cpu", "inner_lr": "0.01", "outer_lr": "0.001"}


@pytest.fixture
def context():
    return AppContext()


@pytest.fixture
def panel(qtbot, context):
    widget = TrainingPanel(context)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: not widget.preset_jobs.busy, timeout=30_000)
    yield widget
    widget.shutdown()


def configure(panel, **changes):
    panel.form.set_state({**FAST, **changes})
    panel.form.extra_config = {"batching": "loop"}
    assert panel.form.validate(), [label.text() for label in panel.form.errors.values() if label.text()]


def click(qtbot, button):
    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_start_pause_resume_stop_through_the_buttons(qtbot, panel, context):
    configure(panel, iterations=100_000)
    click(qtbot, panel.start_button)
    assert panel.is_busy()
    assert not panel.start_button.isEnabled()
    qtbot.waitUntil(lambda: len(panel.store) >= 3, timeout=60_000)

    click(qtbot, panel.pause_button)
    qtbot.waitUntil(lambda: panel.progress.state.text() == "Paused", timeout=20_000)
    assert panel.pause_button.text() == "Resume"
    paused_at = len(panel.store)
    # "Paused" comes from the generator after it flushed its last iteration and stopped
    # between iterations: the trainer stands where the plots stand.
    assert panel.session.paused and panel.session.latest_trainer.iteration == paused_at

    click(qtbot, panel.pause_button)
    qtbot.waitUntil(lambda: len(panel.store) > paused_at + 1, timeout=20_000)
    assert panel.pause_button.text() == "Pause"

    with qtbot.waitSignal(panel.run_ended, timeout=20_000) as ended:
        click(qtbot, panel.stop_button)
    assert ended.args == ["stopped"]
    assert not panel.is_busy()
    assert panel.start_button.isEnabled()

    # The stopped run was saved and became the domain's current checkpoint.
    saved = context.checkpoint_for("sinusoid")
    assert saved and os.path.exists(saved) and saved == panel.autosave_path
    assert saved in context.recent_checkpoints()

    # Metrics reached the plots: every iteration on the outer curve, S+1 points on the inner one.
    n = len(panel.store)
    x, y = panel.plots.outer.train_raw.getData()
    assert len(x) == n and list(x[:3]) == [1, 2, 3]
    assert panel.plots.outer.validation.getData()[0] is not None
    inner_x, inner_y = panel.plots.inner.latest.getData()
    assert list(inner_x) == [0, 1, 2]
    assert panel.plots.redraws >= 1
    assert panel.progress.bar.value() == n


def test_finished_run_exports_csv_and_png(qtbot, panel, tmp_path):
    configure(panel, iterations=6)
    with qtbot.waitSignal(panel.run_ended, timeout=60_000) as ended:
        click(qtbot, panel.start_button)
    assert ended.args == ["finished"]
    assert "Finished 6 iterations" in panel.progress.state.text()

    csv_path = tmp_path / "metrics.csv"
    assert panel.export_csv(str(csv_path))
    rows = list(csv.DictReader(csv_path.open()))
    iterations = [r for r in rows if r["kind"] == "iteration"]
    validations = [r for r in rows if r["kind"] == "validation"]
    assert [int(r["iteration"]) for r in iterations] == [1, 2, 3, 4, 5, 6]
    assert [int(r["iteration"]) for r in validations] == [4, 6]
    assert float(iterations[0]["outer_loss"]) > 0 and iterations[0]["support_loss_step_2"] != ""

    png_path = tmp_path / "plots.png"
    assert panel.export_png(str(png_path))
    assert png_path.stat().st_size > 1000


def test_a_failing_run_reports_its_error_and_keeps_the_settings(qtbot, panel, context):
    configure(panel, iterations=50, inner_lr="1e6")  # the largest rate the form takes: the loss explodes
    with qtbot.waitSignal(panel.run_ended, timeout=60_000) as ended:
        click(qtbot, panel.start_button)
    assert ended.args == ["failed"]
    errors = [n.message for n in context.notifier.history() if n.level == "error"]
    assert errors and "NaN or infinite" in errors[-1]
    assert panel.last_error == errors[-1]
    assert "Failed" in panel.progress.state.text()
    assert panel.form.inner_lr.text() == "1e6"  # the configuration is kept for the user to fix
    assert panel.start_button.isEnabled()


def test_invalid_settings_are_explained_next_to_the_field(qtbot, panel):
    panel.form.inner_lr.setText("fast")
    assert panel.form.errors["inner_lr"].isVisibleTo(panel.form)
    assert "number" in panel.form.errors["inner_lr"].text()
    assert not panel.start_button.isEnabled()
    panel.form.inner_lr.setText("0.01")
    panel.form.outer_lr.setText("-1")
    assert "positive" in panel.form.errors["outer_lr"].text()
    assert not panel.form.errors["inner_lr"].isVisibleTo(panel.form)
    assert not panel.start()  # refused, nothing started
    assert not panel.is_busy()


def test_settings_persist_between_panels(qtbot, context):
    first = TrainingPanel(context)
    qtbot.addWidget(first)
    first.form.set_state({"iterations": 1234, "inner_lr": "0.02", "seed": 7})
    first.plots.log_y.setChecked(True)
    first.shutdown()

    second = TrainingPanel(context)
    qtbot.addWidget(second)
    assert second.form.iterations.value() == 1234
    assert second.form.inner_lr.text() == "0.02"
    assert second.form.seed.value() == 7
    assert second.plots.log_y.isChecked()
    second.shutdown()


def test_closing_during_training_saves_when_asked(qtbot, panel, context, monkeypatch):
    monkeypatch.setattr(panel_module, "ask_save_on_close", lambda parent: "save")
    configure(panel, iterations=100_000)
    click(qtbot, panel.start_button)
    qtbot.waitUntil(lambda: len(panel.store) >= 2, timeout=60_000)
    assert panel.close_request()
    panel.shutdown()
    assert not panel.is_busy()
    saved = context.checkpoint_for("sinusoid")
    assert saved == panel.autosave_path and os.path.exists(saved)


def test_closing_can_be_cancelled(qtbot, panel, monkeypatch):
    monkeypatch.setattr(panel_module, "ask_save_on_close", lambda parent: "cancel")
    configure(panel, iterations=100_000)
    click(qtbot, panel.start_button)
    assert not panel.close_request()
    assert panel.is_busy()


def test_save_during_a_run_then_resume_it_exactly(qtbot, panel, context, tmp_path):
    configure(panel, iterations=4)
    with qtbot.waitSignal(panel.run_ended, timeout=60_000) as ended:
        click(qtbot, panel.start_button)
        qtbot.waitUntil(lambda: len(panel.store) >= 1, timeout=60_000)
        panel.save_checkpoint(str(tmp_path / "mid.safetensors"))  # between two iterations, or after the run
    assert ended.args == ["finished"]
    qtbot.waitUntil(lambda: not panel.save_jobs.busy, timeout=30_000)
    assert (tmp_path / "mid.safetensors").exists() and not (tmp_path / "mid.json").exists()  # one file
    finished = panel.autosave_path
    assert os.path.exists(finished)

    panel.form.iterations.setValue(3)  # the run is complete: resuming continues for 3 more
    with qtbot.waitSignal(panel.run_ended, timeout=60_000) as ended:
        assert panel.resume_from_checkpoint(finished)
    assert ended.args == ["finished"]
    assert [int(i) for i in panel.store.column("iteration")] == [5, 6, 7]
    assert panel.progress.bar.value() == 7
    assert context.checkpoint_for("sinusoid") == panel.autosave_path != finished


def test_a_missing_gpu_is_reported_next_to_the_device_field(qtbot, panel, context):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    configure(panel, iterations=5, device="cuda")
    with qtbot.waitSignal(panel.run_ended, timeout=60_000) as ended:
        click(qtbot, panel.start_button)
    assert ended.args == ["failed"]
    assert "CUDA" in panel.form.errors["device"].text()
    assert panel.form.errors["device"].isVisibleTo(panel.form)


def test_choosing_a_domain_offers_its_presets(qtbot, panel):
    if "sketch" not in [panel.form.domain.itemText(i) for i in range(panel.form.domain.count())]:
        pytest.skip("the sketch domain is not built yet")
    from workbench.domains.registry import presets

    name, preset = next(iter(presets("sketch").items()))
    panel.form.domain.setCurrentText("sketch")
    qtbot.waitUntil(lambda: panel.form.preset.count() > 0, timeout=60_000)
    assert panel.form.preset.currentText() == name  # the first preset is applied
    assert panel.form.algo.currentData() == preset["config"]["algo"]
    domain, problem, config = panel.form.values()
    assert domain == "sketch" and "shot" in problem  # every domain names the option "shot"
    for key, value in preset["problem"].items():
        assert problem[key] == value
    for key, value in preset["config"].items():  # settings without a field in the form are kept too
        assert config[key] == value, key


def test_loading_a_checkpoint_shows_its_settings_and_makes_it_current(qtbot, panel, context, tmp_path):

    domains = [panel.form.domain.itemText(i) for i in range(panel.form.domain.count())]
    domain = "melody" if "melody" in domains else "sinusoid"
    import torch

    from workbench.meta.checkpoint import save_checkpoint

    weights = save_checkpoint(tmp_path / "tune", {
        "domain": domain, "problem_version": "1", "iteration": 40,
        "problem": {"shot": 3, "hidden": 64},
        "config": {"algo": "fomaml", "iterations": 321, "inner_lr": 0.05, "meta_batch": 4, "grad_clip": 5.0},
    }, {"params.w": torch.zeros(2)})
    assert panel.load_checkpoint(str(weights))
    qtbot.waitUntil(lambda: not panel.preset_jobs.busy, timeout=60_000)
    qtbot.wait(50)
    # The checkpoint's settings stay: the domain's presets are offered, not applied over them.
    assert panel.form.current_domain() == domain
    assert panel.form.algo.currentData() == "fomaml"
    assert panel.form.iterations.value() == 321 and panel.form.shot.value() == 3
    _, problem, config = panel.form.values()
    assert problem["hidden"] == 64 and config["grad_clip"] == 5.0
    assert context.checkpoint_for(domain) == str(weights)


def test_a_new_run_can_start_from_a_checkpoints_weights(qtbot, panel, tmp_path, monkeypatch):
    import torch

    from workbench.meta.checkpoint import load_checkpoint
    from workbench.ui.training.worker import TrainingWorker

    configure(panel, iterations=2)
    with qtbot.waitSignal(panel.run_ended, timeout=60_000):
        click(qtbot, panel.start_button)
    first = panel.autosave_path
    started = {}
    prepare = TrainingWorker._prepare

    def keep_start(worker):  # the weights the second run begins from, before its first step
        trainer = prepare(worker)
        started.update({k: v.detach().clone() for k, v in trainer.meta["params"].items()})
        return trainer

    monkeypatch.setattr(TrainingWorker, "_prepare", keep_start)
    configure(panel, iterations=2, seed=5, init_from=first)
    with qtbot.waitSignal(panel.run_ended, timeout=60_000) as ended:
        click(qtbot, panel.start_button)
    assert ended.args == ["finished"]
    saved = load_checkpoint(first).group("params")
    assert started and all(torch.equal(started[k], saved[k]) for k in saved)
    assert [int(i) for i in panel.store.column("iteration")] == [1, 2]   # a new run, not a resume

    (tmp_path / "other.safetensors").write_bytes(b"not a checkpoint")
    configure(panel, iterations=2, init_from=str(tmp_path / "other.safetensors"))
    with qtbot.waitSignal(panel.run_ended, timeout=60_000) as ended:
        click(qtbot, panel.start_button)
    assert ended.args == ["failed"]
    assert panel.form.errors["init_from"].isVisibleTo(panel.form)
