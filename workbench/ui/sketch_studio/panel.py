"""The Sketch Studio: draw or drop a few examples, Vary or Complete them, export the results."""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.job_progress import JobProgress
from workbench.ui.jobs import JobRunner
from workbench.ui.panel_actions import panel_action
from workbench.ui.settings_values import read_value
from workbench.ui.sketch_studio.canvas import SketchCanvas
from workbench.ui.sketch_studio.checkpoints import CheckpointSelector
from workbench.ui.sketch_studio.fit_rank import FitRankSpin, fit_rank_text
from workbench.ui.sketch_studio.gallery import Gallery
from workbench.ui.sketch_studio.support_strip import SupportStrip

SETTINGS = "sketch_studio/"
SHUTDOWN_TIMEOUT_MS = 30_000          # importing torch cannot be interrupted
LIVE_DELAY_MS = 150                   # "Suggest as I draw": the pause after a change before completing
COMPLETE_TAB = 1

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Generated:
    """What a Vary or Complete job hands back to the GUI thread."""

    mode: str                           # "vary" | "invent" | "complete"
    images: list[np.ndarray]
    seconds: float
    scores: list[dict] | None = None    # Vary, Invent: each result's fidelity and novelty


def run_generation(mode: str, inputs, options: dict, *, progress, cancelled):
    """Runs on the JobRunner's thread: the facade (and torch) load here, never on the GUI thread."""
    from workbench.domains.sketch import api
    start = time.perf_counter()
    out = getattr(api, mode)(inputs, progress=progress, cancelled=cancelled, **options)
    seconds = time.perf_counter() - start
    images = [np.asarray(a, np.float32) for a in out]
    # Each result's fidelity and novelty (the judge's score against the support, the distance to it).
    scores = api.score_variations(inputs, images) if mode != "complete" and images else None
    return Generated(mode, images, seconds, scores)


def warm_up(*, progress, cancelled) -> None:
    """Load torch, the sketch models' code and the results' judge in the background, so the first press is quick."""
    from workbench.domains.sketch import api
    api.default_checkpoint("ink")           # imports the models, and with them torch
    api.prepare_scores()


