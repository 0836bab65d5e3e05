"""The panels the main window hosts: (key, title, "module:Class").

A panel class is constructed as `Class(context: AppContext, parent=None)`. It
may implement `shutdown()` (called on close; must join its threads) and
`is_busy() -> bool` (True while work is running that closing would lose).
Modules are imported only when the panel is built.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class PanelSpec:
    key: str
    title: str
    target: str  # "package.module:ClassName"

    @property
    def module(self) -> str:
        return self.target.partition(":")[0]

    @property
    def class_name(self) -> str:
        return self.target.partition(":")[2]

    def load(self) -> type:
        return getattr(importlib.import_module(self.module), self.class_name)


PANELS: list[tuple[str, str, str]] = [
    ("training", "Training", "workbench.ui.training.panel:TrainingPanel"),
    ("playground", "Sinusoid Playground", "workbench.ui.playground.panel:PlaygroundPanel"),
    ("sketch", "Sketch Studio", "workbench.ui.sketch_studio.panel:SketchStudioPanel"),
    ("melody", "Melody Studio", "workbench.ui.melody_studio.panel:MelodyStudioPanel"),
]


def panel_specs() -> list[PanelSpec]:
    """Every panel, in display order."""
    return [PanelSpec(*entry) for entry in PANELS]
