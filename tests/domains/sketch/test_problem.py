"""The sketch Problems: task shapes, pure losses, same gradients under vmap and loop."""

from __future__ import annotations

import pytest
import torch

from workbench.domains.registry import build_problem, presets
from workbench.meta.errors import ConfigError
from workbench.meta.state import make_forward


def _problem(mode, **options):
    return build_problem("sketch", {"mode": mode, "train_classes": 40, **options})


def test_presets_name_vary_complete_and_the_classifier():
    found = presets("sketch")
    for name in ("vary", "complete", "classify"):
        assert name in found and found[name]["problem"]["mode"] == name


def test_unknown_mode_is_a_config_error():
    with pytest.raises(ConfigError, match="mode"):
        build_problem("sketch", {"mode": "paint"})


def test_vary_tasks_weight_one_to_k_support_drawings():
    problem = _problem("vary")
    tasks = problem.sample_tasks(6, torch.Generator().manual_seed(0), "train")
    x, eps, weight = tasks.support
    assert x.shape == (6, 5, 28 * 28) and eps.shape == (6, 5, 16) and weight.shape == (6, 5)
    assert tasks.query[0].shape == (6, 5, 28 * 28)
    counts = weight.sum(1)
    assert counts.min() >= 1 and counts.max() <= 5
    assert (weight[:, 0] == 1).all()                       # weights are a prefix of ones
    held_out = problem.sample_tasks(2, torch.Generator().manual_seed(0), "test")
    assert (held_out.support[2] == 1).all()


def test_complete_tasks_observe_part_of_the_ink():
    problem = _problem("complete", min_observed=0.2, max_observed=0.2)
    tasks = problem.sample_tasks(4, torch.Generator().manual_seed(1), "val")
    partial, mask = tasks.support
    truth, everything = tasks.query
    assert partial.shape == (4, 1, 784) and (everything == 1).all()
    share = partial.sum(-1) / truth.sum(-1)
    assert (share > 0.05).all() and (share < 0.5).all()
    assert (mask >= (partial > 0.2).float()).all()         # observed ink is inside the mask
    assert (mask.mean(-1) < 0.6).all()                     # most pixels stay unknown


def test_classify_tasks_have_way_times_shots_labels():
    problem = _problem("classify", way=5, shots=2, queries=3)
    tasks = problem.sample_tasks(2, torch.Generator().manual_seed(2), "train")
    x, y = tasks.support
    assert x.shape == (2, 10, 784) and sorted(y[0].tolist()) == sorted(list(range(5)) * 2)
    assert tasks.query[0].shape == (2, 15, 784)


@pytest.mark.parametrize("mode", ["vary", "complete", "complete-coordinate", "classify"])
def test_loss_is_finite_and_vmap_matches_loop(mode):
    options = {"way": 4, "shots": 1, "queries": 1} if mode == "classify" else {}
    if mode == "complete-coordinate":
        mode, options = "complete", {"complete_model": "coordinate"}
    problem = _problem(mode, **options)
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
