"""A little music theory for sampling: key estimation and the pitch classes of a key. No torch."""

from __future__ import annotations

from collections import Counter

import numpy as np

from workbench.domains.melody.notes import Melody

# Krumhansl-Kessler key profiles (C major, C minor).
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10, 11)  # natural minor plus the leading tone
USED_SHARE = 0.02


def pitch_class_histogram(melodies: list[Melody]) -> np.ndarray:
    """Duration-weighted pitch-class histogram (12,), summing to 1 (zeros if no notes)."""
    histogram = np.zeros(12)
    for melody in melodies:
        for note in melody.notes:
            histogram[note.pitch % 12] += note.duration
    total = histogram.sum()
    return histogram / total if total else histogram


def estimate_key(melodies: list[Melody]) -> tuple[int, str]:
    """(tonic pitch class, "major" | "minor") by the Krumhansl-Schmuckler method."""
    histogram = pitch_class_histogram(melodies)
    if not histogram.any():
        return 0, "major"
    best = (-2.0, 0, "major")
    for tonic in range(12):
        for mode, profile in (("major", MAJOR_PROFILE), ("minor", MINOR_PROFILE)):
            score = float(np.corrcoef(histogram, np.roll(profile, tonic))[0, 1])
            if score > best[0]:
                best = (score, tonic, mode)
    return best[1], best[2]


def allowed_pitch_classes(melodies: list[Melody]) -> set[int]:
    """The estimated key's scale plus every pitch class the melodies dwell on (>= 2% of their
    duration), so modal tunes (Dorian, Mixolydian) keep their characteristic notes."""
    tonic, mode = estimate_key(melodies)
    scale = MAJOR_SCALE if mode == "major" else MINOR_SCALE
    allowed = {(tonic + step) % 12 for step in scale}
    histogram = pitch_class_histogram(melodies)
    allowed |= {pc for pc in range(12) if histogram[pc] >= USED_SHARE}
    return allowed


def common_metre(melodies: list[Melody]) -> tuple[int, int]:
    counts = Counter((m.beats_per_bar, m.beat_unit) for m in melodies)
    return counts.most_common(1)[0][0] if counts else (4, 4)
