"""Read a checkpoint's JSON metadata without loading torch (the GUI thread must stay light)."""

from __future__ import annotations

from pathlib import Path

from workbench.meta.checkpoint import checkpoint_paths, read_checkpoint_meta
from workbench.meta.errors import CheckpointError

CHECKPOINT_FILTER = "Workbench checkpoints (*.safetensors);;All files (*)"


def metadata_path(path: str | Path) -> Path:
    """The JSON beside a checkpoint given as name, name.safetensors or name.json."""
    return checkpoint_paths(path)[1]


def checkpoint_domain(path: str | Path) -> str:
    domain = read_checkpoint_meta(path).get("domain")
    if not isinstance(domain, str) or not domain:
        raise CheckpointError(f"{metadata_path(path)}: the checkpoint does not name its domain")
    return domain
