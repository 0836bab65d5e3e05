"""Fidelity and novelty of each Vary result, as the studio shows them (torch).

- fidelity: how surely the judge (the shipped 20-way ProtoNet sketch-classify,
  trained on built-in glyph classes of the training split) puts the drawing in
  the support's class rather than in the 19 built-in glyph classes most like
  the support (of DISTRACTOR_POOL): the softmax probability of the support's
  prototype, as in the evaluation's 20-way test (which uses a judge trained
  on Omniglot instead). Against 19 fixed classes most drawings scored 1.00
  (60-90 % of Vary's candidates at 0.995 or more on validation tasks): the
  classes nearest the support are the ones a drawing can be mistaken for.
- novelty: 1 - the largest IoU with a support drawing after centring (0 = a
  copy of one, 1 = no overlap); the evaluation counts IoU >= 0.6 a near-copy.

Vary uses both, and among equal fidelities the distance behind them, to choose which of its
candidates to keep (select_variations); Invent keeps those the judge finds farthest from any one
support character (select_inventions).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from workbench.domains.sketch import metrics

DISTRACTORS = 19
# Built-in glyph classes the distractors are chosen from: training-split classes (one drawing
# each), so no evaluation or validation class is ever its own distractor.
DISTRACTOR_POOL = 200


@lru_cache(maxsize=2)
def _distractor_pool(judge) -> torch.Tensor:
    """The judge's embeddings [DISTRACTOR_POOL, D] of the distractor classes (0.2 s once per judge)."""
    from workbench.domains.drawings.glyphs import render_glyphs
    from workbench.domains.sketch.evaluate import JUDGE_SIZE

    drawings = render_glyphs(range(DISTRACTOR_POOL), [0], seed=0, split="train", size=JUDGE_SIZE)[:, 0]
    with torch.no_grad():
        return _judged(drawings, judge)


def prepare() -> None:
    """The shipped judge and its distractor pool, loaded and embedded now rather than at the first score."""
    from workbench.domains.sketch.generate import load_learner

    _distractor_pool(load_learner("classify"))


def select_variations(support: list[np.ndarray], samples: list[np.ndarray], n: int) -> list[int]:
    """Indices of the n samples to keep, in the order drawn: those that are not near-copies of a
    support drawing first, the judge's surest among them (fidelity to the 0.01 the studio shows),
    and among equally sure ones the nearest to the support's prototype in the judge's embedding;
    near-copies only to make up n."""
    fidelity, distance, novelty = _scored(support, samples)
    copy = 1.0 - metrics.NEAR_COPY_IOU
    best = sorted(range(len(samples)),
                  key=lambda i: (novelty[i] <= copy, -round(float(fidelity[i]), 2), float(distance[i])))
    return sorted(best[:n])


def select_inventions(support: list[np.ndarray], samples: list[np.ndarray], n: int) -> list[int]:
    """Indices of the n samples to keep, in the order drawn: by the judge, those farthest from
    every single support character for their distance to the support's mean (the writing
    system): new characters in its hand rather than variants of one of its characters."""
    support_arr, sample_arr = _framed(support, samples)
    with torch.no_grad():
        characters, drawn = _judged(support_arr), _judged(sample_arr)
        apart = torch.cdist(drawn, characters).pow(2).min(1).values - (drawn - characters.mean(0)).pow(2).sum(1)
    return sorted(apart.argsort(descending=True)[:n].tolist())


def _framed(support: list[np.ndarray], samples: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(support [K, S, S] framed as the model sees them, samples [N, S, S]) at the samples' size."""
    from workbench.domains.sketch.generate import model_input

    sample_arr = np.stack(samples)
    size = sample_arr.shape[-1]
    return np.stack([model_input(d, size, f"support drawing {i + 1}", crop=True)
                     for i, d in enumerate(support)]), sample_arr


def _judged(drawings: np.ndarray, judge=None) -> torch.Tensor:
    """The studio judge's (the shipped sketch-classify's) embedding of drawings."""
    from workbench.domains.sketch.evaluate import _embed
    from workbench.domains.sketch.generate import load_learner

    return _embed(judge or load_learner("classify"), drawings)


def score_variations(support: list[np.ndarray], samples: list[np.ndarray], judge=None) -> list[dict]:
    """[{"fidelity": 0..1, "novelty": 0..1}] per sample."""
    fidelity, _distance, novelty = _scored(support, samples, judge)
    return [{"fidelity": float(f), "novelty": float(n)} for f, n in zip(fidelity, novelty)]


def _scored(support: list[np.ndarray], samples: list[np.ndarray], judge=None):
    """(fidelity [N], squared distance to the support's prototype [N], novelty [N]) per sample."""
    from workbench.domains.sketch.generate import load_learner

    judge = judge or load_learner("classify")
    support_arr, sample_arr = _framed(support, samples)
    with torch.no_grad():
        prototype = _judged(support_arr, judge).mean(0, keepdim=True)
        pool = _distractor_pool(judge)
        nearest = pool[torch.cdist(prototype, pool)[0].argsort()[:DISTRACTORS]]
        distances = torch.cdist(_judged(sample_arr, judge), torch.cat([prototype, nearest])).pow(2)
        fidelity = torch.softmax(-distances, dim=1)[:, 0]
    novelty = list(1.0 - metrics.nearest_iou(sample_arr, support_arr))
    return fidelity, distances[:, 0], novelty
