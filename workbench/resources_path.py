"""Where shipped resources live, through importlib.resources so it works from a wheel."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource file, e.g. resource_path("checkpoints", "sinusoid.safetensors")."""
    root = resources.files("workbench.resources")
    return Path(str(root.joinpath(*parts)))
