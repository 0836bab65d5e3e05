"""`workbench train` under torchrun, and the metric stream file it can append to.

Kept apart from commands/train.py so the single-process command stays short:
`world_for(args)` joins the process group torchrun set up (or returns the
single-process World), `RecordFile` appends every record as a JSON line.
"""

from __future__ import annotations

import json
from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("--backend", default="auto",
                        help="collectives under torchrun: auto (NCCL on CUDA, gloo on CPU) | gloo | nccl")
    parser.add_argument("--no-tf32", action="store_const", const=False, dest="tf32",
                        help="full float32 matmuls on CUDA (TF32 is on by default)")
    parser.add_argument("--compile", action="store_const", const="compile", dest="step_mode",
                        help="torch.compile the meta-step (falls back to eager with a message if it fails)")
    parser.add_argument("--cuda-graph", action="store_const", const="cuda-graph", dest="step_mode",
                        help="capture the meta-step in a CUDA graph and replay it (falls back to eager)")
    parser.add_argument("--jsonl-file", dest="jsonl_file",
                        help="append every metric record to this JSON-lines file (Training > Follow a Run… plots it)")


def world_for(args):
    """The World of this process: torchrun's when it launched us, else a single process."""
    from workbench.meta import distributed

    if not distributed.launched_by_torchrun():
        if args.backend not in ("auto", "gloo"):
            from workbench.meta.errors import ConfigError

            raise ConfigError("backend", "--backend only applies under torchrun (torchrun --nproc_per_node=N -m "
                                         "workbench train ...)")
        return distributed.SINGLE
    from workbench.meta.device import resolve_device

    world = distributed.join(resolve_device(args.device or "auto"), args.backend)
    _stop_with_a_message_on_sigterm(world)
    return world


def _stop_with_a_message_on_sigterm(world) -> None:
    """torchrun stops the other ranks with SIGTERM when one fails: say so instead of vanishing."""
    import signal

    from workbench.meta.distributed import RankLostError

    def stopped(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the process at once
        raise RankLostError(f"rank {world.rank} was stopped by torchrun after another process of the job failed "
                            "(torchrun names it under 'Root Cause'); checkpoints written so far stay loadable")

    signal.signal(signal.SIGTERM, stopped)


class RecordFile:
    """Appends records as JSON lines, flushed one by one, so a follower sees each as it comes."""

    def __init__(self, path: str | None):
        self.handle = None
        if path:
            from workbench.meta.errors import DataError

            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                self.handle = open(path, "a", encoding="utf-8")
            except OSError as exc:
                raise DataError(f"cannot write the metric stream {path}: {exc.strerror or exc}") from exc

    def write(self, record) -> None:
        if self.handle is not None:
            self.handle.write(json.dumps(record.to_dict()) + "\n")
            self.handle.flush()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
