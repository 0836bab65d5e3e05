"""Decode any image a user gives us into an ink drawing the models can read.

`load_ink` turns a PNG/JPEG/BMP/GIF/TIFF file (or its bytes) into a float32
[size, size] array with ink = 1.0 and paper = 0.0, framed the same way for
every source: cropped to the ink's bounding box plus a margin, padded to a
square with the drawing centred, and area-resized to `size`. `frame_ink` does
the framing for an array that is already ink (the canvas, the glyph renderer).

No torch here: the editors and file formats import this without the engine.
Every failure a user can fix is a DataError whose message names the file.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from workbench.meta.errors import DataError

# Decoding limit: a decoded RGBA image of this many pixels takes ~200 MB.
# Bigger images are refused (JPEGs are first shrunk while decoding, so most
# photos pass); PIL's own decompression-bomb check refuses far bigger ones
# before a single pixel is decoded.
MAX_DECODE_PIXELS = 50_000_000
# Images are box-reduced to at most this long side before float conversion.
WORK_SIDE = 1024
# Margin around the ink's bounding box, as a fraction of the box's long side.
MARGIN = 0.12
# A pixel counts as ink for the bounding box above this level (0..1).
BOX_THRESHOLD = 0.2
# Contrast below which an image is treated as empty (no ink at all).
MIN_CONTRAST = 0.08


def load_ink(source: str | Path | bytes, size: int, name: str | None = None, *, crop: bool = True) -> np.ndarray:
    """Decode an image into a float32 [size, size] ink drawing (ink = 1.0).

    crop=False keeps the drawing where it is on the page (padded square and
    scaled, not cropped to its ink): a partial drawing must keep its place.
    """
    if size < 4:
        raise ValueError(f"size must be at least 4, got {size}")
    label = name or ("<image bytes>" if isinstance(source, (bytes, bytearray)) else str(source))
    ink = load_page(source, label, work_side=max(WORK_SIDE, 4 * size))
    if crop:
        return frame_ink(ink, size, name=label)
    return fit_page(ink, size)


def load_page(source: str | Path | bytes, name: str | None = None, work_side: int = WORK_SIDE) -> np.ndarray:
    """Decode an image into float32 ink (ink = 1.0) on its whole page, at its own resolution (long
    side at most about work_side): what load_ink frames or fits."""
    label = name or ("<image bytes>" if isinstance(source, (bytes, bytearray)) else str(source))
    return _to_ink(_decode_gray(source, label, work_side=work_side), label)


def fit_page(ink: np.ndarray, size: int) -> np.ndarray:
    """Pad a drawing to a centred square and area-resize it to [size, size], without cropping."""
    ink = np.asarray(ink, dtype=np.float32)
    h, w = ink.shape
    side = max(h, w)
    square = np.zeros((side, side), dtype=np.float32)
    square[(side - h) // 2:(side - h) // 2 + h, (side - w) // 2:(side - w) // 2 + w] = ink
    out = resize_area(square, size)
    peak = float(out.max())
    return np.clip(out / peak, 0.0, 1.0).astype(np.float32) if peak > 1e-6 else out


def frame_ink(ink: np.ndarray, size: int, name: str = "drawing", margin: float = MARGIN,
              reference: np.ndarray | None = None) -> np.ndarray:
    """Crop an ink array (any size, ink = 1) to its ink with a margin, pad square, resize.

    reference: another drawing on the same page whose ink sets the crop instead (a part of a
    drawing framed as the whole is). Raises DataError naming `name` when there is no ink.
    """
    ink = np.asarray(ink, dtype=np.float32)
    if ink.ndim != 2:
        raise DataError(f"{name}: expected a 2-D drawing, got an array of shape {ink.shape}")
    ink = np.nan_to_num(ink, nan=0.0, posinf=1.0, neginf=0.0)
    ink = np.clip(ink, 0.0, 1.0)
    mask = (ink if reference is None else np.asarray(reference)) > BOX_THRESHOLD
    if not mask.any():
        raise DataError(f"{name}: the drawing is empty (no ink found)")
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    crop = ink[top:bottom, left:right]
    h, w = crop.shape
    side = max(h, w)
    pad = int(round(side * margin))
    full = side + 2 * pad
    square = np.zeros((full, full), dtype=np.float32)
    y0 = pad + (side - h) // 2
    x0 = pad + (side - w) // 2
    square[y0:y0 + h, x0:x0 + w] = crop
    out = resize_area(square, size)
    peak = float(out.max())
    if peak <= 1e-6:
        raise DataError(f"{name}: the drawing is empty (no ink found)")
    # Thin strokes lose intensity when shrunk; bring the strongest stroke back to
    # full ink so a fine pen and a thick marker look alike to the model.
    return np.clip(out / peak, 0.0, 1.0).astype(np.float32)


def resize_area(array: np.ndarray, size: int) -> np.ndarray:
    """Resize a square float array to [size, size], averaging areas when shrinking."""
    array = np.ascontiguousarray(array, dtype=np.float32)
    if array.shape == (size, size):
        return array.copy()
    image = Image.fromarray(array, mode="F")
    shrinking = array.shape[0] > size
    resample = Image.Resampling.BOX if shrinking else Image.Resampling.BILINEAR
    return np.asarray(image.resize((size, size), resample=resample), dtype=np.float32)


# -- decoding ---------------------------------------------------------------


def _open(source: str | Path | bytes, label: str) -> Image.Image:
    try:
        if isinstance(source, (bytes, bytearray)):
            return Image.open(io.BytesIO(bytes(source)))
        path = Path(source)
        if not path.exists():
            raise DataError(f"{label}: file not found")
        if path.is_dir():
            raise DataError(f"{label}: is a folder, expected an image file")
        if not path.is_file():  # a FIFO or device would block the reader for ever
            raise DataError(f"{label}: not a regular file (a pipe or device), so it was not read")
        return Image.open(path)
    except Image.DecompressionBombError as exc:
        raise DataError(f"{label}: image is too large to decode safely ({exc}); scale it down first") from None
    except UnidentifiedImageError:
        raise DataError(f"{label}: not an image file (expected PNG, JPEG, BMP, GIF or TIFF)") from None
    except OSError as exc:
        raise DataError(f"{label}: cannot read the file ({exc})") from None


def _decode_gray(source: str | Path | bytes, label: str, work_side: int) -> np.ndarray:
    """Decode into float32 luminance in [0, 1] (1 = white), transparency composited."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = _open(source, label)
    with image:
        width, height = image.size
        if width < 1 or height < 1:
            raise DataError(f"{label}: image has no pixels")
        if image.format == "JPEG":
            # Let the JPEG decoder shrink by up to 8x: a huge photo never
            # materialises at full resolution.
            image.draft("L" if image.mode == "L" else "RGB", (work_side, work_side))
        decoded_pixels = image.size[0] * image.size[1]
        if decoded_pixels > MAX_DECODE_PIXELS:
            raise DataError(
                f"{label}: image is {width}x{height} pixels, more than the "
                f"{MAX_DECODE_PIXELS // 1_000_000} megapixel limit; scale it down first"
            )
        try:
            image.seek(0)
            image.load()
            image = ImageOps.exif_transpose(image) or image
            image = _reduce(image, work_side)
            return _luminance(image, label)
        except DataError:
            raise
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise DataError(f"{label}: the image data is damaged or truncated ({exc})") from None
        except MemoryError:
            raise DataError(f"{label}: not enough memory to decode this image; scale it down first") from None


