"""SVG export: the ink's outlines as closed vector paths."""

from __future__ import annotations

import re

import numpy as np

from workbench.domains.sketch import api
from workbench.domains.sketch.svg import outlines, svg_document


def _ring() -> np.ndarray:
    ink = np.zeros((32, 32), np.float32)
    ink[8:24, 8:24] = 1.0
    ink[13:19, 13:19] = 0.0            # a hole
    return ink


def test_a_ring_gives_an_outer_and_an_inner_outline_around_the_ink():
    loops = outlines(_ring())
    assert len(loops) == 2
    outer, inner = sorted(loops, key=lambda p: -np.ptp(p[:, 0]))
    assert 7.0 < outer[:, 0].min() < 9.0 and 23.0 < outer[:, 0].max() < 25.0     # along the ink's edge
    assert 12.0 < inner[:, 0].min() < 14.0 and 18.0 < inner[:, 0].max() < 20.0
    assert outlines(np.zeros((32, 32), np.float32)) == []


def test_the_svg_is_filled_even_odd_and_says_what_made_it(tmp_path):
    document = svg_document(_ring(), text={"Model": "sketch-ink <test> & co"})
    assert document.startswith("<svg") and 'viewBox="0 0 32 32"' in document
    assert 'fill-rule="evenodd"' in document and len(re.findall(r"M[\d.]+ [\d.]+", document)) == 2
    assert "sketch-ink &lt;test&gt; &amp; co" in document
    path = api.save_svg(_ring(), tmp_path / "ring.svg")
    assert path.read_text(encoding="utf-8") == svg_document(_ring())
