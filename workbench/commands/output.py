"""One JSON document per command (`--json`), or a readable table on a terminal."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path


def versions() -> dict:
    from importlib import metadata

    from workbench import __version__

    found = {"workbench": __version__, "python": platform.python_version()}
    for name in ("torch", "numpy", "mido", "PySide6", "higher"):
        if name in sys.modules:  # report what this command actually used
            try:
                found[name] = metadata.version("PySide6-Essentials" if name == "PySide6" else name)
            except metadata.PackageNotFoundError:
                found[name] = getattr(sys.modules[name], "__version__", "unknown")
    return found


def emit(command: str, results: list[dict], *, device: str, as_json: bool, extra: dict | None = None) -> None:
    """Print the results: one JSON document with --json, else an aligned table and then a line per
    entry of extra["notes"] (what the run read, left out or could not use)."""
    if as_json:
        document = {"command": command, "device": device, "versions": versions(), "results": results}
        if extra:
            document.update(extra)
        json.dump(document, sys.stdout, indent=1, default=_jsonable)
        sys.stdout.write("\n")
        return
    print(f"{command}  (device: {device})")
    print(format_table(results))
    for note in (extra or {}).get("notes", []):
        print(f"note: {note}")


def format_table(rows: list[dict]) -> str:
    if not rows:
        return "(no results)"
    keys: list[str] = []
    for row in rows:
        keys.extend(k for k in row if k not in keys)
    cells = [[_cell(row.get(k, "")) for k in keys] for row in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    lines = ["  ".join(k.ljust(w) for k, w in zip(keys, widths))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(cell, widths)) for cell in cells]
    return "\n".join(lines)


def _cell(value) -> str:
    """A value as a table cell: numbers to 4 digits, a per-step list as its first and last value, a
    paired difference as "+d ± ci" (the JSON keeps everything)."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list) and len(value) > 4 and all(isinstance(v, (int, float)) for v in value):
        return f"{_cell(value[0])} → {_cell(value[-1])} ({len(value)})"
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict) and set(value) == {"difference", "ci95"}:
        return f"{value['difference']:+.3f} ± {value['ci95']:.3f}"
    if isinstance(value, dict):
        return "; ".join(f"{k} {_cell(v)}" for k, v in value.items())
    return str(value)


def _jsonable(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


# -- files the commands write ---------------------------------------------------------------
# Every result file is written to a temporary name in its folder and renamed, so a failed write
# never leaves half a file, and only regular files or new paths are written: never a device
# (`--out /dev/full` as root would otherwise replace the device node), a folder or a FIFO.

def prepare_output_folder(path) -> "Path":
    """The --out folder of a command that writes several files, created and probed before any work
    is done; DataError naming it when it cannot be used."""
    from pathlib import Path

    from workbench.meta.errors import DataError

    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise DataError(f"{folder}: exists and is not a folder; give a folder for the results")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _probe(folder)
    except OSError as exc:
        raise DataError(f"{folder}: cannot write the results there ({exc.strerror or exc})") from exc
    return folder


def prepare_output_file(path) -> "Path":
    """The --out file of a command that writes one file: a new path or a regular file in a writable folder."""
    from pathlib import Path

    from workbench.meta.errors import DataError

    target = Path(path)
    if target.exists() and not target.is_file():
        raise DataError(f"{target}: exists and is not a regular file; give a file name to write")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _probe(target.parent)
    except OSError as exc:
        raise DataError(f"{target}: cannot write it ({exc.strerror or exc})") from exc
    return target


def write_atomically(path, write) -> "Path":
    """Call write(temporary_path) (same folder and suffix as path), then rename it to path."""
    import os
    import tempfile
    from pathlib import Path

    from workbench.meta.errors import DataError

    target = prepare_output_file(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes private files; results are documents to share
        os.replace(tmp, target)
    except OSError as exc:
        raise DataError(f"{target}: could not write it ({exc.strerror or exc})") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def _probe(folder) -> None:
    import tempfile

    with tempfile.TemporaryFile(dir=folder):
        pass
