"""Headless commands: argument parsing and dispatch to workbench.commands.

Each command family lives in its own module under workbench.commands and
exposes `register(subparsers)`; this file only wires them together, so the
parsers stay cheap to build (no torch at import time).
"""

from __future__ import annotations

import argparse
import sys

from workbench.commands.registration import register_modules

# (top-level command, module path). A module registers its own sub-parsers.
COMMAND_MODULES = [
    "workbench.commands.train",
    "workbench.commands.eval",
    "workbench.commands.bench",
    "workbench.commands.sketch",
    "workbench.commands.melody",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Meta-learning workbench. Without a command it opens the desktop app.",
    )
    from workbench import __version__

    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    register_modules(subparsers, COMMAND_MODULES)
    from workbench.commands.number_limits import limit_numbers

    limit_numbers(parser)
    # Commands that drive the CLI itself (eval bad-values) get it from here: commands never import cli.
    parser.set_defaults(cli_parser=build_parser, cli_main=main)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from workbench.meta.errors import WorkbenchError

    try:
        return int(args.func(args) or 0)
    except WorkbenchError as exc:
        print(f"workbench {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
