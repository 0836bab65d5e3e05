"""Keyboard editing for the roll: Delete, Ctrl+A/C/X/V/D, arrow nudges, undo/redo, tool keys.

A mixin for PianoRollView (it uses the view's model, geometry, transport and
signals). The view claims these keys through ShortcutOverride, so a window-wide
shortcut on the same key does not steal them while the roll has focus.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence

from workbench.ui.melody_studio.piano_roll import clipboard, editing
from workbench.ui.melody_studio.piano_roll.tools import Tool


class KeyboardEditing:
    # -- keyboard -----------------------------------------------------------------------
    def event(self, event) -> bool:
        # claim our editing keys before a window-wide shortcut (e.g. a global Undo) takes them
        if event.type() == QEvent.Type.ShortcutOverride and self._key_action(event) is not None:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        action = self._key_action(event)
        if action is None:
            return super().keyPressEvent(event)
        action()
        event.accept()

    def _key_action(self, event):
        key, mods = event.key(), event.modifiers()
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        std = QKeySequence.StandardKey
        if key == Qt.Key.Key_Escape and getattr(self, "_gesture", None) is not None:
            return self.cancel_gesture
        if event.matches(std.Undo):
            return self.model.undo_stack.undo
        if event.matches(std.Redo) or (ctrl and key == Qt.Key.Key_Y) or (ctrl and shift and key == Qt.Key.Key_Z):
            return self.model.undo_stack.redo
        if event.matches(std.SelectAll):
            return self.model.select_all
        if event.matches(std.Copy):
            return self.copy
        if event.matches(std.Cut):
            return self.cut
        if event.matches(std.Paste):
            return self.paste
        if ctrl and key == Qt.Key.Key_D:
            return self.duplicate
        if key == Qt.Key.Key_Space and not ctrl:
            return self.play_toggle_requested.emit
        tools = {Qt.Key.Key_D: Tool.DRAW, Qt.Key.Key_S: Tool.SELECT, Qt.Key.Key_E: Tool.ERASE}
        if not ctrl and not shift and key in tools:
            return lambda: self.set_tool(tools[key])
        if not self.model.selection:
            return None  # arrows scroll the view when nothing is selected
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not ctrl:
            return self.delete_selection
        if key == Qt.Key.Key_Escape:
            return lambda: self.model.set_selection(())
        if not ctrl and key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = 1 if shift else self.geometry.grid  # Shift bypasses the grid
            return lambda: self.nudge(-step if key == Qt.Key.Key_Left else step, 0)
        if not ctrl and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = 12 if shift else 1
            return lambda: self.nudge(0, step if key == Qt.Key.Key_Up else -step)
        return None

    # -- edit commands ------------------------------------------------------------------
    def delete_selection(self) -> None:
        selected = self.model.selection
        if selected:
            self.model.edit_notes(editing.remove_notes(self.model.notes, selected), "Delete notes", ())

    def nudge(self, dt: int, dp: int) -> None:
        selected = self.model.selected_notes()
        if not selected:
            return
        notes, moved = editing.move_notes(self.model.notes, selected, dt, dp)
        self.model.edit_notes(notes, "Transpose notes" if dt == 0 else "Move notes", moved)
        if dp and moved:
            self.pitch_auditioned.emit(moved[0].pitch)

    def copy(self) -> None:
        if self.model.selection:
            clipboard.put(editing.to_clipboard(self.model.selection))

    def cut(self) -> None:
        if self.model.selection:
            self.copy()
            self.model.edit_notes(editing.remove_notes(self.model.notes, self.model.selection), "Cut notes", ())

    def paste(self) -> None:
        clip = clipboard.get()
        if not clip:
            return
        at = self.transport.playhead
        notes, pasted = editing.paste(self.model.notes, clip, at)
        self.model.edit_notes(notes, "Paste notes", pasted)
        self.transport.set_playhead(editing.span(pasted)[1])  # the next paste goes after this one

    def duplicate(self) -> None:
        notes, copies = editing.duplicate(self.model.notes, self.model.selection, self.geometry.grid)
        if copies:
            self.model.edit_notes(notes, "Duplicate notes", copies)
