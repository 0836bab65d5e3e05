"""pen_width.py: the partial's pen width, and an example redrawn with it."""

import numpy as np

from workbench.domains.sketch import pen_width

SIZE = 64


def _strokes(width: int) -> np.ndarray:
    """An L of two strokes `width` px wide."""
    page = np.zeros((SIZE, SIZE), np.float32)
    page[10:50, 20:20 + width] = 1.0
    page[50 - width:50, 20:50] = 1.0
    return page


def test_a_wider_pen_measures_wider_and_short_strokes_do_not_inflate_it():
    thin, thick = pen_width.radius(_strokes(2)), pen_width.radius(_strokes(6))
    assert thick > thin + 2.5                          # 4 px wider is 8 upscaled px of diameter
    stub = np.zeros((SIZE, SIZE), np.float32)
    stub[10:24, 20:26] = 1.0                           # a short piece of the thick pen
    assert abs(pen_width.radius(stub) - thick) < 1.0
    assert pen_width.radius(np.zeros((SIZE, SIZE), np.float32)) is None


def test_redrawn_with_its_own_pen_a_drawing_keeps_its_ink():
    drawing = _strokes(4)
    again = pen_width.redrawn(drawing, pen_width.radius(drawing))
    overlap = (again > 0.5) & (drawing > 0.5)
    assert overlap.sum() / ((again > 0.5) | (drawing > 0.5)).sum() > 0.8
    assert again.dtype == drawing.dtype and set(np.unique(again)) <= {0.0, 1.0}


def test_a_thick_drawing_redrawn_with_a_thin_pen_keeps_its_centre_lines():
    thick, thin = _strokes(6), _strokes(2)
    redrawn = pen_width.redrawn(thick, pen_width.radius(thin))
    assert abs(int(redrawn.sum()) - int(thin.sum())) < 0.35 * thin.sum()   # about the thin pen's ink
    assert redrawn.sum() < 0.6 * thick.sum()
    assert redrawn[30, 22:24].all() and redrawn[47, 35]                       # on the strokes' middles
    assert not redrawn[30, 20] and not redrawn[30, 25]                        # not at the thick edges


def test_a_drawing_without_ink_comes_back_as_it_was():
    page = np.zeros((SIZE, SIZE), np.float32)
    assert not pen_width.redrawn(page, 3.0).any()


def test_ink_up_to_the_edge_is_measured_and_redrawn():
    full = np.ones((SIZE, SIZE), np.float32)            # a page of ink: the measure ends
    assert pen_width.in_pen_of(_strokes(6), full).shape == (SIZE, SIZE)
    edge = np.zeros((SIZE, SIZE), np.float32)
    edge[:, :3] = 1.0                                   # a 3-px stroke along the left edge
    assert pen_width.radius(edge) < pen_width.radius(_strokes(6))
