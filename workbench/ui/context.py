"""AppContext: what every panel is given (notifications, settings, current checkpoints)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Signal

from workbench.ui.notifications import Notifier

ORGANIZATION = "workbench"
APPLICATION = "workbench"
RECENT_LIMIT = 10


def default_settings() -> QSettings:
    """The user's settings, in INI format so QSettings.setPath can isolate them in tests."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


class AppContext(QObject):
    """Shared services for panels. Panels never reach into the main window."""

    checkpoint_changed = Signal(str, str)  # domain, path ("" = back to the shipped default)
    library_changed = Signal(str)          # domain whose model list changed (added, renamed, deleted)
    use_model_requested = Signal(str, str)  # studio key ("sketch/vary", "melody", ...), model id

    def __init__(self, settings: QSettings | None = None, notifier: Notifier | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.settings: QSettings = settings if settings is not None else default_settings()
        self.notifier: Notifier = notifier if notifier is not None else Notifier(self)

    def data_dir(self) -> Path:
        """Where the app keeps its own files (training runs): $WORKBENCH_DATA_DIR or the platform's app data."""
        folder = os.environ.get("WORKBENCH_DATA_DIR") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.AppLocalDataLocation
        ) or os.path.join(os.path.expanduser("~"), ".local", "share", APPLICATION)
        return Path(folder)

    def runs_dir(self) -> Path:
        """Checkpoints of training runs started in the app."""
        return self.data_dir() / "runs"

    def model_library(self):
        """The per-domain model list: shipped defaults and the user's runs (workbench.project.library)."""
        from workbench.project.library import ModelLibrary, user_models_folder
        return ModelLibrary(user_models_folder(self.data_dir()))

    def recovery_dir(self) -> Path:
        """Where the open project is autosaved for recovery after a crash."""
        return self.data_dir() / "recovery"

    # -- checkpoints ----------------------------------------------------
    def checkpoint_for(self, domain: str) -> str | None:
        """The checkpoint the user chose or trained for this domain; None = the shipped default."""
        path = self.settings.value(f"checkpoints/current/{domain}", "", type=str)
        if path and os.path.exists(path):
            return path
        return None

    def set_checkpoint(self, domain: str, path: str | None) -> None:
        """Make `path` the current checkpoint of `domain` (None or "" = the shipped default)."""
        path = os.path.abspath(path) if path else ""
        self.settings.setValue(f"checkpoints/current/{domain}", path)
        self.settings.setValue("checkpoints/last_domain", domain)
        if path:
            self.add_recent_checkpoint(path)
        self.checkpoint_changed.emit(domain, path)

    def last_checkpoint(self) -> tuple[str, str | None] | None:
        """(domain, path or None for the shipped default) of the checkpoint chosen last, if any."""
        domain = self.settings.value("checkpoints/last_domain", "", type=str)
        return (domain, self.checkpoint_for(domain)) if domain else None

    def recent_checkpoints(self) -> list[str]:
        """Recently saved or loaded checkpoints that still exist, newest first."""
        stored = self.settings.value("checkpoints/recent", [], type=list) or []
        return [p for p in stored if isinstance(p, str) and os.path.exists(p)]

    def add_recent_checkpoint(self, path: str) -> None:
        path = os.path.abspath(path)
        stored = [p for p in self.recent_checkpoints() if p != path]
        self.settings.setValue("checkpoints/recent", [path, *stored][:RECENT_LIMIT])
