"""Does a melody have the shape of a tune? Measures for generated melodies beside their support.
numpy only. Each function takes Melody objects whose bar 0 starts at tick 0 (the generator's
output, or a support strain decoded from its segment).

- notes_per_bar: notes per bar over the melody's bars;
- eighth_share: share of notes exactly an eighth long;
- self_repetition: share of pitch 4-grams that occur again elsewhere in the same melody;
- phrase_end_holds: share of 4-bar phrase ends whose last note lasts at least a quarter note;
- final_downbeat_tonic: whether the note sounding at the last bar's downbeat is the tonic;
- copy_rate: share of pitch 6-grams found literally in the support;
- bar_rhythms: the onset pattern of each bar (onsets within the bar, in ticks), to check
  against the rhythms found in the style.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from workbench.domains.melody.notes import TICKS_PER_BEAT, Melody

EIGHTH = TICKS_PER_BEAT // 2
QUARTER = TICKS_PER_BEAT
PHRASE_BARS = 4
REPEAT_NGRAM, COPY_NGRAM = 4, 6


def bar_count(melody: Melody) -> int:
    return max(1, -(-melody.length_ticks // melody.ticks_per_bar)) if melody.notes else 0


def notes_per_bar(melody: Melody) -> float:
    return len(melody.notes) / max(1, bar_count(melody))


def eighth_share(melody: Melody) -> float:
    return float(np.mean([n.duration == EIGHTH for n in melody.notes])) if melody.notes else 0.0


def _grams(melody: Melody, size: int) -> list[tuple[int, ...]]:
    pitches = [n.pitch for n in melody.notes]
    return [tuple(pitches[i:i + size]) for i in range(len(pitches) - size + 1)]


def self_repetition(melody: Melody) -> float:
    grams = _grams(melody, REPEAT_NGRAM)
    if not grams:
        return 0.0
    counts = Counter(grams)
    return sum(counts[g] > 1 for g in grams) / len(grams)


def phrase_end_holds(melody: Melody, bars: int | None = None) -> list[bool]:
    """One flag per 4-bar phrase end within `bars` bars: is the last note before it a quarter or longer?"""
    bars = bars or bar_count(melody)
    flags = []
    for end_bar in range(PHRASE_BARS, bars + 1, PHRASE_BARS):
        end = end_bar * melody.ticks_per_bar
        before = [n for n in melody.notes if n.onset < end]
        if before:
            flags.append(before[-1].duration >= QUARTER)
    return flags


def final_downbeat_tonic(melody: Melody, tonic: int, bars: int | None = None) -> bool | None:
    bars = bars or bar_count(melody)
    downbeat = (bars - 1) * melody.ticks_per_bar
    sounding = [n for n in melody.notes if n.onset <= downbeat < n.end]
    return None if not sounding else sounding[-1].pitch % 12 == tonic


def copy_rate(generated: list[Melody], support: list[Melody]) -> tuple[int, int]:
    known = {g for m in support for g in _grams(m, COPY_NGRAM)}
    found = [g for m in generated for g in _grams(m, COPY_NGRAM)]
    return sum(g in known for g in found), len(found)


def bar_rhythms(melody: Melody) -> list[tuple[int, ...]]:
    """The onset pattern of each bar that has notes (tick offsets within the bar)."""
    bar = melody.ticks_per_bar
    patterns: dict[int, list[int]] = {}
    for note in melody.notes:
        patterns.setdefault(note.onset // bar, []).append(note.onset % bar)
    return [tuple(v) for _, v in sorted(patterns.items())]


def describe(melodies: list[Melody], tonic: int, bars: int | None = None) -> dict[str, float]:
    """The mean of each measure over a set of melodies."""
    holds = [h for m in melodies for h in phrase_end_holds(m, bars)]
    tonics = [t for m in melodies if (t := final_downbeat_tonic(m, tonic, bars)) is not None]
    return {
        "notes_per_bar": float(np.mean([notes_per_bar(m) for m in melodies])),
        "eighth_share": float(np.mean([eighth_share(m) for m in melodies])),
        "self_repetition": float(np.mean([self_repetition(m) for m in melodies])),
        "phrase_end_holds": float(np.mean(holds)) if holds else 0.0,
        "final_downbeat_tonic": float(np.mean(tonics)) if tonics else 0.0,
    }
