"""Fixtures of the Sketch Studio tests."""

from __future__ import annotations

import pytest

from workbench.ui.context import AppContext


@pytest.fixture
def context(qtbot):
    return AppContext()


@pytest.fixture(scope="session")
def tiny_checkpoints(tmp_path_factory):
    """A real sketch "ink" checkpoint (Vary and Complete) from a one-iteration meta-training run
    (InkNet with 8 channels: the real code path at a fraction of the cost), and a classify one.

    Enough to run the real facade end to end; the drawings are not meant to be good.
    """
    import torch

    from workbench.domains import registry
    from workbench.meta.config import MetaConfig
    from workbench.meta.trainer import MetaTrainer

    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("sketch-checkpoints")
    paths = {}
    for mode in ("ink", "classify"):              # classify: a sketch checkpoint the studio must refuse
        preset = registry.preset("sketch", mode)
        problem = registry.build_problem("sketch", {**preset["problem"], "width": 8, "train_classes": 30})
        config = MetaConfig(**{**preset["config"], "iterations": 1, "meta_batch": 2, "val_every": 0})
        trainer = MetaTrainer(problem, config)
        for _record in trainer.run():
            pass
        paths[mode] = str(trainer.save(folder / f"tiny-{mode}"))
    return paths
