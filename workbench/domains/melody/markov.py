"""The baseline a reviewer names first for few-shot melody: a second-order Markov chain over
(pitch, duration) events, fitted on the support and backed off to counts from the training
corpus. numpy only.

Events are the model's (vocab.py): one token per note or rest, pitch token x 16 + duration token.
Probabilities are interpolated, each level backing off to the next:

  P(x | a, b) = (S(a, b, x) + alpha * Q(x | b)) / (S(a, b) + alpha)        support trigrams
  Q(x | b)    = (S(b, x) + alpha * C(x | a, b)) / (S(b) + alpha)          support bigrams
  C(x | a, b) = (N(a, b, x) + beta * C(x | b)) / (N(a, b) + beta)         corpus trigrams
  C(x | b)    = (N(b, x) + beta * C(x)) / (N(b) + beta)                   corpus bigrams
  C(x)        = (N(x) + 1) / (N + V)                                       corpus unigrams, add-one

S counts the support, N the corpus in every key (each training segment transposed by -5..+6
semitones, as the tasks are), so corpus knowledge does not depend on the key of the query;
alpha and beta are chosen on validation tasks.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from workbench.domains.melody import vocab

VOCAB = vocab.N_PITCH_TOKENS * vocab.N_DURATIONS
START = -1
KEY_SHIFTS = range(-5, 7)


def tokens(segment: np.ndarray, shift: int = 0) -> list[int]:
    valid = segment[segment[:, vocab.VALID] == 1]
    pitch = valid[:, vocab.PITCH]
    if shift:
        moved = pitch + shift
        moved = np.where(moved > vocab.N_PITCHED, moved - 12, np.where(moved < 1, moved + 12, moved))
        pitch = np.where(pitch > 0, moved, pitch)
    return (pitch * vocab.N_DURATIONS + valid[:, vocab.DURATION]).tolist()


class Counts:
    def __init__(self, sequences):
        self.uni: Counter = Counter()
        self.bi: dict[int, Counter] = defaultdict(Counter)
        self.tri: dict[tuple[int, int], Counter] = defaultdict(Counter)
        for seq in sequences:
            a = b = START
            for x in seq:
                self.uni[x] += 1
                self.bi[b][x] += 1
                self.tri[(a, b)][x] += 1
                a, b = b, x
        self.total = sum(self.uni.values())
        self.bi_totals = {k: sum(c.values()) for k, c in self.bi.items()}
        self.tri_totals = {k: sum(c.values()) for k, c in self.tri.items()}


class MarkovBaseline:
    def __init__(self, corpus_segments, alpha: float = 1.0, beta: float = 1.0):
        self.corpus = Counts(tokens(s, shift) for s in corpus_segments for shift in KEY_SHIFTS)
        self.alpha, self.beta = alpha, beta

    def with_smoothing(self, alpha: float, beta: float) -> "MarkovBaseline":
        other = object.__new__(MarkovBaseline)
        other.corpus, other.alpha, other.beta = self.corpus, alpha, beta
        return other

    def _corpus(self, x: int, a: int, b: int) -> float:
        c, beta = self.corpus, self.beta
        unigram = (c.uni.get(x, 0) + 1) / (c.total + VOCAB)
        bigram = (c.bi[b].get(x, 0) + beta * unigram) / (c.bi_totals.get(b, 0) + beta) if b in c.bi else unigram
        if (a, b) not in c.tri:
            return bigram
        return (c.tri[(a, b)].get(x, 0) + beta * bigram) / (c.tri_totals[(a, b)] + beta)

    def nll(self, support_segments, query_segments) -> tuple[float, int]:
        """(summed NLL in nats, number of events) of the query under the chain fitted on the support."""
        s = Counts(tokens(seg) for seg in support_segments)
        alpha, total, count = self.alpha, 0.0, 0
        for segment in query_segments:
            a = b = START
            for x in tokens(segment):
                corpus = self._corpus(x, a, b)
                bigram = (s.bi[b].get(x, 0) + alpha * corpus) / (s.bi_totals.get(b, 0) + alpha) if b in s.bi else corpus
                trigram = ((s.tri[(a, b)].get(x, 0) + alpha * bigram) / (s.tri_totals[(a, b)] + alpha)
                           if (a, b) in s.tri else bigram)
                total -= float(np.log(trigram))
                count += 1
                a, b = b, x
        return total, count
