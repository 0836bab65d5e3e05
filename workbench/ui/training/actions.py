"""The training panel's actions: one QAction per command, shared by buttons, menu and toolbar."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


class TrainingActions:
    def __init__(self, panel: QWidget):
        def make(text: str, slot, shortcut=None, tip: str = "", toolbar: bool = False) -> QAction:
            action = QAction(text, panel)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{tip or text} ({action.shortcut().toString()})" if shortcut else (tip or text))
            action.setProperty("toolbar", toolbar)
            action.triggered.connect(lambda _checked=False: slot())
            return action

        self.start = make("Start", panel.start, "F5", "Start meta-training with these settings", toolbar=True)
        self.pause = make("Pause", panel.toggle_pause, "F6", "Pause or resume training", toolbar=True)
        self.stop = make("Stop", panel.stop, "Shift+F5", "Stop training (the run is saved)", toolbar=True)
        # Ctrl+S saves the project (File menu); a checkpoint of the run has its own key
        self.save = make("Save Checkpoint…", panel.save_checkpoint, "Ctrl+Alt+S")
        self.load = make("Load Checkpoint…", panel.load_checkpoint, None,
                         "Use a checkpoint for adaptation and show its settings")
        self.resume_checkpoint = make("Resume From…", panel.resume_from_checkpoint, "Ctrl+F5",
                                      "Continue a saved run exactly where it stopped")
        self.follow = make("Follow a Run…", panel.toggle_follow, None,
                           "Plot a run's metric stream live, read-only (the file of workbench train --jsonl-file)")
        self.export_png = make("Export Plots (PNG)…", panel.export_png, "Ctrl+E")
        self.export_csv = make("Export Metrics (CSV)…", panel.export_csv, "Ctrl+Shift+E")
        self.start.setObjectName("action-start")
        self.pause.setObjectName("action-pause")
        self.stop.setObjectName("action-stop")

    def menu(self) -> list:
        return [self.start, self.pause, self.stop, None, self.save, self.load, self.resume_checkpoint, None,
                self.follow, None, self.export_png, self.export_csv]

    def update(self, *, running: bool, paused: bool, form_ok: bool, can_save: bool, have_data: bool,
               following: bool = False) -> None:
        """Following a remote run is read-only: nothing that starts, steers or saves a run."""
        busy = running or following
        self.start.setEnabled(not busy and form_ok)
        self.pause.setEnabled(running)
        self.pause.setText("Resume" if paused else "Pause")
        self.stop.setEnabled(running)
        self.save.setEnabled(can_save and not following)
        self.load.setEnabled(not busy)
        self.resume_checkpoint.setEnabled(not busy)
        self.follow.setEnabled(not running)
        self.follow.setText("Stop Following" if following else "Follow a Run…")
        self.export_png.setEnabled(True)
        self.export_csv.setEnabled(have_data)
