"""The studio opens without torch: torch loads only when generation runs on its worker."""

import subprocess
import sys


def test_importing_and_building_the_panel_does_not_import_torch(tmp_path):
    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtCore import QSettings\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from workbench.ui.context import AppContext\n"
        "from workbench.ui.melody_studio.panel import MelodyStudioPanel\n"
        f"settings = QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat)\n"
        "panel = MelodyStudioPanel(AppContext(settings=settings))\n"
        "panel.shutdown()\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"
