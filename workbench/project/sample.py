"""A project of a given size with plausible contents, for the benchmarks and the crash test."""

from __future__ import annotations

import numpy as np

from workbench.domains.melody.notes import Melody, Note
from workbench.project.document import MelodyWork, ModelChoice, Project, SketchWork

CANVAS_SIDE = 256          # the Sketch Studio's canvas resolution
MODEL_SIDE = 28


def sample_drawing(rng: np.random.Generator, side: int) -> np.ndarray:
    """Strokes-like ink: a few thick random walks on white, values in [0, 1]."""
    ink = np.zeros((side, side), np.float32)
    for _ in range(3):
        y, x = rng.integers(side // 4, 3 * side // 4, size=2)
        for _ in range(side):
            y = int(np.clip(y + rng.integers(-1, 2), 0, side - 2))
            x = int(np.clip(x + rng.integers(-1, 2), 0, side - 2))
            ink[y:y + 2, x:x + 2] = rng.uniform(0.6, 1.0)
    return ink


def sample_melody(rng: np.random.Generator, name: str, bars: int = 8) -> Melody:
    """Eighth notes in C major, `bars` bars of 4/4."""
    from workbench.domains.melody.notes import TICKS_PER_BEAT
    eighth = TICKS_PER_BEAT // 2
    scale = (0, 2, 4, 5, 7, 9, 11)
    notes = [Note(i * eighth, eighth, 60 + scale[int(rng.integers(0, 7))], int(rng.integers(60, 110)))
             for i in range(bars * 8)]
    return Melody(notes=tuple(notes), tempo=110.0, key=0, mode="major", name=name)


def sample_project(drawings: int = 5, melodies: int = 5, results: int = 32, seed: int = 0) -> Project:
    rng = np.random.default_rng(seed)
    sketch = SketchWork(
        support=[(f"drawing {i + 1}", sample_drawing(rng, MODEL_SIDE)) for i in range(drawings)],
        canvas=sample_drawing(rng, CANVAS_SIDE),
        results=[(f"variation {i + 1}", sample_drawing(rng, MODEL_SIDE)) for i in range(results)],
        results_caption=f"{results} variations · seed {seed}",
        settings={"variations": results, "seed": seed, "temperature": 1.0, "vary_steps": 0},
        models={"vary": ModelChoice("shipped:sketch-ink", "Sketch ink (shipped)"),
                "complete": ModelChoice("shipped:sketch-ink", "Sketch ink (shipped)")})
    melody = MelodyWork(
        support=[sample_melody(rng, f"tune {i + 1}") for i in range(melodies)],
        clip=sample_melody(rng, "clip"),
        results=[sample_melody(rng, f"variation-{i + 1:02d}") for i in range(results)],
        results_caption=f"seed {seed}", settings={"n": results, "bars": 8, "seed": seed},
        model=ModelChoice("shipped:melody", "Melody (shipped)"))
    return Project(panel="sketch", sketch=sketch, melody=melody,
                   playground_model=ModelChoice("shipped:sinusoid", "Sinusoid (shipped)"))
