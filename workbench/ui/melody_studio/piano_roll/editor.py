"""PianoRollEditor: toolbar, ruler, keyboard, note view and velocity lane in one widget."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.domains.melody.notes import Melody
from workbench.ui.elided_label import ElidedLabel
from workbench.ui.melody_studio.piano_roll.clip import ClipModel
from workbench.ui.melody_studio.piano_roll.keyboard import WIDTH as KEYBOARD_WIDTH
from workbench.ui.melody_studio.piano_roll.keyboard import KeyboardWidget
from workbench.ui.melody_studio.piano_roll.ruler import RulerWidget
from workbench.ui.melody_studio.piano_roll.state import (
    DEFAULT_GRID,
    GRID_CHOICES,
    RollGeometry,
    TransportState,
)
from workbench.ui.melody_studio.piano_roll.tools import Tool
from workbench.ui.melody_studio.piano_roll.velocity import VelocityLane
from workbench.ui.melody_studio.piano_roll.view import PianoRollView

BEAT_UNITS = (2, 4, 8, 16)
TOP_VOICE_TIP = ("Every note sounds and exports. Generation reads one line, the top voice: the highest note at "
                 "each onset, cut where the next one starts (as when a MIDI file is read). Dimmed, dashed notes "
                 "are left out.")


class PianoRollEditor(QWidget):
    pitch_auditioned = Signal(int)     # keyboard click, note drawn or dragged
    play_toggle_requested = Signal()

    def __init__(self, model: ClipModel | None = None, parent=None):
        super().__init__(parent)
        self.model = model if model is not None else ClipModel(parent=self)
        self.geometry = RollGeometry(parent=self)
        self.transport = TransportState(self)
        self.view = PianoRollView(self.model, self.geometry, self.transport)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.keyboard = KeyboardWidget(self.geometry, self.view.verticalScrollBar())
        self.ruler = RulerWidget(self.model, self.geometry, self.transport, self.view.horizontalScrollBar())
        self.velocity_lane = VelocityLane(self.model, self.geometry, self.view.horizontalScrollBar())

        grid = QGridLayout()
        grid.setSpacing(0)
        grid.setContentsMargins(0, 0, 0, 0)
        corner = QLabel("")
        corner.setFixedWidth(KEYBOARD_WIDTH)
        grid.addWidget(corner, 0, 0)
        grid.addWidget(self.ruler, 0, 1)
        grid.addWidget(self.keyboard, 1, 0)
        grid.addWidget(self.view, 1, 1)
        lane_label = QLabel("Velocity")
        lane_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lane_label.setFixedWidth(KEYBOARD_WIDTH)
        grid.addWidget(lane_label, 2, 0)
        grid.addWidget(self.velocity_lane, 2, 1)
        grid.setRowStretch(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self._build_toolbar())
        layout.addLayout(grid, 1)

        self.keyboard.pitch_pressed.connect(self.pitch_auditioned)
        self.view.pitch_auditioned.connect(self.pitch_auditioned)
        self.view.play_toggle_requested.connect(self.play_toggle_requested)
        self.view.tool_changed.connect(self._sync_tool_buttons)
        self.model.changed.connect(self._sync_timing)
        self.model.changed.connect(self._follow_velocity)
        # a badge in the roll's top-right corner while the clip has chords or overlaps (no layout room taken)
        self.voice_label = QLabel(self.view.viewport())
        self.voice_label.setStyleSheet("background: rgba(20, 22, 26, 220); color: #e8e8e8; padding: 2px 6px;")
        self.voice_label.setToolTip(TOP_VOICE_TIP)
        self.voice_label.hide()
        self.view.viewport().installEventFilter(self)
        self.model.changed.connect(self._sync_voice_label)
        self._sync_timing()

    # -- toolbar ----------------------------------------------------------------
    def _build_toolbar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setSpacing(4)
        self.tool_buttons: dict[Tool, QToolButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(True)
        for tool, text, key in ((Tool.DRAW, "Draw", "D"), (Tool.SELECT, "Select", "S"), (Tool.ERASE, "Erase", "E")):
            button = QToolButton(text=text, checkable=True)
            button.setToolTip(f"{text} tool ({key})")
            button.clicked.connect(lambda _=False, t=tool: self.view.set_tool(t))
            group.addButton(button)
            bar.addWidget(button)
            self.tool_buttons[tool] = button
        self.tool_buttons[self.view.tool].setChecked(True)

        bar.addSpacing(8)
        bar.addWidget(QLabel("Grid"))
        self.grid_combo = QComboBox()
        for label, ticks in GRID_CHOICES:
            self.grid_combo.addItem(label, ticks)
        self.grid_combo.setToolTip("Snap grid (hold Shift while dragging to bypass)")
        self.grid_combo.currentIndexChanged.connect(
            lambda _i: self.geometry.set_grid(self.grid_combo.currentData()))
        self.grid_combo.setCurrentIndex(self.grid_combo.findText(DEFAULT_GRID))
        bar.addWidget(self.grid_combo)

        bar.addSpacing(8)
        bar.addWidget(QLabel("Tempo"))
        self.tempo_spin = QDoubleSpinBox(decimals=1, minimum=20.0, maximum=400.0, singleStep=1.0, suffix=" bpm")
        self.tempo_spin.setKeyboardTracking(False)
        self.tempo_spin.valueChanged.connect(lambda v: self.model.set_timing(tempo=v))
        bar.addWidget(self.tempo_spin)
        self.beats_spin = QSpinBox(minimum=1, maximum=16)
        self.beats_spin.setToolTip("Beats per bar")
        self.beats_spin.setKeyboardTracking(False)
        self.beats_spin.valueChanged.connect(lambda v: self.model.set_timing(beats_per_bar=v))
        bar.addWidget(self.beats_spin)
        bar.addWidget(QLabel("/"))
        self.unit_combo = QComboBox()
        for unit in BEAT_UNITS:
            self.unit_combo.addItem(str(unit), unit)
        self.unit_combo.setToolTip("Beat unit")
        self.unit_combo.currentIndexChanged.connect(
            lambda _i: self.model.set_timing(beat_unit=self.unit_combo.currentData()))
        bar.addWidget(self.unit_combo)

        bar.addSpacing(8)
        stack = self.model.undo_stack
        self.undo_action = QAction("Undo", self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(stack.undo)
        stack.canUndoChanged.connect(self.undo_action.setEnabled)
        stack.undoTextChanged.connect(lambda t: self.undo_action.setToolTip(f"Undo {t} (Ctrl+Z)"))
        self.redo_action = QAction("Redo", self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.StandardKey.Redo])
        self.redo_action.triggered.connect(stack.redo)
        stack.canRedoChanged.connect(self.redo_action.setEnabled)
        stack.redoTextChanged.connect(lambda t: self.redo_action.setToolTip(f"Redo {t} (Ctrl+Shift+Z)"))
        for action in (self.undo_action, self.redo_action):
            action.setEnabled(False)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
            button = QToolButton()
            button.setDefaultAction(action)
            bar.addWidget(button)
        # the hint gives way to the controls in a narrow window ('…', full text in the tooltip)
        self.zoom_label = ElidedLabel("Ctrl+wheel: zoom time · Ctrl+Shift+wheel: zoom pitch")
        self.zoom_label.setStyleSheet("color: gray;")
        bar.addWidget(self.zoom_label, 1)
        return bar

    def _sync_voice_label(self) -> None:
        notes = self.model.notes
        read = len(self.model.read_by_model())
        polyphonic = read < len(notes) or not self.model.melody.is_monophonic
        if polyphonic:
            self.voice_label.setText(f"Model reads the top voice: {read} of {len(notes)} notes")
            self.voice_label.adjustSize()
            self._place_voice_label()
        self.voice_label.setVisible(polyphonic)

    def _place_voice_label(self) -> None:
        port = self.view.viewport()
        self.voice_label.move(max(0, port.width() - self.voice_label.width() - 6), 6)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._place_voice_label()
        return super().eventFilter(watched, event)

    def _sync_tool_buttons(self, tool: str) -> None:
        self.tool_buttons[Tool(tool)].setChecked(True)

    def _sync_timing(self) -> None:
        melody = self.model.melody
        for widget, value in ((self.tempo_spin, melody.tempo), (self.beats_spin, melody.beats_per_bar)):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)
        self.unit_combo.blockSignals(True)
        index = self.unit_combo.findData(melody.beat_unit)
        if index < 0:
            self.unit_combo.addItem(str(melody.beat_unit), melody.beat_unit)
            index = self.unit_combo.count() - 1
        self.unit_combo.setCurrentIndex(index)
        self.unit_combo.blockSignals(False)

    def _follow_velocity(self) -> None:
        if self.velocity_lane.last_velocity is not None:  # new notes take the velocity last set in the lane
            self.view.new_velocity = self.velocity_lane.last_velocity

    # -- public -------------------------------------------------------------------
    @property
    def melody(self) -> Melody:
        return self.model.melody

    def open_melody(self, melody: Melody) -> None:
        """Load a melody into the roll as one undo step and bring it into view."""
        self.model.load(melody)
        self.transport.set_playhead(0)
        self.view.show_melody()

    def set_grid(self, label: str) -> None:
        self.grid_combo.setCurrentIndex(self.grid_combo.findText(label))
