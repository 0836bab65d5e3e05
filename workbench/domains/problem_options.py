"""Problem options read from a checkpoint, checked against the domain's defaults before use.

A hand-edited or damaged checkpoint may say `"size": "abc"`, `"seed": -5` or `"head_way": 1e300`;
the domain code trusts its options, so they are checked here once: each option must have the
type of the domain's default (an int where the default is an int, never a bool for a number),
numbers must be finite, not negative and below a limit. Sizes that fit the limit but not the
memory are caught later by workbench.meta.footprint, before anything is allocated.
"""

from __future__ import annotations

import math

from workbench.meta.errors import CheckpointError

MAX_OPTION = 10_000_000
MAX_SEED = 2**63 - 1


def check_problem_options(options, defaults: dict, where: str) -> dict:
    """Return options, or raise CheckpointError naming the first bad one."""
    if not isinstance(options, dict):
        raise CheckpointError(f"{where}: invalid checkpoint field 'problem': expected an object of options")
    for key, value in options.items():
        default = defaults.get(key)
        problem = _problem(value, default, key)
        if problem:
            raise CheckpointError(f"{where}: invalid checkpoint field 'problem.{key}': {problem}, got {value!r:.60}")
    return options


def _problem(value, default, key: str) -> str | None:
    if default is None:  # optional options (a data folder, a head size): None or a plain value
        if value is None or isinstance(value, str):
            return None
        return None if _is_number(value) and not isinstance(value, float) and 0 <= value <= MAX_OPTION else \
            "expected a name, a non-negative integer or null"
    if isinstance(default, bool):
        return None if isinstance(value, bool) else "expected true or false"
    if isinstance(default, int):
        if not _is_number(value) or isinstance(value, float):
            return "expected an integer"
        limit = MAX_SEED if key == "seed" else MAX_OPTION
        return None if 0 <= value <= limit else f"expected an integer from 0 to {limit}"
    if isinstance(default, float):
        if not _is_number(value) or not math.isfinite(value):
            return "expected a finite number"
        return None if 0 <= value <= MAX_OPTION else f"expected a number from 0 to {MAX_OPTION}"
    if isinstance(default, str):
        return None if isinstance(value, str) else "expected a string"
    if isinstance(default, (list, tuple)):
        return None if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int)) for v in value) else \
            "expected a list"
    return None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
