"""Drawings traced to pen strokes (centre lines and a pen width) and the stroke SVG."""

from __future__ import annotations

import numpy as np

from workbench.domains.drawings.glyphs import render_glyphs
from workbench.domains.sketch import metrics, trace
from workbench.domains.sketch.svg import stroke_document


def _ink(size=64):
    return np.zeros((size, size), np.float32)


def test_a_thick_bar_is_one_stroke_along_its_middle_with_its_width():
    ink = _ink()
    ink[30:34, 10:54] = 1.0                      # 4 px thick, 44 long
    paths, width = trace.strokes(ink)
    assert len(paths) == 1 and len(paths[0]) == 2                # a straight line needs two points
    (x0, y0), (x1, y1) = sorted(paths[0].tolist())
    assert abs(y0 - 32) < 0.6 and abs(y1 - 32) < 0.6 and x0 < 13 and x1 > 51
    assert 3.0 < width < 5.0


def test_a_plus_is_two_strokes_through_its_crossing_and_a_ring_closes():
    plus = _ink()
    plus[30:34, 12:52] = 1.0
    plus[12:52, 30:34] = 1.0
    paths, _ = trace.strokes(plus)
    assert len(paths) == 2                       # the arms that run straight on are joined
    spans = sorted(np.ptp(p, axis=0).tolist() for p in paths)
    assert spans[0][0] < 1.5 < 30 < spans[0][1] and spans[1][1] < 1.5 < 30 < spans[1][0]   # one upright, one across
    for path in paths:                           # both through the middle
        a, b = path[:-1], path[1:]
        t = np.clip(((32 - a) * (b - a)).sum(1) / ((b - a) ** 2).sum(1), 0, 1)[:, None]
        assert np.hypot(*(a + t * (b - a) - 32).T).min() < 1.5
    corner = _ink()
    corner[10:40, 10:14] = 1.0
    corner[36:40, 10:50] = 1.0
    assert len(trace.strokes(corner)[0]) == 1    # an L is one stroke with a bend
    yy, xx = np.mgrid[0:64, 0:64]
    ring = ((np.hypot(yy - 32, xx - 32) < 20) & (np.hypot(yy - 32, xx - 32) > 16)).astype(np.float32)
    paths, width = trace.strokes(ring)
    assert len(paths) == 1 and np.allclose(paths[0][0], paths[0][-1])   # one closed loop
    assert np.abs(np.hypot(*(paths[0] - 32).T) - 18).max() < 1.0
    assert trace.strokes(_ink()) == ([], 0.0)


def test_built_in_glyphs_drawn_back_from_their_strokes_lie_on_the_drawing():
    for glyph in render_glyphs(range(8), [0], seed=0, split="test", size=64)[:, 0]:
        paths, width = trace.strokes(glyph)
        back = trace.render(paths, width, 64)
        assert metrics.chamfer(back, glyph) < 0.6 and metrics.iou(back > 0.5, glyph > 0.5) > 0.55


def test_the_stroke_svg_draws_open_paths_with_a_round_pen():
    ink = _ink()
    ink[30:34, 10:54] = 1.0
    document = stroke_document(ink, text={"Model": "m"})
    assert document.startswith("<svg") and 'viewBox="0 0 64 64"' in document and "Model: m" in document
    assert 'fill="none" stroke="black"' in document and "stroke-width=\"" in document and " Z" not in document
    assert "<path" not in stroke_document(_ink())
