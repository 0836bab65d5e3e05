"""`workbench train`: meta-train a domain's model, headless."""

from __future__ import annotations

import json
import sys
import time

from workbench.commands import train_world
from workbench.commands.progress import ProgressLine
from workbench.commands.train_checks import check_problem_flags, check_resume_domain, save_elsewhere


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train",
        help="meta-train a model",
        description="Meta-train a model on a domain's tasks. Settings: a preset's, then the flags given.",
    )
    p.add_argument("--domain", required=True, help="sinusoid | omniglot | sketch | melody")
    p.add_argument("--preset", help="a named set of settings of the domain (see --list-presets)")
    p.add_argument("--list-presets", action="store_true", help="list the domain's presets and exit")
    p.add_argument("--algo", help="maml | fomaml | metasgd | anil | reptile | protonet | pretrain")
    p.add_argument("--data", help="dataset folder or zip (domains with data)")
    p.add_argument("--iterations", type=int)
    p.add_argument("--meta-batch", type=int, dest="meta_batch")
    p.add_argument("--inner-steps", type=int, dest="inner_steps")
    p.add_argument("--eval-steps", type=int, dest="eval_steps", help="inner steps at evaluation (default: inner steps)")
    p.add_argument("--inner-lr", type=float, dest="inner_lr")
    p.add_argument("--outer-lr", type=float, dest="outer_lr")
    p.add_argument("--first-order", action="store_const", const=True, dest="first_order")
    p.add_argument("--support-weight", type=float, dest="support_weight",
                   help="add this weight times the support loss before adaptation to the outer loss")
    p.add_argument("--way", type=int)
    p.add_argument("--shot", type=int)
    p.add_argument("--query", type=int)
    p.add_argument("--batching", help="auto | vmap | loop")
    p.add_argument("--chunk-size", type=int, dest="chunk_size", help="tasks per vmap call (bounds memory)")
    p.add_argument("--device", help="auto | cpu | cuda | mps")
    p.add_argument("--bf16", action="store_const", const=True, help="bf16 autocast on CUDA")
    p.add_argument("--seed", type=int)
    p.add_argument("--val-every", type=int, dest="val_every")
    p.add_argument("--checkpoint-every", type=int, dest="checkpoint_every")
    p.add_argument("--out", help="checkpoint file to write (name.safetensors); checked before the first iteration")
    p.add_argument("--resume", help="continue the run saved in this checkpoint")
    p.add_argument("--init-from", dest="init_from", metavar="CHECKPOINT",
                   help="start a new run from this checkpoint's weights (same domain and model), e.g. "
                        "meta-train from a pretrained network")
    p.add_argument("--json", action="store_true", help="print one JSON document with the summary")
    p.add_argument("--jsonl", action="store_true", help="stream every metric record as a JSON line")
    train_world.add_arguments(p)
    p.set_defaults(func=run)


CONFIG_FLAGS = ("algo", "iterations", "meta_batch", "inner_steps", "eval_steps", "inner_lr", "outer_lr",
                "first_order", "support_weight", "batching", "chunk_size", "device", "bf16", "tf32", "step_mode", "seed", "val_every",
                "checkpoint_every")
PROBLEM_FLAGS = ("data", "way", "shot", "query")


def run(args) -> int:
    from workbench.domains import registry

    if args.list_presets:
        for name, preset in registry.presets(args.domain).items():
            print(f"{name}: {preset.get('help', '')}")
        return 0
    world = train_world.world_for(args)
    finished = False
    try:
        code = train(args, world)
        finished = True
        return code
    except Exception as exc:
        world.report_failure(str(exc))  # so the other ranks can say which one stopped, and why
        raise
    finally:
        from workbench.meta.distributed import leave

        leave(world, together=finished)


