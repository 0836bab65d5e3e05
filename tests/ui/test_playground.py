"""Sinusoid playground: points in, adaptation off the GUI thread, a prediction per inner step out."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from workbench.project import library as library_module
from workbench.ui.context import AppContext
from workbench.ui.playground import panel as playground_module
from workbench.ui.playground.panel import PlaygroundPanel


def train_checkpoint(path, algo: str) -> str:
    """A real (tiny) sinusoid checkpoint: a few iterations of the engine, saved with its JSON."""
    from workbench.domains.registry import build_problem
    from workbench.meta.config import MetaConfig
    from workbench.meta.trainer import MetaTrainer

    problem = build_problem("sinusoid", {"shot": 5})
    config = MetaConfig(algo=algo, iterations=3, meta_batch=2, inner_steps=1, eval_steps=10, val_every=0,
                        batching="loop", device="cpu")
    trainer = MetaTrainer(problem, config)
    for _ in trainer.run():
        pass
    return str(trainer.save(path))


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    folder = tmp_path_factory.mktemp("checkpoints")
    return train_checkpoint(folder / "meta", "maml"), train_checkpoint(folder / "pretrained", "pretrain")


@pytest.fixture
def playground(qtbot, checkpoints, monkeypatch):
    meta, pretrained = checkpoints
    monkeypatch.setattr(playground_module, "shipped_checkpoint",
                        lambda name: pretrained if "pretrained" in name else None)
    context = AppContext()
    widget = PlaygroundPanel(context)
    assert widget.model_picker.entry().shipped          # starts on the shipped model
    assert widget.model_picker.load(meta)               # the user picks the trained one
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    yield widget
    widget.shutdown()


def test_adapts_the_current_checkpoint_with_a_prediction_per_step(qtbot, playground, checkpoints):
    qtbot.waitUntil(lambda: playground.result is not None, timeout=60_000)
    result = playground.result
    steps = playground.steps.value()
    assert result.meta.checkpoint == playground.model_picker.path() != checkpoints[0]   # the library's copy
    assert result.meta.curves.shape == (steps + 1, len(result.grid))
    assert len(result.meta.support_losses) == steps + 1
    assert result.meta.support_losses[-1] < result.meta.support_losses[0]  # adaptation fits the points
    assert result.baseline is not None and result.baseline.curves.shape == result.meta.curves.shape
    assert playground.step_slider.maximum() == steps
    assert playground.step_slider.value() == steps

    # The slider shows the prediction after each step (no new adaptation needed).
    _, last = playground.meta_curve.getData()
    playground.step_slider.setValue(0)
    _, first = playground.meta_curve.getData()
    assert np.allclose(first, result.meta.curves[0]) and np.allclose(last, result.meta.curves[steps])
    assert "Step 0" in playground.scores.text() and "pretrained" in playground.scores.text()


def test_clicking_the_plot_adds_a_support_point_and_readapts(qtbot, playground):
    qtbot.waitUntil(lambda: playground.result is not None, timeout=60_000)
    playground.clear.click()
    assert playground.model.points == []
    view = playground.plot.getPlotItem().getViewBox()
    scene_pos = view.mapViewToScene(QPointF(1.5, 0.0))
    widget_pos = playground.plot.mapFromScene(scene_pos)
    with qtbot.waitSignal(playground.adapted, timeout=30_000):
        qtbot.mouseClick(playground.plot.viewport(), Qt.MouseButton.LeftButton, pos=widget_pos)
    assert len(playground.model.points) == 1
    x, y = playground.model.points[0]
    assert x == pytest.approx(1.5, abs=0.1)
    assert y == pytest.approx(float(playground.model.target(x)))  # snapped onto the hidden target
    assert "1 points" in playground.status.text()


def test_sampling_k_points_and_a_new_target(qtbot, playground):
    playground.k.setValue(7)
    playground.sample.click()
    assert len(playground.model.points) == 7
    before = (playground.model.amplitude, playground.model.phase)
    playground.new_target.click()
    assert (playground.model.amplitude, playground.model.phase) != before
    assert playground.model.points == []


def test_without_any_checkpoint_it_says_what_to_do(qtbot, monkeypatch, tmp_path):
    monkeypatch.setattr(playground_module, "shipped_checkpoint", lambda name: None)
    monkeypatch.setattr(library_module, "shipped_folder", lambda: tmp_path / "nothing shipped")
    widget = PlaygroundPanel(AppContext())
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: "Training panel" in widget.status.text(), timeout=5000)
    assert not widget.jobs.busy
    widget.shutdown()
