"""Drawings traced to pen strokes: centre lines and one pen width, for SVG a plotter or a vector
editor can use as strokes (svg.stroke_document).

The model draws pixels, not strokes, so the strokes are recovered from the ink: the ink of the
same smooth upscaling PNG exports use (api.smooth_upscale) is thinned to a one-pixel skeleton
(Zhang & Suen 1984), the skeleton is split into paths between its ends and junctions, spurs
shorter than the pen is wide are pruned (thinning leaves them at corners and blobs), paths that
run straight on through a junction are joined, each path is simplified (Ramer-Douglas-Peucker),
and the paths are put in an order that keeps a plotter's pen travel short. The pen width is the
ink's area over the skeleton's length. numpy and PIL only.
"""

from __future__ import annotations

import numpy as np

TRACE_SCALE = 4       # thin at 4x: centre lines follow the smooth contour, not the pixel staircase
LEVEL = 0.5
SIMPLIFY = 0.25       # largest deviation a simplified path may have, in drawing pixels

# The 8 neighbours in order around a pixel (Zhang-Suen's P2..P9: north, then clockwise).
_AROUND = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))


def _removable(step: int) -> np.ndarray:
    """Zhang-Suen's rule for one sub-iteration as a table over the 256 neighbourhoods (bit i set
    where neighbour _AROUND[i] is ink): True where the middle ink pixel goes."""
    table = np.zeros(256, dtype=bool)
    for code in range(256):
        p = [(code >> i) & 1 for i in range(8)]
        turns = sum(p[i] == 0 and p[(i + 1) % 8] == 1 for i in range(8))
        n, e, s, w = p[0], p[2], p[4], p[6]
        first = (n * e * s == 0 and e * s * w == 0) if step == 0 else (n * e * w == 0 and n * s * w == 0)
        table[code] = 2 <= sum(p) <= 6 and turns == 1 and first
    return table


_REMOVABLE = (_removable(0), _removable(1))


def skeleton(ink: np.ndarray) -> np.ndarray:
    """A boolean image [H, W] thinned to one-pixel-wide lines that keep its connectivity."""
    image = np.pad(np.asarray(ink, dtype=bool), 1).astype(np.uint8)
    h, w = image.shape
    while True:
        changed = False
        for table in _REMOVABLE:
            code = np.zeros((h - 2, w - 2), dtype=np.uint8)
            for i, (dy, dx) in enumerate(_AROUND):
                code |= image[1 + dy:h - 1 + dy, 1 + dx:w - 1 + dx] << i
            remove = (image[1:-1, 1:-1] == 1) & table[code]
            if remove.any():
                image[1:-1, 1:-1][remove] = 0
                changed = True
        if not changed:
            return image[1:-1, 1:-1].astype(bool)


def _links(skel: np.ndarray) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """Each skeleton pixel's neighbours; a diagonal step is left out where a right-angle path
    through a shared neighbour exists (so a staircase is a chain, not a row of triangles)."""
    on = {(int(y), int(x)) for y, x in zip(*np.nonzero(skel))}
    links: dict[tuple[int, int], list[tuple[int, int]]] = {p: [] for p in on}
    for y, x in on:
        for dy, dx in _AROUND:
            q = (y + dy, x + dx)
            if q not in on:
                continue
            if dy and dx and ((y + dy, x) in on or (y, x + dx) in on):
                continue
            links[(y, x)].append(q)
    return links


def _paths(links: dict) -> list[list[tuple[int, int]]]:
    """The skeleton's paths: from every end or junction along each of its links to the next end
    or junction; then what is left, closed loops, each once."""
    used: set[frozenset] = set()
    paths = []

    def walk(start, step) -> list:
        path, previous, current = [start], start, step
        used.add(frozenset((start, step)))
        while True:
            path.append(current)
            if len(links[current]) != 2:
                return path
            following = [q for q in links[current] if q != previous and frozenset((current, q)) not in used]
            if not following:
                return path
            previous, current = current, following[0]
            used.add(frozenset((previous, current)))

    for node in [p for p, near in links.items() if len(near) != 2]:
        for step in links[node]:
            if frozenset((node, step)) not in used:
                paths.append(walk(node, step))
    for node, near in links.items():
        for step in near:
            if frozenset((node, step)) not in used:
                paths.append(walk(node, step))
    return paths


def _pruned(skel: np.ndarray, shortest: float) -> np.ndarray:
    """The skeleton without spurs: paths from a free end to a junction shorter than `shortest`."""
    skel = skel.copy()
    links = _links(skel)
    for path in _paths(links):
        ends = [len(links[path[0]]), len(links[path[-1]])]
        if sorted(ends)[0] == 1 and sorted(ends)[1] >= 3 and len(path) < shortest:
            inner = path[:-1] if ends[1] >= 3 else path[1:]      # keep the junction pixel
            for y, x in inner:
                skel[y, x] = False
    return skel


