"""Correctness of the meta-gradients against explicit references."""

import pytest
import torch

from tests.meta.toy import ToyClassification, ToyRegression
from workbench.meta.algorithms import build_algorithm, prototype_logits
from workbench.meta.batching import meta_gradient
from workbench.meta.config import MetaConfig
from workbench.meta.state import make_forward
from workbench.meta.trainer import MetaTrainer


def setup(problem, **config):
    torch.manual_seed(0)
    config = MetaConfig(**config).validate()
    model = problem.build_model().double()
    forward = make_forward(model)
    algorithm = build_algorithm(problem, forward, config)
    params = {k: v.detach().clone() for k, v in model.named_parameters()}
    tasks = problem.sample_tasks(3, torch.Generator().manual_seed(1))
    tasks = type(tasks)(tuple(t.double() if t.is_floating_point() else t for t in tasks.support),
                        tuple(t.double() if t.is_floating_point() else t for t in tasks.query))
    return problem, model, algorithm, algorithm.init_meta(params), tasks


def unrolled_reference(problem, model, params, tasks, steps, lr, first_order):
    """MAML meta-gradient with plain autograd: create_graph through the inner steps."""
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    total = 0.0
    for i in range(tasks.size):
        task = tasks.task(i)
        fast = dict(leaves)
        for _ in range(steps):
            loss = problem.loss(lambda p, x: torch.func.functional_call(model, p, (x,)), fast, task.support)
            grads = torch.autograd.grad(loss, list(fast.values()), create_graph=not first_order)
            fast = {k: v - lr * g for (k, v), g in zip(fast.items(), grads)}
        total = total + problem.loss(lambda p, x: torch.func.functional_call(model, p, (x,)), fast, task.query)
    grads = torch.autograd.grad(total / tasks.size, list(leaves.values()))
    return dict(zip(leaves, grads))


@pytest.mark.parametrize("strategy", ["loop", "vmap"])
def test_second_order_maml_matches_unrolled_autograd(strategy):
    problem, model, algorithm, meta, tasks = setup(ToyRegression(), algo="maml", inner_steps=2, inner_lr=0.1)
    grads, _ = meta_gradient(algorithm.task_gradient, meta, tasks, strategy)
    reference = unrolled_reference(problem, model, meta["params"], tasks, 2, 0.1, first_order=False)
    for name in reference:
        torch.testing.assert_close(grads["params"][name], reference[name])


def test_first_order_differs_only_by_the_stopped_gradient():
    problem, model, algorithm, meta, tasks = setup(ToyRegression(), algo="fomaml", first_order=True, inner_steps=2,
                                                   inner_lr=0.1)
    grads, _ = meta_gradient(algorithm.task_gradient, meta, tasks, "loop")
    first = unrolled_reference(problem, model, meta["params"], tasks, 2, 0.1, first_order=True)
    second = unrolled_reference(problem, model, meta["params"], tasks, 2, 0.1, first_order=False)
    for name in first:
        torch.testing.assert_close(grads["params"][name], first[name])
    assert any(not torch.allclose(first[n], second[n]) for n in first), "second-order terms should matter here"


def test_reptile_update_matches_its_formula():
    problem = ToyRegression()
    trainer = MetaTrainer(problem, MetaConfig(algo="reptile", inner_steps=3, inner_lr=0.05, outer_lr=0.5,
                                              outer_optimizer="sgd", meta_batch=2, batching="loop", val_every=0))
    before = {k: v.clone() for k, v in trainer.meta["params"].items()}
    tasks = problem.sample_tasks(2, torch.Generator().set_state(trainer.task_generator.get_state()))
    adapted = []
    for i in range(2):
        task = tasks.task(i)
        data = tuple(torch.cat([s, q]) for s, q in zip(task.support, task.query))
        fast = {k: v.clone() for k, v in before.items()}
        for _ in range(3):
            leaves = {k: v.requires_grad_(True) for k, v in fast.items()}
            loss = problem.loss(trainer.forward, leaves, data)
            grads = torch.autograd.grad(loss, list(leaves.values()))
            fast = {k: (v - 0.05 * g).detach() for (k, v), g in zip(leaves.items(), grads)}
        adapted.append(fast)
    trainer._step()
    for name, start in before.items():
        mean_adapted = sum(a[name] for a in adapted) / 2
        expected = start + 0.5 * (mean_adapted - start)
        torch.testing.assert_close(trainer.meta["params"][name], expected, rtol=1e-5, atol=1e-6)


def test_metasgd_rates_receive_gradients():
    _, _, algorithm, meta, tasks = setup(ToyRegression(), algo="metasgd", inner_steps=1, inner_lr=0.1)
    grads, _ = meta_gradient(algorithm.task_gradient, meta, tasks, "loop")
    assert set(grads["lrs"]) == set(meta["params"])
    assert all(g.abs().sum() > 0 for g in grads["lrs"].values())


def test_anil_adapts_only_the_head():
    _, _, algorithm, meta, tasks = setup(ToyRegression(), algo="anil", inner_steps=2, inner_lr=0.1)
    task = tasks.task(0)
    result = algorithm.adapt_task(meta, task.support, 2, first_order=True)
    for name, value in meta["params"].items():
        changed = not torch.equal(result.params[name], value)
        assert changed == name.startswith("2."), name


def test_protonet_logits_are_negative_squared_distances_to_class_means():
    problem = ToyClassification(way=3, shot=2)
    model = problem.build_model()
    forward = make_forward(model)
    params = dict(model.named_parameters())
    task = problem.sample_tasks(1, torch.Generator().manual_seed(0)).task(0)
    logits = prototype_logits(forward, params, task.support, task.query[0], 3)
    support_embedding = model(task.support[0])
    means = torch.stack([support_embedding[task.support[1] == c].mean(0) for c in range(3)])
    expected = -torch.cdist(model(task.query[0]), means).pow(2)
    torch.testing.assert_close(logits, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("algo", ["maml", "fomaml", "metasgd", "anil", "reptile", "protonet", "pretrain"])
def test_vmap_and_loop_give_the_same_gradients(algo):
    problem = ToyClassification() if algo == "protonet" else ToyRegression()
    _, _, algorithm, meta, tasks = setup(problem, algo=algo, inner_steps=2, inner_lr=0.1,
                                         first_order=algo == "fomaml")
    loop_grads, loop_metrics = meta_gradient(algorithm.task_gradient, meta, tasks, "loop")
    vmap_grads, vmap_metrics = meta_gradient(algorithm.task_gradient, meta, tasks, "vmap", chunk_size=2)
    torch.utils._pytree.tree_map(torch.testing.assert_close, loop_grads, vmap_grads)
    torch.testing.assert_close(loop_metrics["outer_loss"], vmap_metrics["outer_loss"])
