"""The settings of a meta-training run, validated with messages that name the setting."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from workbench.meta.errors import ConfigError
from workbench.meta.limits import (
    MAX_ITERATIONS,
    MAX_LEARNING_RATE,
    MAX_SEED,
    MAX_STEPS,
    MAX_TASKS,
    check_at_most,
)

# "pretrain" is the joint-training baseline that the evaluations fine-tune.
ALGORITHMS = ("maml", "fomaml", "metasgd", "anil", "reptile", "protonet", "pretrain")
BATCHING = ("auto", "vmap", "loop")
OPTIMIZERS = ("adam", "sgd")
STEP_MODES = ("eager", "compile", "cuda-graph")  # how the meta-step runs (workbench.meta.acceleration)


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
    tf32: bool = True             # TF32 float32 matmuls and convolutions, CUDA only
    step_mode: str = "eager"      # eager | compile (torch.compile) | cuda-graph (captured once, replayed)
    seed: int = 0
    val_every: int = 100          # meta-validate every N iterations (0 = never)
    val_tasks: int = 32
    checkpoint_every: int = 0     # write the checkpoint every N iterations (0 = only at the end)
    grad_clip: float = 0.0        # clip the meta-gradient norm (0 = off)
    support_weight: float = 0.0   # adds w * (support loss before adaptation) to the outer loss (0 = off)
    # Candidate adaptation step counts (1 or more), e.g. "1,2,3,5,10": at the end of training the one with the
    # lowest meta-validation query loss becomes eval_steps (stored in the checkpoint). "" = keep eval_steps.
    select_steps: str = ""

    @property
    def adapt_steps(self) -> int:
        return self.eval_steps or self.inner_steps

    @property
    def step_candidates(self) -> tuple[int, ...]:
        try:
            return tuple(int(part) for part in self.select_steps.split(",") if part.strip())
        except ValueError:
            raise ConfigError("select_steps", f"give step counts separated by commas, got {self.select_steps!r}") from None

    @property
    def second_order(self) -> bool:
        return self.algo in ("maml", "metasgd", "anil") and not self.first_order

    def validate(self) -> "MetaConfig":
        """Return self, or raise ConfigError naming the first bad setting."""
        self._check_types()
        if self.algo not in ALGORITHMS:
            raise ConfigError("algo", f"unknown algorithm {self.algo!r}; choose one of {', '.join(ALGORITHMS)}")
        if self.batching not in BATCHING:
            raise ConfigError("batching", f"unknown strategy {self.batching!r}; choose one of {', '.join(BATCHING)}")
        if self.step_mode not in STEP_MODES:
            raise ConfigError("step_mode", f"unknown mode {self.step_mode!r}; choose one of {', '.join(STEP_MODES)}")
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
        if self.support_weight < 0 or not math.isfinite(self.support_weight):
            raise ConfigError("support_weight", "must be a finite number >= 0")
        for count in self.step_candidates:
            _at_least("select_steps", count, 1)
        for name, limit in UPPER_LIMITS.items():
            check_at_most(name, getattr(self, name), limit)
        return self

    def _check_types(self) -> None:
        """Each setting has its default's type (an int is fine where a float is expected)."""
        for f in fields(self):
            value, kind = getattr(self, f.name), type(f.default)
            if kind is float:
                ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            elif kind is int:
                ok = isinstance(value, int) and not isinstance(value, bool)
            else:
                ok = isinstance(value, kind)
            if not ok:
                raise ConfigError(f.name, f"must be {_KIND_NAMES[kind]}, got {value!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "MetaConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def replace(self, **changes) -> "MetaConfig":
        return replace(self, **changes)


UPPER_LIMITS = {"inner_lr": MAX_LEARNING_RATE, "outer_lr": MAX_LEARNING_RATE, "inner_steps": MAX_STEPS, "eval_steps": MAX_STEPS, "iterations": MAX_ITERATIONS,
                "meta_batch": MAX_TASKS, "val_tasks": MAX_TASKS, "chunk_size": MAX_TASKS, "seed": MAX_SEED}
_KIND_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}


def _positive_finite(name: str, value: float, allow_zero: bool = False) -> None:
    ok = isinstance(value, (int, float)) and math.isfinite(value) and (value > 0 or (allow_zero and value == 0))
    if not ok:
        raise ConfigError(name, f"must be a positive number, got {value!r}")


def _at_least(name: str, value: int, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigError(name, f"must be an integer >= {minimum}, got {value!r}")
