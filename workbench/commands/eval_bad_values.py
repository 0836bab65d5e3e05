"""`workbench eval bad-values`: every CLI number and every checkpoint JSON field, given wrong values.

Each case runs in a process forked from this one (torch already imported, so a case costs
milliseconds), with its address space capped at the machine's memory and a 10 s limit. A case
passes when the command either works or refuses with a message; it fails on a traceback, a run
past the limit (hang), an allocation beyond the machine's memory, or a kill. Numbers on the
command line get: wrong type, negative, zero, huge; checkpoint fields (top level, config.*,
problem.*, optimizer.*) get: wrong types, negative, zero, huge.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import sys
import time
import traceback
from pathlib import Path

CASE_TIMEOUT_S = 10.0
CLI_INT_VALUES = ("abc", "2.5", "-1", "0", "100000000000000000000")  # 1e20: above even the seed limit
CLI_FLOAT_VALUES = ("abc", "nan", "inf", "-1", "0", "1e300")
JSON_VALUES = ("abc", [], {}, None, True, 1.5, -5, 0, 10**12, 1e300)
# Benchmarks run for minutes by design, and these need inputs this sweep does not make: their
# numbers get only the values the parser itself must refuse (wrong type, negative, huge, nan), not 0.
NOT_SWEPT = {"bench engine": "benchmark (minutes)", "bench ui": "benchmark (minutes)",
             "bench adapt": "benchmark (minutes)", "bench project": "benchmark (minutes)",
             "bench recovery": "benchmark (minutes)", "eval sketch": "evaluation (minutes)",
             "eval melody": "evaluation (minutes)", "eval fewshot": "needs a few-shot checkpoint and data",
             "sketch tune": "rewrites a checkpoint (evaluation, minutes)"}


def register(subparsers) -> None:
    p = subparsers.add_parser("bad-values", help="drive every CLI number and checkpoint field with bad values")
    p.add_argument("--only", choices=("cli", "checkpoint"), help="sweep one half only")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=run)


def run(args) -> int:
    import tempfile

    from workbench.commands.output import emit

    _quiet_parent()
    with tempfile.TemporaryDirectory(prefix="workbench-bad-values-") as scratch:
        folder = Path(scratch)
        cases = []
        if args.only in (None, "cli"):
            cases += cli_cases(folder, args.cli_parser())
        if args.only in (None, "checkpoint"):
            cases += checkpoint_cases(folder)
        results = [run_case(case, folder, args.cli_main) for case in cases]
    failures = [r for r in results if r["outcome"] not in ("ok", "refused")]
    counts = {k: sum(r["outcome"] == k for r in results)
              for k in ("ok", "refused", "traceback", "hang", "huge_allocation", "killed", "silent_nan")}
    summary = {"cases": len(results), **counts,
               "cli_cases": sum(r["kind"] == "cli" for r in results),
               "checkpoint_cases": sum(r["kind"] == "checkpoint" for r in results),
               "peak_rss_mb_max": max((r["peak_rss_mb"] for r in results), default=0),
               "machine_memory_mb": _machine_mb(), "case_timeout_s": CASE_TIMEOUT_S,
               "run_without_0_parse_only": NOT_SWEPT}
    emit("eval bad-values", failures, device="cpu", as_json=args.json, extra={"summary": summary})
    if not args.json:
        print(json.dumps(summary, indent=1))
    return 0 if not failures else 1


# -- the cases --------------------------------------------------------------------------------

def cli_cases(folder: Path, parser: argparse.ArgumentParser) -> list[dict]:
    """Each int or float flag of each command, with each bad value, on a cheap base command line."""
    inputs = _inputs(folder)
    bases = {
        "train": ["train", "--domain", "sinusoid", "--iterations", "2", "--meta-batch", "2", "--batching", "loop",
                  "--out", str(folder / "train-run")],
        "eval sinusoid": ["eval", "sinusoid", "--tasks", "2", "--points", "10", "--shots", "5", "--steps", "1"],
        "eval crashes": ["eval", "crashes", "--kills", "2"],
        "sketch vary": ["sketch", "vary", "--support", inputs["png"], "-n", "1", "--out", str(folder / "vary")],
        "sketch invent": ["sketch", "invent", "--support", inputs["png"], inputs["png"], "-n", "1",
                          "--out", str(folder / "invent")],
        "sketch complete": ["sketch", "complete", "--partial", inputs["png"], "--out", str(folder / "complete")],
        "melody generate": ["melody", "generate", "--support", inputs["mid"], "-n", "1", "--bars", "2",
                            "--out", str(folder / "gen")],
        "melody corpus": ["melody", "corpus", "--limit-files", "1"],
        "melody render": ["melody", "render", inputs["mid"], "--out", str(folder / "r.wav")],
    }
    cases = []
    for path, leaf in _leaves(parser, []):
        name = " ".join(path)
        if name == "eval bad-values":
            continue
        base = bases.get(name)
        if base is None:
            NOT_SWEPT.setdefault(name, "no base command in this sweep")
        for action in leaf._actions:
            kind = getattr(action.type, "__name__", None)
            if kind not in ("int", "float") or not action.option_strings:
                continue
            flag = action.option_strings[0]
            for value in CLI_INT_VALUES if kind == "int" else CLI_FLOAT_VALUES:
                if base is not None:
                    cases.append({"kind": "cli", "case": f"{name} {flag} {value}", "argv": _with(base, flag, value)})
                elif value != "0":  # a command too long to run: only values the parser must refuse
                    cases.append({"kind": "cli", "case": f"{name} {flag} {value} (parse only)",
                                  "argv": [*path, flag, value], "must_refuse": True})
    return cases


def checkpoint_cases(folder: Path) -> list[dict]:
    """Each field of a real checkpoint replaced by each bad value (the tensors and their hash kept)."""
    from workbench.meta.checkpoint import load_checkpoint

    base = _base_checkpoint(folder)
    meta = load_checkpoint(base).meta
    fields = [(k,) for k in meta if k not in ("config", "problem", "optimizer")]
    fields += [("config", k) for k in meta["config"]] + [("problem", k) for k in meta["problem"]]
    fields += [("optimizer", "type"), ("optimizer", "param_groups"), ("optimizer", "scalars")]
    return [{"kind": "checkpoint", "case": f"{'.'.join(field)} = {json.dumps(value)}", "base": str(base),
             "field": field, "value": value} for field in fields for value in JSON_VALUES]


# -- running one case ---------------------------------------------------------------------------

def run_case(case: dict, folder: Path, cli_main) -> dict:
    out = folder / "case-result.json"
    out.unlink(missing_ok=True)
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)  # its own process group: whatever it starts is ended with it
        _child(case, folder, out, cli_main)
    status, usage, hung = _wait(pid, CASE_TIMEOUT_S)
    try:
        os.killpg(pid, signal.SIGKILL)  # processes the case started and left behind
    except (ProcessLookupError, PermissionError):
        pass
    seconds = round(time.monotonic() - started, 2)
    row = {"kind": case["kind"], "case": case["case"], "seconds": seconds,
           "peak_rss_mb": round(usage.ru_maxrss / 1024, 1) if usage else 0.0}
    if hung:
        row["outcome"] = "hang"
    elif os.WIFSIGNALED(status):
        row["outcome"], row["detail"] = "killed", f"signal {os.WTERMSIG(status)}"
    else:
        try:
            row.update(json.loads(out.read_text()))
        except (OSError, ValueError):
            row["outcome"], row["detail"] = "traceback", "the case ended without a result"
    return row


def _wait(pid: int, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage, False
        time.sleep(0.01)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        os.kill(pid, signal.SIGKILL)
    _, status, usage = os.wait4(pid, 0)
    return status, usage, True


def _child(case: dict, folder: Path, out: Path, cli_main) -> None:
    result = {"outcome": "traceback", "detail": ""}
    try:
        memory = _machine_mb() * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))  # an allocation beyond it fails, visibly
        log = os.open(folder / "case-output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        result = _cli_case(case, folder, cli_main) if case["kind"] == "cli" else _checkpoint_case(case, folder)
    except MemoryError:
        result = {"outcome": "huge_allocation", "detail": traceback.format_exc(limit=-3)[-600:]}
    except BaseException as exc:  # noqa: BLE001 - anything escaping is what this sweep looks for
        text = traceback.format_exc(limit=-3)[-600:]
        huge = "alloc" in str(exc).lower() or "out of memory" in str(exc).lower()
        result = {"outcome": "huge_allocation" if huge else "traceback", "detail": text}
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            out.write_text(json.dumps(result))
        finally:
            os._exit(0)


def _cli_case(case: dict, folder: Path, cli_main) -> dict:
    try:
        code = cli_main(case["argv"])
    except SystemExit as exc:  # argparse's usage error
        code = exc.code
    sys.stdout.flush()
    sys.stderr.flush()
    printed = (folder / "case-output.txt").read_text(errors="replace")
    if "Traceback" in printed:
        return {"outcome": "traceback", "detail": printed[-600:]}
    if code == 0 and re.search(r"\bnan\b", printed.lower()):  # "worked" but reports no number
        return {"outcome": "silent_nan", "detail": printed[-300:]}
    if case.get("must_refuse") and code != 2:
        return {"outcome": "traceback", "detail": f"the parser accepted it (exit {code})"}
    return {"outcome": "ok" if code == 0 else "refused", "detail": printed.strip().splitlines()[-1][:200]
            if printed.strip() else f"exit {code}"}


def _checkpoint_case(case: dict, folder: Path) -> dict:
    """Use the edited checkpoint as the app does: load it for adaptation, then resume training."""
    from workbench.domains import registry
    from workbench.meta.errors import WorkbenchError
    from workbench.meta.trainer import MetaTrainer

    path = _edited_copy(case, folder)
    try:
        learner = registry.load_learner(path)
        trainer = MetaTrainer.resume(learner.problem, path, iterations=learner.checkpoint_meta["iteration"] + 1)
        records = list(trainer.run())
        tasks = trainer.problem.sample_tasks(1, trainer.task_generator, "val")
        learner.adapt(tasks.task(0).support)
    except WorkbenchError as exc:
        return {"outcome": "refused", "detail": str(exc)[:200]}
    return {"outcome": "ok", "detail": f"{records[-1].state} at iteration {trainer.iteration}"}


def _edited_copy(case: dict, folder: Path) -> Path:
    import copy

    from safetensors import safe_open
    from safetensors.torch import load, save

    from workbench.meta.checkpoint import HASH_KEY, META_KEY

    base = Path(case["base"])
    with safe_open(str(base), "pt") as handle:
        extra = handle.metadata()
    meta = copy.deepcopy(json.loads(extra[META_KEY]))
    target = meta
    for key in case["field"][:-1]:
        target = target[key]
    target[case["field"][-1]] = case["value"]
    path = folder / "edited.safetensors"
    path.write_bytes(save(load(base.read_bytes()), metadata={META_KEY: json.dumps(meta), HASH_KEY: extra[HASH_KEY]}))
    return path


# -- inputs -------------------------------------------------------------------------------------

def _base_checkpoint(folder: Path) -> Path:
    """A small real checkpoint: a 10-class few-shot problem (way, shot, query, size, ... fields)."""
    from workbench.domains.registry import build_problem
    from workbench.meta.config import MetaConfig
    from workbench.meta.trainer import MetaTrainer

    data = _class_folders(folder / "classes")
    problem = build_problem("omniglot", {"data": str(data), "way": 2, "shot": 1, "query": 1, "size": 12,
                                         "rotations": False})
    config = MetaConfig(algo="maml", inner_steps=1, meta_batch=2, iterations=2, val_every=1, val_tasks=2,
                        batching="loop")
    trainer = MetaTrainer(problem, config)
    for _ in trainer.run(out=folder / "base"):
        pass
    return folder / "base.safetensors"


def _class_folders(root: Path) -> Path:
    import numpy as np
    from PIL import Image

    for c in range(10):
        (root / f"c{c}").mkdir(parents=True, exist_ok=True)
        for i in range(4):
            image = np.full((12, 12), 255, np.uint8)
            image[c % 6:c % 6 + 4, i:i + 6 + c % 3] = 0
            Image.fromarray(image).save(root / f"c{c}" / f"{i}.png")
    return root


def _inputs(folder: Path) -> dict:
    import numpy as np

    from workbench.domains.melody.midi_io import write_midi
    from workbench.domains.melody.notes import Melody, Note
    from workbench.domains.sketch.api import save_png

    image = np.zeros((28, 28), np.float32)
    image[5:20, 10] = 1
    save_png(image, folder / "p.png")
    write_midi(Melody(notes=tuple(Note(i * 24, 24, 60 + i) for i in range(8))), folder / "a.mid")
    return {"png": str(folder / "p.png"), "mid": str(folder / "a.mid")}


def _leaves(parser: argparse.ArgumentParser, path: list[str]):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
    for action in subs:
        for name, sub in action.choices.items():
            yield from _leaves(sub, path + [name])


def _with(base: list[str], flag: str, value: str) -> list[str]:
    argv = list(base)
    if flag in argv:
        argv[argv.index(flag) + 1] = value
    else:
        argv += [flag, value]
    return argv


def _quiet_parent() -> None:
    import torch

    torch.set_num_threads(1)  # forking after an OpenMP pool exists is unsafe


def _machine_mb() -> int:
    from workbench.meta.limits import machine_memory_bytes

    return machine_memory_bytes() // 2**20
