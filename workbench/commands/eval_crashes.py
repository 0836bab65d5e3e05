"""`workbench eval crashes`: kill -9 a training run over and over and check that nothing is lost.

One small sinusoid run (a checkpoint after every iteration) is killed with SIGKILL many times:
at random moments, and at chosen points inside a save (half-way through writing the temporary
file, after it is written but before the rename, just after the rename). After every kill the
next process verifies the checkpoint, resumes from it and checks that the iteration in the JSON
agrees with the optimizer's step count in the tensors (a checkpoint is one unit). Processes are
forked from this one after torch is imported, so each kill costs milliseconds, not a start-up.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path

SAVE_POINTS = ("mid_write", "before_rename", "after_rename")
SELF_KILL_TIMEOUT_S = 5.0


def register(subparsers) -> None:
    p = subparsers.add_parser("crashes", help="kill -9 training many times; report lost or mixed checkpoints")
    p.add_argument("--kills", type=int, default=120, help="SIGKILLs in all (default 120)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--folder", help="where the run is written (default: a temporary folder, removed after)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=run)


def run(args) -> int:
    import tempfile

    from workbench.commands.output import emit
    from workbench.meta.errors import ConfigError
    from workbench.meta.limits import check_at_most

    if args.kills < 1:
        raise ConfigError("kills", f"must be at least 1, got {args.kills}")
    check_at_most("kills", args.kills, 100_000)
    if not hasattr(os, "fork"):
        raise ConfigError("kills", "this evaluation needs os.fork (Linux or macOS)")
    with tempfile.TemporaryDirectory(prefix="workbench-crashes-") as scratch:
        folder = Path(args.folder) if args.folder else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        summary = kill_loop(folder, args.kills, random.Random(args.seed))
    emit("eval crashes", [summary], device="cpu", as_json=args.json)
    ok = (summary["loadable_checkpoints_pct"] == 100.0 and summary["resumes_consistent_pct"] == 100.0
          and summary["orphan_temp_files_at_end"] == 0)
    return 0 if ok else 1


def kill_loop(folder: Path, kills: int, rng: random.Random) -> dict:
    import torch

    import workbench.meta.trainer  # noqa: F401 - imported once here, inherited by every fork

    torch.set_num_threads(1)  # no OpenMP pool in the parent: forking after one is unsafe
    _warm_up()
    reports = folder / "reports.jsonl"
    reports.unlink(missing_ok=True)
    started = time.perf_counter()
    kinds = {"random_moment": 0, **{point: 0 for point in SAVE_POINTS}}
    orphans_seen = random_inside_save = 0
    for k in range(kills):
        point = rng.choice(SAVE_POINTS) if k % 2 else None   # half at a chosen point inside a save
        before = set(folder.glob("*.tmp"))
        pid = os.fork()
        if pid == 0:
            _child(folder, reports, point, rng.randint(1, 4), iterations=10**6)
        status = None
        if point is None:
            time.sleep(rng.uniform(0.01, 0.15))
            os.kill(pid, signal.SIGKILL)
        else:
            status = _wait(pid, SELF_KILL_TIMEOUT_S)
            if status is None:  # the save never reached the point: kill it here instead
                os.kill(pid, signal.SIGKILL)
                point = None
        if status is None:
            _, status = os.waitpid(pid, 0)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        kinds[point or "random_moment"] += killed
        orphans = set(folder.glob("*.tmp"))
        orphans_seen += len(orphans)
        random_inside_save += point is None and bool(orphans - before)  # a random kill that landed mid-save
    pid = os.fork()  # a last run to the end: verifies the final checkpoint and cleans up
    if pid == 0:
        _child(folder, reports, None, 0, iterations=None)
    os.waitpid(pid, 0)
    rows = [json.loads(line) for line in reports.read_text().splitlines() if line.strip()]
    checked = [r for r in rows if r["had_checkpoint"]]
    loadable = [r for r in checked if r["loadable"]]
    consistent = [r for r in loadable if r["consistent"]]
    return {
        "kills": sum(kinds.values()), **{f"kills_{k}": v for k, v in kinds.items()},
        "random_kills_that_left_a_temp_file": random_inside_save,
        "checkpoints_checked": len(checked),
        "loadable_checkpoints_pct": round(100.0 * len(loadable) / max(len(checked), 1), 2),
        "resumes": len(loadable),
        "resumes_consistent_pct": round(100.0 * len(consistent) / max(len(loadable), 1), 2),
        "orphan_temp_files_seen_after_kills": orphans_seen,
        "orphan_temp_files_at_end": len(list(folder.glob("*.tmp"))),
        "final_iteration": rows[-1].get("iteration") if rows else None,
        "errors": sorted({r["error"] for r in rows if r.get("error")})[:5],
        "seconds": round(time.perf_counter() - started, 2),
    }


def _wait(pid: int, seconds: float) -> int | None:
    """The child's wait status once it has ended, or None after `seconds` (it keeps running)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.005)
    return None


