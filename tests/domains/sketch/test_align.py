"""align.py: the examples bent toward the user's strokes, for Complete."""

import numpy as np

from workbench.domains.sketch import align, baselines

SIZE = 64


def _page() -> np.ndarray:
    return np.zeros((SIZE, SIZE), np.float32)


def test_the_shift_is_the_one_that_lays_the_example_on_the_partial():
    example = _page()
    example[10:50, 20] = 1.0                          # a long vertical stroke
    example[30, 20:45] = 1.0                          # and a bar to its right
    partial = _page()
    partial[12:30, 23] = 1.0                          # the person drew the stroke 3 px further right
    (dy, dx), cost = align.best_shift(partial, example)
    assert dx == 3 and abs(dy) <= 1
    assert cost < 0.5                                  # it then lies on the example's ink


def test_a_partial_that_fits_where_it_is_leaves_the_example_in_place():
    example = _page()
    example[10:50, 20] = 1.0
    partial = _page()
    partial[12:30, 20] = 1.0                          # on the stroke, and a shift along it fits as well
    assert align.best_shift(partial, example)[0] == (0, 0)


def test_the_pull_fades_away_from_the_partial():
    example = _page()
    example[5:60, 20] = 1.0
    partial = _page()
    partial[5:15, 23] = 1.0                          # the top of the stroke, 3 px right
    bent = align.bend(example, partial)
    assert bent[8, 23] == 1.0 and bent[8, 20] == 0.0  # at the partial: moved onto it
    assert bent[58, 20] == 1.0                        # 45 px away: where it was
    assert bent.sum() >= 0.9 * example.sum()          # the stroke stays whole (no holes from the move)
    rows = [int(np.flatnonzero(bent[y])[0]) for y in range(5, 60)]
    assert all(abs(a - b) <= 1 for a, b in zip(rows, rows[1:]))   # and unbroken


def test_fitted_bends_every_example_and_ranks_them_by_fit():
    partial = _page()
    partial[20:40, 30] = 1.0
    near, far = _page(), _page()
    near[15:50, 31] = 1.0                             # 1 px off
    far[15:50, 50] = 1.0                              # 20 px off: out of reach
    bent, order = align.fitted(np.stack([far, near]), partial)
    assert order == [1, 0]
    assert bent[1, 30, 30] == 1.0                     # the near one laid on the partial
    assert np.array_equal(bent[0], far)               # nothing within reach fits: left where it was
    filled = baselines.bent_fill(partial, np.stack([far, near]))
    assert filled[45, 30] == 1.0 and filled[45, 50] == 0.0


def test_an_empty_partial_or_example_moves_nothing():
    example = _page()
    example[10:20, 10] = 1.0
    assert align.best_shift(_page(), example)[0] == (0, 0)
    assert align.best_shift(example, _page())[0] == (0, 0)
    assert np.array_equal(align.bend(example, _page()), example)
    assert np.array_equal(align.bend(_page(), example), _page())


def test_each_piece_of_the_partial_pulls_the_example_its_own_way():
    example = _page()
    example[10:45, 15] = 1.0                          # two strokes 30 px apart
    example[10:45, 45] = 1.0
    partial = _page()
    partial[10:40, 17] = 1.0                          # the person drew them 4 px nearer each other
    partial[10:40, 43] = 1.0
    bent = align.bend(example, partial)
    assert bent[25, 17] == 1.0 and bent[25, 43] == 1.0    # each laid on its own stroke: no one shift does that
    assert bent[25, 15] == 0.0 and bent[25, 45] == 0.0
