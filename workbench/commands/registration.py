"""Wire command modules into argparse: each module exposes register(subparsers)."""

from __future__ import annotations

import importlib


def register_modules(subparsers, names: list[str]) -> None:
    """Import each module by name (so building one parser imports only what it lists) and let it add its sub-parsers."""
    for name in names:
        importlib.import_module(name).register(subparsers)
