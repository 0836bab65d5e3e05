"""Write results as PNG files (model resolution and upscaled), SVG outlines and strokes, and a contact sheet.

Thin wrappers over the sketch facade's save_png/save_svg/contact_sheet so the GUI and the CLI
write the same files; what this adds is file naming that never overwrites.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from workbench.ui.file_names import safe_stem, unique_path

UPSCALE = 8                    # 64 px -> 512 px, smooth contours (api.smooth_upscale)
SHEET_SCALE = 4
SHEET_COLUMNS = 8


def safe_name(name: str) -> str:
    """A file-name stem from a result label ("variation 3" -> "variation-3")."""
    return safe_stem(name, "sketch")


def export_pngs(results: list[tuple[str, np.ndarray]], folder: str | Path,
                upscale: int = UPSCALE, text: dict[str, str] | None = None) -> list[Path]:
    """For each (name, image): name.png at model resolution, name@{upscale}x.png, name.svg (the
    ink's outlines as vectors) and name.strokes.svg (its pen strokes, for a plotter or a vector
    editor); `text` goes into each file (PNG text chunks, SVG description): the model and seed
    that made it."""
    from workbench.domains.sketch.api import save_png, save_svg
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, image in results:
        stem = safe_name(name)
        small = unique_path(folder / f"{stem}.png")
        save_png(image, small, scale=1, text=text)
        big = unique_path(folder / f"{small.stem}@{upscale}x.png")
        save_png(image, big, scale=upscale, text=text)
        vector = save_svg(image, unique_path(folder / f"{small.stem}.svg"), text=text)
        pen = save_svg(image, unique_path(folder / f"{small.stem}.strokes.svg"), text=text, strokes=True)
        written += [small, big, vector, pen]
    return written


def export_contact_sheet(images: list[np.ndarray], path: str | Path, columns: int = SHEET_COLUMNS,
                         scale: int = SHEET_SCALE, text: dict[str, str] | None = None) -> Path:
    """One PNG with all images in a grid."""
    from workbench.domains.sketch.api import contact_sheet, save_png
    if not images:
        raise ValueError("contact sheet: no images to export")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_png(contact_sheet(list(images), columns=min(columns, len(images))), path, scale=scale, text=text)
    return path
