"""Latency of the studio's main action: adapt to five 4-bar melodies (the checkpoint's own,
meta-validated step count, as the studio does by default) and generate eight 8-bar melodies.
`workbench bench adapt` reports these records."""

from __future__ import annotations

import statistics
import time

import numpy as np

from workbench.domains.melody.notes import Melody, Note

CASE = "adapt5x4bars+generate8x8bars"
D_MAJOR = (62, 64, 66, 67, 69, 71, 73, 74, 76, 78, 79, 81)


def support_melodies(count: int = 5, bars: int = 4, seed: int = 0) -> list[Melody]:
    """Deterministic 4/4 reel-like phrases in D major (mostly 8th notes, stepwise with some leaps)."""
    rng = np.random.default_rng(seed)
    melodies = []
    for k in range(count):
        notes, tick, degree = [], 0, 4
        while tick < bars * 48:
            duration = 6 if rng.random() < 0.85 else 12
            degree = int(np.clip(degree + rng.choice([-2, -1, -1, 1, 1, 2, 3, -3]), 0, len(D_MAJOR) - 1))
            notes.append(Note(tick, min(duration, bars * 48 - tick), D_MAJOR[degree], 90))
            tick += duration
        melodies.append(Melody(notes=tuple(notes), tempo=110, key=2, mode="major", name=f"support {k + 1}"))
    return melodies


def measure_adapt_latency(checkpoint=None, repeats: int = 5) -> list[dict]:
    """One record for the melody case: median milliseconds over `repeats` warm runs (plus the cold first run)."""
    import torch

    from workbench.domains.melody import api, generation

    learner = generation.load_learner(checkpoint or api.default_checkpoint())
    support = support_melodies()
    timings, adapt_ms, sample_ms = [], [], []
    cold = None
    for run in range(repeats + 1):
        start = time.perf_counter()
        params = generation.adapt_to(learner, support)
        middle = time.perf_counter()
        melodies = generation.sample(learner, params, support, n=8, bars=8, seed=run)
        end = time.perf_counter()
        if run == 0:
            cold = (end - start) * 1000
            continue
        timings.append((end - start) * 1000)
        adapt_ms.append((middle - start) * 1000)
        sample_ms.append((end - middle) * 1000)
    assert len(melodies) == 8 and all(m.bars <= 8 for m in melodies)
    return [{
        "domain": "melody", "case": CASE, "ms": round(statistics.median(timings), 1),
        "ms_min": round(min(timings), 1), "ms_cold": round(cold, 1),
        "adapt_ms": round(statistics.median(adapt_ms), 1), "generate_ms": round(statistics.median(sample_ms), 1),
        "adapt_steps": learner.default_steps, "repeats": repeats, "threads": torch.get_num_threads(), "limit_ms": 300,
    }]
