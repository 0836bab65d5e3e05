"""Render a real Sketch Studio session to a PNG (for docs/screenshot-sketch.png).

    python -m workbench.devtools.sketch_screenshot docs/screenshot-sketch.png [--data ZIP] [--character 7]
        [--complete [--live] [--another N] | --invent]

Five drawings of one character (a class of --data, default the built-in test glyphs) go on the
support strip, one of them is copied onto the canvas, and Vary draws eight variations at the
default strength with the shipped checkpoint. With --complete, four drawings go on the strip, a
quarter of the fifth's ink goes on the canvas, and Complete finishes it in the strip's style
(with --live, "Suggest as I draw" does, as the quarter lands on the canvas); --another N then
presses Another N times (a new seed and the next example by fit each time).
With --invent, the strip holds five different characters (classes --character .. +4, one drawing
each) and Invent draws eight new ones.
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
    parser.add_argument("--complete", action="store_true", help="show Complete instead of Vary")
    parser.add_argument("--live", action="store_true", help="with --complete: by Suggest as I draw")
    parser.add_argument("--another", type=int, default=0, metavar="N", help="with --complete: press Another N times")
    parser.add_argument("--invent", action="store_true", help="show Invent instead of Vary")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from workbench.devtools.qt_wait import wait_until, wait_until_idle
    from workbench.domains.drawings.sources import make_source
    from workbench.ui.context import AppContext
    from workbench.ui.sketch_studio.panel import COMPLETE_TAB, SketchStudioPanel

    folder = Path(tempfile.mkdtemp(prefix="workbench-screenshot-"))
    source = make_source(args.data, size=105, whole=True) if args.data else make_source(None, size=105)
    if args.invent:
        drawings = [source.images("test", args.character + i, [0])[0] for i in range(5)]
    else:
        drawings = source.images("test", args.character, list(range(5)))
    context = AppContext(settings=QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    context.notifier.posted.connect(lambda level, msg: print(f"{level}: {msg}", file=sys.stderr))
    panel = SketchStudioPanel(context)
    panel.resize(1440, 900)
    panel.show()
    examples = drawings[:4] if args.complete else drawings
    for i, drawing in enumerate(examples, start=1):
        panel.strip.add_image(drawing, f"example-{i}.png")
    if args.complete:
        panel.modes.setCurrentIndex(COMPLETE_TAB)
        panel.live_complete.setChecked(args.live)
        panel.canvas.set_array(_partial(drawings[4]), "Screenshot")    # live: the change starts Complete
        if args.live:
            wait_until(app, panel.is_busy, 10.0)
        else:
            panel.start_complete()
    else:
        panel.canvas.set_array(drawings[0], "Screenshot")
        panel.variations.setValue(8)
        panel.start_invent() if args.invent else panel.start_vary()
    print(f"generated in {wait_until_idle(app, panel):.1f} s", file=sys.stderr)
    for _ in range(args.another if args.complete else 0):
        panel.complete_seed.setValue(panel.complete_seed.value() + 1)    # what Another's dice does, not random
        panel.another_completion()
        wait_until_idle(app, panel)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    panel.grab().save(args.out)
    panel.shutdown()
    return 0


def _partial(drawing):
    """A quarter of the drawing's ink, nearest to one point of it (as the evaluation cuts partials)."""
    import torch

    from workbench.domains.sketch.observe import partial_drawings

    whole = torch.from_numpy(drawing[None].astype("float32"))
    return partial_drawings(whole, torch.tensor([0.25]), torch.Generator().manual_seed(0)).numpy()[0]


if __name__ == "__main__":
    raise SystemExit(main())
