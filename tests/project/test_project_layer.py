"""workbench.project sits between the ui and the domains: no Qt, no ui, and no torch when a project opens."""

import subprocess
import sys


def test_opening_a_project_loads_neither_qt_nor_torch():
    code = ("import sys; from workbench.project import archive, document, library, recovery; "
            "loaded = [m for m in ('torch', 'PySide6', 'workbench.ui') if m in sys.modules]; "
            "assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", code], check=True)