class SketchStudioPanel(QWidget):
    """Canvas, support strip, Vary/Complete controls and the results gallery; one JobRunner."""

    def __init__(self, context, parent=None):
        super().__init__(parent)
        self.context = context
        self.notifier = context.notifier
        self.settings = context.settings
        self._pending_caption = ""
        self._drawings_added = 0
        self._warm_requested = False
        self._closed = False
        self._canvas_revision = 0           # counts drawing changes: a completion of an older one is stale
        self._completed_revision = -1

        self.canvas = SketchCanvas()
        self.strip = SupportStrip(self.notifier)
        self.gallery = Gallery(self.notifier)
        self.vary_checkpoint = CheckpointSelector(context, "vary")
        self.complete_checkpoint = CheckpointSelector(context, "complete")
        self.runner = JobRunner(self, name="sketch-studio")            # Vary and Complete
        # Its own runner: the warm-up never shows progress, never counts as busy work and
        # never delays a press (a job that needs torch meanwhile waits for the import).
        self.warm_runner = JobRunner(self, name="sketch-studio-warm-up")
        self.warm_runner.errored.connect(lambda message: log.warning("sketch warm-up failed: %s", message))
        self._build()
        self._wire()
        self._restore_settings()

    # ---- layout -----------------------------------------------------------------
    def _build(self) -> None:
        tools = QToolBar()
        tools.setToolButtonStyle(Qt.ToolButtonTextOnly)
        for act in self.canvas.tool_actions():
            tools.addSeparator() if act is None else tools.addAction(act)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(tools)
        left_layout.addWidget(self.canvas, 1)

        self.variations = QSpinBox(minimum=1, maximum=16, value=8)
        self.variations.setToolTip("How many new drawings (Vary) or characters (Invent) to make (1-16)")
        self.seed, seed_row = self._seed_row("New", "Pick a random seed")
        # 0 would make every variation the same drawing, so the range starts above it
        self.temperature = QDoubleSpinBox(minimum=0.05, maximum=2.0, singleStep=0.1, value=1.0, decimals=2)
        self.temperature.setToolTip("How far the variations stray: low = close to the most likely drawing, "
                                    "high = wilder (0.05-2; at 0 all would be the same drawing)")
        from workbench.domains.sketch.generate import VARY_STRENGTH

        self.strength = QDoubleSpinBox(minimum=0.05, maximum=1.0, singleStep=0.05, value=VARY_STRENGTH, decimals=2)
        self.strength.setToolTip("How far each drawing may move from your examples: 1 = drawn from a blank "
                                 f"canvas, lower = redrawn from a distorted example (default {VARY_STRENGTH})")
        self.vary_steps = self._steps_spin("Inner gradient steps on the support set")
        self.vary_button = QPushButton("Vary")
        self.vary_button.setToolTip("Adapt to the support set and draw variations (Ctrl+R)")
        self.invent_button = QPushButton("Invent")
        self.invent_button.setToolTip("The support set holds different characters of one alphabet or style: draw "
                                      "new characters that belong with them (Ctrl+I)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.vary_button, 1)
        buttons.addWidget(self.invent_button, 1)
        vary_form = QFormLayout()
        vary_form.addRow("How many", self.variations)
        vary_form.addRow("Seed", seed_row)
        vary_form.addRow("Temperature", self.temperature)
        vary_form.addRow("Strength", self.strength)
        vary_form.addRow("Adapt steps", self.vary_steps)
        vary_form.addRow("Model", self.vary_checkpoint)
        vary_form.addRow(buttons)

        self.complete_steps = self._steps_spin("Decoding steps, one picture each (default 12)")
        self.complete_seed, complete_seed_row = self._seed_row(
            "Another", "Complete again with a random seed, starting from the next of your examples: another "
            "suggestion, in another hand", then=self.another_completion)
        self.complete_start = FitRankSpin()
        self.complete_start.setToolTip("Which of the support set's drawings Complete starts from: the one that "
                                       "fits your strokes best, the 2nd best, ... (past the last, the best again). "
                                       "Another seed redraws the same example; another one here is another hand")
        self.complete_button = QPushButton("Complete")
        self.complete_button.setToolTip("Complete the canvas drawing; the slider shows every step "
                                        "(Ctrl+Shift+R)")
        complete_form = QFormLayout()
        complete_label = QLabel("Completes the drawing on the canvas in the style of the support set "
                                "(built-in glyphs when it is empty). It reads those drawings where they sit "
                                "on the page, bent a few pixels toward your strokes, and finishes in your pen's "
                                "width: draw over the light table (L), which shows them.")
        complete_label.setWordWrap(True)
        complete_form.addRow(complete_label)
        self.live_complete = QCheckBox("Suggest as I draw")
        self.live_complete.setToolTip("While this tab is open, complete the drawing again after each stroke; "
                                      "the suggestion shows in orange on the canvas, and Tab adds it")
        accept = QToolButton()
        accept.setDefaultAction(self.canvas.act_accept)
        live_row = QHBoxLayout()
        live_row.addWidget(self.live_complete, 1)
        live_row.addWidget(accept)
        complete_form.addRow("Decoding steps", self.complete_steps)
        complete_form.addRow("Seed", complete_seed_row)
        complete_form.addRow("Start from", self.complete_start)
        complete_form.addRow("Model", self.complete_checkpoint)
        complete_form.addRow(self.complete_button)
        complete_form.addRow(live_row)

        self.modes = QTabWidget()
        for title, form in (("Vary / Invent", vary_form), ("Complete", complete_form)):
            page = QWidget()
            page.setLayout(form)
            self.modes.addTab(page, title)

        self.job_progress = JobProgress(self.runner)
        self.status = self.job_progress.status

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.modes)
        right_layout.addWidget(self.job_progress)
        right_layout.addWidget(self.gallery, 1)

        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.strip)

    @staticmethod
    def _seed_row(button: str, tip: str, then=None) -> tuple[QSpinBox, QHBoxLayout]:
        """A seed box and a button that picks a random seed (and then calls `then`)."""
        seed = QSpinBox(minimum=0, maximum=2**31 - 1, value=0)
        seed.setToolTip("The same seed, support set and checkpoint give the same drawings")
        dice = QToolButton(text=button)
        dice.setToolTip(tip)

        def pick() -> None:
            seed.setValue(random.randrange(2**31 - 1))
            if then is not None:
                then()
        dice.clicked.connect(pick)
        row = QHBoxLayout()
        row.addWidget(seed, 1)
        row.addWidget(dice)
        return seed, row

    @staticmethod
    def _steps_spin(tip: str) -> QSpinBox:
        spin = QSpinBox(minimum=0, maximum=100, value=0)
        spin.setSpecialValueText("checkpoint default")
        spin.setToolTip(tip + "; 0 = what the checkpoint was meta-trained with")
        return spin

    def _wire(self) -> None:
        self.vary_button.clicked.connect(self.start_vary)
        self.invent_button.clicked.connect(self.start_invent)
        self.complete_button.clicked.connect(lambda: self.start_complete())
        self.job_progress.cancel_requested.connect(self.cancel)
        # panel-scoped: the keys work anywhere in the studio and the menu shows them
        self.vary_action = panel_action(self, "Vary", lambda: self.start_vary(), "Ctrl+R")
        self.invent_action = panel_action(self, "Invent", lambda: self.start_invent(), "Ctrl+I")
        self.complete_action = panel_action(self, "Complete", lambda: self.start_complete(), "Ctrl+Shift+R")
        self.cancel_action = panel_action(self, "Cancel", lambda: self.cancel(), "Escape")
        self.add_canvas_action = panel_action(self, "Add Canvas Drawing to Support Set",
                                              lambda: self.add_canvas_to_support(), "Ctrl+Return")
        self.strip.add_canvas_button.clicked.connect(self.add_canvas_to_support)
        self.strip.open_requested.connect(lambda ink: self.canvas.set_array(ink, "Open support item"))
        self.gallery.send_to_canvas.connect(lambda img: self.canvas.set_array(img, "Open result"))
        self.gallery.send_to_support.connect(self._results_to_support)
        self.runner.finished.connect(self._on_finished)
        self.runner.errored.connect(self._on_errored)
        self.canvas.brush_size_changed.connect(lambda v: self.settings.setValue(SETTINGS + "brush", v))
        self.canvas.light_table_changed.connect(lambda on: self.settings.setValue(SETTINGS + "light_table", on))
        self._live_timer = QTimer(self, singleShot=True, interval=LIVE_DELAY_MS)
        self._live_timer.timeout.connect(self._complete_live)
        self.canvas.changed.connect(self._on_canvas_changed)
        # The light table shows the support set where Complete reads it, so a partial lines up with it
        self.strip.changed.connect(lambda: self.canvas.set_underlay(self.strip.page_images()))
        self.canvas.notice.connect(lambda level, text: getattr(self.notifier, level)(text))  # what a drop did

    # ---- actions ----------------------------------------------------------------
    def add_canvas_to_support(self) -> None:
        from workbench.domains.sketch.api import to_model_array
        ink = self.canvas.to_array()
        if not self.canvas.has_ink():
            self.notifier.warning("The canvas is empty: draw something before adding it to the support set.")
            return
        self._drawings_added += 1
        self.strip.add_image(to_model_array(ink), f"drawing {self._drawings_added}", ink=ink)
        self.canvas.clear()                   # ready for the next example; Ctrl+Z brings it back

    def _results_to_support(self, results) -> None:
        for name, image in results:
            self.strip.add_image(image, name)
        self.notifier.info(f"Added {len(results)} result{'s' if len(results) != 1 else ''} to the support set.")

    def start_invent(self) -> bool:
        support = self.strip.images()
        if len(support) < 2:
            self.notifier.warning("Invent needs at least two different characters of one alphabet or style on the "
                                  "support set: it draws new characters that belong with them.")
            return False
        return self._start_drawing("invent", support, "new characters from")

    def start_vary(self) -> bool:
        support = self.strip.images()
        if not support:
            if not self.canvas.has_ink():
                self.notifier.warning("Vary needs examples: draw on the canvas or drop images on the "
                                      "support set first.")
                return False
            from workbench.domains.sketch.api import to_model_array
            support = [to_model_array(self.canvas.to_array())]
            self.notifier.info("The support set is empty: varying the canvas drawing.")
        return self._start_drawing("vary", support, "variations of")

    def _start_drawing(self, mode: str, support: list, what: str) -> bool:
        """Vary or Invent with the Vary tab's settings."""
        options = dict(n=self.variations.value(), seed=self.seed.value(),
                       temperature=self.temperature.value(), strength=self.strength.value(),
                       steps=self.vary_steps.value() or None, checkpoint=self.vary_checkpoint.path())
        self._pending_caption = (f"{options['n']} {what} {len(support)} example"
                                 f"{'s' if len(support) != 1 else ''} · seed {options['seed']} · "
                                 f"temperature {options['temperature']:.2f} · strength {options['strength']:.2f} · "
                                 f"model {self.vary_checkpoint.label()}")
        self.gallery.made_by = {"Model": self.vary_checkpoint.label(), "Seed": str(options["seed"]),
                                "Strength": f"{options['strength']:.2f}"}
        self._submit(mode, [np.asarray(s, np.float32) for s in support], options)
        return True

    def another_completion(self) -> None:
        """Another (after its new seed): the next example by fit, so the suggestion is in another hand."""
        count = len(self.strip.page_images())
        if count > 1:
            self.complete_start.setValue(self.complete_start.value() % count + 1)
        self.start_complete()

    def _on_canvas_changed(self) -> None:
        self._canvas_revision += 1
        if self.live_complete.isChecked() and self.modes.currentIndex() == COMPLETE_TAB:
            self._live_timer.start()                 # restarts: a burst of changes completes once

    def _complete_live(self) -> None:
        if not self._closed and self.canvas.has_ink():
            self.start_complete(live=True)

    def start_complete(self, live: bool = False) -> bool:
        """Complete the canvas drawing; `live` (Suggest as I draw) says nothing a press would say."""
        if not self.canvas.has_ink():
            if not live:
                self.notifier.warning("Complete needs a partial drawing: draw part of a glyph on the canvas first.")
            return False
        # The whole page, not the framed drawing: Complete keeps the strokes where they are.
        partial = self.canvas.to_array()
        # The support set's drawings, when there are any, are the style to complete in; those drawn
        # on this canvas go as drawn, so they line up with the partial.
        examples = [np.asarray(s, np.float32) for s in self.strip.page_images()]
        if not examples and not live:
            self.notifier.info("The support set is empty: completing from built-in glyphs. Add a few drawings "
                               "of this kind to complete in their style.")
        options = dict(steps=self.complete_steps.value() or None, checkpoint=self.complete_checkpoint.path(),
                       examples=examples, seed=self.complete_seed.value(), start=self.complete_start.value() - 1)
        style = (f"in the style of {len(examples)} example{'s' if len(examples) != 1 else ''}" if examples
                 else "from built-in glyphs (the support set is empty)")
        start = fit_rank_text(options["start"] % len(examples) + 1) if len(examples) > 1 else None
        if start:
            style += f", starting from the {start}"
        self._pending_caption = (f"Completion of the canvas drawing{' as you draw' if live else ''} {style} · "
                                 f"model {self.complete_checkpoint.label()} · seed {options['seed']}")
        self._completed_revision = self._canvas_revision
        self.gallery.made_by = {"Model": self.complete_checkpoint.label(), "Seed": str(options["seed"])}
        if start:
            self.gallery.made_by["Start from"] = start
        self._submit("complete", partial, options)
        return True

    def showEvent(self, event):
        super().showEvent(event)
        if not self._warm_requested:
            self._warm_requested = True
            state = self.settings.value(SETTINGS + "splitter")
            if not (state and self.splitter.restoreState(state)):
                width = max(self.splitter.width(), 800)
                self.splitter.setSizes([int(width * 0.54), int(width * 0.46)])
            self.canvas.setFocus(Qt.OtherFocusReason)       # B, E, [ and ] work right away
            QTimer.singleShot(0, self._warm_up)

    def _warm_up(self) -> None:
        if not self._closed:
            self.warm_runner.submit(warm_up)

    def _submit(self, mode: str, inputs, options: dict) -> None:
        self._save_settings()
        restarting = self.runner.busy
        self.runner.submit(run_generation, mode, inputs, options)   # restarts a running job
        self.job_progress.show_waiting("Restarting…" if restarting else "Starting…")

    def cancel(self) -> None:
        if self.runner.busy:
            self.runner.cancel()
            self.notifier.info("Sketch generation cancelled.")
        self.job_progress.hide()

    def menu_actions(self) -> list:
        """For the main window's menu; the shortcuts stay scoped to this panel (see _wire)."""
        entries = [self.vary_action, self.invent_action, self.complete_action, self.canvas.act_accept, self.cancel_action,
                   None, self.add_canvas_action,
                   ("Add Support Images…", self.strip.choose_files),
                   ("Paste into Support Set", self.strip.paste), None,
                   self.gallery.act_export, self.gallery.act_sheet]  # their text says what they export
        return [panel_action(self, *entry) if isinstance(entry, tuple) else entry for entry in entries]

    def is_busy(self) -> bool:
        """True while Vary, Invent or Complete runs (the warm-up does not count: closing loses nothing)."""
        return self.runner.busy

    def shutdown(self) -> None:
        self._closed = True
        self._save_settings()
        self.runner.shutdown(SHUTDOWN_TIMEOUT_MS)
        self.warm_runner.shutdown(SHUTDOWN_TIMEOUT_MS)
        self.gallery.cleanup()

    # ---- job signals ------------------------------------------------------------
    def _on_finished(self, result: Generated) -> None:
        seconds = result.seconds
        took = f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"
        caption = f"{self._pending_caption} · {took}"
        if result.mode == "vary":
            self.gallery.show_variations(result.images, caption, result.scores)
        elif result.mode == "invent":
            self.gallery.show_variations(result.images, caption, result.scores, name="new character")
        else:
            self.gallery.show_steps(result.images, caption)
            if self._completed_revision == self._canvas_revision:      # the drawing is still the one completed
                from workbench.domains.sketch.api import added_ink
                self.canvas.set_suggestion(added_ink(result.images))

    def _on_errored(self, message: str) -> None:
        self.notifier.error(message)

    # ---- settings ---------------------------------------------------------------
    def _restore_settings(self) -> None:
        s = self.settings
        self.variations.setValue(read_value(s, SETTINGS + "variations", 8))
        self.seed.setValue(read_value(s, SETTINGS + "seed", 0))
        self.temperature.setValue(read_value(s, SETTINGS + "temperature", 1.0))
        self.strength.setValue(read_value(s, SETTINGS + "strength", self.strength.value()))
        self.vary_steps.setValue(read_value(s, SETTINGS + "vary_steps", 0))
        self.complete_steps.setValue(read_value(s, SETTINGS + "complete_steps", 0))
        self.complete_seed.setValue(read_value(s, SETTINGS + "complete_seed", 0))
        self.modes.setCurrentIndex(read_value(s, SETTINGS + "mode", 0))
        self.canvas.set_brush_size(read_value(s, SETTINGS + "brush", float(self.canvas.brush_size)))
        self.canvas.set_light_table(read_value(s, SETTINGS + "light_table", True))
        self.live_complete.setChecked(read_value(s, SETTINGS + "live_complete", False))

    def _save_settings(self) -> None:
        s = self.settings
        s.setValue(SETTINGS + "variations", self.variations.value())
        s.setValue(SETTINGS + "seed", self.seed.value())
        s.setValue(SETTINGS + "temperature", self.temperature.value())
        s.setValue(SETTINGS + "strength", self.strength.value())
        s.setValue(SETTINGS + "vary_steps", self.vary_steps.value())
        s.setValue(SETTINGS + "complete_steps", self.complete_steps.value())
        s.setValue(SETTINGS + "complete_seed", self.complete_seed.value())
        s.setValue(SETTINGS + "mode", self.modes.currentIndex())
        s.setValue(SETTINGS + "live_complete", self.live_complete.isChecked())
        if self._warm_requested:                               # shown at least once: sizes are real
            s.setValue(SETTINGS + "splitter", self.splitter.saveState())
