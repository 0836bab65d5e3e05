"""The Sketch Studio's model choice per action: the shared ModelPicker, filtered to sketch models of a mode.

Vary and Complete both use an "ink" checkpoint (InkNet); each action keeps its own picker,
which lists the sketch models of that mode from the model library and starts on the shipped one.
A training run never replaces the choice: it is added to the list and offered (see ModelPicker).
"""

from __future__ import annotations

from workbench.ui.model_picker import ModelPicker

DOMAIN = "sketch"


class CheckpointSelector(ModelPicker):
    """The model one sketch mode uses; `path()` is its checkpoint, `label()` its name for captions."""

    def __init__(self, context, mode: str, parent=None):
        super().__init__(context, DOMAIN, mode, parent)
