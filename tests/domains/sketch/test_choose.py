"""choose.py: which example Complete starts from."""

import json

import numpy as np
import pytest

from workbench.domains.sketch import align, choose

SIZE = 64


def _page() -> np.ndarray:
    return np.zeros((SIZE, SIZE), np.float32)


def _cross(dx: int = 0, width: int = 1) -> np.ndarray:
    page = _page()
    page[10:50, 30 + dx:30 + dx + width] = 1.0
    page[30:30 + width, 12 + dx:48 + dx] = 1.0
    return page


def test_the_example_that_lies_on_the_partial_comes_first():
    partial = _page()
    partial[12:28, 30] = 1.0                                   # the top of the cross's upright
    bar = _page()
    bar[30, 5:60] = 1.0                                         # a bar alone: nowhere near the partial
    bent, order = align.fitted(np.stack([bar, _cross()]), partial)
    assert order == [1, 0]
    assert bent.shape == (2, SIZE, SIZE)


def test_an_odd_one_out_loses_to_examples_like_the_others():
    partial = _page()
    partial[12:28, 30] = 1.0
    odd = _page()
    odd[10:50, 30] = 1.0                                        # the upright, its bar at the foot: another shape
    odd[45:50, 5:60] = 1.0
    examples = np.stack([odd, _cross(), _cross()])
    bent, values = align.measured(examples, partial)
    assert values.shape == (3, len(choose.FEATURES))
    assert values[0, choose.FEATURES.index("typical")] < values[1, choose.FEATURES.index("typical")]
    assert choose.ranked(values)[-1] == 0


def test_an_example_without_ink_comes_last():
    partial = _page()
    partial[12:28, 30] = 1.0
    bent, order = align.fitted(np.stack([_page(), _cross()]), partial)
    assert order == [1, 0] and not bent[0].any()


def test_a_heavy_hand_does_not_win_by_its_weight_alone():
    partial = _page()
    partial[12:28, 31] = 1.0                                    # drawn with a thin pen on the upright
    thin, heavy = _cross(width=1), _cross(width=5)              # the same cross, a thin and a heavy pen
    _, values = align.measured(np.stack([heavy, thin]), partial)
    ink = choose.FEATURES.index("ink")
    assert values[0, ink] > values[1, ink]
    cost = choose.FEATURES.index("cost")
    assert values[0, cost] < values[1, cost]                    # the heavy ink lies nearer the partial...
    assert choose.ranked(values)[0] == 1                        # ...yet the thin hand is chosen


@pytest.mark.slow  # 600 glyph tasks, about 15 s
def test_the_shipped_weights_are_what_the_documented_command_fits(capsys):
    from workbench.devtools import fit_chooser

    assert fit_chooser.main([]) == 0
    fitted = json.loads(capsys.readouterr().out)
    assert fitted["features"] == list(choose.FEATURES)
    for name in ("MEAN", "SCALE", "WEIGHTS"):
        assert np.allclose(fitted[name], getattr(choose, name), atol=2e-4), name
