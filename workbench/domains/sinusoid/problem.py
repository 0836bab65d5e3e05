"""Sinusoid regression, the MAML paper's toy (Finn et al. 2017, section 5.1).

A task is y = A sin(x - phase) with A ~ U[0.1, 5], phase ~ U[0, pi], x ~ U[-5, 5];
the network is an MLP 1-40-40-1 with ReLU and the loss is MSE.
"""

from __future__ import annotations

import math

import torch
from torch import nn

AMPLITUDE = (0.1, 5.0)
PHASE = (0.0, math.pi)
X_RANGE = (-5.0, 5.0)

PRESETS = {
    "maml": {
        "help": "the shipped checkpoint: MAML, K=5 support, 1 inner step at lr 0.01, 10 steps at test time",
        "problem": {"shot": 5, "query": 10},
        "config": {"algo": "maml", "inner_steps": 1, "eval_steps": 10, "inner_lr": 0.01, "outer_lr": 1e-3,
                   "meta_batch": 25, "iterations": 70000, "val_every": 1000},
    },
    "pretrained": {
        "help": "the baseline: one network trained on all tasks jointly, fine-tuned at test time",
        "problem": {"shot": 5, "query": 10},
        "config": {"algo": "pretrain", "inner_steps": 1, "eval_steps": 10, "inner_lr": 0.01, "outer_lr": 1e-3,
                   "meta_batch": 25, "iterations": 70000, "val_every": 1000},
    },
}


class SinusoidProblem:
    domain = "sinusoid"
    version = "1"
    kind = "regression"
    way = None
    head_prefixes = ("layers.4.",)

    def __init__(self, shot: int = 10, query: int = 10):
        self.shot = int(shot)
        self.query = int(query)

    def build_model(self) -> nn.Module:
        return SineNet()

    def loss(self, forward, params, batch) -> torch.Tensor:
        x, y = batch
        return (forward(params, x) - y).pow(2).mean()

    def accuracy(self, forward, params, batch):
        return None

    def sample_tasks(self, n: int, generator: torch.Generator, split: str = "train"):
        from workbench.meta.problem import TaskBatch

        amplitude, phase = sample_sines(n, generator)
        x = uniform((n, self.shot + self.query, 1), X_RANGE, generator)
        y = sine(x, amplitude.view(n, 1, 1), phase.view(n, 1, 1))
        return TaskBatch(
            support=(x[:, : self.shot], y[:, : self.shot]),
            query=(x[:, self.shot :], y[:, self.shot :]),
        )

    def describe(self) -> dict:
        return {"shot": self.shot, "query": self.query}


class SineNet(nn.Module):
    def __init__(self, hidden: int = 40):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(1, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                    nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def build(options: dict) -> SinusoidProblem:
    from workbench.meta.errors import ConfigError

    shot = int(options.get("shot") or 10)
    query = int(options.get("query") or 10)
    if shot < 1 or query < 1:
        raise ConfigError("shot", "support and query sizes must be at least 1")
    return SinusoidProblem(shot=shot, query=query)


def uniform(shape, bounds: tuple[float, float], generator: torch.Generator) -> torch.Tensor:
    low, high = bounds
    return torch.rand(shape, generator=generator) * (high - low) + low


def sample_sines(n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """n (amplitude, phase) pairs from the task distribution."""
    return uniform((n,), AMPLITUDE, generator), uniform((n,), PHASE, generator)


def sine(x: torch.Tensor, amplitude, phase) -> torch.Tensor:
    return amplitude * torch.sin(x - phase)
