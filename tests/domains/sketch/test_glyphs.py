"""The built-in glyph generator: deterministic, varied, framed like user images."""

from __future__ import annotations

import numpy as np

from workbench.domains.drawings.glyphs import GlyphSet, render_glyphs


def test_same_seed_same_pixels():
    a = render_glyphs([0, 7, 123456789], [0, 3], seed=5)
    b = render_glyphs([0, 7, 123456789], [0, 3], seed=5)
    assert a.shape == (3, 2, 28, 28) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)


def test_seeds_splits_classes_and_instances_differ():
    base = render_glyphs([1], [0], seed=0)[0, 0]
    assert np.abs(render_glyphs([1], [0], seed=1)[0, 0] - base).sum() > 1.0
    assert np.abs(render_glyphs([1], [0], seed=0, split="test")[0, 0] - base).sum() > 1.0
    assert np.abs(render_glyphs([2], [0], seed=0)[0, 0] - base).sum() > 1.0
    assert np.abs(render_glyphs([1], [1], seed=0)[0, 0] - base).sum() > 1.0


def test_instances_of_a_class_are_closer_than_other_classes():
    images = render_glyphs(range(12), range(4), size=28).reshape(12, 4, -1)
    within = np.mean([np.abs(images[c, 0] - images[c, i]).mean() for c in range(12) for i in range(1, 4)])
    between = np.mean([np.abs(images[c, 0] - images[(c + 1) % 12, 0]).mean() for c in range(12)])
    assert within < 0.75 * between


def test_framed_ink_in_unit_range_with_margin():
    images = render_glyphs(range(20), [0], size=32)
    assert images.shape == (20, 1, 32, 32)
    assert images.min() >= 0.0 and np.allclose(images.max(axis=(1, 2, 3)), 1.0)
    assert images[..., 0, :].max() < 0.2 and images[..., :, -1].max() < 0.2


def test_glyph_set_cache_returns_the_same_drawings():
    glyphs = GlyphSet(seed=3, split="val", size=28)
    first = glyphs.images(4, [0, 1, 2])
    again = glyphs.images(4, [2, 1, 0])
    np.testing.assert_array_equal(first[::-1], again)
    np.testing.assert_array_equal(first, render_glyphs([4], [0, 1, 2], seed=3, split="val")[0])
