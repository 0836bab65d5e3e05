"""Procedural stroke glyphs: the built-in, unlimited drawings of the sketch and omniglot domains.

A class is a random "character program": one to four strokes (straight lines,
arcs, smooth curves, corners, loops and dots) tied together by relations: a
stroke may start where an earlier one ends, branch off an earlier stroke's
middle, run parallel to it, or mirror it. An instance is that program drawn
by a noisy hand: every control point is jittered, the stroke width changes,
and the whole glyph gets a small rotation, shear and scaling.

Everything is deterministic by (seed, split, class, instance); class indices
are unbounded, so there is no fixed number of classes. Rendering uses PIL at
4x resolution, then the same framing as a user's image (workbench.domains.
imageio.frame_ink): crop to the ink, margin, square, area-resize. So model
inputs from the generator and from files look alike. No torch, no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from workbench.domains.imageio import frame_ink

SPLITS = {"train": 1, "val": 2, "test": 3}
CANVAS = 112          # supersampled drawing canvas (pixels)
_SPAN = 0.40 * CANVAS  # half-width of the glyph's [-1, 1] box on the canvas


@dataclass(frozen=True)
class Stroke:
    points: np.ndarray   # [n, 2] control points in [-1, 1] glyph coordinates (y down)
    smooth: bool         # Catmull-Rom through the points (else a polyline with corners)
    closed: bool = False
    dot: bool = False


@dataclass(frozen=True)
class GlyphProgram:
    """One class: strokes plus the style of the hand that draws it."""

    strokes: tuple[Stroke, ...]
    width: float          # base stroke width as a fraction of the canvas
    jitter: float         # control-point noise (glyph units)


def class_rng(seed: int, split: str, index: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), SPLITS[split], int(index), 0])


def instance_rng(seed: int, split: str, index: int, instance: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), SPLITS[split], int(index), 1, int(instance)])


# -- programs -----------------------------------------------------------------


def make_program(rng: np.random.Generator) -> GlyphProgram:
    n = int(rng.choice([1, 2, 3, 4], p=[0.12, 0.38, 0.33, 0.17]))
    strokes: list[Stroke] = []
    for _ in range(n):
        stroke = _new_stroke(rng, strokes)
        strokes.append(stroke)
    # Occasionally a diacritic-like dot.
    if rng.random() < 0.15 and n < 4:
        strokes.append(Stroke(points=rng.uniform(-0.8, 0.8, size=(1, 2)), smooth=False, dot=True))
    return GlyphProgram(
        strokes=tuple(strokes),
        width=float(rng.uniform(0.030, 0.055)),
        jitter=float(rng.uniform(0.03, 0.06)),
    )


def _new_stroke(rng: np.random.Generator, previous: list[Stroke]) -> Stroke:
    kind = rng.choice(["line", "arc", "curve", "corner", "loop"], p=[0.32, 0.22, 0.24, 0.14, 0.08])
    drawn = [s for s in previous if not s.dot]
    relation = "free"
    if drawn:
        relation = rng.choice(["end", "branch", "parallel", "mirror", "free"], p=[0.38, 0.2, 0.1, 0.12, 0.2])
    if relation == "mirror":
        source = drawn[int(rng.integers(len(drawn)))]
        axis = int(rng.integers(2))  # mirror left-right or top-bottom
        points = source.points.copy()
        points[:, axis] = -points[:, axis]
        if np.abs(points - source.points).max() > 0.25:
            return Stroke(points=points, smooth=source.smooth, closed=source.closed)
        relation = "end"
    if relation == "parallel":
        source = drawn[int(rng.integers(len(drawn)))]
        direction = source.points[-1] - source.points[0]
        normal = np.array([-direction[1], direction[0]])
        norm = np.linalg.norm(normal)
        if norm > 0.2:
            offset = normal / norm * rng.uniform(0.35, 0.7) * rng.choice([-1, 1])
            points = source.points + offset
            if np.abs(points).max() <= 1.0:
                return Stroke(points=points, smooth=source.smooth, closed=source.closed)
        relation = "end"

    start = None
    if relation == "end":
        source = drawn[int(rng.integers(len(drawn)))]
        start = source.points[-1] if rng.random() < 0.6 else source.points[0]
    elif relation == "branch":
        source = drawn[int(rng.integers(len(drawn)))]
        curve = _curve(source.points, source.smooth, source.closed, 16)
        start = _point_along(curve, rng.uniform(0.25, 0.75))

    if kind == "loop":
        centre = rng.uniform(-0.45, 0.45, size=2) if start is None else start
        radius = rng.uniform(0.2, 0.45, size=2)
        if start is not None:
            angle0 = rng.uniform(0, 2 * np.pi)
            centre = start - radius * np.array([np.cos(angle0), np.sin(angle0)])
        else:
            angle0 = rng.uniform(0, 2 * np.pi)
        angles = angle0 + np.linspace(0, 2 * np.pi, 7)[:-1]
        points = centre + radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
        return Stroke(points=_fit(points), smooth=True, closed=True)
    if kind == "arc":
        radius = rng.uniform(0.3, 0.8)
        sweep = rng.uniform(0.6, 1.6) * np.pi * rng.choice([-1, 1])
        angle0 = rng.uniform(0, 2 * np.pi)
        angles = angle0 + np.linspace(0, sweep, 5)
        points = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
        points = points - points[0] + (start if start is not None else rng.uniform(-0.6, 0.6, size=2))
        return Stroke(points=_fit(points), smooth=True)
    begin = start if start is not None else rng.uniform(-0.85, 0.85, size=2)
    if kind == "line":
        end = _far_point(rng, begin, 0.6)
        return Stroke(points=_fit(np.stack([begin, end])), smooth=False)
    if kind == "curve":
        end = _far_point(rng, begin, 0.6)
        middle = (begin + end) / 2 + rng.normal(0, 0.35, size=2)
        if rng.random() < 0.4:  # S-shaped
            a = begin + (end - begin) / 3 + rng.normal(0, 0.3, size=2)
            b = begin + 2 * (end - begin) / 3 + rng.normal(0, 0.3, size=2)
            return Stroke(points=_fit(np.stack([begin, a, b, end])), smooth=True)
        return Stroke(points=_fit(np.stack([begin, middle, end])), smooth=True)
    # corner: two or three straight legs with sharp turns
    legs = int(rng.integers(2, 4))
    points = [begin]
    for _ in range(legs):
        points.append(_far_point(rng, points[-1], 0.45))
    return Stroke(points=_fit(np.stack(points)), smooth=False)


def _point_along(curve: np.ndarray, fraction: float) -> np.ndarray:
    lengths = np.linalg.norm(np.diff(curve, axis=0), axis=1)
    cumulative = np.concatenate([[0.0], np.cumsum(lengths)])
    target = fraction * cumulative[-1]
    return np.array([np.interp(target, cumulative, curve[:, k]) for k in range(2)])


def _far_point(rng: np.random.Generator, origin: np.ndarray, minimum: float) -> np.ndarray:
    for _ in range(20):
        candidate = rng.uniform(-0.95, 0.95, size=2)
        if np.linalg.norm(candidate - origin) >= minimum:
            return candidate
    return -np.clip(origin, -0.9, 0.9)


def _fit(points: np.ndarray) -> np.ndarray:
    """Pull a stroke back inside the glyph box (keeps relations approximately)."""
    low, high = points.min(axis=0), points.max(axis=0)
    shift = np.where(low < -1, -1 - low, 0) + np.where(high > 1, 1 - high, 0)
    points = points + shift
    extent = np.abs(points).max()
    return points / extent if extent > 1 else points


# -- instances ----------------------------------------------------------------


def _catmull_rom(points: np.ndarray, closed: bool, samples: int) -> np.ndarray:
    if closed:
        ext = np.concatenate([points[-1:], points, points[:2]])
    else:
        ext = np.concatenate([2 * points[:1] - points[1:2], points, 2 * points[-1:] - points[-2:-1]])
    t = np.linspace(0, 1, samples, endpoint=False)[:, None]
    t2, t3 = t * t, t * t * t
    out = []
    segments = len(points) if closed else len(points) - 1
    for i in range(segments):
        p0, p1, p2, p3 = ext[i], ext[i + 1], ext[i + 2], ext[i + 3]
        out.append(0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2 + (3 * p1 - p0 - 3 * p2 + p3) * t3))
    out.append((points[0] if closed else points[-1])[None])
    return np.concatenate(out)


def _curve(points: np.ndarray, smooth: bool, closed: bool, samples: int) -> np.ndarray:
    if len(points) < 2:
        return points
    if smooth and len(points) >= 3:
        return _catmull_rom(points, closed, samples)
    if closed:
        return np.concatenate([points, points[:1]])
    return points


def draw_instance(program: GlyphProgram, rng: np.random.Generator, size: int) -> np.ndarray:
    """One noisy-hand drawing of `program`, framed to float32 [size, size] (ink = 1)."""
    image = Image.new("L", (CANVAS, CANVAS), 0)
    draw = ImageDraw.Draw(image)
    # Small global affine change: rotation, anisotropic scale, shear.
    angle = rng.normal(0, 0.12)
    scale = np.exp(rng.normal(0, 0.08, size=2))
    shear = rng.normal(0, 0.12)
    c, s = np.cos(angle), np.sin(angle)
    affine = np.array([[c, -s], [s, c]]) @ np.array([[1, shear], [0, 1]]) @ np.diag(scale)
    width = max(2, int(round(program.width * CANVAS * np.exp(rng.normal(0, 0.15)))))
    centre = CANVAS / 2
    for stroke in program.strokes:
        points = stroke.points + rng.normal(0, program.jitter, size=stroke.points.shape)
        points = points + rng.normal(0, program.jitter * 0.5, size=2)  # whole-stroke drift
        xy = (points @ affine.T) * _SPAN + centre
        if stroke.dot:
            r = width * 0.8
            x, y = xy[0]
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
            continue
        curve = _curve(xy, stroke.smooth, stroke.closed, 8)
        flat = [tuple(p) for p in curve.tolist()]
        draw.line(flat, fill=255, width=width, joint="curve")
        r = width / 2 - 0.5
        for x, y in (flat[0], flat[-1]):  # round caps
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    ink = np.asarray(image, dtype=np.float32) * (1.0 / 255.0)
    return frame_ink(ink, size, name="glyph")


class GlyphSet:
    """The built-in glyph classes of one split, with a bounded render cache.

    `images(class_index, instances)` returns float32 [len(instances), size, size].
    Class programs and rendered instances are cached (programs always; images
    while the cache is under `cache_images`), so a training run renders each
    (class, instance) pair once.
    """

    def __init__(self, seed: int = 0, split: str = "train", size: int = 28, cache_images: int = 200_000):
        if split not in SPLITS:
            raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
        self.seed, self.split, self.size = int(seed), split, int(size)
        self.cache_images = cache_images
        self._programs: dict[int, GlyphProgram] = {}
        self._images: dict[tuple[int, int], np.ndarray] = {}

    def program(self, index: int) -> GlyphProgram:
        index = int(index)
        found = self._programs.get(index)
        if found is None:
            found = make_program(class_rng(self.seed, self.split, index))
            self._programs[index] = found
        return found

    def image(self, index: int, instance: int) -> np.ndarray:
        key = (int(index), int(instance))
        found = self._images.get(key)
        if found is None:
            found = draw_instance(self.program(index), instance_rng(self.seed, self.split, *key), self.size)
            if len(self._images) < self.cache_images:
                self._images[key] = found
        return found

    def images(self, index: int, instances) -> np.ndarray:
        return np.stack([self.image(index, i) for i in instances])


def render_glyphs(classes, instances, seed: int = 0, split: str = "train", size: int = 28) -> np.ndarray:
    """float32 [len(classes), len(instances), size, size]; no caching."""
    out = np.empty((len(classes), len(instances), size, size), dtype=np.float32)
    for a, index in enumerate(classes):
        program = make_program(class_rng(seed, split, index))
        for b, instance in enumerate(instances):
            out[a, b] = draw_instance(program, instance_rng(seed, split, index, instance), size)
    return out
