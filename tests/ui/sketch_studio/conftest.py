"""Fixtures of the Sketch Studio tests."""

from __future__ import annotations

import pytest

from workbench.ui.context import AppContext


@pytest.fixture
def context(qtbot):
    return AppContext()


@pytest.fixture(scope="session")
def tiny_checkpoints(tmp_path_factory):
    """Real sketch checkpoints (vary, complete) from a one-iteration meta-training run each.

    Enough to run the real facade end to end; the drawings are not meant to be good.
    """
    import torch

    from workbench.domains import registry
    from workbench.meta.config import MetaConfig
    from workbench.meta.trainer import MetaTrainer

    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("sketch-checkpoints")
    paths = {}
    for mode in ("vary", "complete"):
        preset = registry.preset("sketch", mode)
        problem = registry.build_problem("sketch", preset["problem"])
        config = MetaConfig(**{**preset["config"], "iterations": 1, "meta_batch": 2, "val_every": 0})
        trainer = MetaTrainer(problem, config)
        for _record in trainer.run():
            pass
        paths[mode] = str(trainer.save(folder / f"tiny-{mode}"))
    return paths
