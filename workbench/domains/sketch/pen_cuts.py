"""Partial drawings cut by the pen's order: what a person had drawn when a share of the ink was down.

The evaluation's default partial (observe.partial_drawings) is the ink nearest one point, which
training uses too. With a set's pen trajectories (Omniglot's `strokes_background_*.zip`: one
text file per drawing, `START`, lines `x,y,t`, `BREAK` between strokes; y negative downwards) a
partial can instead be the ink along the start of the pen's path: the first stroke or strokes,
and part of the next, as a user drawing the character would leave it. No torch.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image, ImageDraw

from workbench.domains.imageio import BOX_THRESHOLD
from workbench.meta.errors import DataError

PEN_REACH = 3.5   # page pixels either side of the path that its ink lies within (on Omniglot's 105-px
#                   pages 99 % of small1's ink on average; 2.5: 89 %, 3: 98 %)


def parse_strokes(text: str) -> list[np.ndarray]:
    """A trajectory file -> its strokes in drawing order, each [n, 2] (x, y) in image pixels, y down."""
    strokes: list[list[tuple[float, float]]] = [[]]
    for line in text.splitlines():
        line = line.strip()
        if line in ("START", ""):
            continue
        if line == "BREAK":
            strokes.append([])
            continue
        x, y, *_ = line.split(",")
        strokes[-1].append((float(x), -float(y)))
    return [np.asarray(s, dtype=np.float64) for s in strokes if s]


def drawing_key(name: str, depth: int = 2) -> str:
    """A file's name -> its last `depth` - 1 folders and its stem ('character/drawing' at depth 2): what
    an image and its trajectory share, whatever the sets' top folders are called."""
    parts = PurePosixPath(name.replace("\\", "/").rsplit(":", 1)[-1]).parts
    return "/".join([*parts[-depth:-1], PurePosixPath(parts[-1]).stem])


def path_mask(strokes: list[np.ndarray], points: int, shape: tuple[int, int], scale: float) -> np.ndarray:
    """Pixels of a page of `shape` within PEN_REACH of the first `points` points of the path
    (strokes joined in order, coordinates times `scale`; a pen-up is not drawn)."""
    image = Image.new("L", (shape[1], shape[0]), 0)
    draw = ImageDraw.Draw(image)
    width = max(1, int(round(2 * PEN_REACH)))
    left = points
    for stroke in strokes:
        if left <= 0:
            break
        xy = [(float(x) * scale, float(y) * scale) for x, y in stroke[:left]]
        if len(xy) > 1:
            draw.line(xy, fill=255, width=width, joint="curve")
        for x, y in (xy[0], xy[-1]):
            r = width / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
        left -= len(stroke)
    return np.asarray(image) > 127


def pen_partial(page: np.ndarray, strokes: list[np.ndarray], share: float, scale: float = 1.0) -> np.ndarray:
    """The page's ink that the pen had laid when `share` of it was down: the ink near the first N
    points of the path, N the fewest that reach the share (all but the last point at most, so that
    something is left to complete). page: ink [H, W] of the whole drawing; scale: its pixels per
    unit of the trajectory (1 where the trajectory is in the image's own pixels, as Omniglot's)."""
    ink = page > BOX_THRESHOLD
    total = int(ink.sum())
    count = sum(len(s) for s in strokes)
    if total == 0 or count < 2:
        raise DataError("pen partial: the drawing has no ink or no path")
    low, high = 1, count - 1
    while low < high:                                       # the fewest points that reach the share
        middle = (low + high) // 2
        if (ink & path_mask(strokes, middle, page.shape, scale)).sum() >= share * total:
            high = middle
        else:
            low = middle + 1
    return page * path_mask(strokes, low, page.shape, scale)


class Trajectories:
    """The pen trajectories of an image set (a zip or folder of .txt files), found by an image's
    file name: its class folder and stem, or one folder more where those repeat."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._files: dict[str, str] = {}
        self._zip: zipfile.ZipFile | None = None
        if self.path.is_file() and zipfile.is_zipfile(self.path):
            self._zip = zipfile.ZipFile(self.path)
            names = self._zip.namelist()
        elif self.path.is_dir():
            names = [str(p) for p in self.path.rglob("*.txt")]
        else:
            raise DataError(f"{self.path}: not a folder or zip of pen trajectories")
        by_class: dict[str, list[str]] = {}
        for name in names:
            if name.endswith(".txt") and "__MACOSX" not in name:
                by_class.setdefault(drawing_key(name), []).append(name)
        if not by_class:
            raise DataError(f"{self.path}: no trajectory (.txt) files found")
        for key, found in by_class.items():
            for name in found:
                self._files[key if len(found) == 1 else drawing_key(name, 3)] = name

    def strokes(self, image_name: str) -> list[np.ndarray]:
        """The strokes of the drawing in this image file (DataError when the set has none for it)."""
        name = self._files.get(drawing_key(image_name)) or self._files.get(drawing_key(image_name, 3))
        if name is None:
            raise DataError(f"{self.path}: no trajectory for {image_name}")
        raw = self._zip.read(name) if self._zip is not None else Path(name).read_bytes()
        return parse_strokes(raw.decode("utf-8", errors="replace"))
