"""One JSON document per command (`--json`), or a readable table on a terminal."""

from __future__ import annotations

import json
import platform
import sys


def versions() -> dict:
    from workbench import __version__

    from importlib import metadata

    found = {"workbench": __version__, "python": platform.python_version()}
    for name in ("torch", "numpy", "mido", "PySide6", "higher"):
        if name in sys.modules:  # report what this command actually used
            try:
                found[name] = metadata.version("PySide6-Essentials" if name == "PySide6" else name)
            except metadata.PackageNotFoundError:
                found[name] = getattr(sys.modules[name], "__version__", "unknown")
    return found


def emit(command: str, results: list[dict], *, device: str, as_json: bool, extra: dict | None = None) -> None:
    """Print the results: one JSON document with --json, else an aligned table."""
    if as_json:
        document = {"command": command, "device": device, "versions": versions(), "results": results}
        if extra:
            document.update(extra)
        json.dump(document, sys.stdout, indent=1, default=_jsonable)
        sys.stdout.write("\n")
        return
    print(f"{command}  (device: {device})")
    print(format_table(results))


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
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _jsonable(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
