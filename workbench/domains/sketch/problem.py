"""The sketch domain's learning problems and training presets.

Two modes share the data (built-in glyphs or a class-per-folder set):

- "ink" (generative; Vary and Complete): InkNet (inknet.py) predicts the
  ink of unknown pixels of a 64x64 canvas from the known ones and from the
  task's drawings; decoding it step by step draws (decode.py). A task is one
  class; tasks and masks come from inktasks.py.
  Both support and query are (context drawings, their weights, drawings to
  predict, their weights, known masks); the loss is the weighted mean over
  drawings of the BCE over their unknown pixels, given the context. Support:
  masked prediction of the support drawings themselves (what the engine
  adapts on); query: of other drawings of the class, or of a whole drawing
  from a partial one. One shape for both, so joint training (pretrain, which
  concatenates them) is the same loss.
- "classify" (classification): `way`-way tasks for Prototypical Networks; the
  judge of the evaluation's fidelity.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from workbench.domains.drawings.sources import make_source
from workbench.domains.sketch.inknet import InkNet, masked_bce
from workbench.domains.sketch.inktasks import ink_tasks
from workbench.domains.sketch.models import GlyphEmbedding
from workbench.meta.errors import ConfigError, DataError
from workbench.meta.problem import TaskBatch

MODES = ("ink", "classify")
VERSION = "1"  # unchanged: the classify checkpoints stay valid; old "vary"/"complete" ones name their unknown mode

DEFAULTS = {
    "mode": "ink",
    "data": "glyphs",      # "glyphs" or a folder / zip of class folders
    "size": 64,
    "seed": 0,
    "shot": 5,             # ink: most support drawings; classify: drawings per class
    "query": 3,
    "vary_shots": True,    # ink: draw the real number of shots per training task from 1..shot
    "way": 20,
    "complete_share": 0.3,  # ink: share of tasks that complete a partial drawing
    "min_observed": 0.1,   # ink, complete tasks: share of the ink kept, drawn per task
    "max_observed": 0.6,
    "supported_complete": 0.0,  # ink, complete tasks: share whose support is the class's drawings, not the partial
    "started_complete": 0.0,  # ink, supported complete tasks: share started from an example's pixels, as the app does
    "lone_support_weight": 1.0,  # ink: the support's outer-loss term (support_weight) of a one-drawing task is scaled by this
    "width": 32,           # ink: InkNet channels
    "fine_support": False,  # ink: InkNet's last layers also see the support at full resolution
    "train_classes": 4000,
    "whole": False,        # folder data: every split is the whole set
}


def build(options: dict) -> "SketchProblem":
    opts = dict(DEFAULTS)
    # Every domain names these "shot" and "query"; checkpoints and presets written
    # before that used the plural, and still load.
    aliases = {"shots": "shot", "queries": "query"}
    opts.update({aliases.get(k, k): v for k, v in options.items() if aliases.get(k, k) in DEFAULTS and v is not None})
    if opts["mode"] not in MODES:
        raise ConfigError("mode", f"unknown sketch mode {opts['mode']!r}; choose one of {', '.join(MODES)}")
    for key in ("size", "shot", "query", "way", "train_classes", "width"):
        if not isinstance(opts[key], int) or isinstance(opts[key], bool) or opts[key] < 1:
            raise ConfigError(key, f"must be a positive integer, got {opts[key]!r}")
    if opts["size"] % 4:
        raise ConfigError("size", f"must be a multiple of 4 (64 for ink, 28 for classify), got {opts['size']}")
    if opts["width"] % 8:
        raise ConfigError("width", f"must be a multiple of 8 (GroupNorm groups), got {opts['width']}")
    if not 0 < opts["min_observed"] <= opts["max_observed"] < 1:
        raise ConfigError("min_observed", "need 0 < min_observed <= max_observed < 1")
    if not isinstance(opts["fine_support"], bool):
        raise ConfigError("fine_support", f"must be true or false, got {opts['fine_support']!r}")
    for key in ("complete_share", "supported_complete", "started_complete", "lone_support_weight"):
        if not 0 <= opts[key] <= 1:
            raise ConfigError(key, f"must be between 0 and 1, got {opts[key]!r}")
    return SketchProblem(opts)


class SketchProblem:
    domain = "sketch"
    version = VERSION

    def __init__(self, options: dict):
        self.options = options
        self.mode = options["mode"]
        self.size = options["size"]
        self.kind = "classification" if self.mode == "classify" else "generative"
        self.way = options["way"] if self.mode == "classify" else None
        # ANIL adapts InkNet's task code and FiLM layers, or the classifier head.
        self.head_prefixes = {"ink": ("code", "film"), "classify": ("head",)}[self.mode]
        self._source = None

    # -- data ---------------------------------------------------------------
    @property
    def source(self):
        if self._source is None:
            o = self.options
            self._source = make_source(o["data"], size=o["size"], seed=o["seed"],
                                       train_classes=o["train_classes"], whole=o["whole"])
        return self._source

    def describe(self) -> dict:
        return dict(self.options)

    def build_model(self) -> torch.nn.Module:
        if self.mode == "ink":
            return InkNet(size=self.size, width=self.options["width"], fine_support=self.options["fine_support"])
        return GlyphEmbedding(size=self.size, way=self.options["way"])

    # -- losses (one task, pure tensor ops) ---------------------------------
    def loss(self, forward, params, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        if self.mode == "ink":
            context, context_weight, drawings, weight, known = batch
            bce = masked_bce(forward(params, context, context_weight, drawings, known), drawings, known)
            return (bce * weight).sum() / weight.sum().clamp_min(1e-6)
        x, y = batch
        return F.cross_entropy(self._head_logits(forward, params, x), y)

    def support_loss(self, forward, params, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        """The support's term of the outer loss (MetaConfig.support_weight): its masked prediction,
        scaled by lone_support_weight in a task with one drawing. Such a drawing is also the whole
        context the network reads, so at full weight the network learns to copy it (27 % near-copies
        from a blank canvas at K = 1, docs/sketch.md); with two or more the context is their blend."""
        loss = self.loss(forward, params, batch)
        if self.mode != "ink":
            return loss
        lone = batch[1].sum() < 1.5                                  # the weights of the context drawings
        return torch.where(lone, self.options["lone_support_weight"] * loss, loss)

    def accuracy(self, forward, params, batch):
        if self.mode != "classify":
            return None
        x, y = batch
        return (self._head_logits(forward, params, x).argmax(-1) == y).float().mean()

    @staticmethod
    def _head_logits(forward, params, x):
        embedded = forward(params, x)
        return embedded @ params["head.weight"].t() + params["head.bias"]

    # -- tasks --------------------------------------------------------------
    def sample_tasks(self, n: int, generator: torch.Generator, split: str) -> TaskBatch:
        if split not in ("train", "val", "test"):
            raise ValueError(f"split must be train, val or test, got {split!r}")
        if self.mode == "ink":
            return self._ink_tasks(n, generator, split)
        return self._classify_tasks(n, generator, split)

    def _drawings(self, split: str, index: int, count: int, generator: torch.Generator) -> torch.Tensor:
        available = self.source.num_instances(split, index)
        if available < count:
            raise DataError(f"class {index} of the {split} split has {available} drawings; a task needs {count}")
        chosen = torch.randperm(available, generator=generator)[:count].tolist()
        return torch.from_numpy(self.source.images(split, index, chosen)).reshape(count, -1)

    def _classes(self, split: str, count: int, generator: torch.Generator, distinct: bool = False) -> list[int]:
        total = self.source.num_classes(split)
        if total < (count if distinct else 1):
            raise DataError(f"the {split} split has {total} classes; a task needs {count}")
        if distinct:
            return torch.randperm(total, generator=generator)[:count].tolist()
        return torch.randint(total, (count,), generator=generator).tolist()

    def _ink_tasks(self, n, generator, split) -> TaskBatch:
        o = self.options
        shots, queries = o["shot"], o["query"]
        x = torch.stack([self._drawings(split, c, shots + queries, generator) for c in self._classes(split, n, generator)])
        support, query = ink_tasks(x.reshape(n, shots + queries, self.size, self.size), shots, generator,
                                   vary_shots=o["vary_shots"] and split == "train", complete_share=o["complete_share"],
                                   min_observed=o["min_observed"], max_observed=o["max_observed"],
                                   supported_complete=o["supported_complete"],
                                   started_complete=o["started_complete"])
        return TaskBatch(support=support, query=query)

    def _classify_tasks(self, n, generator, split) -> TaskBatch:
        way, shots, queries = self.options["way"], self.options["shot"], self.options["query"]
        xs = []
        for _ in range(n):
            classes = self._classes(split, way, generator, distinct=True)
            xs.append(torch.stack([self._drawings(split, c, shots + queries, generator) for c in classes]))
        x = torch.stack(xs)                                               # [n, way, shots+queries, P]
        labels = torch.arange(way).view(1, way, 1)
        support_x = x[:, :, :shots].reshape(n, way * shots, -1)
        query_x = x[:, :, shots:].reshape(n, way * queries, -1)
        support_y = labels.expand(n, way, shots).reshape(n, -1)
        query_y = labels.expand(n, way, queries).reshape(n, -1)
        return TaskBatch(support=(support_x, support_y), query=(query_x, query_y))


# -- presets -------------------------------------------------------------------
# Short runs: the defaults are trained on a shared 2-core CPU in minutes.
INK_PROBLEM = {"mode": "ink", "size": 64, "shot": 5, "query": 3, "train_classes": 1500, "complete_share": 0.4,
               "supported_complete": 0.6, "fine_support": True}
# The second stage of the defaults (--init-from the first): Complete tasks started from an example's
# pixels, as the app runs Complete with examples, at a quarter of the rate (docs/sketch.md).
INK_FINISH_PROBLEM = {**INK_PROBLEM, "started_complete": 0.5}
INK_FINISH = {"iterations": 1000, "outer_lr": 5e-4}
PRESETS = {
    "ink": {
        "help": "Vary and Complete (the default): InkNet decodes binary ink at 64x64 step by step; the task "
                "code and FiLM layers are meta-trained (first-order ANIL) to adapt to the support drawings",
        "problem": INK_PROBLEM,
        "config": {"algo": "anil", "first_order": True, "inner_steps": 2, "eval_steps": 2, "inner_lr": 1.0,
                   "outer_lr": 2e-3, "meta_batch": 8, "iterations": 3000, "val_every": 250, "val_tasks": 16,
                   "batching": "loop", "lr_halve_every": 1500},
    },
    "ink-pretrain": {
        "help": "baseline for ink: the same InkNet trained on all training drawings jointly (fine-tuned at use)",
        "problem": INK_PROBLEM,
        "config": {"algo": "pretrain", "inner_steps": 1, "eval_steps": 2, "inner_lr": 1.0, "outer_lr": 2e-3,
                   "meta_batch": 8, "iterations": 3000, "val_every": 250, "val_tasks": 16, "batching": "loop",
                   "lr_halve_every": 1500},
    },
    "ink-finish": {
        "help": "second stage of ink (start it with --init-from an ink checkpoint): 1000 iterations at a quarter "
                "of the rate, half of the Complete tasks with examples started from an example's pixels, and "
                "the support drawings' own loss in the outer loss (as joint training has it; 0.3 x where the "
                "support is one drawing, which the network would learn to copy)",
        "start_from": "ink",
        "problem": {**INK_FINISH_PROBLEM, "lone_support_weight": 0.3},
        "config": {"algo": "anil", "first_order": True, "inner_steps": 2, "eval_steps": 2, "inner_lr": 1.0,
                   "meta_batch": 8, "val_every": 250, "val_tasks": 16, "batching": "loop", "support_weight": 1.0,
                   **INK_FINISH},
    },
    "ink-pretrain-finish": {
        "help": "second stage of ink-pretrain (start it with --init-from an ink-pretrain checkpoint), as ink-finish",
        "start_from": "ink-pretrain",
        "problem": INK_FINISH_PROBLEM,
        "config": {"algo": "pretrain", "inner_steps": 1, "eval_steps": 2, "inner_lr": 1.0, "meta_batch": 8,
                   "val_every": 250, "val_tasks": 16, "batching": "loop", **INK_FINISH},
    },
    "classify": {
        "help": "20-way Prototypical Networks embedding at 28x28: the evaluation's judge of fidelity "
                "(train it on data the generator never saw, e.g. --data Omniglot small1)",
        "problem": {"mode": "classify", "size": 28, "way": 20, "shot": 1, "query": 2},
        "config": {"algo": "protonet", "inner_steps": 0, "inner_lr": 0.0, "outer_lr": 1e-3, "meta_batch": 2,
                   "iterations": 1000, "val_every": 250, "val_tasks": 8, "batching": "loop", "lr_halve_every": 500},
    },
}
