"""Tiny problems for engine tests: regression and classification on random data."""

import torch
from torch import nn

from workbench.meta.problem import TaskBatch


class ToyRegression:
    domain = "toy"
    version = "1"
    kind = "regression"
    way = None
    head_prefixes = ("2.",)

    def __init__(self, shot=4, query=6, dim=3):
        self.shot, self.query, self.dim = shot, query, dim

    def build_model(self):
        return nn.Sequential(nn.Linear(self.dim, 8), nn.Tanh(), nn.Linear(8, 1))

    def loss(self, forward, params, batch):
        x, y = batch
        return (forward(params, x) - y).pow(2).mean()

    def accuracy(self, forward, params, batch):
        return None

    def sample_tasks(self, n, generator, split="train"):
        w = torch.randn(n, self.dim, 1, generator=generator)
        x = torch.randn(n, self.shot + self.query, self.dim, generator=generator)
        y = x @ w
        return TaskBatch((x[:, : self.shot], y[:, : self.shot]), (x[:, self.shot :], y[:, self.shot :]))

    def describe(self):
        return {"shot": self.shot, "query": self.query, "dim": self.dim}


class ToyClassification:
    domain = "toyclass"
    version = "1"
    kind = "classification"
    head_prefixes = ("2.",)

    def __init__(self, way=3, shot=2, query=3, dim=4):
        self.way, self.shot, self.query, self.dim = way, shot, query, dim

    def build_model(self):
        return nn.Sequential(nn.Linear(self.dim, 6), nn.ReLU(), nn.Linear(6, self.way))

    def loss(self, forward, params, batch):
        x, y = batch
        return nn.functional.cross_entropy(forward(params, x), y)

    def accuracy(self, forward, params, batch):
        x, y = batch
        return (forward(params, x).argmax(-1) == y).float().mean()

    def sample_tasks(self, n, generator, split="train"):
        centers = torch.randn(n, self.way, self.dim, generator=generator) * 3
        def draw(k):
            labels = torch.arange(self.way).repeat_interleave(k)
            x = centers[:, labels] + torch.randn(n, self.way * k, self.dim, generator=generator)
            return x, labels.expand(n, -1).clone()
        return TaskBatch(draw(self.shot), draw(self.query))

    def describe(self):
        return {}
