"""The sketch domain's learning problems and training presets.

Three modes share the data (built-in glyphs or a class-per-folder set):

- "vary" (generative): a task is one class; support = up to `shots` drawings,
  query = `queries` other drawings of the class. Loss = negative ELBO per
  drawing of GlyphVAE. The support carries a weight per drawing, and training
  draws the number of real shots per task from 1..shots, so one model serves
  K = 1..5. The reparameterisation noise travels in the batch, which keeps the
  loss a pure function (vmappable, same gradients under vmap and loop).
- "complete" (generative): a task is one drawing; support = a partial drawing
  and the mask of observed pixels; query = the whole drawing. Loss = mean
  binary cross-entropy of the network's pixel logits over the (masked)
  pixels. The network is LatentDecoder (only its latent code is adapted) or,
  with complete_model="coordinate", CoordinateNet (all weights adapted).
- "classify" (classification): `way`-way tasks for Prototypical Networks; the
  embedding is the fidelity/novelty yardstick for Vary.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from workbench.domains.drawings.sources import make_source
from workbench.domains.sketch.models import CoordinateNet, GlyphEmbedding, GlyphVAE, LatentDecoder
from workbench.domains.sketch.observe import observed_mask, partial_drawings
from workbench.meta.errors import ConfigError, DataError
from workbench.meta.problem import TaskBatch

MODES = ("vary", "complete", "classify")
VERSION = "1"

DEFAULTS = {
    "mode": "vary",
    "data": "glyphs",      # "glyphs" or a folder / zip of class folders
    "size": 28,
    "seed": 0,
    "shots": 5,            # vary: most support drawings; classify: drawings per class
    "queries": 5,
    "vary_shots": True,    # vary: draw the real number of shots per task from 1..shots
    "latent": 16,
    "way": 20,
    "min_observed": 0.05,  # complete: share of the ink observed, drawn per task
    "max_observed": 0.5,
    "complete_model": "latent",  # complete: "latent" (LatentDecoder) or "coordinate" (CoordinateNet)
    "complete_latent": 32,
    "train_classes": 4000,
    "whole": False,        # folder data: every split is the whole set
}


def build(options: dict) -> "SketchProblem":
    opts = dict(DEFAULTS)
    # `workbench train --shot/--query` use the engine's singular names.
    aliases = {"shot": "shots", "query": "queries"}
    opts.update({aliases.get(k, k): v for k, v in options.items() if aliases.get(k, k) in DEFAULTS and v is not None})
    if opts["mode"] not in MODES:
        raise ConfigError("mode", f"unknown sketch mode {opts['mode']!r}; choose one of {', '.join(MODES)}")
    for key in ("size", "shots", "queries", "latent", "way", "train_classes"):
        if not isinstance(opts[key], int) or opts[key] < 1:
            raise ConfigError(key, f"must be a positive integer, got {opts[key]!r}")
    if opts["complete_model"] not in ("latent", "coordinate"):
        raise ConfigError("complete_model", f"choose latent or coordinate, got {opts['complete_model']!r}")
    if opts["size"] % 4:
        raise ConfigError("size", f"must be a multiple of 4 (28 or 32), got {opts['size']}")
    if not 0 < opts["min_observed"] <= opts["max_observed"] <= 1:
        raise ConfigError("min_observed", "need 0 < min_observed <= max_observed <= 1")
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
        # ANIL adapts: the VAE's class code, the coordinate net's last layer, the classifier head.
        complete_head = ("latent",) if options["complete_model"] == "latent" else ("net.4",)
        self.head_prefixes = {"vary": ("code", "decoder"), "complete": complete_head, "classify": ("head",)}[self.mode]
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
        if self.mode == "vary":
            return GlyphVAE(size=self.size, latent=self.options["latent"])
        if self.mode == "complete":
            if self.options["complete_model"] == "latent":
                return LatentDecoder(size=self.size, latent=self.options["complete_latent"])
            return CoordinateNet(size=self.size)
        return GlyphEmbedding(size=self.size, way=self.options["way"])

    # -- losses (one task, pure tensor ops) ---------------------------------
    def loss(self, forward, params, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        if self.mode == "vary":
            x, eps, weight = batch
            nelbo = forward(params, x, eps)
            return (nelbo * weight).sum() / weight.sum().clamp_min(1e-6)
        if self.mode == "complete":
            target, mask = batch                      # [rows, P]: one row per observation of the drawing
            logits = forward(params).expand_as(target)
            bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
            return (bce * mask).sum() / mask.sum().clamp_min(1.0)
        x, y = batch
        logits = self._head_logits(forward, params, x)
        return F.cross_entropy(logits, y)

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
        if self.mode == "vary":
            return self._vary_tasks(n, generator, split)
        if self.mode == "complete":
            return self._complete_tasks(n, generator, split)
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

    def _vary_tasks(self, n, generator, split) -> TaskBatch:
        shots, queries, latent = self.options["shots"], self.options["queries"], self.options["latent"]
        x = torch.stack([self._drawings(split, c, shots + queries, generator) for c in self._classes(split, n, generator)])
        eps = torch.randn(n, shots + queries, latent, generator=generator)
        weight = torch.ones(n, shots)
        if self.options["vary_shots"] and split == "train":
            real = torch.randint(1, shots + 1, (n, 1), generator=generator)
            weight = (torch.arange(shots).unsqueeze(0) < real).float()
        return TaskBatch(
            support=(x[:, :shots], eps[:, :shots], weight),
            query=(x[:, shots:], eps[:, shots:], torch.ones(n, queries)),
        )

    def _complete_tasks(self, n, generator, split) -> TaskBatch:
        truth = torch.stack([self._drawings(split, c, 1, generator)[0] for c in self._classes(split, n, generator)])
        low, high = self.options["min_observed"], self.options["max_observed"]
        fractions = low + (high - low) * torch.rand(n, generator=generator)
        return complete_task(truth.reshape(n, self.size, self.size), fractions, generator)

    def _classify_tasks(self, n, generator, split) -> TaskBatch:
        way, shots, queries = self.options["way"], self.options["shots"], self.options["queries"]
        xs, ys = [], []
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


def complete_task(truth: torch.Tensor, fractions: torch.Tensor, generator: torch.Generator) -> TaskBatch:
    """Complete tasks from whole drawings [n, S, S]: observe `fractions` of the ink."""
    n = truth.shape[0]
    partial = partial_drawings(truth, fractions, generator)
    mask = observed_mask(partial)
    return TaskBatch(
        support=(partial.reshape(n, 1, -1), mask.reshape(n, 1, -1)),
        query=(truth.reshape(n, 1, -1), torch.ones_like(truth).reshape(n, 1, -1)),
    )


# -- presets -------------------------------------------------------------------
# Short runs: the defaults are trained on a shared 2-core CPU in a few minutes.
PRESETS = {
    "vary": {
        "help": "few-shot generation: a VAE whose decoder is meta-trained (first-order ANIL) to fit a class in a few steps",
        "problem": {"mode": "vary"},
        "config": {"algo": "anil", "first_order": True, "inner_steps": 5, "eval_steps": 10, "inner_lr": 0.0015,
                   "outer_lr": 0.002,
                   "meta_batch": 8, "iterations": 2400, "val_every": 100, "val_tasks": 16, "batching": "vmap"},
    },
    "complete": {
        "help": "completion: a glyph decoder meta-trained so that a few steps on its latent code (CAVIA) "
                "fitted to the observed pixels draw the whole glyph",
        "problem": {"mode": "complete", "complete_model": "latent"},
        "config": {"algo": "anil", "inner_steps": 10, "eval_steps": 10, "inner_lr": 3.0, "outer_lr": 1e-3,
                   "meta_batch": 8, "iterations": 2000, "val_every": 250, "val_tasks": 16, "batching": "vmap"},
    },
    "complete-coordinate": {
        "help": "completion, the measured alternative: a Fourier-feature coordinate network whose start "
                "and per-weight inner rates are meta-learned (Meta-SGD, as in learned initialisations)",
        "problem": {"mode": "complete", "complete_model": "coordinate"},
        "config": {"algo": "metasgd", "inner_steps": 5, "eval_steps": 10, "inner_lr": 0.3, "outer_lr": 1e-3,
                   "meta_batch": 8, "iterations": 1200, "val_every": 100, "val_tasks": 16, "batching": "vmap"},
    },
    "classify": {
        "help": "20-way Prototypical Networks embedding, the yardstick for Vary's fidelity and novelty",
        "problem": {"mode": "classify", "way": 20, "shots": 1, "queries": 2},
        "config": {"algo": "protonet", "inner_steps": 0, "inner_lr": 0.0, "outer_lr": 1e-3, "meta_batch": 2,
                   "iterations": 1000, "val_every": 250, "val_tasks": 8, "batching": "loop", "lr_halve_every": 500},
    },
    "vary-pretrain": {
        "help": "baseline for vary: the same VAE trained on all training classes jointly (fine-tuned at use)",
        "problem": {"mode": "vary"},
        "config": {"algo": "pretrain", "inner_steps": 1, "eval_steps": 10, "inner_lr": 0.0015, "outer_lr": 0.002,
                   "meta_batch": 8, "iterations": 2400, "val_every": 100, "val_tasks": 16, "batching": "vmap"},
    },
    "complete-pretrain": {
        "help": "baseline for complete: the same decoder trained on all drawings jointly (all weights fine-tuned at use)",
        "problem": {"mode": "complete", "complete_model": "latent", "min_observed": 1.0, "max_observed": 1.0},
        "config": {"algo": "pretrain", "inner_steps": 1, "eval_steps": 10, "inner_lr": 0.3, "outer_lr": 1e-3,
                   "meta_batch": 8, "iterations": 3000, "val_every": 250, "val_tasks": 16, "batching": "vmap"},
    },
}
