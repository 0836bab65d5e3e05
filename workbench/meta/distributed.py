"""Meta-training on several processes (torchrun): one World per process.

Every rank samples the whole meta-batch from the same seeded task stream and
keeps its own slice of it (`World.shard`), so a run is reproducible for a seed
and the same tasks are trained on whatever the world size: that is why a run
resumes with another world size. The meta-gradient is the sum of each rank's
per-task gradients, all-reduced with PyTorch's own collectives (gloo on CPU,
NCCL on CUDA) and divided by the global task count in one place
(`workbench.meta.batching.mean_over_tasks`). Every rank then takes the same
optimizer step on the same reduced gradient, as DDP does.

Rank 0 alone writes checkpoints and metric records (the trainer and the CLI
ask `World.is_main`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist
from torch.utils import _pytree as pytree

from workbench.meta.errors import ConfigError, WorkbenchError

BACKENDS = ("auto", "gloo", "nccl")
_FAILED_KEY = "workbench/failed/{}"
_ALIVE_KEY = "workbench/alive/{}"


class RankLostError(WorkbenchError):
    """Another process of a distributed run stopped; this one stops too."""


@dataclass(frozen=True)
class World:
    """This process's place in a run: rank, size, backend. World() is a single process."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0
    backend: str = ""

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.size > 1

    def describe(self) -> str:
        return f"{self.size} processes ({self.backend})" if self.distributed else "1 process"

    def place(self, device: torch.device) -> torch.device:
        """A CUDA run uses one GPU per process: cuda:LOCAL_RANK."""
        if device.type == "cuda" and self.distributed:
            return torch.device("cuda", self.local_rank)
        return device

    def shard(self, count: int) -> tuple[int, int]:
        """(start, stop) of this rank's tasks among count; sizes differ by at most one."""
        base, extra = divmod(count, self.size)
        start = self.rank * base + min(self.rank, extra)
        return start, start + base + (1 if self.rank < extra else 0)

    def check_batch(self, setting: str, count: int) -> None:
        """Every rank needs at least one task of every batch."""
        if count < self.size:
            raise ConfigError(
                setting,
                f"{count} tasks cannot be split over {self.size} processes (each needs at least one); "
                f"use {self.size} or more, or fewer processes",
            )

    # -- collectives ----------------------------------------------------------
    def sum_with_count(self, tree, count: int):
        """(tree summed over ranks, total count): one all-reduce of one flat buffer."""
        if not self.distributed:
            return tree, count
        leaves, spec = pytree.tree_flatten(tree)
        flat = torch.cat([leaf.detach().reshape(-1).float() for leaf in leaves]
                         + [torch.tensor([float(count)], device=leaves[0].device)])
        self._all_reduce(flat)
        pieces, offset = [], 0
        for leaf in leaves:
            pieces.append(flat[offset:offset + leaf.numel()].view_as(leaf).to(leaf.dtype))
            offset += leaf.numel()
        return pytree.tree_unflatten(pieces, spec), int(round(float(flat[-1])))

    def mean_over_tasks(self, per_task):
        """Mean over every rank's tasks of a tree of per-task tensors (leading task dim)."""
        sums = pytree.tree_map(lambda t: t.sum(0), per_task)
        count = pytree.tree_leaves(per_task)[0].shape[0]
        total, count = self.sum_with_count(sums, count)
        return pytree.tree_map(lambda t: t / count, total)

    def agree(self, choice: int) -> int:
        """Rank 0's choice, on every rank (e.g. the batching strategy measured by each)."""
        if not self.distributed:
            return choice
        device = "cuda" if self.backend == "nccl" else "cpu"
        value = torch.tensor([choice], device=device)
        self._collective(dist.broadcast, value, 0)
        return int(value.item())

    def broadcast_(self, tensors: list[torch.Tensor]) -> None:
        """Rank 0's values, in place, on every rank (the start weights, in case a rank built others)."""
        if self.distributed:
            for tensor in tensors:
                self._collective(dist.broadcast, tensor.data, 0)

    def _all_reduce(self, flat: torch.Tensor) -> None:
        self._collective(dist.all_reduce, flat)

    def _collective(self, op, *args) -> None:
        try:
            op(*args)
        except RuntimeError as exc:  # DistBackendError and gloo's connection errors are RuntimeErrors
            raise RankLostError(self._lost_message(exc)) from exc

    # -- a rank that stops ------------------------------------------------------
    def report_failure(self, message: str) -> None:
        """Called by a rank that stops with an error, so the others can say which and why."""
        store = _store()
        if store is not None and self.distributed:
            try:
                store.set(_FAILED_KEY.format(self.rank), message[:500])
            except RuntimeError:
                pass

    def _lost_message(self, exc: Exception) -> str:
        lost, reasons = self._who_left()
        if lost:
            names = ", ".join(str(r) for r in lost)
            why = "; ".join(f"rank {r}: {reasons[r]}" for r in lost if reasons.get(r))
            head = f"rank {names} of {self.size} stopped" + (f" ({why})" if why else "")
        else:
            head = f"another rank of the {self.size} stopped"
        return (f"{head}; rank {self.rank} stops too. Checkpoints written so far stay loadable "
                f"(resume with --resume, with any number of processes). [{str(exc).splitlines()[0][:200]}]")

    def _who_left(self, wait_s: float = 1.5) -> tuple[list[int], dict[int, str]]:
        """Ranks that neither reported an error nor are alive: the survivors mark themselves
        in the rendezvous store and wait briefly for each other."""
        store = _store()
        if store is None:
            return [], {}
        try:
            store.set(_ALIVE_KEY.format(self.rank), "1")
            others = [r for r in range(self.size) if r != self.rank]
            deadline = time.monotonic() + wait_s
            alive: set[int] = set()
            while time.monotonic() < deadline and len(alive) < len(others):
                alive |= {r for r in others if store.check([_ALIVE_KEY.format(r)])}
                time.sleep(0.05)
            reasons = {r: store.get(_FAILED_KEY.format(r)).decode(errors="replace")
                       for r in others if store.check([_FAILED_KEY.format(r)])}
            return [r for r in others if r not in alive], reasons
        except RuntimeError:  # the store lived in the rank that left
            return [], {}


