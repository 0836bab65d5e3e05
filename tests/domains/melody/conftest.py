import pytest


@pytest.fixture(scope="session")
def melody_cache(tmp_path_factory):
    """A private corpus cache for the melody tests (never the user's)."""
    path = tmp_path_factory.mktemp("melody-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKBENCH_CACHE_DIR", str(path))
        yield path


@pytest.fixture(autouse=True)
def _private_cache(melody_cache, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(melody_cache))


TINY_PROBLEM = {"collections": ["ryans"], "limit_files": 6, "width": 16, "layers": 1, "heads": 2, "task": "tune",
                "segment_bars": 4, "max_events": 40,
                "shot": 2, "query": 1}


@pytest.fixture(scope="session")
def tiny_checkpoint(melody_cache, tmp_path_factory):
    """A melody checkpoint meta-trained for a few iterations on eight tunes (seconds)."""
    import torch

    from workbench.domains.registry import build_problem
    from workbench.meta.config import MetaConfig
    from workbench.meta.trainer import MetaTrainer

    torch.manual_seed(0)
    problem = build_problem("melody", TINY_PROBLEM)
    config = MetaConfig(algo="metasgd", first_order=True, inner_steps=1, eval_steps=3, inner_lr=0.05,
                        meta_batch=4, iterations=3, val_every=0, batching="loop")
    trainer = MetaTrainer(problem, config)
    for _ in trainer.run():
        pass
    path = tmp_path_factory.mktemp("melody-ckpt") / "tiny.safetensors"
    trainer.save(path)
    return path


@pytest.fixture(scope="session")
def tiny_tunes(melody_cache):
    from workbench.domains.melody import corpus

    return corpus.load_builtin(("ryans",), limit_files=6)
