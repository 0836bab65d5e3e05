"""Drawings as SVG: the ink's outlines traced to vector paths, sharp at any size, or its
pen strokes (centre lines, trace.py) for a plotter or a vector editor.

InkNet draws pixels, not pen strokes, so the outline SVG holds the outlines
of the ink, and the stroke SVG strokes recovered from it, not the model's
own. The outline is the 0.5 level of the same smooth upscaling PNG exports
use (api.smooth_upscale), traced by marching squares (Lorensen & Cline 1987)
and filled even-odd, so holes stay holes. numpy and PIL only.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

import numpy as np

TRACE_SCALE = 4   # the outline follows a 4x smooth upscaling: curves, not the pixel staircase
LEVEL = 0.5

# Marching-squares cases (corners above LEVEL: top-left 8, top-right 4, bottom-right 2, bottom-left 1)
# -> pairs of cell edges the outline crosses. 5 and 10 (saddles) depend on the cell's centre.
_SEGMENTS = {
    1: (("left", "bottom"),), 2: (("bottom", "right"),), 3: (("left", "right"),), 4: (("top", "right"),),
    6: (("top", "bottom"),), 7: (("left", "top"),), 8: (("left", "top"),), 9: (("top", "bottom"),),
    11: (("top", "right"),), 12: (("left", "right"),), 13: (("bottom", "right"),), 14: (("left", "bottom"),),
}
_SADDLES = {  # (centre inside, centre outside)
    5: ((("left", "top"), ("bottom", "right")), (("top", "right"), ("left", "bottom"))),
    10: ((("top", "right"), ("left", "bottom")), (("left", "top"), ("bottom", "right"))),
}


def outlines(ink: np.ndarray) -> list[np.ndarray]:
    """Closed outlines [n, 2] (x, y in the drawing's pixel units, 0..S) of ink [S, S] in [0, 1]."""
    from workbench.domains.sketch.api import smooth_upscale

    ink = np.clip(np.nan_to_num(np.asarray(ink, np.float32)), 0.0, 1.0)
    field = np.pad(smooth_upscale(ink, TRACE_SCALE), 1)          # paper all round: every outline closes
    inside = field > LEVEL
    case = (8 * inside[:-1, :-1] + 4 * inside[:-1, 1:] + 2 * inside[1:, 1:] + inside[1:, :-1]).astype(int)

    def point(edge: tuple) -> tuple[float, float]:
        kind, i, j = edge
        a = field[i, j]
        b = field[i, j + 1] if kind == "h" else field[i + 1, j]
        t = 0.5 if a == b else float(np.clip((LEVEL - a) / (b - a), 0.0, 1.0))
        x, y = (j + t, i) if kind == "h" else (j, i + t)
        # field pixel k sits at (k - 1 + 0.5) / TRACE_SCALE drawing pixels (the pad is one pixel)
        return (x - 0.5) / TRACE_SCALE, (y - 0.5) / TRACE_SCALE

    links: dict[tuple, list[tuple]] = {}
    for i, j in zip(*np.nonzero((case > 0) & (case < 15))):
        edges = {"top": ("h", i, j), "bottom": ("h", i + 1, j), "left": ("v", i, j), "right": ("v", i, j + 1)}
        c = case[i, j]
        if c in _SADDLES:
            centre = field[i:i + 2, j:j + 2].mean() > LEVEL
            pairs = _SADDLES[c][0 if centre else 1]
        else:
            pairs = _SEGMENTS[c]
        for a, b in pairs:
            links.setdefault(edges[a], []).append(edges[b])
            links.setdefault(edges[b], []).append(edges[a])

    loops = []
    while links:
        start = next(iter(links))
        loop, previous, current = [start], None, start
        while True:
            following = [e for e in links.pop(current, []) if e != previous] or [start]
            previous, current = current, following[0]
            if current == start or current not in links:
                break
            loop.append(current)
        if len(loop) >= 3:
            loops.append(np.array([point(e) for e in loop], dtype=np.float32))
    return loops


def svg_document(ink: np.ndarray, size: float = 512.0, text: dict[str, str] | None = None) -> str:
    """An SVG of the drawing: black ink outlines on white paper, `size` px wide by default;
    `text` (what made it) goes into its <desc>."""
    paths = " ".join(_path_data(loop) + " Z" for loop in outlines(ink))
    body = f'<path fill="black" fill-rule="evenodd" d="{paths}"/>\n' if paths else ""
    return _document(int(np.asarray(ink).shape[-1]), size, text, body)


def stroke_document(ink: np.ndarray, size: float = 512.0, text: dict[str, str] | None = None) -> str:
    """An SVG of the drawing as pen strokes (trace.strokes): centre lines drawn with one round pen
    of the ink's width, for a plotter or a vector editor; otherwise as svg_document."""
    from workbench.domains.sketch.trace import strokes

    paths, width = strokes(ink)
    d = " ".join(_path_data(path) for path in paths)
    body = (f'<path fill="none" stroke="black" stroke-width="{width:.2f}" stroke-linecap="round" '
            f'stroke-linejoin="round" d="{d}"/>\n') if d else ""
    return _document(int(np.asarray(ink).shape[-1]), size, text, body)


def _path_data(points: np.ndarray) -> str:
    """SVG path data of a polyline: "Mx y Lx y ..." to 1/100 of a pixel."""
    return "M" + " L".join(f"{x:.2f} {y:.2f}" for x, y in points)


def _document(side: int, size: float, text: dict[str, str] | None, body: str) -> str:
    """The SVG around a body of paths: a `side`-unit square view of white paper, `size` px wide."""
    desc = "".join(f"{escape(str(k))}: {escape(str(v))}\n" for k, v in (text or {}).items())
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size:g}" height="{size:g}" viewBox="0 0 {side} {side}">\n'
            + (f"<desc>{desc}</desc>\n" if desc else "")
            + f'<rect width="{side}" height="{side}" fill="white"/>\n'
            + body
            + "</svg>\n")
