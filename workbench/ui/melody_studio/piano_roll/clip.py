"""ClipModel: the melody being edited, its selection and its undo history.

A Melody is immutable, so the model holds the current one and replaces it on
every edit. Each edit is one QUndoCommand holding the melodies before and after.
Drags update the model live with `preview()` and push one command on release
with `commit()`, so one gesture is one undo step.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from workbench.domains.melody.notes import Melody, Note, top_voice

MERGE_TIMING = 1  # QUndoCommand id: consecutive tempo / metre changes (spin box clicks) merge into one step


class _ReplaceMelody(QUndoCommand):
    def __init__(self, model: "ClipModel", before: Melody, after: Melody,
                 before_selection: frozenset, after_selection: frozenset, text: str, merge_id: int = -1):
        super().__init__(text)
        self._model = model
        self._before, self._after = before, after
        self._before_sel, self._after_sel = before_selection, after_selection
        self._merge_id = merge_id

    def id(self) -> int:
        return self._merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:
        if other.id() != self._merge_id or other.text() != self.text():
            return False
        self._after, self._after_sel = other._after, other._after_sel
        return True

    def redo(self) -> None:
        self._model._replace(self._after, self._after_sel)

    def undo(self) -> None:
        self._model._replace(self._before, self._before_sel)


class ClipModel(QObject):
    changed = Signal()  # the melody was replaced (an edit, undo, redo or preview)
    selection_changed = Signal()

    def __init__(self, melody: Melody | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._melody = melody if melody is not None else Melody(name="clip")
        self._selection: frozenset[Note] = frozenset()
        self.undo_stack = QUndoStack(self)

    # -- reading ----------------------------------------------------------
    @property
    def melody(self) -> Melody:
        return self._melody

    @property
    def notes(self) -> tuple[Note, ...]:
        return self._melody.notes

    @property
    def selection(self) -> frozenset[Note]:
        return self._selection

    def selected_notes(self) -> list[Note]:
        return sorted(self._selection)

    def read_by_model(self) -> frozenset[Note]:
        """The notes of the clip's top voice, the line the model reads (a note it shortens counts)."""
        if self._melody.is_monophonic:
            return frozenset(self._melody.notes)
        starts = {(n.onset, n.pitch) for n in top_voice(self._melody.notes).notes}
        return frozenset(n for n in self._melody.notes if (n.onset, n.pitch) in starts)

    # -- selection (not an undo step) ---------------------------------------
    def set_selection(self, notes: Iterable[Note]) -> None:
        present = set(self._melody.notes)
        selection = frozenset(n for n in notes if n in present)
        if selection != self._selection:
            self._selection = selection
            self.selection_changed.emit()

    def select_all(self) -> None:
        self.set_selection(self._melody.notes)

    # -- editing ------------------------------------------------------------
    def edit(self, melody: Melody, text: str, selection: Iterable[Note] | None = None, merge_id: int = -1) -> bool:
        """Replace the melody as one undo step. Returns False when nothing changed."""
        after_sel = frozenset(selection) if selection is not None else self._selection
        if melody == self._melody and melody.name == self._melody.name:
            self.set_selection(after_sel)
            return False
        self.undo_stack.push(_ReplaceMelody(self, self._melody, melody, self._selection, after_sel, text, merge_id))
        return True

    def edit_notes(self, notes: Iterable[Note], text: str, selection: Iterable[Note] | None = None) -> bool:
        return self.edit(self._melody.with_notes(notes), text, selection)

    def set_timing(self, tempo: float | None = None, beats_per_bar: int | None = None,
                   beat_unit: int | None = None) -> bool:
        changes = {}
        if tempo is not None and tempo != self._melody.tempo:
            changes["tempo"] = float(tempo)
        if beats_per_bar is not None and beats_per_bar != self._melody.beats_per_bar:
            changes["beats_per_bar"] = int(beats_per_bar)
        if beat_unit is not None and beat_unit != self._melody.beat_unit:
            changes["beat_unit"] = int(beat_unit)
        if not changes:
            return False
        text = "Change tempo" if list(changes) == ["tempo"] else "Change time signature"
        return self.edit(replace(self._melody, **changes), text, merge_id=MERGE_TIMING)

    def load(self, melody: Melody, text: str = "Open melody") -> bool:
        """Put another melody in the roll (undoable, so opening by mistake loses nothing)."""
        return self.edit(melody, text, selection=())

    # -- gestures: live preview, then one undo step --------------------------
    def preview(self, melody: Melody, selection: Iterable[Note] | None = None) -> None:
        self._replace(melody, frozenset(selection) if selection is not None else self._selection)

    def commit(self, before: Melody, before_selection: frozenset, text: str) -> bool:
        """Record a previewed gesture that started from `before` as one undo step."""
        if self._melody == before:
            return False
        command = _ReplaceMelody(self, before, self._melody, before_selection, self._selection, text)
        self.undo_stack.push(command)  # its first redo re-applies the current state: a no-op
        return True

    # -- internals ------------------------------------------------------------
    def _replace(self, melody: Melody, selection: frozenset) -> None:
        melody_changed = melody is not self._melody
        self._melody = melody
        present = set(melody.notes)
        selection = frozenset(n for n in selection if n in present)
        selection_changed = selection != self._selection
        self._selection = selection
        if melody_changed:
            self.changed.emit()
        if selection_changed:
            self.selection_changed.emit()
