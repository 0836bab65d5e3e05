"""Every field of a checkpoint's JSON document, checked for type and range before use.

A hand-edited or damaged document gets a message naming the field, never a
traceback deep in the trainer (e.g. `"iteration": "abc"` or `"config": "maml"`).
"""

from __future__ import annotations

import math
from pathlib import Path

from workbench.meta.errors import CheckpointError, ConfigError

BATCHING_CHOICES = (None, "vmap", "loop")
OPTIMIZER_TYPES = ("Adam", "SGD")


def validate_meta(meta: dict, where: Path, newest_version: int) -> dict:
    """Return meta, or raise CheckpointError naming the first bad field."""
    from workbench.meta.config import MetaConfig

    def bad(field: str, expected: str) -> CheckpointError:
        return CheckpointError(f"{where}: invalid checkpoint field {field!r}: expected {expected}, "
                               f"got {_short(meta.get(field))}")

    version = meta.get("format_version")
    if not _is_int(version) or version < 1:
        raise bad("format_version", "an integer >= 1")
    if version > newest_version:
        raise CheckpointError(f"{where}: written by a newer workbench (format {version}); update workbench")
    if not isinstance(meta.get("domain"), str) or not meta["domain"]:
        raise bad("domain", "the name of a domain")
    if not isinstance(meta.get("problem_version"), (str, int)) or isinstance(meta.get("problem_version"), bool):
        raise bad("problem_version", "a version string")
    if not isinstance(meta.get("problem", {}), dict):
        raise bad("problem", "an object of problem options")
    if not isinstance(meta.get("config"), dict):
        raise bad("config", "an object of training settings")
    try:
        MetaConfig.from_dict(meta["config"]).validate()
    except ConfigError as exc:
        raise CheckpointError(f"{where}: invalid checkpoint field 'config.{exc.setting}': {exc.detail}") from exc
    except TypeError as exc:
        raise CheckpointError(f"{where}: invalid checkpoint field 'config': {exc}") from exc
    if not _is_int(meta.get("iteration")) or meta["iteration"] < 0:
        raise bad("iteration", "an integer >= 0")
    if meta.get("batching") not in BATCHING_CHOICES:
        raise bad("batching", "'vmap', 'loop' or null")
    if "optimizer" in meta:
        _check_optimizer(meta["optimizer"], where)
    return meta


def _check_optimizer(saved, where: Path) -> None:
    def bad(detail: str) -> CheckpointError:
        return CheckpointError(f"{where}: invalid checkpoint field 'optimizer': {detail}")

    if not isinstance(saved, dict) or saved.get("type") not in OPTIMIZER_TYPES:
        raise bad(f"expected an object with type {' or '.join(OPTIMIZER_TYPES)}")
    groups = saved.get("param_groups")
    if not isinstance(groups, list) or not groups or not all(isinstance(g, dict) for g in groups):
        raise bad("param_groups must be a non-empty list of objects")
    for group in groups:
        params = group.get("params")
        if not isinstance(params, list) or not all(_is_int(i) and i >= 0 for i in params):
            raise bad("param_groups[].params must list parameter indices")
        for key, value in group.items():
            if key in ("lr", "eps", "weight_decay", "momentum", "dampening") and not _finite_at_least_zero(value):
                raise bad(f"param_groups[].{key} must be a finite number >= 0, got {_short(value)}")
        betas = group.get("betas", [0.0, 0.0])
        if not (isinstance(betas, list) and len(betas) == 2 and all(_finite_at_least_zero(b) and b < 1 for b in betas)):
            raise bad(f"param_groups[].betas must be two numbers in [0, 1), got {_short(betas)}")
    scalars = saved.get("scalars", {})
    if not isinstance(scalars, dict):
        raise bad("scalars must be an object")
    for name, value in scalars.items():
        index, _, key = name.partition(".")
        if not (index.isdigit() and key) or not _finite_at_least_zero(value):
            raise bad(f"scalar {name!r} must be '<index>.<name>' with a finite number >= 0")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _finite_at_least_zero(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
