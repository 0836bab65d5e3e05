"""Names for the files the studios write (exports, drag-out copies): one rule for both."""

from __future__ import annotations

import re
from pathlib import Path

MAX_STEM = 60


def safe_stem(name: str, fallback: str) -> str:
    """A file-name stem from a label: letters, digits, '.', '_' and '-' stay (any script),
    every other run becomes '-' ("variation 3" -> "variation-3"); fallback when nothing is left."""
    stem = re.sub(r"[^\w.-]+", "-", name).strip("-.")[:MAX_STEM].rstrip("-.")
    return stem or fallback


def unique_path(path: Path) -> Path:
    """`path`, or `stem-2.suffix`, `stem-3.suffix`, ... when it already exists: nothing is overwritten."""
    path = Path(path)
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate
