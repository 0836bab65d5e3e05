"""The recovery file: the open project autosaved every 30 s and after every generation.

The desktop app and the crash benchmark (`workbench bench recovery`) both write
through `Autosaver.save`, so what the benchmark measures is what a user gets.
Each save replaces the file atomically (temporary file, fsync, rename): a kill
at any moment leaves either the previous complete autosave or the new one.
A clean close deletes it; finding it at start-up means the app was killed.
"""

from __future__ import annotations

from pathlib import Path

from workbench.meta.atomic_file import atomic_write_bytes
from workbench.project.archive import OpenedProject, open_project, project_bytes
from workbench.project.document import Project

INTERVAL_S = 30
FILE_NAME = "recovery.wbproj"


class Autosaver:
    def __init__(self, folder: str | Path):
        self.path = Path(folder) / FILE_NAME

    def save(self, project: Project, autosave_of: str | None = None) -> Path:
        """Write the recovery file; `autosave_of` names the project file it belongs to (None = untitled)."""
        atomic_write_bytes(self.path, project_bytes(project, autosave_of=autosave_of or ""))
        return self.path

    def pending(self) -> bool:
        """True when a recovery file was left behind (the app did not close cleanly)."""
        return self.path.exists()

    def recover(self) -> OpenedProject:
        """Open the recovery file (ProjectError if it cannot be opened at all)."""
        self._remove_orphans()
        return open_project(self.path)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
        self._remove_orphans()

    def _remove_orphans(self) -> None:
        """A kill during a save leaves its temporary file behind (never the recovery file itself)."""
        for orphan in self.path.parent.glob(self.path.name + ".*.tmp"):
            orphan.unlink(missing_ok=True)
