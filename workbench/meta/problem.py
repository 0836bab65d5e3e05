"""What a domain gives the engine: a model, a per-task loss, and a task sampler."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import torch

Forward = Callable[..., torch.Tensor]  # forward(params, *inputs) -> output
Params = dict[str, torch.Tensor]


@dataclass(frozen=True)
class TaskBatch:
    """Support and query tensors of n tasks; every tensor has a leading task dim n."""

    support: tuple[torch.Tensor, ...]
    query: tuple[torch.Tensor, ...]

    @property
    def size(self) -> int:
        return int(self.support[0].shape[0])

    def task(self, i: int) -> "TaskBatch":
        return TaskBatch(tuple(t[i] for t in self.support), tuple(t[i] for t in self.query))

    def slice(self, start: int, stop: int) -> "TaskBatch":
        return TaskBatch(tuple(t[start:stop] for t in self.support), tuple(t[start:stop] for t in self.query))

    def to(self, device) -> "TaskBatch":
        return TaskBatch(tuple(t.to(device) for t in self.support), tuple(t.to(device) for t in self.query))


class Problem(Protocol):
    """A domain's learning problem. See docs/ARCHITECTURE.md for the contract."""

    domain: str
    version: str
    kind: str  # "regression" | "classification" | "generative"
    way: int | None
    head_prefixes: tuple[str, ...]
    # Optional: `adapt_prefixes: tuple[str, ...]` names the part of the model the inner loop of
    # every algorithm adapts (the rest is shared across tasks); absent or empty = all parameters.
    # Optional: `support_loss(forward, params, support)` is the support's term of the outer loss
    # (MetaConfig.support_weight times it); absent = `loss`.

    def build_model(self) -> torch.nn.Module: ...

    def loss(self, forward: Forward, params: Params, batch: tuple[torch.Tensor, ...]) -> torch.Tensor: ...

    def accuracy(self, forward: Forward, params: Params, batch: tuple[torch.Tensor, ...]) -> torch.Tensor | None: ...

    def sample_tasks(self, n: int, generator: torch.Generator, split: str) -> TaskBatch: ...

    def describe(self) -> dict: ...
