"""`workbench bench <what>`: speed measured, side by side with baselines, as JSON."""

from __future__ import annotations

from workbench.commands.registration import register_modules

BENCHMARKS = [
    "workbench.commands.bench_engine",
    "workbench.commands.bench_ui",
    "workbench.commands.bench_adapt",
    "workbench.commands.bench_project",
]


def register(subparsers) -> None:
    parser = subparsers.add_parser("bench", help="benchmarks")
    inner = parser.add_subparsers(dest="benchmark", metavar="WHAT")
    register_modules(inner, BENCHMARKS)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)
