"""Bar rhythms a folk tune uses, to keep sampled bars to them. numpy and json only.

A bar rhythm is the tuple of note onsets within a bar, in 16ths. Sampling
note by note at temperature 1 writes about one bar in five with a rhythm that
no tune of the style has (measured by `eval melody`); generation therefore
keeps every bar's onsets on a path to a known rhythm (RhythmGuide): first one
of the support's own bars drawn by how often the support uses it, then the
support's other bars, then the bars that occur at least MIN_COUNT times in the
training corpus' tunes of the style whose rhythms the support's bars match best
(per metre and style, shipped as resources/melody/bar-rhythms.json, made by
`workbench melody corpus --write-rhythms resources/melody/bar-rhythms.json`).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np

from workbench.domains.melody import vocab
from workbench.domains.melody.form import PHRASE_BARS
from workbench.domains.melody.notes import SIXTEENTH, Melody

MIN_COUNT = 3
TABLE = ("melody", "bar-rhythms.json")


def bar_onsets(melody: Melody) -> list[tuple[int, ...]]:
    """Each bar's note onsets in 16ths (bars on the 16th grid only)."""
    return [pattern for _, pattern in numbered_bar_onsets(melody)]


def numbered_bar_onsets(melody: Melody) -> list[tuple[int, tuple[int, ...]]]:
    """(bar number, note onsets in 16ths) of each bar with notes on the 16th grid."""
    bar = melody.ticks_per_bar
    found: dict[int, list[int]] = {}
    for note in melody.notes:
        found.setdefault(note.onset // bar, []).append(note.onset % bar)
    return [(number, tuple(t // SIXTEENTH for t in v)) for number, v in sorted(found.items())
            if all(t % SIXTEENTH == 0 for t in v)]


def running_and_phrase_end_bars(support: list[Melody]) -> tuple[list, list]:
    """The support's full-bar rhythms inside its 4-bar phrases, and those of its phrase-end bars
    (bars are counted from the first full bar; a pickup bar is neither)."""
    running, ends = [], []
    for melody in support:
        bars = numbered_bar_onsets(melody)
        first_full = next((number for number, pattern in bars if pattern[0] == 0), 0)
        for number, pattern in bars:
            if number < first_full or pattern[0] != 0:
                continue
            (ends if (number - first_full + 1) % PHRASE_BARS == 0 else running).append(pattern)
    return running, ends


def metre_key(beats_per_bar: int, beat_unit: int) -> str:
    return f"{beats_per_bar}/{beat_unit}"


def build_table(tunes, min_count: int = MIN_COUNT) -> dict[str, dict[str, list]]:
    """metre -> style -> [count, rhythm] for the bar rhythms that style's tunes use at least
    min_count times (the counts pick the style a support's bars most likely come from)."""
    counts: Counter = Counter()
    for tune in tunes:
        melody = tune.melody
        key = metre_key(melody.beats_per_bar, melody.beat_unit)
        counts.update((key, tune.style, pattern) for pattern in bar_onsets(melody))
    table: dict[str, dict[str, list[list[int]]]] = {}
    for (key, style, pattern), n in sorted(counts.items()):
        if n >= min_count:
            table.setdefault(key, {}).setdefault(style, []).append([n, list(pattern)])
    return table


def write_table(table: dict, path: Path | str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(table, separators=(",", ":")))


def load_table() -> dict[str, dict[str, list]]:
    from workbench.resources_path import resource_path

    path = resource_path(*TABLE)
    return json.loads(path.read_text()) if path.exists() else {}


class RhythmSet:
    """Which durations keep the current bar on the way to one of a set of bar rhythms."""

    def __init__(self, patterns, bar: int, hold: int = 4):
        self.bar = bar
        self.patterns = {tuple(p) for p in patterns if p}
        self.prefixes = _prefixes(self.patterns)
        # a phrase's last bar ends on a held note: only rhythms whose last onset leaves room for it
        self.cadences = {p for p in self.patterns if p[-1] <= bar - hold}
        self.cadence_prefixes = _prefixes(self.cadences)

    def durations(self, onsets: tuple[int, ...], cursor: int, cadence: bool = False) -> np.ndarray | None:
        """Allowed durations (bool over 1..N_DURATIONS 16ths) for a note at `cursor` (16ths into its
        bar) after the bar's earlier `onsets` (cadence: the bar ends a phrase); None when the bar has
        already left every rhythm of the set."""
        patterns, prefixes = (self.cadences, self.cadence_prefixes) if cadence else (self.patterns, self.prefixes)
        here = onsets + (cursor,)
        if here not in prefixes:
            return None
        allowed = np.zeros(vocab.N_DURATIONS, bool)
        for i, length in enumerate(range(1, vocab.N_DURATIONS + 1)):
            following = cursor + length
            if following < self.bar:
                allowed[i] = here + (following,) in prefixes
            elif following == self.bar:     # the bar ends with this note: its rhythm must be complete
                allowed[i] = here in patterns
            # a note tied over the barline would leave the next bar without a downbeat onset: not offered
        return allowed if allowed.any() else None


class RhythmGuide:
    """Each bar of each melody aims at one of the support's own bar rhythms, drawn as often as the
    support uses it; a bar that has left it keeps to the support's other rhythms, then to its
    closest style's.

    Why: the model alone leans to the commonest rhythm, straight eighths (dotted jig, hornpipe and
    strathspey bars came back even; a one-tune support of quarter-note airs came back in eighths).
    Measured on 120 validation tasks of the corpus (docs/melody.md)."""

    def __init__(self, running, ends, style, bar: int, hold: int = 4, seed: int = 0):
        self.bar, self.hold = bar, hold
        own = list(running) + list(ends)
        self.own = RhythmSet(own, bar, hold)
        self.known = RhythmSet(own + list(style), bar, hold)
        # a bar inside a phrase aims at the support's bars inside phrases; a held phrase end at its
        # phrase-end bars (drawn anywhere, their long notes thinned the melodies by 4 %)
        self._choices = {False: _counted(running), True: [(p, n) for p, n in _counted(ends) if p in self.own.cadences]}
        self._rng = np.random.default_rng(seed)
        self._targets: dict[tuple[int, int], RhythmSet | None] = {}

    @classmethod
    def for_support(cls, support: list[Melody], beats_per_bar: int, beat_unit: int, bar: int,
                    hold: int = 4, seed: int = 0) -> "RhythmGuide":
        running, ends = running_and_phrase_end_bars(support)   # pickups are not rhythms to repeat mid-tune
        styles = load_table().get(metre_key(beats_per_bar, beat_unit), {})
        return cls(running, ends, closest_style(running + ends, styles), bar, hold, seed)

    def durations(self, melody: int, bar_start: int, onsets: tuple[int, ...], cursor: int,
                  cadence: bool = False) -> np.ndarray | None:
        """RhythmSet.durations for bar `bar_start` of melody number `melody`: on its drawn target
        rhythm while the bar can reach it, else on the support's rhythms, else on any known one."""
        key = (melody, bar_start)
        if key not in self._targets:
            self._targets[key] = self._draw(cadence)
        for rhythms in (self._targets[key], self.own, self.known):
            allowed = rhythms.durations(onsets, cursor, cadence) if rhythms is not None else None
            if allowed is not None:
                return allowed
        return None

    def _draw(self, cadence: bool) -> "RhythmSet | None":
        choices = self._choices[cadence]
        if not choices:
            return None
        weights = np.array([n for _, n in choices], float)
        pattern = choices[int(self._rng.choice(len(choices), p=weights / weights.sum()))][0]
        return RhythmSet([pattern], self.bar, self.hold)


def closest_style(bars: list[tuple[int, ...]], styles: dict[str, list]) -> list[tuple[int, ...]]:
    """The rhythms of the style under which these bars are most likely (bar rhythm counts with
    add-one smoothing), so a strathspey's support picks the strathspeys' rhythms, not the reels'."""
    if not styles:
        return []
    counts = {style: {tuple(p): n for n, p in entries} for style, entries in styles.items()}

    def log_likelihood(style: str) -> float:
        table = counts[style]
        total = sum(table.values()) + len(table) + 1
        return sum(np.log((table.get(b, 0) + 1) / total) for b in bars)

    best = max(sorted(counts), key=log_likelihood)
    return sorted(counts[best])


def _counted(patterns) -> list[tuple[tuple[int, ...], int]]:
    return sorted(Counter(tuple(p) for p in patterns if p).items())


def _prefixes(patterns) -> set:
    return {p[:i] for p in patterns for i in range(len(p) + 1)}
