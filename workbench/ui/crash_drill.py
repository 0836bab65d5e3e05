"""The real window under `workbench bench recovery`: edit and autosave until killed
(`workbench --crash-drill`), or start after a kill, take the recovery offer and report what
came back (`workbench --recovery-report`). The edits go through the Melody Studio's own
controls and the saves through the project controller's own autosave, so the benchmark kills
the app a user runs, not a stand-in."""

from __future__ import annotations

import json
import os

from PySide6.QtCore import QTimer

from workbench.domains.melody.notes import Melody, Note

EDIT_INTERVAL_MS = 10


def start_drill(window) -> None:
    """Change the seed (and every third time add a support melody), autosave, print the edit
    number once the autosave is on disk; forever."""
    panel = window.host.show_panel("melody")
    edits = [0]

    def edit_and_save() -> None:
        edits[0] += 1
        number = edits[0]
        panel.controls.seed.setValue(number)
        if number % 3 == 0 and len(panel.support.melodies()) < 30:
            panel.support.add_melody(Melody(notes=(Note(0, 12, 60 + number % 12),), name=f"edit {number}"))
        if window.project.autosave():
            print(number, flush=True)

    timer = QTimer(window)
    timer.setInterval(EDIT_INTERVAL_MS)
    timer.timeout.connect(edit_and_save)
    timer.start()


def report_recovery(window) -> None:
    """Accept the recovery offer, print what the recovered project holds (one JSON line), exit."""
    recovered = window.project.offer_recovery(ask=True)
    melody = window.project.collect().melody
    print(json.dumps({"recovered": recovered, "edit": melody.settings.get("seed") if melody else None,
                      "support": len(melody.support) if melody else 0}), flush=True)
    window.project.close_cleanly()   # no recovery offer next time
    # leave at once: closing the window would ask to save the recovered work, and the studio's
    # audio and job threads have nothing to finish in a drill
    os._exit(0)
