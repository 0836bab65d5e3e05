"""Domain registry: build a Problem by name, and the training presets each domain offers.

Each domain package has a `problem` module with `build(options: dict) -> Problem`
and `PRESETS: dict[str, dict]` where a preset is
`{"problem": {...options...}, "config": {...MetaConfig fields...}, "help": "..."}`, plus
`"start_from": "<preset>"` where the preset continues a run of another (a second training stage:
`workbench train --init-from`, the training form's Start from).
Modules are imported on demand so naming a domain does not load the others.
"""

from __future__ import annotations

import importlib
import threading
from pathlib import Path

from workbench.meta.errors import ConfigError

DOMAINS = ("sinusoid", "omniglot", "sketch", "melody")


def _module(domain: str):
    if domain not in DOMAINS:
        raise ConfigError("domain", f"unknown domain {domain!r}; choose one of {', '.join(DOMAINS)}")
    return importlib.import_module(f"workbench.domains.{domain}.problem")


def build_problem(domain: str, options: dict | None = None):
    """The domain's Problem for these options (unknown options are ignored)."""
    return _module(domain).build(dict(options or {}))


def training_form(domain: str):
    """The domain's own description of its training-form fields (a DomainForm; imports no torch)."""
    if domain not in DOMAINS:
        raise ConfigError("domain", f"unknown domain {domain!r}; choose one of {', '.join(DOMAINS)}")
    return importlib.import_module(f"workbench.domains.{domain}").TRAINING_FORM


def presets(domain: str) -> dict[str, dict]:
    return dict(getattr(_module(domain), "PRESETS", {}))


def missing_start(name: str, preset: dict, start: str | None) -> str:
    """Why a run of this preset cannot begin ("" when it can): a second stage (`start_from`) needs
    the checkpoint of the run it continues. The CLI (--init-from) and the training form ask the same."""
    needed = preset.get("start_from")
    if needed and not start:
        return f"the {name} preset continues a run of the {needed} preset: start from that run's checkpoint"
    return ""


def preset(domain: str, name: str) -> dict:
    found = presets(domain)
    if name not in found:
        choices = ", ".join(found) or "none"
        raise ConfigError("preset", f"domain {domain!r} has no preset {name!r}; choose one of: {choices}")
    return found[name]


def problem_for_checkpoint(path):
    """The Problem a checkpoint was trained on, rebuilt from its JSON metadata."""
    from workbench.domains.problem_options import check_problem_options
    from workbench.meta.checkpoint import load_checkpoint
    from workbench.meta.errors import CheckpointError

    data = load_checkpoint(path)
    domain = data.meta.get("domain")
    if domain not in DOMAINS:
        raise CheckpointError(f"{path}: checkpoint for an unknown domain {domain!r}")
    options = check_problem_options(data.meta.get("problem") or {}, build_problem(domain, {}).describe(), str(path))
    from workbench.meta.errors import WorkbenchError

    try:
        return build_problem(domain, options)
    except WorkbenchError:
        raise
    except (TypeError, ValueError, KeyError) as exc:  # an option combination the domain cannot use
        raise CheckpointError(f"{path}: invalid checkpoint field 'problem': {exc}") from exc


def load_learner(path, device: str = "cpu"):
    """A Learner from any workbench checkpoint, whatever its domain."""
    from workbench.meta.learner import Learner

    return Learner.from_checkpoint(path, problem_for_checkpoint(path), device=device)


_learners: dict[tuple[str, float], object] = {}
_learners_lock = threading.Lock()


def cached_learner(path, domain: str, how_to_train: str):
    """A Learner for a checkpoint of `domain`, loaded once per file version (path and
    modification time), so the studios adapt repeatedly without re-reading it."""
    from workbench.meta.checkpoint import checkpoint_paths
    from workbench.meta.errors import CheckpointError

    weights, _ = checkpoint_paths(path)
    if not weights.is_file():
        raise CheckpointError(f"{Path(path)}: {domain} checkpoint not found (expected {weights.name}); {how_to_train}")
    key = (str(weights.resolve()), weights.stat().st_mtime)
    with _learners_lock:
        learner = _learners.get(key)
        if learner is None:
            learner = load_learner(path)
            if learner.problem.domain != domain:
                raise CheckpointError(f"{Path(path)}: a {learner.problem.domain} checkpoint, not a {domain} one")
            if len(_learners) >= 8:
                _learners.clear()
            _learners[key] = learner
    return learner
