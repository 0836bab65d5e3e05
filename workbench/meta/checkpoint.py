"""Checkpoints: tensors in safetensors, everything else in JSON beside it.

Both files are written to a temporary name and renamed, so a crash or a full
disk never leaves a half-written checkpoint in place of a good one. Loading
reads only safetensors and JSON: nothing in a checkpoint can run code.
Importing this module does not import torch, so the GUI can read metadata.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.meta.errors import CheckpointError

if TYPE_CHECKING:
    import torch

FORMAT = "workbench-checkpoint"
FORMAT_VERSION = 1


@dataclass
class CheckpointData:
    meta: dict                          # the JSON document
    tensors: dict[str, torch.Tensor]    # everything from the safetensors file

    def group(self, prefix: str) -> dict[str, torch.Tensor]:
        """Tensors stored under 'prefix.' with the prefix removed."""
        cut = len(prefix) + 1
        return {k[cut:]: v for k, v in self.tensors.items() if k.startswith(prefix + ".")}


def checkpoint_paths(path: str | os.PathLike) -> tuple[Path, Path]:
    """(weights .safetensors, metadata .json) for a path given with either suffix or none."""
    path = Path(path)
    if path.suffix in (".safetensors", ".json"):
        path = path.with_suffix("")
    return path.with_name(path.name + ".safetensors"), path.with_name(path.name + ".json")


def save_checkpoint(path: str | os.PathLike, meta: dict, tensors: dict[str, torch.Tensor]) -> Path:
    from safetensors.torch import save_file

    weights_path, meta_path = checkpoint_paths(path)
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, **meta}
    contiguous = {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}
    try:
        weights_path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(weights_path, lambda tmp: save_file(contiguous, str(tmp)))
        text = json.dumps(document, indent=1, sort_keys=True)
        _atomic_write(meta_path, lambda tmp: Path(tmp).write_text(text))
    except OSError as exc:
        raise CheckpointError(f"could not write checkpoint {weights_path}: {exc.strerror or exc}") from exc
    return weights_path


def load_checkpoint(path: str | os.PathLike) -> CheckpointData:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    weights_path, _ = checkpoint_paths(path)
    if not weights_path.exists():
        raise CheckpointError(f"{weights_path}: no such checkpoint file")
    meta = read_checkpoint_meta(path)
    try:
        tensors = load_file(str(weights_path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise CheckpointError(f"{weights_path}: corrupt or unreadable weights ({exc})") from exc
    return CheckpointData(meta=meta, tensors=tensors)


def read_checkpoint_meta(path: str | os.PathLike) -> dict:
    """The checkpoint's JSON document, checked for the format tag (no torch, no weights)."""
    _, meta_path = checkpoint_paths(path)
    if not meta_path.exists():
        raise CheckpointError(f"{meta_path}: the checkpoint's JSON metadata is missing (expected beside the weights)")
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{meta_path}: not a workbench checkpoint (unreadable JSON: {exc})") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{meta_path}: not a workbench checkpoint (no '{FORMAT}' format tag)")
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise CheckpointError(f"{meta_path}: written by a newer workbench (format {meta['format_version']})")
    return meta


def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; a checkpoint is a shareable document
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
