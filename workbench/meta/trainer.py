"""Meta-training as a plain generator of frozen metric records.

The CLI and the Qt worker both drive `MetaTrainer.run`. Nothing here prints;
commands (pause, resume, stop, checkpoint now) arrive through a thread-safe
`Controller` and are handled between iterations.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import torch

from workbench import __version__
from workbench.meta.acceleration import GradientStep, configure_tf32
from workbench.meta.algorithms import build_algorithm
from workbench.meta.batching import choose_strategy, map_tasks, meta_gradient
from workbench.meta.checkpoint import CheckpointData, check_destination, load_checkpoint, save_checkpoint
from workbench.meta.config import MetaConfig
from workbench.meta.controller import Controller
from workbench.meta.device import peak_memory_mb, resolve_device
from workbench.meta.distributed import SINGLE, World
from workbench.meta.errors import CheckpointError, NonFiniteLossError, OutOfMemoryError
from workbench.meta.footprint import check_model_fits, check_tasks_fit
from workbench.meta.problem import Problem
from workbench.meta.records import CheckpointRecord, IterationRecord, StatusRecord, ValidationRecord
from workbench.meta.state import (
    flatten_meta,
    make_forward,
    meta_from_checkpoint,
    optimizer_from_state,
    optimizer_to_state,
    rng_from_tensors,
    rng_to_tensors,
)

VALIDATION_SEED_OFFSET = 1_000_003
SAVE_FAILED = "save_failed"      # a StatusRecord state: the checkpoint could not be written
DIVERGENCE_FACTOR = 1e4          # a loss this many times its first value has diverged, like NaN


class MetaTrainer:
    def __init__(self, problem: Problem, config: MetaConfig, *, world: World = SINGLE,
                 _restore: CheckpointData | None = None):
        self.problem = problem
        self.config = config.validate()
        self.world = world
        world.check_batch("meta_batch", config.meta_batch)
        if config.val_every or config.step_candidates:
            world.check_batch("val_tasks", config.val_tasks)
        self.device = world.place(resolve_device(config.device))
        self.tf32_note = configure_tf32(self.device, config.tf32)
        self.gradient_step = GradientStep(config.step_mode, self.device)
        torch.manual_seed(config.seed)
        check_model_fits(problem, 1 if config.batching == "loop" else config.chunk_size or config.meta_batch,
                         config.inner_steps)
        self.model = problem.build_model().to(self.device)
        self.forward = make_forward(self.model, bf16=config.bf16 and self.device.type == "cuda")
        self.algorithm = build_algorithm(problem, self.forward, config)
        self.task_generator = torch.Generator().manual_seed(config.seed)
        self.iteration = 0
        self.batching: str | None = None if config.batching == "auto" else config.batching
        self.last_checkpoint: str | None = None
        self._first_loss: float | None = None
        initial = {k: v.detach().clone() for k, v in self.model.named_parameters()}
        self.meta = self.algorithm.init_meta(initial)
        if _restore is not None:
            self.meta = meta_from_checkpoint(_restore, self.meta)
        self.leaves = flatten_meta(self.meta)
        self.optimizer = (
            torch.optim.Adam(self.leaves, lr=config.outer_lr)
            if config.outer_optimizer == "adam"
            else torch.optim.SGD(self.leaves, lr=config.outer_lr)
        )
        if _restore is not None:
            self._restore_state(_restore)
        world.broadcast_(self.leaves)  # every rank starts from rank 0's weights

    # -- persistence -------------------------------------------------------
    @classmethod
    def resume(cls, problem: Problem, path: str | Path, *, world: World = SINGLE, **config_changes) -> "MetaTrainer":
        """Continue the exact run saved at path (config changes, e.g. more iterations, allowed),
        with any number of processes: every rank reads the task stream from the same state."""
        data = load_checkpoint(path)
        check_domain(data, problem)
        config = MetaConfig.from_dict(data.meta["config"]).replace(**config_changes)
        trainer = cls(problem, config, world=world, _restore=data)
        trainer.last_checkpoint = str(path)
        return trainer

    def start_from(self, path: str | Path) -> None:
        """Begin this new run from another run's weights (e.g. meta-training from a pretrained
        network, as in Meta-Baseline): parameters only; learned rates, optimizer and iteration start fresh."""
        data = load_checkpoint(path)
        check_domain(data, self.problem)
        weights = meta_from_checkpoint(data, {"params": self.meta["params"]})["params"]
        with torch.no_grad():
            for name, value in self.meta["params"].items():
                value.copy_(weights[name])
        self.world.broadcast_(self.leaves)

    def _restore_state(self, data: CheckpointData) -> None:
        self.iteration = int(data.meta["iteration"])
        self.batching = data.meta.get("batching") or self.batching
        optimizer_from_state(self.optimizer, data)
        task_state, torch_state, cuda_states = rng_from_tensors(data)
        self.task_generator.set_state(task_state)
        torch.set_rng_state(torch_state)
        if cuda_states and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(cuda_states)

    def save(self, path: str | Path) -> Path:
        """Write the checkpoint (rank 0 of a distributed run alone writes; the others return the path)."""
        if not self.world.is_main:
            return Path(path)
        tensors = {f"params.{k}": v for k, v in self.meta["params"].items()}
        tensors.update({f"lrs.{k}": v for k, v in self.meta.get("lrs", {}).items()})
        optim_tensors, optim_meta = optimizer_to_state(self.optimizer)
        tensors.update(optim_tensors)
        tensors.update(rng_to_tensors(self.task_generator))
        meta = {
            "workbench_version": __version__,
            "domain": self.problem.domain,
            "problem_version": self.problem.version,
            "problem": self.problem.describe(),
            "config": self.config.to_dict(),
            "iteration": self.iteration,
            "batching": self.batching,
            "world_size": self.world.size,
            "optimizer": optim_meta,
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        written = save_checkpoint(path, meta, tensors)
        self.last_checkpoint = str(written)
        return written

    # -- the generator -----------------------------------------------------
    def run(self, controller: Controller | None = None, out: str | Path | None = None):
        """Yield records until the configured iterations are done or a stop arrives.

        Raises NonFiniteLossError (parameters untouched, last checkpoint kept)
        and OutOfMemoryError with advice; both are WorkbenchErrors."""
        controller = controller or Controller()
        config = self.config
        where = self.device.type + (f", {self.world.describe()}" if self.world.distributed else "")
        yield StatusRecord(self.iteration, "started", f"{config.algo} on {self.problem.domain}, {where}")
        if config.bf16 and self.device.type != "cuda":
            yield StatusRecord(self.iteration, "info", "bf16 autocast applies on CUDA only; training in fp32")
        if self.tf32_note:
            yield StatusRecord(self.iteration, "info", self.tf32_note)
        self._preflight(out)
        while self.iteration < config.iterations:
            yield from self._handle_commands(controller)
            if controller.stop_requested:
                yield StatusRecord(self.iteration, "stopped", "stopped by request")
                return
            if self.batching is None:
                yield self._choose_batching()
            yield self._step()
            for message in self.gradient_step.take_messages():
                yield StatusRecord(self.iteration, "info", message)
            if config.val_every and (self.iteration % config.val_every == 0 or self.iteration == config.iterations):
                yield self.validate()
            if out and config.checkpoint_every and self.iteration % config.checkpoint_every == 0:
                yield self._save_or_warn(out)
        if config.step_candidates:
            yield self.select_steps()
        if out:
            yield self._save_or_warn(out)
        yield StatusRecord(self.iteration, "finished", f"{self.iteration} iterations")

    def _preflight(self, out) -> None:
        """Before the first iteration: the checkpoint can be written and the tasks fit in memory,
        so a run is not lost at its end to a read-only folder or killed by a huge setting."""
        if out and self.world.is_main:
            check_destination(out)
        check_tasks_fit(self.problem, self.task_generator, self.config.meta_batch)
        if self.config.val_every:  # a validation split that cannot make tasks fails now, not mid-run
            check_tasks_fit(self.problem, self.task_generator, min(self.config.val_tasks, self.config.meta_batch), "val")

    def _save_or_warn(self, path) -> CheckpointRecord | StatusRecord:
        """Save; when the disk refuses, training goes on (the weights are still in memory) and the
        next checkpoint tries again. The record says so; the caller offers another place."""
        try:
            return CheckpointRecord(self.iteration, str(self.save(path)))
        except CheckpointError as exc:
            return StatusRecord(self.iteration, SAVE_FAILED, f"{exc}; training goes on and the next save retries")

    def _handle_commands(self, controller: Controller):
        for path in controller.take_checkpoint_requests():
            yield CheckpointRecord(self.iteration, str(self.save(path)))
        if controller.paused and not controller.stop_requested:
            yield StatusRecord(self.iteration, "paused")
            while controller.paused and not controller.stop_requested:
                controller.wait_while_paused(0.05)
                for path in controller.take_checkpoint_requests():
                    yield CheckpointRecord(self.iteration, str(self.save(path)))
            if not controller.stop_requested:
                yield StatusRecord(self.iteration, "resumed")

    def _choose_batching(self) -> StatusRecord:
        tasks = self._sample("train", self.task_generator, peek=True)
        with _device_errors():
            chosen, timings = choose_strategy(self.algorithm.task_gradient, self.meta, tasks, self.config.chunk_size)
        strategies = sorted(timings)
        self.batching = strategies[self.world.agree(strategies.index(chosen))]  # rank 0 measured for all
        detail = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in timings.items())
        return StatusRecord(self.iteration, "info", f"batching: {self.batching} (measured {detail})")

    def _sample(self, split: str, generator: torch.Generator, n: int | None = None, peek: bool = False):
        """This rank's share of the next n tasks of the stream (all of them in a single process)."""
        if peek:  # sample without advancing the run's generator
            generator = torch.Generator().set_state(generator.get_state())
        tasks = self.problem.sample_tasks(n or self.config.meta_batch, generator, split)
        return tasks.slice(*self.world.shard(tasks.size)).to(self.device)

    def _step(self) -> IterationRecord:
        config = self.config
        start = time.perf_counter()
        tasks = self._sample("train", self.task_generator)
        with _device_errors():
            grads, metrics = meta_gradient(self.algorithm.task_gradient, self.meta, tasks, self.batching,
                                           config.chunk_size, world=self.world, summed=self.gradient_step)
            metrics = self.world.mean_over_tasks(metrics)
        outer_loss = float(metrics["outer_loss"])
        flat_grads = flatten_meta(grads)
        if not math.isfinite(outer_loss) or not all(torch.isfinite(g).all() for g in flat_grads):
            where = f"; the last good checkpoint is kept at {self.last_checkpoint}" if self.last_checkpoint else ""
            raise NonFiniteLossError(
                f"the meta-training loss became {outer_loss} at iteration {self.iteration + 1}; "
                f"the parameters were not updated{where}. Try a lower outer or inner learning rate."
            )
        self._check_divergence(outer_loss)
        for leaf, grad in zip(self.leaves, flat_grads):
            leaf.grad = grad.detach().to(leaf.dtype)
        if config.grad_clip:
            torch.nn.utils.clip_grad_norm_(self.leaves, config.grad_clip)
        outer_lr = self._outer_lr()
        for group in self.optimizer.param_groups:
            group["lr"] = outer_lr
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.iteration += 1
        elapsed = time.perf_counter() - start
        accuracy = metrics.get("accuracy")
        return IterationRecord(
            iteration=self.iteration,
            outer_loss=outer_loss,
            query_loss=float(metrics["query_loss"]),
            support_losses=tuple(float(x) for x in metrics["support_losses"]),
            accuracy=None if accuracy is None else float(accuracy),
            tasks_per_s=config.meta_batch / elapsed if elapsed > 0 else 0.0,
            memory_mb=peak_memory_mb(self.device),
            outer_lr=outer_lr,
            inner_lr=self.inner_lr_summary(),
            elapsed_s=elapsed,
            iterations_total=config.iterations,
        )

    def _check_divergence(self, loss: float) -> None:
        """A loss that explodes (1e10 from 1.6) is as broken as NaN: stop the same way."""
        if self._first_loss is None:
            self._first_loss = loss
        elif abs(loss) > DIVERGENCE_FACTOR * max(abs(self._first_loss), 1.0):
            where = f"; the last good checkpoint is kept at {self.last_checkpoint}" if self.last_checkpoint else ""
            raise NonFiniteLossError(
                f"the meta-training diverged: the loss reached {loss:.3g} at iteration {self.iteration + 1} "
                f"(it started at {self._first_loss:.3g}); the parameters were not updated{where}. "
                "Try a lower outer or inner learning rate."
            )

    def _outer_lr(self) -> float:
        halvings = self.iteration // self.config.lr_halve_every if self.config.lr_halve_every else 0
        return self.config.outer_lr * 0.5**halvings

    def inner_lr_summary(self) -> dict:
        lrs = self.meta.get("lrs")
        if not lrs:
            rate = self.config.inner_lr
            return {"mean": rate, "min": rate, "max": rate}
        flat = torch.cat([v.detach().flatten() for v in lrs.values()])
        return {"mean": float(flat.mean()), "min": float(flat.min()), "max": float(flat.max())}

    def validate(self, n: int | None = None) -> ValidationRecord:
        """Meta-validation on held-out tasks: the same tasks every time, so the curve compares."""
        n = n or self.config.val_tasks
        generator = torch.Generator().manual_seed(self.config.seed + VALIDATION_SEED_OFFSET)
        tasks = self._sample("val", generator, n)
        metrics = evaluate_tasks(self.algorithm, self.meta, tasks, self.config.adapt_steps, self.batching or "loop",
                                 self.config.meta_batch)
        metrics = self.world.mean_over_tasks(metrics)
        accuracy = metrics.get("accuracy")
        return ValidationRecord(
            iteration=self.iteration,
            loss=float(metrics["query_loss"]),
            accuracy=None if accuracy is None else float(accuracy),
            support_losses=tuple(float(x) for x in metrics["support_losses"]),
            tasks=n,
        )

    def select_steps(self) -> StatusRecord:
        """Meta-validation chooses the adaptation step count: the candidate with the lowest query
        loss on the validation tasks becomes eval_steps, which the checkpoint stores."""
        generator = torch.Generator().manual_seed(self.config.seed + VALIDATION_SEED_OFFSET)
        tasks = self._sample("val", generator, self.config.val_tasks)
        losses = {}
        for steps in self.config.step_candidates:
            metrics = evaluate_tasks(self.algorithm, self.meta, tasks, steps, self.batching or "loop",
                                     self.config.meta_batch)
            losses[steps] = float(self.world.mean_over_tasks(metrics)["query_loss"])  # every rank chooses alike
        best = min(losses, key=lambda s: (losses[s] if math.isfinite(losses[s]) else float("inf"), s))
        self.config = self.config.replace(eval_steps=best)
        detail = ", ".join(f"{s}: {loss:.4f}" for s, loss in losses.items())
        return StatusRecord(self.iteration, "info", f"adaptation steps chosen by meta-validation: {best} ({detail})")


def evaluate_tasks(algorithm, meta, tasks, steps: int, strategy: str, chunk: int) -> dict[str, torch.Tensor]:
    """Adapt to each task (no meta-gradient) and score its query set; metrics per task."""

    def evaluate(meta_, support, query):
        return algorithm.evaluate_task(meta_, support, query, steps)

    with torch.no_grad():
        return map_tasks(evaluate, meta, tasks, strategy, chunk)


def check_domain(data: CheckpointData, problem: Problem) -> None:
    domain = data.meta.get("domain")
    if domain != problem.domain:
        raise CheckpointError(f"this checkpoint is for the {domain!r} domain, not {problem.domain!r}")
    if str(data.meta.get("problem_version")) != str(problem.version):
        raise CheckpointError(
            f"this {domain} checkpoint has model version {data.meta.get('problem_version')}, "
            f"this workbench expects {problem.version}; retrain it"
        )


class _device_errors:
    """Turn out-of-memory into advice a user can act on."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            return False
        if isinstance(exc, torch.OutOfMemoryError) or (
            isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()
        ):
            raise OutOfMemoryError(
                "the device ran out of memory; lower the meta-batch or set a task chunk size, "
                "or train first-order"
            ) from exc
        return False
