"""`workbench sketch vary|invent|complete`: the sketch studio's actions, headless.

Both go through workbench.domains.sketch.api, the same functions the GUI calls.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SCALE = 4  # upscale factor of the larger PNGs


def register(subparsers) -> None:
    parser = subparsers.add_parser("sketch", help="few-shot drawing: vary a support set, invent characters, or complete a partial drawing",
                                   description="Few-shot drawing with the sketch domain's meta-trained models.")
    actions = parser.add_subparsers(dest="sketch_command", metavar="ACTION", required=True)

    for name, help_text, support_help, n_help in (
            ("vary", "draw new drawings of the kind shown by a few support images",
             "1-5 (or more) images of one kind: PNG, JPEG, BMP, ...", "number of new drawings (default 16)"),
            ("invent", "draw new characters of the writing system shown by a few different characters",
             "2-5 (or more) images, each a different character of one alphabet or style",
             "number of new characters (default 16)")):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("--support", nargs="+", required=True, metavar="IMAGE", help=support_help)
        action.add_argument("-n", type=int, default=16, help=n_help)
        action.add_argument("--steps", type=int, default=None,
                            help="adaptation steps on the support (default: the checkpoint's, chosen on validation tasks)")
        action.add_argument("--decode-steps", type=int, default=None, help="masked decoding steps (default 2, rising to 8 as --strength goes from 0.5 to 1)")
        action.add_argument("--seed", type=int, default=0)
        action.add_argument("--temperature", type=float, default=1.0, help="spread of the samples (0-4, default 1)")
        action.add_argument("--strength", type=float, default=None,
                            help="how far each drawing may move from its starting drawing, in (0, 1]: 1 draws from a "
                                 "blank canvas, lower starts from a distorted support drawing (Invent: two support "
                                 "characters cut and joined) (default 0.5)")
        action.add_argument("--checkpoint", default=None, help="a sketch ink checkpoint (default: the shipped one)")
        action.add_argument("--out", required=True, help="folder for the PNGs, the SVGs (outlines; pen strokes in *.strokes.svg) and the contact sheet")
        action.add_argument("--json", action="store_true", help="print one JSON document")
        action.set_defaults(func=run_vary)

    complete = actions.add_parser("complete", help="finish a partial drawing, one picture per inner step")
    complete.add_argument("--partial", required=True, metavar="IMAGE", help="the partial drawing")
    complete.add_argument("--examples", nargs="+", default=None, metavar="IMAGE",
                          help="drawings of the kind being drawn, whose style the completion follows "
                               "(default: the built-in glyphs that cover the partial best)")
    complete.add_argument("--strength", type=float, default=None,
                          help="with --examples: how much of the best-fitting example is redrawn, in (0, 1]; "
                               "1 decodes from the examples' style alone (default 0.5)")
    complete.add_argument("--start", type=int, default=1, metavar="RANK",
                          help="with --examples: start from the example that fits the partial best (1, the "
                               "default), the 2nd best (2), ...; past the last, the best again")
    complete.add_argument("--steps", type=int, default=None, help="decoding steps, one picture each (default 12)")
    complete.add_argument("--seed", type=int, default=0)
    complete.add_argument("--checkpoint", default=None, help="a sketch ink checkpoint (default: the shipped one)")
    complete.add_argument("--out", required=True, help="folder for the PNGs of every step, the SVGs of the result (outlines; pen strokes in "
                               "completed.strokes.svg) and the filmstrip")
    complete.add_argument("--json", action="store_true", help="print one JSON document")
    complete.set_defaults(func=run_complete)

    tune = actions.add_parser("tune", help="choose a checkpoint's adaptation rate and steps on validation tasks "
                                           "and store them in it")
    tune.add_argument("--checkpoint", required=True, help="a sketch ink checkpoint to update")
    tune.add_argument("--tasks", type=int, default=32, help="validation tasks (default 32)")
    tune.add_argument("--json", action="store_true", help="print one JSON document")
    tune.set_defaults(func=run_tune)


def _check_count(name: str, value: int | None, minimum: int) -> None:
    from workbench.meta.errors import ConfigError
    from workbench.meta.limits import MAX_COUNT, MAX_STEPS, check_at_most

    if value is not None and value < minimum:
        raise ConfigError(name, f"must be at least {minimum}, got {value}")
    if value is not None:  # a billion steps or drawings never ends
        check_at_most(name, value, MAX_STEPS if "steps" in name else MAX_COUNT)


def _save_png(api, array, path: Path, scale: int = 1) -> Path:
    from workbench.commands.output import write_atomically

    return write_atomically(path, lambda tmp: api.save_png(array, tmp, scale=scale))


def run_vary(args: argparse.Namespace) -> int:
    """`sketch vary` and `sketch invent`: the same options, files and report."""
    from workbench.commands.output import emit, prepare_output_folder
    from workbench.domains.sketch import api

    action = args.sketch_command
    _check_count("n", args.n, 1)
    _check_count("steps", args.steps, 0)
    _check_count("decode_steps", args.decode_steps, 1)
    images, errors = _examples(api, args.support, action)
    out = prepare_output_folder(args.out)  # before the work, so a bad folder costs nothing
    drawings = getattr(api, action)(images, n=args.n, steps=args.steps, seed=args.seed, temperature=args.temperature,
                                    checkpoint=args.checkpoint, decode_steps=args.decode_steps, strength=args.strength)
    results = []
    for i, drawing in enumerate(drawings, start=1):
        path = _save_png(api, drawing, out / f"{action}-{i:02d}.png")
        _save_png(api, drawing, out / f"{action}-{i:02d}@{SCALE}x.png", scale=SCALE)
        api.save_svg(drawing, out / f"{action}-{i:02d}.svg")
        api.save_svg(drawing, out / f"{action}-{i:02d}.strokes.svg", strokes=True)
        results.append({"index": i, "path": str(path)})
    sheet = _save_png(api, api.contact_sheet(drawings, columns=8), out / "contact-sheet.png", scale=SCALE)
    emit(f"sketch {action}", results, device="cpu", as_json=args.json,
         extra={"contact_sheet": str(sheet), "support": len(images), "skipped": errors})
    return 0


def _examples(api, paths: list[str], action: str) -> tuple[list, list[str]]:
    """The drawings of these image files; a file that cannot be used is reported and skipped."""
    from workbench.meta.errors import DataError

    images, _names, errors = api.load_support_images(paths)
    for message in errors:
        print(f"workbench sketch {action}: skipped {message}", file=sys.stderr)
    if not images:
        raise DataError("none of the support images could be used")
    return images, errors


def run_complete(args: argparse.Namespace) -> int:
    from workbench.commands.output import emit, prepare_output_folder
    from workbench.domains.imageio import load_ink
    from workbench.domains.sketch import api

    _check_count("steps", args.steps, 1)
    _check_count("start", args.start, 1)
    # A partial drawing keeps its place on the page: scaled, not cropped to its ink.
    partial = load_ink(args.partial, api.MODEL_SIZE, crop=False)
    examples, errors = _examples(api, args.examples, "complete") if args.examples else ([], [])
    out = prepare_output_folder(args.out)
    frames = api.complete(partial, steps=args.steps, checkpoint=args.checkpoint, seed=args.seed, examples=examples,
                          strength=args.strength, start=args.start - 1)
    results = []
    for step, frame in enumerate(frames):
        path = _save_png(api, frame, out / f"step-{step:02d}.png")
        results.append({"step": step, "path": str(path)})
    final = _save_png(api, frames[-1], out / "completed.png")
    _save_png(api, frames[-1], out / f"completed@{SCALE}x.png", scale=SCALE)
    api.save_svg(frames[-1], out / "completed.svg")
    api.save_svg(frames[-1], out / "completed.strokes.svg", strokes=True)
    strip = _save_png(api, api.contact_sheet(frames, columns=len(frames)), out / "filmstrip.png", scale=SCALE)
    emit("sketch complete", results, device="cpu", as_json=args.json,
         extra={"completed": str(final), "filmstrip": str(strip), "examples": len(examples), "start": args.start,
                "skipped": errors})
    return 0


def run_tune(args: argparse.Namespace) -> int:
    from workbench.commands.output import emit
    from workbench.domains.sketch import tune
    from workbench.domains.sketch.generate import load_learner

    _check_count("tasks", args.tasks, 1)
    learner = load_learner("ink", args.checkpoint)
    table = tune.validation_table(learner, tasks=args.tasks)
    choice = tune.best(table)
    tune.write_choice(args.checkpoint, choice, table)
    emit("sketch tune", table, device="cpu", as_json=args.json, extra={"chosen": choice})
    return 0
