"""`workbench eval <what>`: quality measured, side by side with baselines, as JSON."""

from __future__ import annotations

from workbench.commands.registration import register_modules

EVALUATIONS = [
    "workbench.commands.eval_sinusoid",
    "workbench.commands.eval_fewshot",
    "workbench.commands.eval_sketch",
    "workbench.commands.eval_melody",
    "workbench.commands.eval_crashes",
    "workbench.commands.eval_bad_values",
]


def register(subparsers) -> None:
    parser = subparsers.add_parser("eval", help="evaluate models against baselines")
    inner = parser.add_subparsers(dest="evaluation", metavar="WHAT")
    register_modules(inner, EVALUATIONS)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)
