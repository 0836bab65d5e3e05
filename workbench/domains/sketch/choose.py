"""Which example Complete starts from, when the user gave several.

The example it starts from is what it draws (docs/sketch.md), and the
choice matters: on validation the best of three to five examples would
score 0.07-0.13 F1 above the one whose ink lies nearest the partial's. No
single measure picks it reliably (each tried alone won or lost 0.01-0.03
from draw to draw), so the choice is a linear score of five, with weights
fitted on built-in *training* glyph tasks (`python -m
workbench.devtools.fit_chooser`, which prints MEAN, SCALE and WEIGHTS
below as JSON) to rank, of two examples, the one whose paste completes the
drawing better:

- cost: the mean capped distance from the partial's ink to the example's,
  at the best single shift (align.py; lower fits better);
- residual: the same per piece of the partial, at each piece's own shift;
- overlap: how far the bent example's ink near the partial (within 2 px)
  lies from the partial's ink: thick or doubled strokes lie farther;
- typical: the mean F1 of the example's paste scored against each other
  bent example's as if it were the truth: a drawing like the others is a
  safer guess than an odd one;
- ink: the log of its ink over the examples' median: a heavy hand's thick
  ink lies near more of the partial without fitting it better.
"""

from __future__ import annotations

import numpy as np

from workbench.domains.sketch import metrics

FEATURES = ("cost", "residual", "overlap", "typical", "ink")
# `python -m workbench.devtools.fit_chooser` (600 tasks, 3597 pairs; it ranks 69 % of them right, the
# cost alone 65 %)
MEAN = (0.6784, 0.4353, 0.351, 0.6411, -0.011)
SCALE = (0.3694, 0.2801, 0.1319, 0.1322, 0.2052)
WEIGHTS = (-0.5696, -0.1829, -0.2428, 0.5987, -0.1598)


def overlap(bent: np.ndarray, partial_distance: np.ndarray) -> float:
    """Mean distance (capped, [S, S] map `partial_distance`) from the bent example's ink within 2 px
    of the partial to the partial's ink; 2 where none is that near."""
    near = (bent > metrics.INK) & (partial_distance < 2.0)
    return float(partial_distance[near].mean()) if near.any() else 2.0


def measures(bent: np.ndarray, partial: np.ndarray, partial_distance: np.ndarray, costs, residuals) -> np.ndarray:
    """[K, len(FEATURES)]: the module doc's measures of each bent example [K, S, S]."""
    k = len(bent)
    pasted = [np.maximum(partial, b) for b in bent]
    typical = np.zeros(k)
    if k > 1:
        for i in range(k):
            typical[i] = np.mean([metrics.f1(*metrics.completion_scores(pasted[i], partial, pasted[j]))
                                  for j in range(k) if j != i])
    inks = np.array([max(float((b > metrics.INK).sum()), 1.0) for b in bent])
    return np.stack([np.asarray(costs, float), np.asarray(residuals, float),
                     [overlap(b, partial_distance) for b in bent], typical, np.log(inks / np.median(inks))], 1)


def ranked(values: np.ndarray) -> list[int]:
    """Indices of the examples, the one to start from first: by the fitted score of `values`
    [K, len(FEATURES)] (measures); ties keep the given order."""
    score = ((values - np.asarray(MEAN)) / np.asarray(SCALE)) @ np.asarray(WEIGHTS)
    return [int(i) for i in np.argsort(-score, kind="stable")]
