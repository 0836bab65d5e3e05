"""MelodyStudioPanel: support strip, piano roll with transport, generate controls, results.

A musician drops a few MIDI files (or draws a few bars), presses Generate,
listens to the variations, and drags the ones they like into a DAW.
Generation runs in a JobRunner (no torch on the GUI thread); playback in Player.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.domains.melody import api
from workbench.domains.melody.notes import TICKS_PER_BEAT, Melody
from workbench.meta.errors import DataError
from workbench.ui.elided_label import ElidedLabel
from workbench.ui.export_scope import export_label, exports_selection
from workbench.ui.job_progress import JobProgress
from workbench.ui.jobs import JobRunner
from workbench.ui.melody_studio import files
from workbench.ui.melody_studio.audio import Player, midi_output_names
from workbench.ui.melody_studio.generate_controls import GenerateControls
from workbench.ui.melody_studio.piano_roll import PianoRollEditor
from workbench.ui.melody_studio.results import ResultsList
from workbench.ui.melody_studio.support_strip import SupportStrip
from workbench.ui.model_picker import ModelPicker
from workbench.ui.panel_actions import panel_action

EXPORT_DIR_SETTING = "melody_studio/export_dir"
SPLITTER_SETTING = "melody_studio/splitter"
SYNTH = "Built-in synthesizer"


class _OutputCombo(QComboBox):
    """Lists MIDI ports only when opened, so startup never waits on the MIDI system."""

    def __init__(self, on_open, parent=None):
        super().__init__(parent)
        self._on_open = on_open

    def showPopup(self) -> None:
        self._on_open()
        super().showPopup()


class MelodyStudioPanel(QWidget):
    def __init__(self, context, parent=None):
        super().__init__(parent)
        self.context = context
        self.notifier = context.notifier
        self.editor = PianoRollEditor()
        self.player = Player(self.notifier, context.settings, parent=self)
        self.support = SupportStrip(self.notifier)
        self.runner = JobRunner(self, name="melody-generate")
        self.roll_reader = JobRunner(self, name="roll-reading")   # a big file parses off the GUI thread
        self.roll_reading = JobProgress(self.roll_reader)
        self.roll_reading.cancel_requested.connect(self.roll_reader.cancel)
        self.roll_reading.cancel_requested.connect(self.roll_reading.hide)
        self.controls = GenerateControls(self.runner, context.settings)
        self.model_picker = ModelPicker(context, "melody")     # explicit; starts on the shipped model
        self.results_caption = QLabel()
        self.results_caption.setWordWrap(True)
        self.results_caption.setStyleSheet("color: gray;")
        self._model_name = ""
        self.results = ResultsList(self.notifier)
        self._play_source: str | None = None
        self._play_start = 0
        self._clip_count = 0
        self._dropped_on_roll = 0

        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(self._build_transport())
        left_layout.addWidget(self.roll_reading)
        left_layout.addWidget(self.editor, 1)
        splitter.addWidget(left)
        # the side scrolls rather than force its height on the window (1024x640 must fit)
        self.side_scroll = side_scroll = QScrollArea()
        side_scroll.setWidgetResizable(True)
        side_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_scroll.setWidget(self._build_side())
        splitter.addWidget(side_scroll)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([900, 350])
        saved = context.settings.value(SPLITTER_SETTING)
        if saved is not None:
            splitter.restoreState(saved)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.support)
        layout.addWidget(splitter, 1)

        self.support.open_requested.connect(self.open_in_roll)
        self.support.add_clip_requested.connect(self.add_clip_to_support)
        self.results.open_requested.connect(self.open_in_roll)
        self.editor.pitch_auditioned.connect(self.player.preview_pitch)
        self.editor.play_toggle_requested.connect(self.toggle_play)
        self.editor.view.files_dropped.connect(self.open_files_in_roll)
        self.roll_reader.finished.connect(self._open_read_in_roll)
        self.roll_reader.errored.connect(lambda message: self.notifier.error(f"Could not open it in the roll: {message}"))
        self.editor.ruler.seek_requested.connect(self._on_seek)
        self.player.position_changed.connect(self._on_position)
        self.player.playing_changed.connect(self._on_playing_changed)
        self.editor.transport.playhead_changed.connect(self._show_position)
        self.controls.generate_requested.connect(self.generate)
        self.controls.cancel_requested.connect(self.cancel_generation)
        self.runner.progress.connect(self._remember_support_use)
        self._support_use = ""
        self.runner.finished.connect(self._on_generated)
        self.runner.errored.connect(self._on_generate_failed)
        # panel-scoped: the keys work anywhere in the studio and the Melody Studio menu shows them
        self.generate_action = panel_action(self, "Generate", lambda: self.generate(), "Ctrl+G")
        self.play_action = panel_action(self, "Play / Stop Clip", lambda: self.toggle_play(), "Space")
        self.export_action = panel_action(self, "Export Results…", lambda: self._choose_export())
        self._sync_export_label()
        self._show_position(0)
        self._sync_loop_box()

    # -- layout -------------------------------------------------------------------------
    def _build_transport(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.play_button = QPushButton("Play")
        self.play_button.setToolTip("Play the clip from the playhead (Space in the roll)")
        self.play_button.clicked.connect(self.toggle_play)
        self.loop_box = QCheckBox("Loop")
        self.loop_box.setToolTip("Loop the range set in the ruler's lower strip")
        self.loop_box.toggled.connect(self.editor.transport.set_loop_enabled)
        self.editor.transport.loop_changed.connect(self._sync_loop_box)
        self.position_label = QLabel()
        self.position_label.setMinimumWidth(90)
        self.output_combo = _OutputCombo(self.refresh_outputs)
        self.output_combo.setToolTip("Where playback goes: the built-in synthesizer or a MIDI output port")
        self.output_combo.addItem(SYNTH, "")
        saved = self.player.midi_output
        if saved:
            self.output_combo.addItem(f"MIDI: {saved}", saved)
            self.output_combo.setCurrentIndex(1)
        self.output_combo.currentIndexChanged.connect(
            lambda _i: self.player.set_midi_output(self.output_combo.currentData() or ""))
        self.new_clip_button = QPushButton("New clip")
        self.new_clip_button.setToolTip("Start an empty clip in the roll (undoable)")
        self.new_clip_button.clicked.connect(self.new_clip)
        self.clip_label = ElidedLabel()  # a long tune name gives way to the buttons
        self.clip_label.setStyleSheet("color: gray;")
        self.editor.model.changed.connect(self._show_clip_name)
        self._show_clip_name()
        self.save_clip_button = QPushButton("Save clip…")
        self.save_clip_button.setToolTip("Save the clip in the roll as a .mid file")
        self.save_clip_button.clicked.connect(self._save_clip)
        for widget in (self.play_button, self.loop_box, self.position_label):
            bar.addWidget(widget)
        bar.addWidget(self.clip_label, 1)
        bar.addWidget(self.new_clip_button)
        bar.addWidget(QLabel("Output"))
        bar.addWidget(self.output_combo)
        bar.addWidget(self.save_clip_button)
        return bar

    def _build_side(self) -> QWidget:
        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Generate</b>"))
        model_row = QHBoxLayout()
        model_row.addWidget(QLabel("Model"))
        model_row.addWidget(self.model_picker, 1)
        layout.addLayout(model_row)
        layout.addWidget(self.controls)
        layout.addWidget(QLabel("<b>Results</b> — double-click to edit, drag out as .mid"))
        layout.addWidget(self.results_caption)
        layout.addWidget(self.results, 1)
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        self.result_buttons = {}
        for row, key, text, tip, slot in (
                (row1, "play", "Play", "Listen to the selected result", self.play_selected_result),
                (row1, "open", "Open in roll", "Edit the selected result", self._open_selected_result),
                (row2, "support", "Add to support", "Learn from the selected results too",
                 self._results_to_support),
                (row2, "export", "Export…", "Write the results as .mid and .wav: the selected ones, "
                 "all of them when none (or all) are selected", self._choose_export)):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, s=slot: s())
            row.addWidget(button)
            self.result_buttons[key] = button
        layout.addLayout(row1)
        layout.addLayout(row2)
        self.results.itemSelectionChanged.connect(self._sync_export_label)
        return side

    # -- roll and support ------------------------------------------------------------------
    def open_in_roll(self, melody: Melody) -> None:
        if self._play_source == "clip":
            self.player.stop()
        self.editor.open_melody(melody)

    def new_clip(self) -> None:
        current = self.editor.melody
        self.open_in_roll(Melody(tempo=current.tempo, beats_per_bar=current.beats_per_bar,
                                 beat_unit=current.beat_unit, name="clip"))

    def _show_clip_name(self) -> None:
        melody = self.editor.melody
        name = melody.name if melody.name and melody.name != "clip" else "new clip"
        self.clip_label.setText(f"{name} · {len(melody.notes)} notes · {melody.bars} bars")

    def open_files_in_roll(self, paths) -> None:
        """A MIDI file dropped on the roll opens there (read in the background, the roll keeps every
        note); several files belong on the support strip."""
        self._dropped_on_roll = len(paths)
        self.roll_reader.submit(api.read_midis, list(paths[:1]), chords=True)
        self.roll_reading.show_waiting(f"Reading {Path(paths[0]).name}…")

    def _open_read_in_roll(self, result) -> None:
        melodies, errors, reports = result
        if errors:
            self.notifier.warning(f"Could not open it in the roll: {errors[0]}")
        if not melodies:
            return
        self.open_in_roll(melodies[0])
        for report in reports:
            self.notifier.info(report)
        if self._dropped_on_roll > 1:
            self.notifier.info(f"Opened {melodies[0].name} in the roll; drop several files on the support "
                               "strip to learn from them.")

    def add_clip_to_support(self) -> None:
        clip = self.editor.melody
        if not clip.notes:
            self.notifier.warning("The clip is empty: draw some notes in the roll first.")
            return
        self._clip_count += 1
        name = clip.name if clip.name and clip.name != "clip" else f"clip {self._clip_count}"
        self.support.add_melody(replace(clip, name=name))

    def _save_clip(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save clip", self._export_dir(), "MIDI file (*.mid)")
        if path:
            path = path if path.lower().endswith((".mid", ".midi")) else path + ".mid"
            try:
                api.write_midi(self.editor.melody, path)
            except (OSError, DataError) as exc:
                self.notifier.error(f"Could not save {Path(path).name}: {exc}")
                return
            self.notifier.info(f"Saved the clip to {path}")

    # -- playback --------------------------------------------------------------------------
    def toggle_play(self) -> None:
        if self.player.is_playing:
            self.player.stop()
            return
        self._play_clip(self.editor.transport.playhead)

    def _play_clip(self, start: int) -> None:
        self.player.stop()
        self._play_source, self._play_start = "clip", start
        self.player.play(self.editor.melody, start, self.editor.transport.active_loop())

    def _on_seek(self, tick: int) -> None:
        if self._play_source == "clip" and self.player.is_playing:  # clicking the ruler while playing jumps
            self._play_clip(tick)

    def play_selected_result(self) -> None:
        melody = self.results.current_melody()
        if melody is None:
            self.notifier.info("Select a result to play.")
            return
        self.player.stop()
        self._play_source = "result"
        self.player.play(melody)

    def refresh_outputs(self) -> None:
        names, reason = midi_output_names()
        current = self.output_combo.currentData() or ""
        self.output_combo.blockSignals(True)
        self.output_combo.clear()
        self.output_combo.addItem(SYNTH, "")
        for name in names:
            self.output_combo.addItem(f"MIDI: {name}", name)
        index = self.output_combo.findData(current)
        self.output_combo.setCurrentIndex(max(0, index))
        self.output_combo.blockSignals(False)
        if index < 0 and current:
            self.player.set_midi_output("")
        if not names:
            self.player.notify_once("midi-ports", "info", f"No MIDI output ports were found ({reason}); "
                                    "playback uses the built-in synthesizer.")

    def _on_position(self, tick: int) -> None:
        if self._play_source == "clip":
            self.editor.transport.set_playhead(tick)

    def _on_playing_changed(self, playing: bool) -> None:
        self.play_button.setText("Stop" if playing else "Play")
        if not playing and self._play_source == "clip":
            self.editor.transport.set_playhead(self._play_start)  # stop returns to where play began
        if not playing:
            self._play_source = None

    def _show_position(self, tick: int) -> None:
        melody = self.editor.melody
        bar, rest = divmod(tick, melody.ticks_per_bar)
        beat_ticks = max(1, TICKS_PER_BEAT * 4 // melody.beat_unit)
        self.position_label.setText(f"{bar + 1}.{rest // beat_ticks + 1}.{rest % beat_ticks:02d}")

    def _sync_loop_box(self) -> None:
        self.loop_box.blockSignals(True)
        self.loop_box.setChecked(self.editor.transport.loop_enabled)
        self.loop_box.setEnabled(self.editor.transport.loop_range is not None)
        self.loop_box.blockSignals(False)

    # -- generation ------------------------------------------------------------------------------
    def generate(self) -> None:
        params = self.controls.params()
        support = self.support.melodies()
        clip = self.editor.melody
        if not support:
            if not clip.notes:
                self.notifier.warning("Add melodies to the support set (drop .mid files) or draw a few bars first.")
                return
            support = [clip]
            self.notifier.info("The support set is empty, so the clip in the roll is the example to learn from.")
        continue_from = None
        if params["continue_clip"]:
            if clip.notes:
                continue_from = clip
            else:
                self.notifier.warning("The clip is empty, so there is nothing to continue; writing new melodies.")
        self._seed = params["seed"]
        self._support_use = ""
        self._model_name = self.model_picker.label()
        self.controls.set_busy(True, f"Adapting to {len(support)} melodies and writing {params['n']}…")
        self.runner.submit(api.generate, support, n=params["n"], bars=params["bars"],
                           temperature=params["temperature"], seed=params["seed"], continue_from=continue_from,
                           keep_key=params["keep_key"], form_plan=params["form_plan"], steps=params["steps"],
                           checkpoint=self.model_picker.path())

    def cancel_generation(self) -> None:
        self.runner.cancel()
        self.controls.set_busy(False, "Cancelled.")

    def _on_generated(self, melodies) -> None:
        made_by = f"{self._model_name} · seed {self._seed}"      # MIDI text event of every export and drag
        named = [replace(m, name=f"variation-{i:02d}-seed{self._seed}", meta={**m.meta, "text": made_by})
                 for i, m in enumerate(melodies, start=1)]
        self.results_caption.setText(f"{len(named)} melodies · seed {self._seed} · model {self._model_name}")
        self.results.set_melodies(named)
        if named:  # current for Play and Open, not selected: Export then writes all of them
            self.results.setCurrentRow(0, QItemSelectionModel.SelectionFlag.NoUpdate)
        self._sync_export_label()
        self.side_scroll.ensureWidgetVisible(self.results, 0, 0)  # in a low window the side scrolls to them
        used = f" The model {self._support_use}." if self._support_use else ""
        self.controls.set_busy(False, f"Wrote {len(named)} melodies (seed {self._seed}).{used}")

    def _remember_support_use(self, done: int, _total: int, message: str) -> None:
        if done == 0 and message.startswith("adapted to"):   # generation's first report: what reached the model
            self._support_use = message

    def _on_generate_failed(self, message: str) -> None:
        self.controls.set_busy(False, "")
        self.notifier.error(f"Generation failed: {message}")

    # -- results -----------------------------------------------------------------------------------
    def _open_selected_result(self) -> None:
        melody = self.results.current_melody()
        if melody is not None:
            self.open_in_roll(melody)

    def _results_to_support(self) -> None:
        current = self.results.current_melody()
        for melody in self.results.selected_melodies() or ([current] if current is not None else []):
            if not self.support.add_melody(melody):
                break

    def _export_dir(self) -> str:
        return str(self.context.settings.value(EXPORT_DIR_SETTING, str(Path.home()), type=str))

    def _export_targets(self) -> list[Melody]:
        selected = self.results.selected_melodies()
        return selected if exports_selection(len(selected), self.results.count()) else self.results.melodies()

    def _sync_export_label(self) -> None:
        text = export_label(len(self.results.selected_melodies()), self.results.count())
        self.result_buttons["export"].setText(text)
        self.export_action.setText(text.replace("Export", "Export Results", 1))

    def _choose_export(self) -> None:
        if not self.results.count():
            self.notifier.info("Nothing to export yet: press Generate first.")
            return
        folder = QFileDialog.getExistingDirectory(self, "Export results to", self._export_dir())
        if folder:
            self.export_results(folder)

    def export_results(self, folder, midi: bool = True, wav: bool = True) -> list[Path]:
        """Write the results Export names (selected, or all) as .mid and .wav into folder; reports
        through the notifier."""
        melodies = self._export_targets()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            written = files.export_melodies(melodies, folder, midi=midi, wav=wav)
        except (OSError, DataError) as exc:
            self.notifier.error(f"Export to {folder} failed: {exc}")
            return []
        finally:
            QApplication.restoreOverrideCursor()
        self.context.settings.setValue(EXPORT_DIR_SETTING, str(folder))
        self.notifier.info(f"Exported {len(melodies)} melodies ({len(written)} files) to {folder}")
        return written

    # -- panel protocol ------------------------------------------------------------------------------
    def menu_actions(self) -> list:
        """The window's Melody menu; the shortcuts stay scoped to this panel."""
        return [panel_action(self, "Add MIDI Files to Support…", self.support._choose_files),
                panel_action(self, "Save Clip as MIDI…", self._save_clip),
                self.export_action,
                None, self.play_action, self.generate_action,
                panel_action(self, "Cancel Generation", self.cancel_generation)]

    def is_busy(self) -> bool:
        return self.runner.busy

    def shutdown(self) -> None:
        self.context.settings.setValue(SPLITTER_SETTING, self.splitter.saveState())
        self.player.shutdown()
        self.runner.shutdown()
        self.roll_reader.shutdown()
        self.support.shutdown()