def train(args, world) -> int:
    trainer = make_trainer(args, world)
    out = args.out or args.resume
    talk = world.is_main  # rank 0 alone prints and writes metric records
    progress = ProgressLine(enabled=talk and not (args.json or args.jsonl))
    records = train_world.RecordFile(args.jsonl_file if talk else None)
    last = {}
    started = time.perf_counter()
    try:
        for record in trainer.run(out=out):
            last[record.kind] = record
            if record.kind == "status" and record.state == "save_failed":
                last["save_failed"] = record
                print(f"workbench train: warning: {record.message}", file=sys.stderr)
            records.write(record)
            if args.jsonl and talk:
                print(json.dumps(record.to_dict()), flush=True)
            progress.update(record)
    except KeyboardInterrupt:
        if out:
            from workbench.meta.errors import CheckpointError

            try:
                trainer.save(out)
            except CheckpointError:
                return save_elsewhere(trainer, out, sys.stderr) and 130
            if talk:
                print(f"\ninterrupted: saved iteration {trainer.iteration} to {out}", file=sys.stderr)
        return 130
    finally:
        progress.close()
        records.close()
    if not talk:
        return 0
    if out and getattr(last.get("status"), "state", None) == "finished" and _final_save_failed(last):
        return save_elsewhere(trainer, out, sys.stderr)
    summary = summarize(trainer, last, time.perf_counter() - started, out)
    if args.json:
        from workbench.commands.output import emit
        from workbench.meta.device import device_label

        emit("train", [summary], device=device_label(trainer.device), as_json=True)
    elif not args.jsonl:
        print(" ".join(f"{k}={v}" for k, v in summary.items()))
    return 0


def _final_save_failed(last: dict) -> bool:
    """The run's last checkpoint attempt (at the end) failed; earlier failures were retried."""
    failed, saved = last.get("save_failed"), last.get("checkpoint")
    return failed is not None and (saved is None or saved.iteration < failed.iteration)


def make_trainer(args, world=None):
    from workbench.domains import registry
    from workbench.meta.config import MetaConfig
    from workbench.meta.distributed import SINGLE
    from workbench.meta.trainer import MetaTrainer

    check_problem_flags(args)
    given = {k: getattr(args, k) for k in CONFIG_FLAGS if getattr(args, k, None) is not None}
    if args.resume and getattr(args, "init_from", None):
        from workbench.meta.errors import ConfigError

        raise ConfigError("init_from", "--resume continues a run and --init-from starts a new one: give one of them")
    if args.resume:
        data = registry.problem_for_checkpoint(args.resume)
        check_resume_domain(args, data)
        return MetaTrainer.resume(data, args.resume, world=world or SINGLE, **given)
    preset = registry.preset(args.domain, args.preset) if args.preset else {}
    missing = registry.missing_start(args.preset, preset, getattr(args, "init_from", None)) if preset else ""
    if missing:
        from workbench.meta.errors import ConfigError

        raise ConfigError("init_from", f"{missing} (--init-from)")
    options = dict(preset.get("problem", {}))
    options.update({k: getattr(args, k) for k in PROBLEM_FLAGS if getattr(args, k, None) is not None})
    problem = registry.build_problem(args.domain, options)
    settings = {**preset.get("config", {}), **given}
    if settings.get("algo") == "fomaml":
        settings["first_order"] = True
    trainer = MetaTrainer(problem, MetaConfig(**settings), world=world or SINGLE)
    if getattr(args, "init_from", None):
        trainer.start_from(args.init_from)
    return trainer


def summarize(trainer, last: dict, seconds: float, out) -> dict:
    summary = {"domain": trainer.problem.domain, "algo": trainer.config.algo, "iterations": trainer.iteration,
               "seconds": round(seconds, 2), "batching": trainer.batching}
    if "iteration" in last:
        record = last["iteration"]
        summary.update(outer_loss=record.outer_loss, tasks_per_s=round(record.tasks_per_s, 1))
        if record.accuracy is not None:
            summary["accuracy"] = record.accuracy
    if "validation" in last:
        summary["val_loss"] = last["validation"].loss
        if last["validation"].accuracy is not None:
            summary["val_accuracy"] = last["validation"].accuracy
    if out:
        summary["checkpoint"] = str(out)
    return summary