def _reduce(image: Image.Image, work_side: int) -> Image.Image:
    factor = max(image.size) // work_side
    if factor >= 2:
        if image.mode in ("P", "1"):
            image = image.convert("RGBA" if image.mode == "P" else "L")
        try:
            return image.reduce(factor)
        except ValueError:  # modes reduce() does not support (e.g. I;16)
            return image.convert("F").reduce(factor)
    return image


def _luminance(image: Image.Image, label: str) -> np.ndarray:
    mode = image.mode
    if mode == "1":
        return np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    if mode == "P":
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode in ("PA", "La"):
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        values = np.asarray(image, dtype=np.float32)
        if mode.startswith("I;16"):
            scale = 65535.0
        else:
            top = float(values.max()) if values.size else 0.0
            scale = 255.0 if top <= 255.0 else (65535.0 if top <= 65535.0 else top)
            if mode == "F" and top <= 1.0:
                scale = 1.0
        return np.clip(values / scale, 0.0, 1.0)
    if mode in ("L",):
        return np.asarray(image, dtype=np.float32) / 255.0
    if mode in ("LA", "RGBA"):
        data = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0
        lum = data[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        alpha = data[..., 3]
        return _composite(lum, alpha)
    if mode != "RGB":
        image = image.convert("RGB")
    data = np.asarray(image, dtype=np.float32) / 255.0
    if data.ndim != 3:
        raise DataError(f"{label}: unsupported image mode {mode}")
    return data[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _composite(lum: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Flatten transparency: the transparent background becomes paper, never ink.

    Strokes on a transparent layer may be dark or light; the background is
    given the opposite colour of the opaque pixels so the strokes stay visible
    (light strokes then read as white-on-black and are inverted later).
    """
    if float(alpha.min()) > 0.98:
        return lum
    opaque = alpha > 0.5
    stroke_lum = float(np.median(lum[opaque])) if opaque.any() else 0.0
    background = 1.0 if stroke_lum < 0.5 else 0.0
    return lum * alpha + background * (1.0 - alpha)


def _to_ink(gray: np.ndarray, label: str) -> np.ndarray:
    """Luminance -> ink in [0, 1]: pick the polarity, remove the paper level."""
    darkness = 1.0 - gray
    h, w = darkness.shape
    band = max(1, min(h, w) // 50)
    border = np.concatenate([
        darkness[:band].ravel(), darkness[-band:].ravel(),
        darkness[:, :band].ravel(), darkness[:, -band:].ravel(),
    ])
    border_level = float(np.median(border))
    # The border is paper unless the drawing runs off the edge; then the
    # majority of all pixels decides (strokes cover a minority of a drawing).
    level = border_level if abs(border_level - 0.5) > 0.25 else float(np.median(darkness))
    ink = 1.0 - darkness if level > 0.5 else darkness
    paper = float(np.median(ink))
    top = float(ink.max())
    if top - paper < MIN_CONTRAST:
        raise DataError(f"{label}: the drawing is empty (no ink found)")
    return np.clip((ink - paper) / (top - paper), 0.0, 1.0).astype(np.float32)
