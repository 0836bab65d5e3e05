"""Checkpoint files for the training panel: where runs are saved, the file dialogs, the close question."""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from workbench.ui.checkpoint_info import CHECKPOINT_FILTER
from workbench.ui.context import AppContext


def new_autosave_path(runs_dir: Path, domain: str, algo: str, avoid: str | None = None) -> str:
    """runs/<domain>-<algo>-<time>.safetensors, never the name of an earlier run."""
    base = runs_dir / f"{domain}-{algo}-{time.strftime('%Y%m%d-%H%M%S')}"
    path, number = base.with_name(base.name + ".safetensors"), 1
    while path.exists() or str(path) == avoid:
        number += 1
        path = base.with_name(f"{base.name}-{number}.safetensors")
    return str(path)


def ask_checkpoint_path(parent: QWidget, context: AppContext, save: bool, title: str | None = None) -> str:
    """A file dialog that starts in the folder used last (or the runs folder); "" when cancelled."""
    start = context.settings.value("paths/checkpoints", str(context.runs_dir()), type=str)
    if save:
        path, _ = QFileDialog.getSaveFileName(parent, title or "Save Checkpoint", start, CHECKPOINT_FILTER)
        if path and not path.endswith(".safetensors"):
            path += ".safetensors"
    else:
        path, _ = QFileDialog.getOpenFileName(parent, title or "Load Checkpoint", start, CHECKPOINT_FILTER)
    if path:
        context.settings.setValue("paths/checkpoints", os.path.dirname(path))
    return path


def ask_save_on_close(parent: QWidget) -> str:
    """Ask whether to keep the running training: "save", "discard" or "cancel"."""
    buttons = QMessageBox.StandardButton
    answer = QMessageBox.question(
        parent, "Training is running",
        "Training is still running. Save a checkpoint of the run before closing?",
        buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save,
    )
    return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")


def save_trainer(trainer, path: str, *, progress, cancelled) -> str:
    """JobRunner job: save a finished run's trainer."""
    return str(trainer.save(path))
