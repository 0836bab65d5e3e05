"""The settings of a meta-training run, validated with messages that name the setting."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from workbench.meta.errors import ConfigError

# "pretrain" is the joint-training baseline that the evaluations fine-tune.
ALGORITHMS = ("maml", "fomaml", "metasgd", "anil", "reptile", "protonet", "pretrain")
BATCHING = ("auto", "vmap", "loop")
OPTIMIZERS = ("adam", "sgd")


@dataclass(frozen=True)
class MetaConfig:
    algo: str = "maml"
    inner_steps: int = 1          # inner gradient steps during meta-training
    eval_steps: int = 0           # inner steps at evaluation/adaptation time; 0 = inner_steps
    inner_lr: float = 0.01
    first_order: bool = False     # drop second-order terms (fomaml sets this)
    outer_lr: float = 1e-3
    outer_optimizer: str = "adam"
    lr_halve_every: int = 0       # halve the outer lr every N iterations (0 = never)
    meta_batch: int = 25
    iterations: int = 1000
    batching: str = "auto"
    chunk_size: int = 0           # tasks per vmap call (0 = the whole meta-batch)
    device: str = "auto"
    bf16: bool = False            # bf16 autocast for forward passes, CUDA only
    seed: int = 0
    val_every: int = 100          # meta-validate every N iterations (0 = never)
    val_tasks: int = 32
    checkpoint_every: int = 0     # write the checkpoint every N iterations (0 = only at the end)
    grad_clip: float = 0.0        # clip the meta-gradient norm (0 = off)

    @property
    def adapt_steps(self) -> int:
        return self.eval_steps or self.inner_steps

    @property
    def second_order(self) -> bool:
        return self.algo in ("maml", "metasgd", "anil") and not self.first_order

    def validate(self) -> "MetaConfig":
        """Return self, or raise ConfigError naming the first bad setting."""
        if self.algo not in ALGORITHMS:
            raise ConfigError("algo", f"unknown algorithm {self.algo!r}; choose one of {', '.join(ALGORITHMS)}")
        if self.batching not in BATCHING:
            raise ConfigError("batching", f"unknown strategy {self.batching!r}; choose one of {', '.join(BATCHING)}")
        if self.outer_optimizer not in OPTIMIZERS:
            raise ConfigError("outer_optimizer", f"choose one of {', '.join(OPTIMIZERS)}")
        _positive_finite("inner_lr", self.inner_lr, allow_zero=self.algo == "protonet")
        _positive_finite("outer_lr", self.outer_lr)
        _at_least("meta_batch", self.meta_batch, 1)
        _at_least("iterations", self.iterations, 1)
        _at_least("inner_steps", self.inner_steps, 0 if self.algo in ("protonet", "pretrain") else 1)
        for name in ("eval_steps", "chunk_size", "val_every", "val_tasks", "checkpoint_every", "lr_halve_every", "seed"):
            _at_least(name, getattr(self, name), 0)
        if self.grad_clip < 0 or not math.isfinite(self.grad_clip):
            raise ConfigError("grad_clip", "must be a finite number >= 0")
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "MetaConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def replace(self, **changes) -> "MetaConfig":
        return replace(self, **changes)


def _positive_finite(name: str, value: float, allow_zero: bool = False) -> None:
    ok = isinstance(value, (int, float)) and math.isfinite(value) and (value > 0 or (allow_zero and value == 0))
    if not ok:
        raise ConfigError(name, f"must be a positive number, got {value!r}")


def _at_least(name: str, value: int, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigError(name, f"must be an integer >= {minimum}, got {value!r}")
