"""Checkpoints: one safetensors file whose header carries the JSON document.

A checkpoint is one unit: the tensors, the JSON metadata (config, iteration,
optimizer scalars, ...) and a SHA-256 of the tensor bytes are written in one
file, to a temporary name in the destination folder and renamed, so a crash
at any moment leaves either the old checkpoint or the new one, never a mix.
Loading verifies the hash, the tensor layout and that every float tensor is
finite, and validates every JSON field (workbench.meta.checkpoint_schema)
before anything uses it. Nothing in a checkpoint can run code (no pickle).

Format 1 checkpoints (name.safetensors + name.json beside it, no hash) are
still read, since older runs use them; saving over one removes its JSON.
Importing this module does not import torch, so the GUI can verify a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.meta.atomic_file import atomic_write_bytes
from workbench.meta.checkpoint_schema import validate_meta
from workbench.meta.errors import CheckpointError

if TYPE_CHECKING:
    import torch

FORMAT = "workbench-checkpoint"
FORMAT_VERSION = 2
META_KEY = "workbench-checkpoint"      # safetensors header metadata: the JSON document
HASH_KEY = "content-sha256"            # safetensors header metadata: hash of the tensor bytes
MAX_HEADER_BYTES = 100 * 1024 * 1024   # safetensors' own limit on the header
PROBE_BYTES = 64 * 1024                # written and removed before a run, to find a full disk early
_FLOAT_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2"}
_DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
                "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1}


@dataclass
class CheckpointData:
    meta: dict                          # the JSON document
    tensors: dict[str, torch.Tensor]    # everything from the safetensors file

    def group(self, prefix: str) -> dict[str, torch.Tensor]:
        """Tensors stored under 'prefix.' with the prefix removed."""
        cut = len(prefix) + 1
        return {k[cut:]: v for k, v in self.tensors.items() if k.startswith(prefix + ".")}


def checkpoint_paths(path: str | os.PathLike) -> tuple[Path, Path]:
    """(the .safetensors file, the format-1 .json beside it) for a path given with either suffix or none."""
    path = Path(path)
    if path.suffix in (".safetensors", ".json"):
        path = path.with_suffix("")
    return path.with_name(path.name + ".safetensors"), path.with_name(path.name + ".json")


def checkpoint_exists(path: str | os.PathLike) -> bool:
    return checkpoint_paths(path)[0].is_file()


def save_checkpoint(path: str | os.PathLike, meta: dict, tensors: dict[str, torch.Tensor]) -> Path:
    """Write the checkpoint as one file (atomic rename); CheckpointError if it cannot be written."""
    from safetensors.torch import save

    weights_path, old_meta_path = checkpoint_paths(path)
    document = {**meta, "format": FORMAT, "format_version": FORMAT_VERSION}
    contiguous = {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}
    # The data section depends only on the tensors, so hashing a metadata-free
    # serialisation gives the hash of the final file's data section.
    bare = save(contiguous)
    digest = hashlib.sha256(memoryview(bare)[8 + _header_length(bare, weights_path):]).hexdigest()
    blob = save(contiguous, metadata={META_KEY: json.dumps(document, sort_keys=True), HASH_KEY: digest})
    try:
        weights_path.parent.mkdir(parents=True, exist_ok=True)
        remove_orphan_temp_files(weights_path)
        atomic_write_bytes(weights_path, blob)
        old_meta_path.unlink(missing_ok=True)  # a format-1 JSON beside it would be stale
    except OSError as exc:
        raise CheckpointError(f"could not write checkpoint {weights_path}: {exc.strerror or exc}") from exc
    return weights_path


def check_destination(path: str | os.PathLike) -> Path:
    """Before a run starts: the checkpoint file can be created where asked (a probe file is written
    and removed). CheckpointError naming the path otherwise; returns the .safetensors path."""
    raw = os.fspath(path)
    if raw.endswith(("/", os.sep)) or Path(raw).is_dir():
        raise CheckpointError(f"{raw}: is a folder; name the checkpoint file inside it, e.g. "
                              f"{Path(raw) / 'run.safetensors'}")
    weights, _ = checkpoint_paths(path)
    if weights.exists() and not weights.is_file():
        raise CheckpointError(f"{weights}: exists and is not a regular file; choose another checkpoint name")
    try:
        weights.parent.mkdir(parents=True, exist_ok=True)
        remove_orphan_temp_files(weights)
        fd, probe = tempfile.mkstemp(prefix=weights.name + ".", suffix=".tmp", dir=weights.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(bytes(PROBE_BYTES))
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            Path(probe).unlink(missing_ok=True)
    except OSError as exc:
        raise CheckpointError(f"cannot write the checkpoint {weights}: {exc.strerror or exc}; "
                              "choose a writable place with free space") from exc
    return weights


def load_checkpoint(path: str | os.PathLike) -> CheckpointData:
    """The verified checkpoint: metadata and tensors (CheckpointError naming the problem otherwise)."""
    from safetensors.torch import load

    weights_path, _ = checkpoint_paths(path)
    meta, blob = _read_verified(weights_path)
    try:
        tensors = load(blob)
    except Exception as exc:  # noqa: BLE001 - safetensors raises its own error types
        raise CheckpointError(f"{weights_path}: corrupt or unreadable weights ({exc})") from exc
    return CheckpointData(meta=meta, tensors=tensors)


def verify_checkpoint(path: str | os.PathLike) -> dict:
    """Read the whole file and check it as loading does, without torch; returns the metadata.
    The GUI calls this before a checkpoint becomes current."""
    return _read_verified(checkpoint_paths(path)[0])[0]


def read_checkpoint_meta(path: str | os.PathLike) -> dict:
    """The checkpoint's validated JSON document, read from the header only (no torch, no weights)."""
    weights_path, _ = checkpoint_paths(path)
    with _open_regular(weights_path) as handle:
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(8)
        length = _header_length(head, weights_path, size)
        header = _parse_header(handle.read(length), weights_path)
    return _document(header, weights_path)


