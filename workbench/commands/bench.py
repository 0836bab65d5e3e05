"""`workbench bench <what>`: speed measured, side by side with baselines, as JSON."""

from __future__ import annotations

import importlib

BENCHMARKS = [
    "workbench.commands.bench_engine",
    "workbench.commands.bench_ui",
    "workbench.commands.bench_adapt",
]


def register(subparsers) -> None:
    parser = subparsers.add_parser("bench", help="benchmarks")
    inner = parser.add_subparsers(dest="benchmark", metavar="WHAT")
    for name in BENCHMARKS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(inner)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)
