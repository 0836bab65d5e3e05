"""The sketch domain's facade: what the sketch studio and the commands call.

Importing this module is cheap (numpy and PIL only); torch is loaded the
first time vary() or complete() runs. Arrays are float32 [S, S] with ink = 1.0
and paper = 0.0, S = MODEL_SIZE. Long calls take `progress(done, total, msg)`
and `cancelled() -> bool`, as the GUI's JobRunner passes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from PIL import Image, ImageFilter

from workbench.domains.file_drops import MAX_FILES_PER_DROP, expand_paths  # noqa: F401 - part of the facade
from workbench.domains.imageio import frame_ink, load_ink
from workbench.meta.errors import DataError

MODEL_SIZE = 64
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm")

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]


def load_support_image(path) -> np.ndarray:
    """One image file -> float32 [MODEL_SIZE, MODEL_SIZE]; DataError naming the file."""
    return load_ink(path, MODEL_SIZE, name=str(path))


def load_support_images(paths: Sequence) -> tuple[list[np.ndarray], list[str], list[str]]:
    """Load the files a user gives (folders expand to their images; one drop reads at most
    MAX_FILES_PER_DROP): (images, their file names, one message per bad file or skipped
    part of the drop). The good images load whatever the others do."""
    files, errors = expand_paths(paths, IMAGE_SUFFIXES)
    images: list[np.ndarray] = []
    names: list[str] = []
    for path in files:
        try:
            images.append(load_support_image(path))
        except DataError as exc:
            errors.append(str(exc))
            continue
        names.append(path.name)
    return images, names, errors


def to_model_array(ink: np.ndarray) -> np.ndarray:
    """Any-size ink drawing (ink = 1) -> [MODEL_SIZE, MODEL_SIZE] framed as the model sees it.

    An empty drawing gives an all-zero array (the canvas previews it); vary()
    and complete() refuse empty input.
    """
    ink = np.asarray(ink, dtype=np.float32)
    if ink.ndim == 3:  # H, W, channels of ink: the strongest channel
        ink = ink.max(axis=2)
    try:
        return frame_ink(ink, MODEL_SIZE)
    except DataError:
        if ink.ndim != 2:
            raise
        return np.zeros((MODEL_SIZE, MODEL_SIZE), dtype=np.float32)


def added_ink(frames: Sequence[np.ndarray]) -> np.ndarray:
    """What a completion adds: the last frame of complete()'s ink (0/1) outside the partial's
    (frame 0) ink and its one-pixel band, which Complete keeps as given."""
    given = np.pad(np.asarray(frames[0]) > 0.2, 1)
    h, w = given.shape[0] - 2, given.shape[1] - 2
    band = np.zeros((h, w), dtype=bool)
    for dy in range(3):
        for dx in range(3):
            band |= given[dy:dy + h, dx:dx + w]
    return ((np.asarray(frames[-1]) > 0.5) & ~band).astype(np.float32)


def smooth_upscale(array: np.ndarray, scale: int) -> np.ndarray:
    """Ink [S, S] -> [S*scale, S*scale] with smooth contours, not blocks or stairs: bicubic
    interpolation, a blur of half a source pixel (rounds the pixel staircase of 0/1
    drawings), then a contrast ramp that makes the soft edge a thin anti-aliased one."""
    image = Image.fromarray(np.asarray(array, dtype=np.float32), mode="F")
    big = np.clip(np.asarray(image.resize((image.width * scale, image.height * scale),
                                          Image.Resampling.BICUBIC)), 0.0, 1.0)
    soft = Image.fromarray(np.round(big * 255.0).astype(np.uint8), mode="L")
    soft = soft.filter(ImageFilter.GaussianBlur(radius=0.5 * scale))
    return np.clip((np.asarray(soft, dtype=np.float32) / 255.0 - 0.5) * 3.0 + 0.5, 0.0, 1.0)


def save_png(array: np.ndarray, path, scale: int = 1, text: dict[str, str] | None = None) -> Path:
    """Write a PNG, black ink on white, upscaled by an integer factor with smooth contours.

    text: PNG tEXt chunks (e.g. {"Model": ..., "Seed": ...}: what made the drawing)."""
    array = np.asarray(array, dtype=np.float32)
    if array.ndim != 2:
        raise ValueError(f"save_png expects a 2-D ink array, got shape {array.shape}")
    scale = int(scale)
    if scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    array = np.clip(np.nan_to_num(array), 0.0, 1.0)
    if scale > 1:
        array = smooth_upscale(array, scale)
    image = Image.fromarray(np.round((1.0 - array) * 255.0).astype(np.uint8), mode="L")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    info = None
    if text:
        from PIL.PngImagePlugin import PngInfo
        info = PngInfo()
        for key, value in text.items():
            info.add_itxt(str(key), str(value))        # iTXt: model names may be any Unicode
    try:
        image.save(path, format="PNG", pnginfo=info)
    except OSError as exc:
        raise DataError(f"{path}: cannot write the PNG ({exc})") from None
    return path


def save_svg(array: np.ndarray, path, text: dict[str, str] | None = None, strokes: bool = False) -> Path:
    """Write an SVG of the drawing: its ink outlines as vector paths (sketch.svg), sharp at any size,
    or with strokes=True its pen strokes (centre lines and one pen width, trace.py); text (what
    made the drawing) goes into the SVG's description."""
    from workbench.domains.sketch.svg import stroke_document, svg_document

    array = np.asarray(array, dtype=np.float32)
    if array.ndim != 2:
        raise ValueError(f"save_svg expects a 2-D ink array, got shape {array.shape}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.write_text((stroke_document if strokes else svg_document)(array, text=text), encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot write the SVG ({exc})") from None
    return path


