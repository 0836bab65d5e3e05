"""Memory a run will need, estimated before anything large is allocated.

The model is built on torch's "meta" device (shapes only, no storage) to
count its parameters, and one task is sampled to measure a task's tensors;
both are checked against `limits.memory_budget_bytes`, so a huge hidden size,
image size or shot count stops with a message instead of a kernel kill.
"""

from __future__ import annotations

import torch
from torch.overrides import TorchFunctionMode

from workbench.meta.errors import ConfigError
from workbench.meta.limits import check_memory

BYTES_PER_VALUE = 4
ACTIVATION_FACTOR = 4   # a task's activations and gradients, as a multiple of its input tensors


class _NoInitialisation(TorchFunctionMode):
    """Leaves torch.nn.init and the tensors' random fills undone while a model is built on the
    "meta" device, where there is nothing to fill: torch's meta versions of those fills import
    torch._dynamo the first time, 1.3-1.8 s on a 2-core machine before the first melody model
    (whose embeddings start from normal_) could load."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if getattr(func, "__module__", None) == "torch.nn.init" or getattr(func, "__name__", "") in _RANDOM_FILLS:
            return args[0] if args else kwargs["tensor"]
        return func(*args, **kwargs)


_RANDOM_FILLS = {"normal_", "uniform_", "bernoulli_", "cauchy_", "exponential_", "geometric_", "log_normal_",
                 "random_"}


def parameter_count(problem) -> int | None:
    """Parameters of the problem's model, counted without allocating them (None if it cannot be built so)."""
    try:
        with torch.device("meta"), _NoInitialisation():
            model = problem.build_model()
    except ConfigError:
        raise
    except (TypeError, ValueError) as exc:  # options of the wrong kind (e.g. from a hand-edited checkpoint)
        raise ConfigError("problem", f"the model cannot be built from these options ({_options(problem)}): {exc}") from exc
    except Exception:  # noqa: BLE001 - a model that cannot be built on "meta" is checked by its real build
        return None
    return sum(p.numel() for p in model.parameters())


def check_model_fits(problem, tasks_in_flight: int = 1, steps: int = 1) -> None:
    """ConfigError if the model, its optimizer state and the fast weights of the tasks adapted at once
    would not fit in memory."""
    count = parameter_count(problem)
    if count is None:
        return
    copies = 5 + tasks_in_flight * (steps + 1)   # meta, grad, two Adam moments, rates; fast weights per step
    check_memory("problem", count * BYTES_PER_VALUE * copies,
                 f"a model of {count:,} parameters ({_options(problem)})")


def check_tasks_fit(problem, generator: torch.Generator, meta_batch: int, split: str = "train") -> None:
    """Sample one task (without advancing `generator`) and check that a meta-batch of them fits."""
    peek = torch.Generator().set_state(generator.get_state())
    try:
        one = problem.sample_tasks(1, peek, split)
    except (MemoryError, RuntimeError) as exc:
        if isinstance(exc, MemoryError) or "alloc" in str(exc).lower():
            raise ConfigError("problem", f"one task does not fit in memory ({_options(problem)}); "
                                         "use fewer or smaller examples") from exc
        raise
    task_bytes = sum(t.numel() * t.element_size() for t in (*one.support, *one.query))
    check_memory("meta_batch", task_bytes * meta_batch * ACTIVATION_FACTOR,
                 f"a meta-batch of {meta_batch} tasks of {task_bytes / 2**20:.1f} MiB each ({_options(problem)})")


def _options(problem) -> str:
    try:
        options = problem.describe()
    except Exception:  # noqa: BLE001
        return problem.domain
    sizes = {k: v for k, v in options.items() if isinstance(v, int) and not isinstance(v, bool)}
    return ", ".join(f"{k} {v}" for k, v in sizes.items()) or problem.domain
