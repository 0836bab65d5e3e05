"""Generate controls: variations, bars, temperature, seed, continue, keep key, tune shape; progress."""

from __future__ import annotations

import random

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.job_progress import JobProgress
from workbench.ui.jobs import JobRunner
from workbench.ui.settings_values import read_value

SETTINGS_PREFIX = "melody_studio/generate/"
MAX_SEED = 2**31 - 1


class GenerateControls(QWidget):
    generate_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, runner: JobRunner, settings=None, parent=None):
        super().__init__(parent)
        self._settings = settings
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        self.variations = QSpinBox(minimum=1, maximum=16, value=8)
        self.variations.setToolTip("How many melodies to write (1-16)")
        self.bars = QSpinBox(minimum=1, maximum=32, value=8)
        self.bars.setToolTip("Length of each new melody in bars (1-32); with Continue, bars added after the clip")
        self.temperature = QDoubleSpinBox(minimum=0.05, maximum=2.0, singleStep=0.05, decimals=2, value=1.0)
        self.temperature.setToolTip("Lower: safer, closer to the support; higher: more surprising (0.05-2)")
        self.seed = QSpinBox(minimum=0, maximum=MAX_SEED, value=0)
        self.seed.setToolTip("Same seed and settings give the same melodies")
        self.dice = QPushButton("New")
        self.dice.setToolTip("Pick a random seed")
        self.dice.clicked.connect(lambda: self.seed.setValue(random.randint(0, 99999)))
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.dice)
        self.steps = QSpinBox(minimum=0, maximum=50, value=0)
        self.steps.setSpecialValueText("checkpoint default")
        self.steps.setToolTip("Inner gradient steps on the support set; 0 = the checkpoint's own count, chosen "
                              "by meta-validation. More steps follow the support more closely (and copy more)")
        self.continue_clip = QCheckBox("Continue from the clip in the roll")
        self.keep_key = QCheckBox("Keep to the support's key", checked=True)
        self.form_plan = QCheckBox("Shape as a tune", checked=True)
        self.form_plan.setToolTip("4-bar phrases that end on a held note, answering phrases that open like the "
                                  "one before, and a last bar on the tonic")
        form.addRow("Variations", self.variations)
        form.addRow("Bars", self.bars)
        form.addRow("Temperature", self.temperature)
        form.addRow("Seed", seed_row)
        form.addRow("Adapt steps", self.steps)
        form.addRow(self.continue_clip)
        form.addRow(self.keep_key)
        form.addRow(self.form_plan)

        self.generate_button = QPushButton("Generate")
        self.generate_button.setDefault(True)
        self.generate_button.setToolTip("Adapt to the support set and write new melodies (Ctrl+G)")
        self.generate_button.clicked.connect(self.generate_requested)
        # the studios' job progress (bar, time left, Cancel), following the generation runner
        self.job_progress = JobProgress(runner)
        self.job_progress.cancel_requested.connect(self.cancel_requested)
        self.cancel_button = self.job_progress.cancel_button
        self.status = QLabel("")  # what the last generation did
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.generate_button)
        layout.addWidget(self.job_progress)
        layout.addWidget(self.status)
        self._restore()
        for widget in (self.variations, self.bars, self.temperature, self.seed, self.steps):
            widget.valueChanged.connect(self._save)
        for box in (self.continue_clip, self.keep_key, self.form_plan):
            box.toggled.connect(self._save)

    def params(self) -> dict:
        return {
            "n": self.variations.value(),
            "bars": self.bars.value(),
            "temperature": round(self.temperature.value(), 3),
            "seed": self.seed.value(),
            "steps": self.steps.value() or None,
            "continue_clip": self.continue_clip.isChecked(),
            "keep_key": self.keep_key.isChecked(),
            "form_plan": self.form_plan.isChecked(),
        }

    def set_busy(self, busy: bool, message: str = "") -> None:
        """While busy the message shows with the progress; after, in the status line."""
        self.generate_button.setEnabled(not busy)
        self.generate_button.setText("Generating…" if busy else "Generate")
        if busy:
            self.job_progress.show_waiting(message)
        else:
            self.job_progress.hide()
        self.status.setText("" if busy else message)

    # -- settings ---------------------------------------------------------------------
    def _restore(self) -> None:
        s = self._settings
        if s is None:
            return
        for name, widget in (("variations", self.variations), ("bars", self.bars), ("temperature", self.temperature),
                             ("seed", self.seed), ("steps", self.steps)):
            widget.setValue(read_value(s, SETTINGS_PREFIX + name, widget.value()))  # the default keeps its type
        for name, box in (("continue", self.continue_clip), ("keep_key", self.keep_key), ("form_plan", self.form_plan)):
            box.setChecked(read_value(s, SETTINGS_PREFIX + name, box.isChecked()))

    def _save(self, *_args) -> None:
        s = self._settings
        if s is None:
            return
        p = self.params()
        for name, key in (("variations", "n"), ("bars", "bars"), ("temperature", "temperature"), ("seed", "seed")):
            s.setValue(SETTINGS_PREFIX + name, p[key])
        s.setValue(SETTINGS_PREFIX + "steps", self.steps.value())
        s.setValue(SETTINGS_PREFIX + "continue", p["continue_clip"])
        s.setValue(SETTINGS_PREFIX + "keep_key", p["keep_key"])
        s.setValue(SETTINGS_PREFIX + "form_plan", p["form_plan"])
