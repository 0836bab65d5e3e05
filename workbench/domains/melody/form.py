"""The phrase plan that gives generated melodies the shape of a folk tune. numpy only.

Folk tunes come in 8-bar strains of two 4-bar phrases; a phrase ends on a
held note (the support holds one at 50-83% of phrase ends), the second phrase
often opens like the first and answers it, and the strain ends on the tonic.
A note-by-note model rarely finds that shape by itself, so generation follows
a plan, step by step, as rules on what may be sampled next:

- the piece ends on a held note; each phrase end before it is held with
  the support's own rate (`hold_share`, drawn once per phrase and melody):
  reels run through most phrase ends, airs stop at them;
- notes never run across a held phrase end (or into the last bar's downbeat);
- the last note of a held phrase is a note (not a rest) of at least a beat
  (no gap shorter than a quarter may be left before the phrase end, and the
  last beat is filled by one note);
- an answering phrase (the 2nd, 4th, ... of the piece) opens with the first
  two bars of the phrase before it, then the model continues freely;
- the last bar starts with a note on the tonic.

With the plan off only the end of the piece is enforced.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.domains.melody import vocab
from workbench.domains.melody.shape import phrase_end_holds

PHRASE_BARS = 4
ANSWER_BARS = 2     # how much of the question an answering phrase repeats
MIN_HOLD = 4        # sixteenths: a quarter note


def beat_sixteenths(beats_per_bar: int, beat_unit: int) -> int:
    """The felt beat: a dotted quarter in compound metres (6/8, 9/8, 12/8), else the written unit."""
    if beat_unit == 8 and beats_per_bar % 3 == 0 and beats_per_bar > 3:
        return 6
    return max(1, 16 // beat_unit)


@dataclass
class Rules:
    durations: np.ndarray   # [n, N_DURATIONS] bool: durations (1..16 sixteenths) allowed now
    note: np.ndarray        # [n] bool: must be a note, not a rest
    tonic: np.ndarray       # [n] bool: must be a tonic pitch
    forced: np.ndarray      # [n, 2] int: the (pitch, duration) tokens to take, or -1


def hold_share(support) -> float:
    """How often the support holds a note at a 4-bar phrase end (add-one smoothed, so one tune's
    two phrase ends give 0.25, 0.5 or 0.75)."""
    flags = [flag for melody in support for flag in phrase_end_holds(melody)]
    return (sum(flags) + 1) / (len(flags) + 2)


class PhrasePlan:
    def __init__(self, begin: int, end: int, bar: int, beat: int, enabled: bool = True,
                 hold_share: float = 1.0, seed: int = 0):
        self.begin, self.end, self.bar, self.enabled = begin, end, bar, enabled
        self.hold = max(MIN_HOLD, beat)
        self.phrase = PHRASE_BARS * bar
        self.last_downbeat = max(begin, end - bar)
        self.queues: dict[int, list[tuple[int, int]]] = {}
        self.hold_share = hold_share
        self._rng = np.random.default_rng(seed)
        self._held: dict[tuple[int, int], bool] = {}

    def _holds(self, i: int, phrase_end: int) -> bool:
        """Does melody i hold a note at this phrase end? The piece's end always; others drawn once."""
        if phrase_end >= self.end:
            return True
        if (i, phrase_end) not in self._held:
            self._held[(i, phrase_end)] = bool(self._rng.random() < self.hold_share)
        return self._held[(i, phrase_end)]

    def _held_end(self, i: int, cursor: int) -> int:
        """The first phrase end after `cursor` that melody i holds (at the latest the piece's end)."""
        index = (cursor - self.begin) // self.phrase
        while True:
            phrase_end = min(self.begin + (index + 1) * self.phrase, self.end)
            if self._holds(i, phrase_end):
                return phrase_end
            index += 1

    def ends_phrase(self, i: int, bar_start: int) -> bool:
        """Is the bar starting here the last bar of a phrase that melody i closes with a held note?"""
        following = bar_start + self.bar
        return self.enabled and bar_start >= self.begin and (
            (following - self.begin) % self.phrase == 0 or following >= self.end) and self._holds(i, following)

    def rules(self, cursors: list[int], history: list[list[tuple[int, int, int]]]) -> Rules:
        """What sample i may do at cursor i (16ths); history[i] holds its (onset, pitch, duration) events."""
        n = len(cursors)
        lengths = np.arange(1, vocab.N_DURATIONS + 1)
        rules = Rules(np.ones((n, vocab.N_DURATIONS), bool), np.zeros(n, bool), np.zeros(n, bool),
                      np.full((n, 2), -1, np.int64))
        for i, cursor in enumerate(cursors):
            if cursor >= self.end:
                continue
            if not self.enabled:
                rules.durations[i] = lengths <= self.end - cursor
                continue
            if cursor < self.begin:  # finishing the bar a continued melody stopped in
                rules.durations[i] = lengths <= self.begin - cursor
                continue
            self._answer(i, cursor, history[i])
            if self.queues.get(i):
                rules.forced[i] = self.queues[i].pop(0)
                continue
            phrase_end = self._held_end(i, cursor)
            if cursor < self.last_downbeat < phrase_end:
                rules.durations[i] = lengths <= self.last_downbeat - cursor
            else:
                left = phrase_end - cursor
                if left <= self.hold or left < MIN_HOLD:   # the phrase's last note fills its end
                    rules.durations[i] = lengths == min(left, vocab.N_DURATIONS)
                    rules.note[i] = True
                else:   # leave either nothing or at least a quarter before the phrase end
                    gap = left - lengths
                    rules.durations[i] = (gap == 0) | (gap >= MIN_HOLD)
            if cursor == self.last_downbeat:
                rules.tonic[i] = rules.note[i] = True
            if not rules.durations[i].any():
                rules.durations[i, 0] = True
        return rules

    def _answer(self, i: int, cursor: int, events: list[tuple[int, int, int]]) -> None:
        """At the start of an answering phrase, queue the opening bars of the phrase before it."""
        offset = cursor - self.begin
        if offset % self.phrase or (offset // self.phrase) % 2 == 0:
            return
        if cursor + ANSWER_BARS * self.bar > self.last_downbeat:
            return
        source = cursor - self.phrase
        span = ANSWER_BARS * self.bar
        queue = [(pitch, duration) for onset, pitch, duration in events
                 if source <= onset and onset + duration + 1 <= source + span]
        if queue:
            self.queues[i] = queue