SINGLE = World()


def launched_by_torchrun(environ=None) -> bool:
    environ = os.environ if environ is None else environ
    return "RANK" in environ and "WORLD_SIZE" in environ and "MASTER_ADDR" in environ


def join(device: torch.device, backend: str = "auto", timeout_s: float = 600.0) -> World:
    """Join the process group torchrun set up in the environment (env://)."""
    if backend not in BACKENDS:
        raise ConfigError("backend", f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend == "auto":
        backend = "nccl" if device.type == "cuda" else "gloo"
    if backend == "nccl":
        if not torch.cuda.is_available():
            raise ConfigError("backend", "NCCL needs CUDA GPUs and none is available here; "
                                         "use --backend gloo (CPU) or run on a GPU machine")
        if device.type != "cuda":
            raise ConfigError("backend", f"NCCL reduces CUDA tensors but this run trains on {device.type}; "
                                         "use --device cuda or --backend gloo")
        if not dist.is_nccl_available():
            raise ConfigError("backend", "this PyTorch build has no NCCL; use --backend gloo")
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    if device.type == "cuda" and local_rank >= torch.cuda.device_count():
        raise ConfigError("device", f"this machine has {torch.cuda.device_count()} GPU(s) and this process is local "
                                    f"rank {local_rank}; start one process per GPU (--nproc_per_node "
                                    f"{torch.cuda.device_count()})")
    if backend == "nccl":
        torch.cuda.set_device(local_rank)
    if not dist.is_initialized():
        dist.init_process_group(backend=backend, timeout=timedelta(seconds=timeout_s))
    return World(rank=dist.get_rank(), size=dist.get_world_size(), local_rank=local_rank, backend=backend)


LEAVE_TIMEOUT = timedelta(seconds=60)


def leave(world: World, together: bool = False) -> None:
    """Close the process group. together=True (a run that finished) first waits, at most
    LEAVE_TIMEOUT, until every rank is done: rank 0 hosts the rendezvous store, and a rank still
    talking to it when rank 0 exits aborts ("terminate called without an active exception")."""
    if world.distributed and dist.is_initialized():
        try:
            if together:
                dist.monitored_barrier(timeout=LEAVE_TIMEOUT) if world.backend == "gloo" else dist.barrier()
            dist.destroy_process_group()
        except RuntimeError:
            pass


def _store():
    """The rendezvous key-value store of the default group (None outside a run)."""
    if not dist.is_initialized():
        return None
    try:
        return dist.distributed_c10d._get_default_store()
    except (AttributeError, RuntimeError, ValueError):
        return None
