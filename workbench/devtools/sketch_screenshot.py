"""Render a real Sketch Studio session to a PNG (for docs/screenshot-sketch.png).

    python -m workbench.devtools.sketch_screenshot docs/screenshot-sketch.png [--data ZIP] [--character 7]

Five drawings of one character (a class of --data, default the built-in test glyphs) go on the
support strip, one of them is copied onto the canvas, and Vary draws eight variations at the
default strength with the shipped checkpoint.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--data", default=None, help="a class-per-folder set (folder or zip)")
    parser.add_argument("--character", type=int, default=7, help="class index in the set's test split")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from workbench.devtools.qt_wait import wait_until_idle
    from workbench.domains.drawings.sources import make_source
    from workbench.ui.context import AppContext
    from workbench.ui.sketch_studio.panel import SketchStudioPanel

    folder = Path(tempfile.mkdtemp(prefix="workbench-screenshot-"))
    source = make_source(args.data, size=105, whole=True) if args.data else make_source(None, size=105)
    drawings = source.images("test", args.character, list(range(5)))
    context = AppContext(settings=QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    context.notifier.posted.connect(lambda level, msg: print(f"{level}: {msg}", file=sys.stderr))
    panel = SketchStudioPanel(context)
    panel.resize(1440, 900)
    panel.show()
    for i, drawing in enumerate(drawings, start=1):
        panel.strip.add_image(drawing, f"example-{i}.png")
    panel.canvas.set_array(drawings[0], "Screenshot")
    panel.variations.setValue(8)
    panel.start_vary()
    print(f"varied in {wait_until_idle(app, panel):.1f} s", file=sys.stderr)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    panel.grab().save(args.out)
    panel.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