def contact_sheet(arrays: Sequence[np.ndarray], columns: int = 8, gap: int = 2) -> np.ndarray:
    """One ink image of many, in rows of `columns`, separated by `gap` blank pixels."""
    arrays = [np.asarray(a, dtype=np.float32) for a in arrays]
    if not arrays:
        raise ValueError("contact_sheet needs at least one image")
    columns = max(1, min(int(columns), len(arrays)))
    rows = (len(arrays) + columns - 1) // columns
    h = max(a.shape[0] for a in arrays)
    w = max(a.shape[1] for a in arrays)
    sheet = np.zeros((rows * h + (rows - 1) * gap, columns * w + (columns - 1) * gap), dtype=np.float32)
    for i, a in enumerate(arrays):
        r, c = divmod(i, columns)
        y, x = r * (h + gap), c * (w + gap)
        sheet[y:y + a.shape[0], x:x + a.shape[1]] = a
    return sheet


def default_checkpoint(mode: str) -> Path:
    """The shipped checkpoint of a mode ("ink" serves Vary and Complete; base path, no suffix)."""
    from workbench.domains.sketch.models import checkpoint_base

    return checkpoint_base(mode)


def vary(
    support: Sequence[np.ndarray],
    n: int = 16,
    steps: int | None = None,
    seed: int = 0,
    temperature: float = 1.0,
    checkpoint=None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    decode_steps: int | None = None,
    strength: float | None = None,
    candidates: float | None = None,
) -> list[np.ndarray]:
    """n new drawings of the support's kind, each float32 [S, S] of 0/1 ink.

    steps: adaptation steps (default: the checkpoint's validated count);
    decode_steps: masked decoding steps (default generate.decode_steps_for(strength): 2, up to 8 at 1);
    strength: in (0, 1], how far a drawing may move from the support: 1 draws from a blank
    canvas, lower keeps that share less of a distorted support drawing (default generate.VARY_STRENGTH);
    candidates: drawings made per result, the best n kept (default generate.VARY_CANDIDATES; 1 keeps all)."""
    from workbench.domains.sketch import generate

    return generate.vary(support, n=n, steps=steps, seed=seed, temperature=temperature,
                         checkpoint=checkpoint, progress=progress, cancelled=cancelled,
                         decode_steps=decode_steps, strength=strength, candidates=candidates)


def invent(
    support: Sequence[np.ndarray],
    n: int = 16,
    steps: int | None = None,
    seed: int = 0,
    temperature: float = 1.0,
    checkpoint=None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    decode_steps: int | None = None,
    strength: float | None = None,
    candidates: float | None = None,
) -> list[np.ndarray]:
    """n new characters that belong with the support's 2 or more different characters (one
    writing system), each float32 [S, S] of 0/1 ink; options as in vary (generate.invent)."""
    from workbench.domains.sketch import generate

    return generate.invent(support, n=n, steps=steps, seed=seed, temperature=temperature, checkpoint=checkpoint,
                           progress=progress, cancelled=cancelled,
                           decode_steps=decode_steps, strength=strength, candidates=candidates)


def score_variations(support: Sequence[np.ndarray], samples: Sequence[np.ndarray]) -> list[dict]:
    """Per sample {"fidelity", "novelty"} in [0, 1] (workbench.domains.sketch.scores)."""
    from workbench.domains.sketch import scores

    return scores.score_variations(list(support), list(samples))


def prepare_scores() -> None:
    """Load score_variations' judge and its distractor classes now (about 0.3 s, once per process),
    e.g. in the background before the first Vary."""
    from workbench.domains.sketch import scores

    scores.prepare()


def complete(
    partial: np.ndarray,
    steps: int | None = None,
    checkpoint=None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    seed: int = 0,
    examples: Sequence[np.ndarray] | None = None,
    strength: float | None = None,
    start: int = 0,
) -> list[np.ndarray]:
    """The partial drawing, then the canvas after each decoding step 1..steps (arrays [S, S] in
    [0, 1]: committed pixels 0/1, the still-unknown ones grey with the current prediction).
    examples: drawings of the kind being drawn (the support set), whose style the completion follows;
    without them it continues the built-in glyphs that cover the partial best. strength (with
    examples): below 1 the canvas starts from the example that fits the partial best and the
    network redraws that share of it; start 1, 2, ... starts from the next best (generate.complete)."""
    from workbench.domains.sketch import generate

    return generate.complete(partial, steps=steps, checkpoint=checkpoint, progress=progress, cancelled=cancelled,
                             seed=seed, examples=examples, strength=strength, start=start)
