"""Tiny sketch checkpoints (one meta-training iteration), made once per test session."""

from __future__ import annotations

import pytest
import torch

from workbench.domains.registry import build_problem, preset
from workbench.meta.config import MetaConfig
from workbench.meta.trainer import MetaTrainer


def _train_tiny(name: str, out):
    chosen = preset("sketch", name)
    # InkNet at 32x32 and 8 channels: the real code path, a fraction of the cost.
    small = {"size": 32, "width": 8} if chosen["problem"]["mode"] == "ink" else {}
    problem = build_problem("sketch", {**chosen["problem"], "train_classes": 30, **small})
    config = MetaConfig.from_dict({**chosen["config"], "iterations": 1, "meta_batch": 2, "val_every": 0,
                                   "batching": "loop", "checkpoint_every": 0})
    if config.algo == "protonet":
        config = config.replace(meta_batch=1)
    trainer = MetaTrainer(problem, config)
    for _ in trainer.run():
        pass
    return trainer.save(out)


@pytest.fixture(autouse=True)
def _one_thread():
    # These models are tiny: on a busy 2-core machine intra-op threads only
    # wait for each other (measured 4x slower than one thread).
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_checkpoints(tmp_path_factory):
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        folder = tmp_path_factory.mktemp("sketch-checkpoints")
        paths = {}
        for name in ("ink", "classify", "ink-pretrain"):
            _train_tiny(name, folder / name)
            paths[name] = folder / name
        return paths
    finally:
        torch.set_num_threads(before)
