"""What a project holds: both studios' work, the chosen models, settings and seeds.

Plain dataclasses of numpy arrays and Melody objects, so a test or a headless
command builds, saves and compares projects without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workbench.domains.melody.notes import Melody


@dataclass(frozen=True)
class ModelChoice:
    """A model picked in a studio: the library id (see workbench.project.library) and its name then."""

    id: str
    name: str

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name}

    @classmethod
    def from_json(cls, data) -> "ModelChoice | None":
        if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"]:
            return cls(data["id"], str(data.get("name") or data["id"]))
        return None


@dataclass
class SketchWork:
    support: list[tuple[str, np.ndarray]] = field(default_factory=list)   # (name, [S, S] float32)
    # per support drawing, the canvas drawing it was made from (Complete lines it up with the
    # canvas), or None for a file; may be shorter than support (older projects: none)
    support_pages: list[np.ndarray | None] = field(default_factory=list)
    canvas: np.ndarray | None = None                                      # the canvas ink, any size
    results: list[tuple[str, np.ndarray]] = field(default_factory=list)
    results_mode: str = "vary"                                            # "vary" | "complete"
    results_caption: str = ""
    settings: dict = field(default_factory=dict)                          # variations, seed, temperature, ...
    models: dict[str, ModelChoice] = field(default_factory=dict)          # mode -> model

    def pages(self) -> list[np.ndarray | None]:
        """support_pages, one per support drawing (None where none is known)."""
        known = list(self.support_pages[:len(self.support)])
        return known + [None] * (len(self.support) - len(known))


@dataclass
class MelodyWork:
    support: list[Melody] = field(default_factory=list)
    clip: Melody | None = None                                            # what is open in the piano roll
    results: list[Melody] = field(default_factory=list)
    results_caption: str = ""
    settings: dict = field(default_factory=dict)                          # n, bars, temperature, seed, ...
    model: ModelChoice | None = None


@dataclass
class Project:
    panel: str = ""                                                       # the panel that was open
    sketch: SketchWork = field(default_factory=SketchWork)
    melody: MelodyWork = field(default_factory=MelodyWork)
    playground_model: ModelChoice | None = None
