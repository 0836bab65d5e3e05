"""Every number on the command line is checked by argparse itself: finite, not negative, and
below a limit, so `--tasks 1000000000000` or `--seconds nan` is a usage error naming the flag
instead of a traceback, a multi-terabyte allocation or a run that never ends. Commands still
check their own lower bounds (0 means "off" for some flags) and their data-derived limits."""

from __future__ import annotations

import argparse
import math

from workbench.meta.limits import MAX_SEED

MAX_INT = 10_000_000          # counts, steps, iterations, sizes: far above any real use
MAX_FLOAT = 1e9               # rates, temperatures, seconds
LIMITS = {"seed": MAX_SEED}   # by argparse dest, where a flag needs another limit


def limit_numbers(parser: argparse.ArgumentParser) -> None:
    """Wrap the int and float types of every argument of parser and its sub-parsers."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in set(action.choices.values()):
                limit_numbers(sub)
        elif action.type is int:
            action.type = _checked(int, LIMITS.get(action.dest, MAX_INT))
        elif action.type is float:
            action.type = _checked(float, LIMITS.get(action.dest, MAX_FLOAT))


def _checked(kind, limit):
    def parse(text: str):
        value = kind(text)  # ValueError -> argparse's "invalid int value"
        if kind is float and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text} is not a finite number")
        if value < 0:
            raise argparse.ArgumentTypeError(f"{text} is negative")
        if value > limit:
            raise argparse.ArgumentTypeError(f"{text} is more than the limit of {limit:g}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its "invalid ... value" message
    return parse
