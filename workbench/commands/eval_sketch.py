"""`workbench eval sketch`: Vary and Complete next to their baselines (see
workbench.domains.sketch.evaluate for what each number means)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.meta.errors import first_few

OMNIGLOT_DEFAULT = "../shared/datasets/omniglot/images_background_small2.zip"


def register(eval_subparsers) -> None:
    parser = eval_subparsers.add_parser(
        "sketch", help="Vary and Complete next to their baselines: sharpness, fidelity, novelty, recall",
        description="Evaluate the sketch domain on held-out built-in glyph classes and, with --data, on a "
                    "class-per-folder set (e.g. Omniglot small2), all rows in one run.")
    parser.add_argument("--data", action="append", default=None, metavar="DIR_OR_ZIP",
                        help="also evaluate on this class-per-folder set, all of it held out (repeatable)")
    parser.add_argument("--no-glyphs", action="store_true", help="skip the built-in glyphs")
    parser.add_argument("--glyph-split", choices=("test", "val"), default="test",
                        help="built-in classes to evaluate on: the held-out test classes (default) or the validation "
                             "classes, to choose settings without looking at the test set (rows named glyphs-val)")
    parser.add_argument("--checkpoint", default=None, help="sketch ink checkpoint (default: the shipped one)")
    parser.add_argument("--pretrained", default=None,
                        help="baseline checkpoint of the ink-pretrain preset (default: shipped, if present; 'none' to skip)")
    parser.add_argument("--judge", default=None,
                        help="20-way ProtoNet checkpoint for fidelity, trained on data the generator never saw: "
                             "`workbench train --domain sketch --preset classify --data .../images_background_small1.zip` "
                             "(default: the shipped sketch-classify, trained on built-in glyphs, which the note flags)")
    parser.add_argument("--keep-seen", action="store_true",
                        help="keep --data classes that share a drawing file with the judge's training data (left "
                             "out by default: Omniglot small1 and small2 share their Greek and Latin characters)")
    parser.add_argument("--mode", choices=("vary", "complete", "invent", "all"), default="all",
                        help="what to evaluate (default all; invent runs on --data sets laid out "
                             "alphabet/character/drawing)")
    parser.add_argument("--shots", type=int, nargs="+", default=[1, 3, 5], help="support sizes K: Vary's support drawings, Complete's examples (default 1 3 5)")
    parser.add_argument("--observed", type=float, nargs="+", default=[0.25, 0.5],
                        help="complete: shares of the ink kept (default 0.25 0.5)")
    parser.add_argument("--offset", type=int, default=0, metavar="PX",
                        help="Complete: the drawing to complete sits PX model pixels right of where its examples "
                             "sit (a partial drawn off their place; default 0)")
    parser.add_argument("--strokes", default=None, metavar="DIR_OR_ZIP",
                        help="Complete on --data: the set's pen trajectories (e.g. Omniglot's "
                             "strokes_background_small2.zip); a partial is then what the person had drawn when "
                             "that share of the ink was down, in the pen's order (default: the ink nearest one "
                             "point; the built-in glyphs keep that)")
    parser.add_argument("--tasks", type=int, default=30, help="held-out tasks per setting (default 30)")
    parser.add_argument("--decode-steps", type=int, default=None,
                        help="complete: decoding steps (default: the studio's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(func=run)


def _pretrained(path: str | None):
    """The ink-pretrain learner with its fine-tuning rate and steps chosen on validation tasks, or None."""
    from workbench.domains.sketch import tune
    from workbench.domains.sketch.generate import load_learner
    from workbench.domains.sketch.models import checkpoint_base

    if path == "none":
        return None, None
    base = path or checkpoint_base("ink").with_name("sketch-ink-pretrain")
    if path is None and not base.with_name(base.name + ".safetensors").exists():
        return None, None
    learner = load_learner("ink", base)
    table = tune.validation_table(learner, tasks=16)
    choice = tune.best(table)
    return tune.with_adaptation(learner, choice["inner_lr"], choice["steps"]), choice


def run(args: argparse.Namespace) -> int:
    import torch

    from workbench.commands.output import emit
    from workbench.domains.drawings.sources import GlyphSource, make_source, unseen_by
    from workbench.domains.sketch import baselines, evaluate
    from workbench.domains.sketch.generate import COMPLETE_DECODE_STEPS, load_learner
    from workbench.meta.errors import ConfigError

    if args.tasks < 1:
        raise ConfigError("tasks", f"must be at least 1, got {args.tasks}")
    if args.decode_steps is not None and args.decode_steps < 1:
        raise ConfigError("decode_steps", f"must be at least 1, got {args.decode_steps}")
    if any(k < 1 for k in args.shots):
        raise ConfigError("shots", "support sizes must be at least 1")
    if args.strokes and not args.data:
        raise ConfigError("strokes", "pen trajectories go with a --data set")
    if not 0 <= args.offset < 32:
        raise ConfigError("offset", f"must be 0-31 model pixels, got {args.offset}")
    if any(not 0 < f < 1 for f in args.observed):
        raise ConfigError("observed", "shares of the ink kept must be in (0, 1)")
    torch.manual_seed(args.seed)
    sets = [] if args.no_glyphs else ["glyphs"]
    sets += [d for d in (args.data or []) if d not in sets]
    if not sets:
        raise ConfigError("data", "nothing to evaluate: give --data or drop --no-glyphs")

    meta = load_learner("ink", args.checkpoint)
    blank = {"strength": 1.0}
    models = {"meta": (meta, None), "meta-blank": (meta, None, blank), "unadapted": (meta, 0)}
    # Vary and Invent: every drawing kept, and each network from a blank canvas, where it draws on its own
    vary_extra = {"meta-all": (meta, None, {"candidates": 1}), "unadapted-blank": (meta, 0, blank)}
    notes: list[str] = []
    pretrained, choice = _pretrained(args.pretrained)
    if pretrained is not None:
        models["pretrain"] = (pretrained, None)
        vary_extra["pretrain-blank"] = (pretrained, None, blank)
        notes.append(f"pretrain fine-tuned with inner_lr {choice['inner_lr']} for {choice['steps']} steps "
                     "(chosen on 16 validation tasks)")
    elif args.pretrained != "none":
        notes.append("no pretrained baseline: train one with `workbench train --domain sketch --preset ink-pretrain`")
    size, seed = meta.problem.size, meta.problem.options["seed"]
    glyphs = GlyphSource(size=size, seed=seed)
    pool = baselines.training_pool(size, seed)
    # Complete needs no judge, but a given one still sets the classes (those it trained on are left
    # out), so a Complete-only run draws from the same classes as a whole run.
    judge = load_learner("classify", args.judge) if args.mode != "complete" or args.judge else None
    if judge is not None and args.judge is None:
        notes.append("fidelity judged by the shipped sketch-classify, trained on built-in glyphs (the generator's "
                     "training data): pass --judge with one trained on Omniglot small1 for an independent judge")
    steps = args.decode_steps or COMPLETE_DECODE_STEPS
    pen = None
    if args.strokes and args.mode in ("complete", "all"):
        from workbench.domains.sketch.pen_cuts import Trajectories

        pen = Trajectories(args.strokes)
        notes.append(f"Complete on --data: partials in the pen's order ({args.strokes})")
    results: list[dict] = []
    judged_on = judge.problem.options.get("data") if judge is not None else None
    every = {**models, **vary_extra}
    for data in sets:
        name = Path(str(data)).name
        split = "test"                       # a --data set is held out whole: every split is all of it
        if data == "glyphs":
            source, split = glyphs, args.glyph_split
            name = "glyphs" if split == "test" else f"glyphs-{split}"
        else:
            seen_by, seen_check = unseen_by(judged_on, data, args.keep_seen)
            source = make_source(data, size=size, whole=True, unseen_by=seen_by)
            notes.append(f"{name}: {source.num_classes('test')} classes; overlap with the judge's training data "
                         f"{seen_check}" + (f", {len(source.dropped)} classes left out" if seen_by else ""))
        if args.mode in ("vary", "all"):
            results += evaluate.evaluate_vary(every, judge, source, pool, shots=tuple(args.shots), tasks=args.tasks,
                                              seed=args.seed, split=split, data_name=name,
                                              progress=None if args.json else _progress_printer(f"vary {name}"))
        if args.mode in ("complete", "all"):
            results += evaluate.evaluate_complete(models, source, pool, fractions=tuple(args.observed),
                                                  shots=tuple(args.shots), tasks=args.tasks, steps=steps, seed=args.seed,
                                                  split=split, data_name=name, offset=args.offset,
                                                  pen=pen if data != "glyphs" else None,
                                                  progress=None if args.json else _progress_printer(f"complete {name}"))
        invent_shots = tuple(k for k in args.shots if k >= 2)          # Invent reads 2+ different characters
        if args.mode in ("invent", "all") and data != "glyphs" and invent_shots:
            found = evaluate.evaluate_invent(every, judge, source,
                                             shots=invent_shots, tasks=args.tasks,
                                             seed=args.seed, data_name=name,
                                             progress=None if args.json else _progress_printer(f"invent {name}"))
            results += found
            if not found:
                notes.append(f"{name}: no Invent rows (needs 2+ alphabet folders of more than "
                             f"{max(invent_shots)} characters)")
        skipped = list(getattr(source, "skipped", {}).values())     # files a task drew but could not read
        if skipped:
            notes.append(f"{name}: {len(skipped)} files could not be read; the class's next drawing stood in for "
                         f"each: {first_few(skipped)}")
    emit("eval sketch", results, device="cpu", as_json=args.json, extra={"notes": notes} if notes else None)
    return 0


def _progress_printer(label: str):
    state = {"last": -1}

    def progress(done: int, total: int, message: str) -> None:
        percent = int(100 * done / max(total, 1))
        if percent // 10 != state["last"]:
            state["last"] = percent // 10
            print(f"  {label}: {percent}%", file=sys.stderr, flush=True)

    return progress
