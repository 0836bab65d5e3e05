"""What a drop on the canvas opens: the first image file (or dragged image) as an editable layer.

Decoded by the same loader as support images (workbench.domains.imageio), but
not cropped to the ink: a page to trace keeps its composition.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QImage

from workbench.domains.imageio import load_ink
from workbench.meta.errors import DataError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def can_open(mime: QMimeData) -> bool:
    return mime.hasImage() or any(_is_image(url.toLocalFile()) for url in mime.urls() if url.isLocalFile())


def ink_from_mime(mime: QMimeData, size: int) -> tuple[np.ndarray | None, str, str]:
    """(ink [size,size] or None, the source's name, a message for the user or "")."""
    paths = [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and _is_image(url.toLocalFile())]
    if paths:
        name = os.path.basename(paths[0])
        note = (f"Opened {name} on the canvas; drop several images on the support strip to add them all."
                if len(paths) > 1 else "")
        try:
            return load_ink(paths[0], size, name=name, crop=False), name, note
        except DataError as exc:
            return None, name, str(exc)
    if mime.hasImage():
        with tempfile.TemporaryDirectory(prefix="workbench-drop-") as tmp:
            path = os.path.join(tmp, "dropped.png")
            if QImage(mime.imageData()).save(path, "PNG"):
                try:
                    return load_ink(path, size, name="the dropped image", crop=False), "dropped image", ""
                except DataError as exc:
                    return None, "dropped image", str(exc)
    return None, "", "Drop an image file (PNG, JPEG, …) on the canvas to open it."


def _is_image(path: str) -> bool:
    return path.lower().endswith(IMAGE_SUFFIXES)