def _joined(paths: list[list], reach: float) -> list[list]:
    """Paths that meet at a junction and run on in nearly the same direction (within 45 degrees of
    straight) joined into one, the straightest pairs first: a "+" is two strokes, not four arms.
    A path's direction at an end is taken `reach` pixels into it."""
    paths = [list(p) for p in paths]
    while True:
        ends: dict[tuple, list[tuple[int, bool, np.ndarray]]] = {}
        for i, path in enumerate(paths):
            if len(path) < 2 or path[0] == path[-1]:
                continue                                            # closed loops stay as they are
            for at_start in (True, False):
                end = path[0] if at_start else path[-1]
                inner = path[min(int(reach), len(path) - 1)] if at_start else path[max(len(path) - 1 - int(reach), 0)]
                direction = np.subtract(inner, end, dtype=np.float64)
                ends.setdefault(end, []).append((i, at_start, direction / (np.hypot(*direction) + 1e-9)))
        best = None
        for found in ends.values():
            for a in range(len(found)):
                for b in range(a + 1, len(found)):
                    straightness = -float(found[a][2] @ found[b][2])    # 1: running straight on
                    if straightness > np.cos(np.pi / 4) and (best is None or straightness > best[0]):
                        best = (straightness, found[a], found[b])
        if best is None:
            return paths
        (i, i_start, _), (j, j_start, _) = best[1], best[2]
        first = paths[i][::-1] if i_start else paths[i]                # ends at the junction
        if i == j:
            paths[i] = first + [first[0]]                              # both ends: a closed loop
            continue
        second = paths[j] if j_start else paths[j][::-1]               # starts at the junction
        paths = [p for k, p in enumerate(paths) if k not in (i, j)] + [first + second[1:]]


def _ordered(paths: list[np.ndarray]) -> list[np.ndarray]:
    """The paths in drawing order for a pen plotter: from the top left, each next the one whose
    nearer end is closest to where the pen is, turned to start there."""
    left, ordered, pen = list(paths), [], np.zeros(2)
    while left:
        distances = [min(np.hypot(*(p[0] - pen)), np.hypot(*(p[-1] - pen))) for p in left]
        path = left.pop(int(np.argmin(distances)))
        if np.hypot(*(path[-1] - pen)) < np.hypot(*(path[0] - pen)):
            path = path[::-1]
        ordered.append(path)
        pen = path[-1]
    return ordered


def _simplified(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Ramer-Douglas-Peucker: the fewest of the points that stay within `tolerance` of them all
    (with a stack, not recursion: a long path must not reach Python's recursion limit)."""
    keep = np.zeros(len(points), dtype=bool)
    keep[[0, -1]] = True
    pending = [(0, len(points) - 1)]
    while pending:
        first, last = pending.pop()
        if last - first < 2:
            continue
        chord = points[last] - points[first]
        offsets = points[first + 1:last] - points[first]
        length = float(np.hypot(*chord))
        if length > 1e-9:
            distance = np.abs(chord[0] * offsets[:, 1] - chord[1] * offsets[:, 0]) / length
        else:
            distance = np.hypot(offsets[:, 0], offsets[:, 1])
        far = int(distance.argmax())
        if distance[far] > tolerance:
            keep[first + 1 + far] = True
            pending += [(first, first + 1 + far), (first + 1 + far, last)]
    return points[keep]


def strokes(ink: np.ndarray) -> tuple[list[np.ndarray], float]:
    """(paths, pen width) of a drawing [S, S] in [0, 1]: each path [n, 2] of (x, y) points in the
    drawing's pixel units (0..S), closed where its ends meet; the width in the same units."""
    from workbench.domains.sketch.api import smooth_upscale

    drawn = smooth_upscale(np.clip(np.nan_to_num(np.asarray(ink, np.float32)), 0.0, 1.0), TRACE_SCALE) > LEVEL
    skel = skeleton(drawn)
    if not skel.any():
        return [], 0.0
    width = float(drawn.sum()) / float(skel.sum())                # at TRACE_SCALE
    skel = _pruned(skel, shortest=width)
    paths = []
    for path in _joined(_paths(_links(skel)), reach=2 * width):
        yx = np.asarray(path, dtype=np.float32)
        points = (yx[:, ::-1] + 0.5) / TRACE_SCALE                  # pixel centres, drawing units
        paths.append(_simplified(points, SIMPLIFY))
    for y, x in zip(*np.nonzero(skel & ~_in_paths(skel))):         # lone dots
        paths.append(np.array([[(x + 0.5) / TRACE_SCALE, (y + 0.5) / TRACE_SCALE]] * 2, dtype=np.float32))
    return _ordered(paths), min(width / TRACE_SCALE, float(drawn.shape[-1]) / TRACE_SCALE)   # a blob: at most the frame


def _in_paths(skel: np.ndarray) -> np.ndarray:
    """Skeleton pixels that have a neighbour (the rest are single dots, which no path holds)."""
    padded = np.pad(skel, 1)
    h, w = padded.shape
    around = sum(padded[1 + dy:h - 1 + dy, 1 + dx:w - 1 + dx].astype(int) for dy, dx in _AROUND)
    return skel & (around > 0)


def render(paths: list[np.ndarray], width: float, size: int) -> np.ndarray:
    """The strokes drawn back as ink [size, size] with a round pen of `width` (what an SVG viewer
    shows of stroke_document), drawn at TRACE_SCALE and box-reduced."""
    from PIL import Image, ImageDraw

    big = Image.new("L", (size * TRACE_SCALE, size * TRACE_SCALE), 0)
    pen = max(1, int(round(width * TRACE_SCALE)))
    draw = ImageDraw.Draw(big)
    for path in paths:
        points = [(float(x) * TRACE_SCALE, float(y) * TRACE_SCALE) for x, y in path]
        draw.line(points, fill=255, width=pen, joint="curve")
        for x, y in (points[0], points[-1]):                     # round caps, as stroke-linecap="round"
            draw.ellipse([x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2], fill=255)
    return np.asarray(big.resize((size, size), Image.Resampling.BOX), dtype=np.float32) / 255.0
