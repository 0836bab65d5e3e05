"""Render a real studio session to a PNG (for docs/screenshot-melody.png).

    python -m workbench.devtools.melody_screenshot docs/screenshot-melody.png [--checkpoint C]

Four folk tunes of the built-in corpus are written as MIDI files and dropped
on the support strip together with one bad file, eight variations are
generated with the given (default: shipped) checkpoint, and the first tune is
opened in the roll with a selection and a loop range.
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
    parser.add_argument("--checkpoint", help="melody checkpoint (default: the shipped one)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from workbench.devtools.qt_wait import wait_until_idle
    from workbench.domains.melody import api, corpus
    from workbench.ui.context import AppContext
    from workbench.ui.melody_studio.panel import MelodyStudioPanel

    folder = Path(tempfile.mkdtemp(prefix="workbench-screenshot-"))
    paths = []
    for tune in corpus.load_builtin(limit_files=2)[10:14]:
        path = folder / (tune.title.replace(" ", "_").replace("'", "") + ".mid")
        api.write_midi(tune.melody, path)
        paths.append(path)
    bad = folder / "notes.mid"
    bad.write_text("not a MIDI file")
    context = AppContext(settings=QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    context.notifier.posted.connect(lambda level, msg: print(f"{level}: {msg}", file=sys.stderr))
    if args.checkpoint:
        context.set_checkpoint("melody", args.checkpoint)
    panel = MelodyStudioPanel(context)
    panel.resize(1440, 900)
    panel.show()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in [*paths, bad]])
    drag = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    # the enter event takes an integer point, the drop a float one (PySide6 6.x signatures)
    for event in (QDragEnterEvent(QPoint(20, 20), *drag), QDropEvent(QPointF(20, 20), *drag)):
        QApplication.sendEvent(panel.support.list.viewport(), event)
    started = time.monotonic()   # dropped MIDI files are read off the GUI thread
    while len(panel.support.melodies()) < len(paths) and time.monotonic() - started < 60:
        app.processEvents()
        time.sleep(0.01)
    panel.controls.variations.setValue(8)
    panel.controls.bars.setValue(4)
    panel.controls.seed.setValue(3)
    panel.generate()
    seconds = wait_until_idle(app, panel)
    print(f"generated {panel.results.count()} melodies in {seconds:.1f} s", file=sys.stderr)
    panel.editor.open_melody(panel.support.melodies()[0])
    melody = panel.editor.melody
    panel.editor.model.set_selection(melody.notes[4:7])
    panel.editor.transport.set_loop_range(0, 2 * melody.ticks_per_bar)
    panel.editor.transport.set_loop_enabled(True)
    panel.editor.transport.set_playhead(30)
    panel.results.setCurrentRow(1)
    app.processEvents()
    panel.grab().save(args.out)
    panel.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
