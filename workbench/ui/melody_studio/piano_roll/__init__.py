"""A piano-roll editor over the immutable Melody model (QGraphicsView based)."""

from workbench.ui.melody_studio.piano_roll.clip import ClipModel
from workbench.ui.melody_studio.piano_roll.editor import PianoRollEditor

__all__ = ["ClipModel", "PianoRollEditor"]
