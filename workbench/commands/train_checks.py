"""`workbench train`: what is checked before the first iteration, and where a run goes when its
checkpoint cannot be written at the end (a finished run is never thrown away)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from workbench.meta.errors import ConfigError
from workbench.meta.limits import check_at_most

# Few-shot tasks use a handful of classes and examples (ProtoNet trains 60-way; 1000-way Omniglot
# tasks render 16000 glyphs per task and melody --shot 1000 runs minutes per iteration); these
# bounds stop typos (--shot 100000) before any data is sampled. The domain then checks them
# against its data (classes and drawings per split) and the run against memory (meta/footprint.py).
PROBLEM_LIMITS = {"way": (1, 100), "shot": (1, 100), "query": (1, 100)}


def check_problem_flags(args) -> None:
    """--way/--shot/--query given on the command line: integers in range (0 is refused, not replaced)."""
    for name, (low, high) in PROBLEM_LIMITS.items():
        value = getattr(args, name, None)
        if value is None:
            continue
        if value < low:
            raise ConfigError(name, f"must be at least {low}, got {value}")
        check_at_most(name, value, high)


def check_resume_domain(args, problem) -> None:
    """--domain names what the user expects to train; a checkpoint of another domain is refused."""
    if args.domain and args.domain != problem.domain:
        raise ConfigError("domain", f"--domain {args.domain} but {args.resume} is a {problem.domain} checkpoint; "
                                    f"give --domain {problem.domain} to resume it")


def rescue_path(out) -> Path:
    """A place that is almost always writable, for a finished run whose --out could not be written."""
    name = Path(str(out)).with_suffix("").name or "run"
    return Path(tempfile.gettempdir()) / "workbench-rescued" / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"


def save_elsewhere(trainer, out, stderr) -> int:
    """The final save failed: write the run to rescue_path and say where. Exit status 1 either way."""
    from workbench.meta.errors import CheckpointError

    target = rescue_path(out)
    try:
        written = trainer.save(target)
    except CheckpointError as exc:
        print(f"workbench train: error: the trained run could not be saved anywhere ({exc})", file=stderr)
        return 1
    print(f"workbench train: error: could not write {out}; the trained run was saved to {written} instead",
          file=stderr)
    return 1
