"""Read a checkpoint's JSON metadata without loading torch (the GUI thread must stay light)."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.meta.errors import CheckpointError

CHECKPOINT_FILTER = "Workbench checkpoints (*.safetensors);;All files (*)"
FORMAT = "workbench-checkpoint"  # the tag workbench.meta.checkpoint writes


def metadata_path(path: str | Path) -> Path:
    """The JSON beside a checkpoint given as name, name.safetensors or name.json."""
    path = Path(path)
    if path.suffix in (".safetensors", ".json"):
        path = path.with_suffix("")
    return path.with_name(path.name + ".json")


def read_checkpoint_info(path: str | Path) -> dict:
    """The checkpoint's metadata document; CheckpointError naming the file if unusable."""
    meta_path = metadata_path(path)
    if not meta_path.exists():
        raise CheckpointError(f"{meta_path}: the checkpoint's JSON metadata is missing (expected beside the weights)")
    try:
        document = json.loads(meta_path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{meta_path}: not a workbench checkpoint (unreadable JSON: {exc})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointError(f"{meta_path}: not a workbench checkpoint (no '{FORMAT}' format tag)")
    return document


def checkpoint_domain(path: str | Path) -> str:
    domain = read_checkpoint_info(path).get("domain")
    if not isinstance(domain, str) or not domain:
        raise CheckpointError(f"{metadata_path(path)}: the checkpoint does not name its domain")
    return domain