def _warm_up() -> None:
    """Two iterations here, so every forked child inherits torch's lazily built state."""
    from workbench.domains.registry import build_problem
    from workbench.meta.config import MetaConfig
    from workbench.meta.trainer import MetaTrainer

    config = MetaConfig(algo="maml", inner_steps=1, meta_batch=2, iterations=2, val_every=0, batching="loop")
    for _ in MetaTrainer(build_problem("sinusoid", {"shot": 5, "query": 5}), config).run():
        pass


def _child(folder: Path, reports: Path, point: str | None, on_save: int, iterations: int | None) -> None:
    """Forked: verify and resume the run (or start it), report, train; killed by the parent or by itself."""
    try:
        _child_body(folder, reports, point, on_save, iterations)
    finally:
        os._exit(0)


def _child_body(folder, reports, point, on_save, iterations) -> None:
    from workbench.domains.registry import build_problem
    from workbench.meta.checkpoint import checkpoint_exists
    from workbench.meta.config import MetaConfig
    from workbench.meta.errors import WorkbenchError
    from workbench.meta.trainer import MetaTrainer

    path = folder / "run"
    problem = build_problem("sinusoid", {"shot": 5, "query": 5})
    row = {"had_checkpoint": checkpoint_exists(path), "loadable": False, "consistent": False}
    trainer = None
    if row["had_checkpoint"]:
        try:
            trainer = MetaTrainer.resume(problem, path, iterations=iterations or 10**6)
            row.update(loadable=True, iteration=trainer.iteration, consistent=_consistent(trainer))
        except WorkbenchError as exc:
            row["error"] = str(exc)[:200]
    if trainer is None:
        config = MetaConfig(algo="maml", inner_steps=1, meta_batch=2, iterations=10**6, val_every=0,
                            batching="loop", checkpoint_every=1)
        trainer = MetaTrainer(problem, config)
    _append(reports, row)
    if iterations is None:  # the last run: a few more iterations, then a clean end
        trainer.config = trainer.config.replace(iterations=trainer.iteration + 3)
    if point:
        _kill_inside_save(point, on_save)
    for _ in trainer.run(out=path):
        pass


def _consistent(trainer) -> bool:
    """The optimizer's step count in the tensors equals the iteration in the JSON (Adam steps once per iteration)."""
    steps = {int(s["step"]) for s in trainer.optimizer.state_dict()["state"].values() if "step" in s}
    return steps == ({trainer.iteration} if trainer.iteration else set())


def _kill_inside_save(point: str, on_save: int) -> None:
    """Make this process SIGKILL itself at `point` of its `on_save`-th checkpoint write."""
    import tempfile

    from workbench.meta import checkpoint as checkpoint_module

    real_write, real_replace = checkpoint_module.atomic_write_bytes, os.replace
    saves = {"n": 0}

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def replace(src, dst):
        if point == "before_rename":
            die()
        real_replace(src, dst)
        if point == "after_rename":
            die()

    def write(path, blob, mode=0o644):
        saves["n"] += 1
        if saves["n"] < on_save:
            return real_write(path, blob, mode)
        if point == "mid_write":
            fd, _ = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
            os.write(fd, blob[: len(blob) // 2])
            die()
        checkpoint_module.os.replace = replace
        real_write(path, blob, mode)

    checkpoint_module.atomic_write_bytes = write


def _append(path: Path, row: dict) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (json.dumps(row) + "\n").encode())
    finally:
        os.close(fd)
