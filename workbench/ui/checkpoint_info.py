"""Read a checkpoint's JSON metadata without loading torch (the GUI thread must stay light)."""

from __future__ import annotations

from pathlib import Path

from workbench.meta.checkpoint import checkpoint_exists, checkpoint_paths, read_checkpoint_meta, verify_checkpoint
from workbench.meta.errors import CheckpointError

CHECKPOINT_FILTER = "Workbench checkpoints (*.safetensors);;All files (*)"


def metadata_path(path: str | Path) -> Path:
    """The file holding a checkpoint's metadata: the checkpoint itself (format 2) or the JSON beside it (format 1)."""
    weights, old_json = checkpoint_paths(path)
    return old_json if old_json.is_file() and not weights.is_file() else weights


__all__ = ["CHECKPOINT_FILTER", "checkpoint_exists", "metadata_path", "open_checkpoint_meta", "read_checkpoint_meta",
           "checkpoint_domain"]


def open_checkpoint_meta(path: str | Path) -> dict:
    """The metadata of a checkpoint about to become current: the whole file is read and
    verified (checksum, layout, finite values) first, so a damaged file never becomes current."""
    return verify_checkpoint(path)


def checkpoint_domain(path: str | Path) -> str:
    domain = open_checkpoint_meta(path).get("domain")
    if not isinstance(domain, str) or not domain:
        raise CheckpointError(f"{metadata_path(path)}: the checkpoint does not name its domain")
    return domain
