"""The evaluation's measures and baselines on hand-made drawings."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from workbench.domains.sketch import baselines, metrics, tune


def _bar(x0=10, x1=14, y0=5, y1=25, size=32):
    a = np.zeros((size, size), dtype=np.float32)
    a[y0:y1, x0:x1] = 1.0
    return a


def test_mid_grey_faint_and_near_copies():
    crisp, grey = _bar(), _bar() * 0.5
    assert metrics.mid_grey_share(crisp[None]) == 0.0 and metrics.mid_grey_share(grey[None]) == 1.0
    small = _bar(y1=7)
    assert metrics.faint_share(np.stack([crisp, small]), crisp[None]) == 0.5
    shifted = _bar(x0=20, x1=24)                  # the same bar elsewhere: a copy after centring
    other = np.zeros_like(crisp)
    other[14:18, 2:30] = 1.0                      # a horizontal bar
    assert metrics.near_copy_share(np.stack([shifted, other]), crisp[None]) == 0.5
    assert metrics.nearest_iou(np.stack([shifted, other]), np.stack([other, crisp])).tolist() == [1.0, 1.0]
    assert metrics.nearest_iou(np.stack([np.zeros_like(crisp)]), crisp[None]).tolist() == [0.0]


def test_chamfer_and_completion_scores():
    a = _bar()
    assert metrics.chamfer(a, a) == 0.0
    assert abs(metrics.chamfer(a, _bar(x0=13, x1=17)) - 1.5) < 0.6
    truth = _bar()
    partial = _bar(y1=10)
    recall, precision = metrics.completion_scores(truth, partial, truth)
    assert recall == 1.0 and precision == 1.0
    recall, precision = metrics.completion_scores(np.maximum(partial, _bar(x0=25, x1=28)), partial, truth)
    assert recall == 0.0 and precision == 0.0
    assert metrics.completion_scores(partial, partial, truth) == (0.0, 0.0)
    # thickening the partial's own strokes adds nothing: it neither finds missing ink nor counts as right
    thick = np.maximum(partial, _bar(x0=9, x1=15, y1=10))
    assert metrics.completion_scores(thick, partial, truth) == (0.0, 0.0)
    recall, precision = metrics.completion_scores(np.maximum(thick, _bar(x0=25, x1=28)), partial, truth)
    assert recall == 0.0 and precision == 0.0


def test_example_reliance_tells_a_pasted_example_from_ink_of_its_own():
    truth = _bar()                                   # a vertical bar, rows 4-24
    partial = _bar(y1=10)
    example = _bar(x0=22, x1=26)                     # the same bar, drawn 10 px to the right
    pasted = np.maximum(partial, example)
    assert metrics.example_reliance(pasted, partial, truth, example[None]) == (1.0, 0.0)
    own = truth                                      # the truth's own continuation, away from the example
    assert metrics.example_reliance(own, partial, truth, example[None]) == (0.0, 1.0)
    assert metrics.example_reliance(partial, partial, truth, example[None]) == (0.0, 0.0)


def test_intervals_say_how_sure_a_mean_and_a_paired_difference_are():
    assert metrics.ci95([0.7]) == 0.0 and metrics.ci95([0.5, 0.5, 0.5]) == 0.0
    spread = metrics.ci95([0.0, 1.0] * 8)
    assert abs(spread - 1.96 * np.std([0.0, 1.0] * 8, ddof=1) / 4) < 1e-12
    assert metrics.ci95([0.0, 1.0] * 32) < spread                       # more tasks, a narrower interval
    # two rows that differ a lot per task but by a constant: the paired difference is exact
    row, baseline = [0.9, 0.2, 0.6, 0.4], [0.8, 0.1, 0.5, 0.3]
    assert metrics.paired(row, baseline) == {"difference": pytest.approx(0.1), "ci95": pytest.approx(0.0, abs=1e-12)}
    assert metrics.f1(0.5, 0.5) == 0.5 and metrics.f1(0.0, 0.0) == 0.0


def test_baselines_shapes_and_behaviour():
    support = np.stack([_bar(), _bar(x0=5, x1=9)])
    jittered = baselines.jitter(support, 5, torch.Generator().manual_seed(0))
    assert jittered.shape == (5, 32, 32) and jittered.max() > 0.5
    pool = np.stack([_bar(x0=20, x1=24), _bar(x0=10, x1=14, y0=6), np.eye(32, dtype=np.float32)])
    assert np.array_equal(baselines.nearest(support[:1], pool, 1)[0], pool[1])
    half = _bar(x0=4, x1=8)
    assert baselines.mirror(half)[:, 24:28].max() == 1.0
    filled = baselines.nearest_fill(_bar(y1=10), pool)
    assert np.array_equal(filled, np.maximum(_bar(y1=10), pool[1]))
    assert baselines.covering(_bar(y1=10), pool, 2).tolist()[0] == 1     # best cover first


def test_tune_picks_the_lowest_loss_with_fewest_steps_among_ties():
    table = [{"inner_lr": 0.1, "steps": 0, "query_loss": 0.1},
             {"inner_lr": 0.1, "steps": 3, "query_loss": 0.5},
             {"inner_lr": 0.3, "steps": 5, "query_loss": 0.4},
             {"inner_lr": 1.0, "steps": 1, "query_loss": 0.4002}]
    assert tune.best(table) == table[3]
