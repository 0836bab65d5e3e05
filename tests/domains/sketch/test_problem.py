"""The sketch Problems: task shapes, pure losses, same gradients under vmap and loop."""

from __future__ import annotations

import pytest
import torch

from workbench.domains.registry import build_problem, presets
from workbench.meta.errors import ConfigError
from workbench.meta.state import make_forward


def _problem(mode, **options):
    return build_problem("sketch", {"mode": mode, "train_classes": 40, **options})


def test_presets_name_ink_its_baseline_and_the_judge():
    found = presets("sketch")
    assert found["ink"]["problem"]["mode"] == "ink" and found["ink-pretrain"]["config"]["algo"] == "pretrain"
    assert found["classify"]["problem"]["mode"] == "classify"
    # the second stage of each: the same problem plus Complete tasks started from an example
    for first, second in (("ink", "ink-finish"), ("ink-pretrain", "ink-pretrain-finish")):
        assert found[second]["config"]["algo"] == found[first]["config"]["algo"]
        assert {k: v for k, v in found[second]["problem"].items() if k != "lone_support_weight"} == \
            {**found[first]["problem"], "started_complete": 0.5}
    # the meta-trained stage also learns from its support drawings' own loss, as joint training does,
    # less of it where one drawing is the whole context
    assert found["ink-finish"]["config"]["support_weight"] == 1.0
    assert found["ink-finish"]["problem"]["lone_support_weight"] == 0.3


def test_support_loss_is_scaled_where_the_support_is_one_drawing():
    problem = _problem("ink", size=32, lone_support_weight=0.25)
    torch.manual_seed(0)
    model = problem.build_model()
    forward, params = make_forward(model), dict(model.named_parameters())
    support = problem.sample_tasks(1, torch.Generator().manual_seed(1), "val").task(0).support
    assert support[1].sum() > 1                                            # 5 drawings: the full loss
    assert torch.equal(problem.support_loss(forward, params, support), problem.loss(forward, params, support))
    lone_weight = torch.zeros_like(support[1])
    lone_weight[0] = 1.0
    lone = (support[0], lone_weight, support[2], lone_weight, support[4])
    torch.testing.assert_close(problem.support_loss(forward, params, lone), 0.25 * problem.loss(forward, params, lone))
    with pytest.raises(ConfigError, match="lone_support_weight"):
        _problem("ink", lone_support_weight=-1.0)


def test_unknown_mode_or_share_out_of_range_is_a_config_error():
    with pytest.raises(ConfigError, match="started_complete"):
        build_problem("sketch", {"mode": "ink", "started_complete": 1.5})
    with pytest.raises(ConfigError, match="mode"):
        build_problem("sketch", {"mode": "paint"})
    with pytest.raises(ConfigError, match="unknown sketch mode 'vary'"):   # a checkpoint of the old VAE
        build_problem("sketch", {"mode": "vary"})


def test_classify_tasks_have_way_times_shots_labels():
    problem = _problem("classify", way=5, shot=2, query=3, size=28)
    tasks = problem.sample_tasks(2, torch.Generator().manual_seed(2), "train")
    x, y = tasks.support
    assert x.shape == (2, 10, 784) and sorted(y[0].tolist()) == sorted(list(range(5)) * 2)
    assert tasks.query[0].shape == (2, 15, 784)


def test_classify_loss_is_finite_and_vmap_matches_loop():
    problem = _problem("classify", way=4, shot=1, query=1, size=28)
    torch.manual_seed(0)
    model = problem.build_model()
    forward = make_forward(model)
    params = dict(model.named_parameters())
    tasks = problem.sample_tasks(3, torch.Generator().manual_seed(3), "train")

    def task_grad(support):
        return torch.func.grad(lambda p: problem.loss(forward, p, support))(params)

    looped = [task_grad(tasks.task(i).support) for i in range(3)]
    mapped = torch.func.vmap(task_grad)(tasks.support)
    for key in params:
        expected = torch.stack([g[key] for g in looped])
        torch.testing.assert_close(mapped[key], expected, rtol=1e-4, atol=1e-5)
    assert all(torch.isfinite(problem.loss(forward, params, tasks.task(i).support)) for i in range(3))


def test_the_plural_names_of_older_checkpoints_still_read():
    problem = _problem("classify", way=4, shots=2, queries=1, size=28)
    assert problem.options["shot"] == 2 and problem.options["query"] == 1
    assert "shots" not in problem.describe()
