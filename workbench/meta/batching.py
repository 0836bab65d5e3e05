"""Map a per-task function over a meta-batch: `vmap` (chunked) or a per-task `loop`.

Both strategies call the same per-task function and reduce in one place
(`mean_over_tasks`), which is where a distributed run all-reduces
(workbench.meta.distributed).
"""

from __future__ import annotations

import time
from typing import Callable

import torch

from workbench.meta.distributed import World
from workbench.meta.problem import TaskBatch

TaskFn = Callable[..., tuple]


def map_tasks(fn: TaskFn, meta, tasks: TaskBatch, strategy: str, chunk_size: int = 0):
    """Apply fn(meta, support, query) to every task; its outputs (any tree of
    tensors) come back stacked along a leading task dim."""
    if strategy == "vmap":
        chunk = chunk_size or tasks.size
        mapped = torch.func.vmap(fn, in_dims=(None, 0, 0), randomness="different")
        pieces = [
            mapped(meta, part.support, part.query)
            for part in (tasks.slice(s, min(s + chunk, tasks.size)) for s in range(0, tasks.size, chunk))
        ]
        return _tree_cat(pieces)
    if strategy == "loop":
        return _tree_stack([fn(meta, task.support, task.query) for task in (tasks.task(i) for i in range(tasks.size))])
    raise ValueError(f"unknown batching strategy {strategy!r}")


def meta_gradient(fn: TaskFn, meta, tasks: TaskBatch, strategy: str, chunk_size: int = 0, *,
                  world: World | None = None, summed=None):
    """(mean meta-gradient over tasks, per-task metrics) for fn(meta, support, query) -> (grads, metrics).

    In a distributed run `tasks` are this rank's share and the mean is over every
    rank's tasks. `summed` replaces `gradient_sum` by a compiled or captured one."""
    total, metrics = (summed or gradient_sum)(fn, meta, tasks, strategy, chunk_size)
    return mean_over_tasks(total, tasks.size, world), metrics


def gradient_sum(fn: TaskFn, meta, tasks: TaskBatch, strategy: str, chunk_size: int = 0):
    """(sum of the tasks' meta-gradients, per-task metrics).

    Gradients are summed as they come (a vmap chunk at a time, or a task at a
    time), so memory holds one gradient per chunk rather than one per task."""
    total, metrics = None, []
    if strategy == "vmap":
        chunk = chunk_size or tasks.size
        for start in range(0, tasks.size, chunk):
            grads, found = map_tasks(fn, meta, tasks.slice(start, min(start + chunk, tasks.size)), "vmap")
            total = _tree_add(total, torch.utils._pytree.tree_map(lambda t: t.sum(0), grads))
            metrics.append(found)
        metrics = _tree_cat(metrics)
    elif strategy == "loop":
        for i in range(tasks.size):
            task = tasks.task(i)
            grads, found = fn(meta, task.support, task.query)
            total = _tree_add(total, grads)
            metrics.append(found)
        metrics = _tree_stack(metrics)
    else:
        raise ValueError(f"unknown batching strategy {strategy!r}")
    return total, metrics


def mean_over_tasks(total, count: int, world: World | None = None):
    """The one reduction over tasks: a distributed run all-reduces the sums and the count here."""
    if world is not None:
        total, count = world.sum_with_count(total, count)
    return torch.utils._pytree.tree_map(lambda t: t / count, total)


def _tree_add(total, grads):
    return grads if total is None else torch.utils._pytree.tree_map(torch.add, total, grads)


def choose_strategy(fn: TaskFn, meta, tasks: TaskBatch, chunk_size: int = 0) -> tuple[str, dict[str, float]]:
    """Measure both strategies on this batch (one warm-up, one timed call each) and pick the faster.

    The global RNG is restored afterwards so measuring does not change the run."""
    state = torch.get_rng_state()
    cuda_state = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
    timings: dict[str, float] = {}
    try:
        for strategy in ("loop", "vmap"):
            meta_gradient(fn, meta, tasks, strategy, chunk_size)
            _sync(tasks)
            start = time.perf_counter()
            meta_gradient(fn, meta, tasks, strategy, chunk_size)
            _sync(tasks)
            timings[strategy] = time.perf_counter() - start
    finally:
        torch.set_rng_state(state)
        if cuda_state is not None:
            torch.cuda.set_rng_state_all(cuda_state)
    return min(timings, key=timings.get), timings


def _sync(tasks: TaskBatch) -> None:
    if tasks.support[0].device.type == "cuda":
        torch.cuda.synchronize()


def _tree_stack(trees):
    return torch.utils._pytree.tree_map(lambda *xs: torch.stack(xs), *trees)


def _tree_cat(trees):
    if len(trees) == 1:
        return trees[0]
    return torch.utils._pytree.tree_map(lambda *xs: torch.cat(xs), *trees)
