"""PianoRollView: the note grid. Draw / select / erase tools, drags, keys, zoom.

Every gesture computes a new note tuple with the pure functions in `editing`
from the melody as it was when the gesture began, previews it live on the
ClipModel and commits it as one undo step on release.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from workbench.domains.melody.notes import TICKS_PER_BEAT, Melody, Note
from workbench.ui.melody_studio.piano_roll import editing
from workbench.ui.melody_studio.piano_roll.actions import KeyboardEditing
from workbench.ui.melody_studio.piano_roll.clip import ClipModel
from workbench.ui.melody_studio.piano_roll.items import (
    BACKGROUND_BLACK_ROW,
    BACKGROUND_WHITE_ROW,
    LINE_BAR,
    LINE_BEAT,
    LINE_GRID,
    LINE_ROW,
    LOOP_SHADE,
    PLAYHEAD,
    NoteItem,
    is_black_key,
)
from workbench.ui.melody_studio.piano_roll.state import RollGeometry, TransportState
from workbench.ui.melody_studio.piano_roll.tools import Tool

EDGE_PX = 6
FIT_BARS = 4  # opening a melody shows at least this many bars (zooming out when the view is narrow)
MIN_BARS = 16


@dataclass
class _Gesture:
    kind: str  # "move" | "resize" | "band" | "erase"
    before: Melody
    before_selection: frozenset
    press: QPointF
    text: str
    anchor: Note | None = None
    targets: tuple = ()
    last_pitch: int | None = None


class PianoRollView(KeyboardEditing, QGraphicsView):
    pitch_auditioned = Signal(int)      # a note was drawn or grabbed: let the user hear it
    files_dropped = Signal(list)        # local paths dropped on the roll (the studio opens a MIDI file)
    play_toggle_requested = Signal()    # space bar
    tool_changed = Signal(str)

    def __init__(self, model: ClipModel, geometry: RollGeometry, transport: TransportState, parent=None):
        super().__init__(parent)
        self.model, self.geometry, self.transport = model, geometry, transport
        self.setScene(QGraphicsScene(self))
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.tool = Tool.DRAW
        self.new_velocity = 90
        self._items: dict[Note, NoteItem] = {}
        self._gesture: _Gesture | None = None
        self._band = None
        self._extent_ticks = 0
        model.changed.connect(self._sync_items)
        model.selection_changed.connect(self._restyle)
        geometry.changed.connect(self._rebuild)
        transport.playhead_changed.connect(lambda _t: self.viewport().update())
        transport.loop_changed.connect(self.viewport().update)
        self.setAcceptDrops(True)
        self._rebuild()
        self.center_on_pitch(67)

    # -- public -----------------------------------------------------------------
    def set_tool(self, tool: Tool | str) -> None:
        tool = Tool(tool)
        changed = tool != self.tool
        self.tool = tool
        self._update_cursor(None)
        if changed:
            self.tool_changed.emit(tool.value)

    def note_rect(self, note: Note) -> QRectF:
        g = self.geometry
        return QRectF(g.x(note.onset), g.y(note.pitch), max(2.0, g.x(note.duration)), g.row_height)

    def note_at(self, pos: QPointF) -> Note | None:
        """The note under pos; else one whose resize handle pos is on (it reaches a pixel
        past the note's end, where the cursor already shows the resize arrow)."""
        pitch, tick = self.geometry.pitch(pos.y()), self.geometry.tick(pos.x())
        row = [n for n in self.model.notes if n.pitch == pitch]
        for note in row:
            if note.onset <= tick < note.end:
                return note
        for note in row:
            if self.is_on_right_edge(note, pos):
                return note
        return None

    def is_on_right_edge(self, note: Note, pos: QPointF) -> bool:
        rect = self.note_rect(note)
        zone = min(EDGE_PX, rect.width() / 3)
        return rect.right() - zone <= pos.x() <= rect.right() + 1

    def center_on_pitch(self, pitch: int) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(int(self.geometry.y(pitch) - self.viewport().height() / 2))

    def show_melody(self) -> None:
        """Scroll so the melody's pitch range and start are in view, zoomed out (never in) so that
        its first FIT_BARS bars fit the width: a phrase, not a bar and a half, in a small window."""
        melody = self.model.melody
        low, high = melody.pitch_range()
        bar = melody.ticks_per_bar
        wanted = min(melody.bars, FIT_BARS) * bar
        width = self.viewport().width()
        if self.model.notes and self.isVisible() and self.geometry.x(wanted) > width:
            self.geometry.set_zoom(px_per_tick=width / wanted)
        self.center_on_pitch((low + high) // 2)
        start = self.model.notes[0].onset if self.model.notes else 0
        self.horizontalScrollBar().setValue(int(self.geometry.x(start // bar * bar)))  # from its first bar line

    # -- model -> scene -----------------------------------------------------------
    def _rebuild(self) -> None:
        """Geometry changed: every item moves."""
        for item in self._items.values():
            self.scene().removeItem(item)
        self._items = {}
        self._sync_items()

    def _sync_items(self) -> None:
        """The melody changed: drop the items of vanished notes, add items for new ones.

        Notes are values, so an unchanged note keeps its item; a drag that moves
        two notes of a long melody touches two items, not all of them.
        """
        scene, selection = self.scene(), self.model.selection
        current = set(self.model.notes)
        for note in [n for n in self._items if n not in current]:
            scene.removeItem(self._items.pop(note))
        for note in current:
            if note not in self._items:
                item = NoteItem(note, self.note_rect(note))
                item.set_selected(note in selection)
                scene.addItem(item)
                self._items[note] = item
        read = self.model.read_by_model()
        for note, item in self._items.items():
            item.set_read_by_model(note in read)
        melody = self.model.melody
        needed = max(melody.length_ticks + 4 * melody.ticks_per_bar, MIN_BARS * melody.ticks_per_bar)
        self._extent_ticks = max(self._extent_ticks, needed)
        scene.setSceneRect(0, 0, self.geometry.x(self._extent_ticks), self.geometry.height)
        self.viewport().update()

    def _restyle(self) -> None:
        selection = self.model.selection
        for note, item in self._items.items():
            item.set_selected(note in selection)

    # -- painting -----------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        g = self.geometry
        top, bottom = g.pitch(rect.top()), g.pitch(rect.bottom())
        for pitch in range(bottom, top + 1):
            y = g.y(pitch)
            row = QRectF(rect.left(), y, rect.width(), g.row_height)
            painter.fillRect(row, BACKGROUND_BLACK_ROW if is_black_key(pitch) else BACKGROUND_WHITE_ROW)
            painter.setPen(LINE_BEAT if pitch % 12 == 0 else LINE_ROW)
            painter.drawLine(QPointF(rect.left(), y + g.row_height), QPointF(rect.right(), y + g.row_height))
        melody = self.model.melody
        bar = melody.ticks_per_bar
        beat = max(1, TICKS_PER_BEAT * 4 // melody.beat_unit)
        step = g.grid
        while g.x(step) < 5:  # never draw lines closer than 5 px
            step *= 2
        tick = editing.snap_down(max(0.0, g.tick(rect.left())), step)
        end = g.tick(rect.right())
        while tick <= end:
            color = LINE_BAR if tick % bar == 0 else LINE_BEAT if tick % beat == 0 else LINE_GRID
            painter.setPen(QPen(color, 1))
            x = g.x(tick)
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            tick += step
        loop = self.transport.loop_range
        if loop is not None:
            shade = QColor(LOOP_SHADE)
            shade.setAlpha(40 if self.transport.loop_enabled else 14)
            painter.fillRect(QRectF(g.x(loop[0]), rect.top(), g.x(loop[1] - loop[0]), rect.height()), shade)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        x = self.geometry.x(self.transport.playhead)
        if rect.left() - 2 <= x <= rect.right() + 2:
            painter.setPen(QPen(PLAYHEAD, 2))
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))

    # -- mouse ----------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        pos = self.mapToScene(event.position().toPoint())
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        mods = event.modifiers()
        if event.button() == Qt.MouseButton.RightButton or (
                event.button() == Qt.MouseButton.LeftButton and self.tool == Tool.ERASE):
            self._begin(pos, "erase", "Delete notes")
            self._erase_at(pos)
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        note = self.note_at(pos)
        if note is not None:
            if mods & Qt.KeyboardModifier.ControlModifier:
                self.model.set_selection(self.model.selection ^ {note})
                return
            if note not in self.model.selection:
                self.model.set_selection([note])
            targets = tuple(self.model.selected_notes())
            if self.is_on_right_edge(note, pos):
                self._begin(pos, "resize", "Resize notes", anchor=note, targets=targets)
            else:
                self._begin(pos, "move", "Move notes", anchor=note, targets=targets)
                self.pitch_auditioned.emit(note.pitch)
            return
        if self.tool == Tool.DRAW:
            self._create_note(pos, bypass_snap=bool(mods & Qt.KeyboardModifier.ShiftModifier))
        else:
            base = self.model.selection if mods & Qt.KeyboardModifier.ControlModifier else frozenset()
            self.model.set_selection(base)
            self._begin(pos, "band", "", targets=tuple(base))

    def mouseMoveEvent(self, event) -> None:
        pos = self.mapToScene(event.position().toPoint())
        gesture = self._gesture
        if gesture is None:
            self._update_cursor(pos)
            return super().mouseMoveEvent(event)
        bypass = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if gesture.kind == "move":
            self._drag_move(gesture, pos, bypass)
        elif gesture.kind == "resize":
            self._drag_resize(gesture, pos, bypass)
        elif gesture.kind == "band":
            self._drag_band(gesture, pos)
        elif gesture.kind == "erase":
            self._erase_at(pos)

    def mouseReleaseEvent(self, event) -> None:
        gesture, self._gesture = self._gesture, None
        if gesture is None:
            return super().mouseReleaseEvent(event)
        if gesture.kind == "band":
            if self._band is not None:
                self.scene().removeItem(self._band)
                self._band = None
            return
        text = gesture.text
        if gesture.kind == "move" and gesture.anchor is not None:
            moved = self.model.selected_notes()
            if moved and all(n.onset == o.onset for n, o in zip(moved, sorted(gesture.targets))):
                text = "Transpose notes"
        self.model.commit(gesture.before, gesture.before_selection, text)
        self._update_cursor(self.mapToScene(event.position().toPoint()))

    def cancel_gesture(self) -> None:
        """Escape during a drag: put everything back as it was when the drag began."""
        gesture, self._gesture = self._gesture, None
        if gesture is None:
            return
        if self._band is not None:
            self.scene().removeItem(self._band)
            self._band = None
        self.model.preview(gesture.before, gesture.before_selection)

    def mouseDoubleClickEvent(self, event) -> None:
        # a double click is two clicks here; Qt would otherwise send no second press
        self.mousePressEvent(event)

    def _begin(self, pos: QPointF, kind: str, text: str, anchor: Note | None = None, targets: tuple = ()) -> None:
        self._gesture = _Gesture(kind, self.model.melody, self.model.selection, pos, text, anchor, targets,
                                 anchor.pitch if anchor else None)

    def _snap(self, tick: float, bypass: bool) -> int:
        return int(round(tick)) if bypass else editing.snap(tick, self.geometry.grid)

    def _create_note(self, pos: QPointF, bypass_snap: bool) -> None:
        g = self.geometry
        tick = g.tick(pos.x())
        onset = int(tick) if bypass_snap else editing.snap_down(tick, g.grid)
        note = Note(onset=max(0, onset), duration=g.grid, pitch=g.pitch(pos.y()), velocity=self.new_velocity)
        self._begin(pos, "resize", "Add note", anchor=note, targets=(note,))
        self._gesture.press = QPointF(g.x(note.end), pos.y())  # dragging right from here lengthens it
        self.model.preview(self.model.melody.with_notes(editing.place_note(self.model.notes, note)), [note])
        self.pitch_auditioned.emit(note.pitch)

    def _drag_move(self, gesture: _Gesture, pos: QPointF, bypass: bool) -> None:
        g = self.geometry
        anchor = gesture.anchor
        onset = self._snap(anchor.onset + g.tick(pos.x()) - g.tick(gesture.press.x()), bypass)
        dp = g.pitch(pos.y()) - g.pitch(gesture.press.y())
        notes, moved = editing.move_notes(gesture.before.notes, gesture.targets, onset - anchor.onset, dp)
        self.model.preview(gesture.before.with_notes(notes), moved)
        pitch = anchor.pitch + dp
        if pitch != gesture.last_pitch and 0 <= pitch <= 127:
            gesture.last_pitch = pitch
            self.pitch_auditioned.emit(pitch)

    def _drag_resize(self, gesture: _Gesture, pos: QPointF, bypass: bool) -> None:
        g = self.geometry
        anchor = gesture.anchor
        end = self._snap(anchor.end + g.tick(pos.x()) - g.tick(gesture.press.x()), bypass)
        if end <= anchor.onset:
            end = anchor.onset + (1 if bypass else g.grid)
        base = gesture.before.notes
        if gesture.text == "Add note":
            base = editing.place_note(base, anchor)
        notes, resized = editing.resize_notes(base, gesture.targets, end - anchor.end)
        self.model.preview(gesture.before.with_notes(notes), resized)

    def _drag_band(self, gesture: _Gesture, pos: QPointF) -> None:
        rect = QRectF(gesture.press, pos).normalized()
        if self._band is None:
            self._band = self.scene().addRect(rect, QPen(QColor(160, 200, 255), 1, Qt.PenStyle.DashLine),
                                              QColor(160, 200, 255, 40))
            self._band.setZValue(10)
        self._band.setRect(rect)
        hit = {n for n in self.model.notes if self.note_rect(n).intersects(rect)}
        self.model.set_selection(hit | set(gesture.targets))

    def _erase_at(self, pos: QPointF) -> None:
        note = self.note_at(pos)
        if note is not None:
            self.model.preview(self.model.melody.with_notes(editing.remove_notes(self.model.notes, [note])))

    def _update_cursor(self, pos: QPointF | None) -> None:
        shape = {Tool.DRAW: Qt.CursorShape.CrossCursor, Tool.SELECT: Qt.CursorShape.ArrowCursor,
                 Tool.ERASE: Qt.CursorShape.ForbiddenCursor}[self.tool]
        if pos is not None and self.tool != Tool.ERASE:
            note = self.note_at(pos)
            if note is not None:
                shape = Qt.CursorShape.SizeHorCursor if self.is_on_right_edge(note, pos) \
                    else Qt.CursorShape.SizeAllCursor
        self.viewport().setCursor(shape)

    # -- wheel zoom -------------------------------------------------------------------
    def wheelEvent(self, event) -> None:
        mods = event.modifiers()
        if not mods & Qt.KeyboardModifier.ControlModifier:
            return super().wheelEvent(event)
        delta = event.angleDelta().y() or event.angleDelta().x()
        factor = 1.15 ** (delta / 120)
        mouse = event.position()
        scene_pos = self.mapToScene(mouse.toPoint())
        g = self.geometry
        if mods & Qt.KeyboardModifier.ShiftModifier:
            pitch_y = scene_pos.y() / g.row_height
            g.set_zoom(row_height=g.row_height * factor)
            self.verticalScrollBar().setValue(int(pitch_y * g.row_height - mouse.y()))
        else:
            tick = g.tick(scene_pos.x())
            g.set_zoom(px_per_tick=g.px_per_tick * factor)
            self.horizontalScrollBar().setValue(int(g.x(tick) - mouse.x()))
        event.accept()

    # -- file drops -------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if not paths:
            return super().dropEvent(event)
        event.acceptProposedAction()
        self.files_dropped.emit(paths)
