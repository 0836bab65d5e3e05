"""The Sketch Studio's model choice per action: the shared ModelPicker, filtered to sketch models of a mode.

Vary and Complete both use an "ink" checkpoint (InkNet); each action keeps its own picker,
which lists the sketch models of that mode from the model library and starts on the shipped one.
A training run never replaces the choice: it is added to the list and offered (see ModelPicker).
"""

from __future__ import annotations

from workbench.ui.model_picker import ModelPicker

DOMAIN = "sketch"


# The checkpoint mode each studio action uses: one network (InkNet) serves both.
ACTION_MODES = {"vary": "ink", "complete": "ink"}


class CheckpointSelector(ModelPicker):
    """The model one action ("vary" or "complete") uses; `path()` is its checkpoint, `label()` its
    name for captions. It lists "ink" models; "Use in" requests address it as sketch/<action>."""

    def __init__(self, context, action: str, parent=None):
        super().__init__(context, DOMAIN, ACTION_MODES[action], parent)
        self.studio = f"{DOMAIN}/{action}"