# -- reading ----------------------------------------------------------------

def _read_verified(weights_path: Path) -> tuple[dict, bytes]:
    with _open_regular(weights_path) as handle:
        blob = handle.read()
    length = _header_length(blob, weights_path, len(blob))
    header = _parse_header(blob[8:8 + length], weights_path)
    meta = _document(header, weights_path)
    data = memoryview(blob)[8 + length:]
    saved_hash = (header.get("__metadata__") or {}).get(HASH_KEY)
    if saved_hash is not None and hashlib.sha256(data).hexdigest() != saved_hash:
        raise CheckpointError(f"{weights_path}: the tensor data does not match its checksum (the file was "
                              "changed or damaged after it was written)")
    _check_tensors(header, data, weights_path)
    return meta, blob


def _open_regular(weights_path: Path):
    if not weights_path.exists():
        raise CheckpointError(f"{weights_path}: no such checkpoint file")
    if not weights_path.is_file():
        raise CheckpointError(f"{weights_path}: not a regular file")
    try:
        return open(weights_path, "rb")
    except OSError as exc:
        raise CheckpointError(f"{weights_path}: cannot read it ({exc.strerror or exc})") from exc


def _header_length(blob: bytes, where: Path, size: int | None = None) -> int:
    if len(blob) < 8:
        raise CheckpointError(f"{where}: corrupt or not a workbench checkpoint (the file is too short)")
    (length,) = struct.unpack("<Q", bytes(blob[:8]))
    limit = min(MAX_HEADER_BYTES, (size if size is not None else len(blob)) - 8)
    if length > limit:
        raise CheckpointError(f"{where}: corrupt or not a workbench checkpoint (not a safetensors file, or truncated)")
    return length


def _parse_header(raw: bytes, where: Path) -> dict:
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{where}: not a workbench checkpoint (unreadable header: {exc})") from exc
    if not isinstance(header, dict):
        raise CheckpointError(f"{where}: not a workbench checkpoint (malformed header)")
    return header


def _document(header: dict, weights_path: Path) -> dict:
    """The JSON document from the header (format 2) or from the JSON beside it (format 1), validated."""
    extra = header.get("__metadata__") or {}
    if not isinstance(extra, dict):
        raise CheckpointError(f"{weights_path}: not a workbench checkpoint (malformed header metadata)")
    if META_KEY in extra:
        where, text = weights_path, extra[META_KEY]
    else:
        where = checkpoint_paths(weights_path)[1]
        if not where.is_file():
            raise CheckpointError(f"{weights_path}: not a workbench checkpoint (no metadata in it, and no {where.name} "
                                  "beside it)")
        try:
            text = where.read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise CheckpointError(f"{where}: not a workbench checkpoint (unreadable JSON: {exc})") from exc
    try:
        meta = json.loads(text)
    except (TypeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{where}: not a workbench checkpoint (unreadable JSON: {exc})") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{where}: not a workbench checkpoint (no '{FORMAT}' format tag)")
    return validate_meta(meta, where, FORMAT_VERSION)


def _check_tensors(header: dict, data: memoryview, where: Path) -> None:
    """Every tensor lies inside the data section with the size its dtype and shape say; floats are finite."""
    import numpy as np

    for name, entry in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype, shape, (begin, end) = entry["dtype"], entry["shape"], entry["data_offsets"]
            count = 1
            for n in shape:
                count *= int(n)
            ok = dtype in _DTYPE_BYTES and 0 <= begin <= end <= len(data) and end - begin == count * _DTYPE_BYTES[dtype]
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            raise CheckpointError(f"{where}: corrupt checkpoint (tensor {name!r} has a malformed entry)")
        if dtype in _FLOAT_DTYPES:
            finite = bool(np.isfinite(np.frombuffer(data[begin:end], dtype=_FLOAT_DTYPES[dtype])).all())
        elif dtype == "BF16":  # all exponent bits set: infinity or NaN
            finite = not bool(((np.frombuffer(data[begin:end], dtype="<u2") & 0x7F80) == 0x7F80).any())
        else:
            finite = True
        if not finite:
            raise CheckpointError(f"{where}: corrupt checkpoint (tensor {name!r} holds NaN or infinite values)")


# -- writing ----------------------------------------------------------------

def remove_orphan_temp_files(path: Path) -> int:
    """Delete temporary files a killed save of `path` left behind (name.safetensors.XXXX.tmp)."""
    removed = 0
    for orphan in path.parent.glob(path.name + ".*.tmp"):
        try:
            orphan.unlink()
            removed += 1
        except OSError:
            pass
    return removed
