"""N-way K-shot classification on Omniglot-format data: the engine's correctness check.

Data: any class-per-folder image set, as a folder or zip (Omniglot's
alphabet/character/drawing.png included), or the built-in procedural glyphs
when no data is given. Images are 28x28, ink = 1. Each character rotated by
0/90/180/270 degrees is a class of its own (as in the MAML paper); the
train/val/test split is by character, so no drawing of a test character, in
any rotation, is seen in training.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from workbench.domains.omniglot.model import ConvNet, head_logits
from workbench.meta.errors import ConfigError
from workbench.meta.problem import TaskBatch

ROTATIONS = 4
# head_way: the size of the model's head (default: way). ProtoNet ignores the head,
# so a ProtoNet checkpoint evaluates at any way with its trained head size.
# unseen_by: a class-per-folder set whose classes (same drawing files) are left out of `data`: an
# evaluation on classes the model never trained on (eval fewshot passes the training data).
DEFAULTS = {"data": None, "way": 5, "shot": 1, "query": 15, "size": 28, "rotations": True, "whole": False,
            "seed": 0, "head_way": None, "unseen_by": None}

# The MAML paper's settings (REFERENCE.md), shortened to what a 2-core CPU can run.
PRESETS = {
    "5w1s": {
        "help": "5-way 1-shot, MAML's Omniglot settings (1 step at lr 0.4, 3 at test time); needs --data",
        "problem": {"way": 5, "shot": 1, "query": 15},
        "config": {"algo": "maml", "inner_steps": 1, "eval_steps": 3, "inner_lr": 0.4, "meta_batch": 32,
                   "outer_lr": 1e-3, "iterations": 60000, "val_every": 500, "val_tasks": 64},
    },
    "20w1s": {
        "help": "20-way 1-shot, MAML's Omniglot settings (5 steps at lr 0.1, meta-batch 16); needs --data",
        "problem": {"way": 20, "shot": 1, "query": 5},
        "config": {"algo": "maml", "inner_steps": 5, "eval_steps": 5, "inner_lr": 0.1, "meta_batch": 16,
                   "outer_lr": 1e-3, "iterations": 60000, "val_every": 500, "val_tasks": 64},
    },
}


def build(options: dict) -> "FewShotProblem":
    opts = dict(DEFAULTS)
    opts.update({k: v for k, v in options.items() if k in DEFAULTS and v is not None})
    for key in ("way", "shot", "query"):
        if not isinstance(opts[key], int) or opts[key] < 1:
            raise ConfigError(key, f"must be a positive integer, got {opts[key]!r}")
    if opts["way"] < 2:
        raise ConfigError("way", "a classification task needs at least 2 classes")
    problem = FewShotProblem(opts)
    problem.check_data()
    return problem


class FewShotProblem:
    domain = "omniglot"
    version = "1"
    kind = "classification"
    head_prefixes = ("head.",)

    def __init__(self, options: dict):
        self.options = options
        self.way, self.shot, self.query = options["way"], options["shot"], options["query"]
        self.size = options["size"]
        self.rotations = ROTATIONS if options["rotations"] else 1
        self._source = None
        self._checked_splits: set[str] = set()

    @property
    def source(self):
        if self._source is None:
            from workbench.domains.drawings.sources import FolderSource, GlyphSource

            data, size, seed = self.options["data"], self.size, self.options["seed"]
            if data in (None, "", "glyphs"):
                self._source = GlyphSource(size=size, seed=seed)
            else:
                self._source = FolderSource(data, size=size, seed=seed, fractions=(0.8, 0.2, 0.0),
                                            whole=bool(self.options["whole"]), unseen_by=self.options["unseen_by"])
        return self._source

    def classes(self, split: str) -> int:
        return self.source.num_classes(split) * self.rotations

    def check_data(self, splits=("train",)) -> None:
        """One-line errors for settings the data cannot satisfy."""
        where = self.options["data"] or "the built-in glyphs"
        for split in splits:
            available = self.classes(split)
            if self.way > available:
                raise ConfigError("way", f"{self.way}-way tasks need {self.way} classes; the {split} split of "
                                         f"{where} has {available}")
            smallest = min(self.source.num_instances(split, i) for i in range(min(self.source.num_classes(split), 64)))
            if self.shot + self.query > smallest:
                raise ConfigError("shot", f"{self.shot} shots + {self.query} queries need {self.shot + self.query} "
                                          f"drawings per class; {where} has classes with {smallest}")

    def describe(self) -> dict:
        return dict(self.options)

    def build_model(self) -> torch.nn.Module:
        return ConvNet(way=self.options["head_way"] or self.way, size=self.size)

    def loss(self, forward, params, batch) -> torch.Tensor:
        x, y = batch
        return F.cross_entropy(head_logits(forward(params, x), params), y)

    def accuracy(self, forward, params, batch) -> torch.Tensor:
        return self.scores(forward, params, batch)[1]

    def scores(self, forward, params, batch) -> tuple[torch.Tensor, torch.Tensor]:
        """Loss and accuracy from one forward pass (the engine uses this when present)."""
        x, y = batch
        logits = head_logits(forward(params, x), params)
        return F.cross_entropy(logits, y), (logits.argmax(-1) == y).float().mean()

    def sample_tasks(self, n: int, generator: torch.Generator, split: str) -> TaskBatch:
        if split not in self._checked_splits:  # e.g. a val split with fewer classes than --way
            self.check_data((split,))
            self._checked_splits.add(split)
        way, shot, query = self.way, self.shot, self.query
        per_class = shot + query
        images = torch.empty(n, way, per_class, self.size, self.size)
        for t in range(n):
            for slot, label in enumerate(torch.randperm(self.classes(split), generator=generator)[:way].tolist()):
                character, rotation = divmod(label, self.rotations)
                count = self.source.num_instances(split, character)
                chosen = torch.randperm(count, generator=generator)[:per_class].tolist()
                drawings = torch.from_numpy(self.source.images(split, character, chosen))
                images[t, slot] = torch.rot90(drawings, rotation, dims=(-2, -1))
        labels = torch.arange(way).view(1, way, 1)
        return TaskBatch(
            support=(images[:, :, :shot].reshape(n, way * shot, self.size, self.size),
                     labels.expand(n, way, shot).reshape(n, -1)),
            query=(images[:, :, shot:].reshape(n, way * query, self.size, self.size),
                   labels.expand(n, way, query).reshape(n, -1)),
        )
