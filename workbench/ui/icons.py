"""The application icon, read from the shipped resources (resources/icons/)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from workbench.resources_path import resource_path


def app_icon() -> QIcon:
    icon = QIcon()
    for name in ("workbench.svg", "workbench-256.png"):
        path = resource_path("icons", name)
        if path.exists():
            icon.addFile(str(path))
    return icon
