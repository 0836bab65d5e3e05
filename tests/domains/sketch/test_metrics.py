"""The evaluation's measures and baselines on hand-made drawings."""

from __future__ import annotations

import numpy as np
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
