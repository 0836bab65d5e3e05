"""`workbench eval sketch`: Vary and Complete next to their baselines (see
workbench.domains.sketch.evaluate for what each number means)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

OMNIGLOT_DEFAULT = "../shared/datasets/omniglot/images_background_small2.zip"


def register(eval_subparsers) -> None:
    parser = eval_subparsers.add_parser(
        "sketch", help="few-shot generation and completion quality, with baselines",
        description="Evaluate the sketch domain on held-out built-in glyph classes and, with --data, "
                    "on a class-per-folder set (e.g. Omniglot small2); every model is adapted with the same steps.")
    parser.add_argument("--data", action="append", default=None, metavar="DIR_OR_ZIP",
                        help="also evaluate on this class-per-folder set, all of it held out "
                             "(repeatable; 'glyphs' = the built-in test classes, evaluated by default)")
    parser.add_argument("--no-glyphs", action="store_true", help="skip the built-in glyphs")
    parser.add_argument("--checkpoint", default=None, help="vary checkpoint (default: the shipped one)")
    parser.add_argument("--complete-checkpoint", default=None, help="complete checkpoint (default: the shipped one)")
    parser.add_argument("--classifier", default=None,
                        help="ProtoNet checkpoint for fidelity/novelty (default: the shipped sketch-classify)")
    parser.add_argument("--pretrained", default=None,
                        help="baseline vary checkpoint of the vary-pretrain preset (default: shipped, if present; "
                             "'none' to skip)")
    parser.add_argument("--pretrained-complete", default=None,
                        help="baseline complete checkpoint of the complete-pretrain preset (default: shipped, if "
                             "present; 'none' to skip)")
    parser.add_argument("--mode", choices=("vary", "complete", "both"), default="both")
    parser.add_argument("--shots", type=int, nargs="+", default=[1, 3, 5], help="vary support sizes K (default 1 3 5)")
    parser.add_argument("--observed", type=float, nargs="+", default=[0.1, 0.25],
                        help="complete: shares of the ink observed (default 0.1 0.25)")
    parser.add_argument("--tasks", type=int, default=30, help="held-out tasks per setting (default 30)")
    parser.add_argument("--steps", type=int, default=10, help="inner steps for every model (default 10)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(func=run)


def _optional_learner(mode: str, path: str | None, default_name: str):
    """A learner from `path`, or the shipped checkpoint `default_name` when it exists, else None."""
    from workbench.domains.sketch.generate import load_learner
    from workbench.domains.sketch.models import checkpoint_base

    if path == "none":
        return None
    if path:
        return load_learner(mode, path)
    base = checkpoint_base(mode).with_name(default_name)
    if base.with_name(base.name + ".safetensors").exists():
        return load_learner(mode, base)
    return None


def run(args: argparse.Namespace) -> int:
    import torch

    from workbench.commands.output import emit
    from workbench.domains.sketch import evaluate
    from workbench.domains.drawings.sources import GlyphSource, make_source
    from workbench.domains.sketch.generate import load_learner
    from workbench.meta.errors import ConfigError

    if args.tasks < 1:
        raise ConfigError("tasks", f"must be at least 1, got {args.tasks}")
    if args.steps < 0:
        raise ConfigError("steps", f"must be at least 0, got {args.steps}")
    if any(k < 1 for k in args.shots):
        raise ConfigError("shots", "support sizes must be at least 1")
    if any(not 0 < f <= 1 for f in args.observed):
        raise ConfigError("observed", "shares of the ink observed must be in (0, 1]")
    torch.manual_seed(args.seed)
    sets = [] if args.no_glyphs else ["glyphs"]
    sets += [d for d in (args.data or []) if d not in sets]
    if not sets:
        raise ConfigError("data", "nothing to evaluate: give --data or drop --no-glyphs")

    results: list[dict] = []
    notes: list[str] = []
    modes = ("vary", "complete") if args.mode == "both" else (args.mode,)
    for mode in modes:
        meta = load_learner(mode, args.checkpoint if mode == "vary" else args.complete_checkpoint)
        learners = {"meta": meta}
        pretrained = _optional_learner(mode, args.pretrained if mode == "vary" else args.pretrained_complete,
                                       f"sketch-{mode}-pretrain")
        if pretrained is not None:
            learners["pretrain"] = pretrained
        elif (args.pretrained if mode == "vary" else args.pretrained_complete) != "none":
            notes.append(f"no pretrained {mode} baseline: train one with "
                         f"`workbench train --domain sketch --preset {mode}-pretrain` and pass it")
        learners["random"] = evaluate.random_learner(meta, seed=args.seed)
        classifier = load_learner("classify", args.classifier) if mode == "vary" else None
        for data in sets:
            size = meta.problem.size
            source = GlyphSource(size=size, seed=meta.problem.options["seed"]) if data == "glyphs" \
                else make_source(data, size=size, whole=True)
            name = "glyphs" if data == "glyphs" else Path(str(data)).name
            progress = _progress_printer(f"{mode} {name}") if not args.json else None
            if mode == "vary":
                results += evaluate.evaluate_vary(learners, classifier, source, shots=tuple(args.shots),
                                                  tasks=args.tasks, steps=args.steps,
                                                  seed=args.seed, data_name=name, progress=progress)
            else:
                results += evaluate.evaluate_complete(learners, source, fractions=tuple(args.observed),
                                                      tasks=args.tasks, steps=args.steps,
                                                      seed=args.seed, data_name=name, progress=progress)
    emit("eval sketch", results, device="cpu", as_json=args.json, extra={"notes": notes} if notes else None)
    for note in notes:
        if not args.json:
            print(f"note: {note}")
    return 0


def _progress_printer(label: str):
    state = {"last": -1}

    def progress(done: int, total: int, message: str) -> None:
        percent = int(100 * done / max(total, 1))
        if percent // 10 != state["last"]:
            state["last"] = percent // 10
            print(f"  {label}: {percent}%", file=sys.stderr, flush=True)

    return progress
