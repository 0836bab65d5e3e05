"""The About dialog: version, library versions and the device."""

from __future__ import annotations

import platform
import sys

from PySide6.QtCore import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from workbench import __version__


def about_text(device: str) -> str:
    torch = sys.modules.get("torch")
    torch_version = getattr(torch, "__version__", "not loaded yet")
    pyqtgraph = sys.modules.get("pyqtgraph")
    return (
        f"<h3>Workbench {__version__}</h3>"
        "<p>Meta-learning for few-shot creative work: meta-train a model across many small tasks, "
        "then adapt it to a handful of your own examples.</p>"
        "<table>"
        f"<tr><td>PyTorch</td><td>{torch_version}</td></tr>"
        f"<tr><td>Qt</td><td>{qVersion()} (PySide6 {pyside_version})</td></tr>"
        f"<tr><td>pyqtgraph</td><td>{getattr(pyqtgraph, '__version__', '?')}</td></tr>"
        f"<tr><td>Python</td><td>{platform.python_version()}</td></tr>"
        f"<tr><td>Device</td><td>{device}</td></tr>"
        "</table>"
    )


def show_about(parent: QWidget, device: str) -> None:
    QMessageBox.about(parent, "About Workbench", about_text(device))
