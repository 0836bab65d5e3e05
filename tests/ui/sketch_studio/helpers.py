"""Helpers shared by the Sketch Studio tests: drawing with the mouse, test images."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw
from PySide6.QtCore import Qt


def draw_stroke(qtbot, canvas, points, button=Qt.LeftButton):
    """Press, move through and release at `points` given in canvas image pixels."""
    widget_points = [canvas.image_to_widget(x, y).toPoint() for x, y in points]
    qtbot.mousePress(canvas, button, pos=widget_points[0])
    for p in widget_points[1:]:
        qtbot.mouseMove(canvas, p)
    qtbot.mouseRelease(canvas, button, pos=widget_points[-1])


def line_points(x0, y0, x1, y1, n=20):
    return [(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) for t in np.linspace(0, 1, n)]


def write_glyph_png(path, kind="cross", size=105):
    """A black-on-white drawing like an Omniglot character."""
    img = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(img)
    if kind == "cross":
        draw.line([(20, 20), (85, 85)], fill=0, width=6)
        draw.line([(85, 20), (20, 85)], fill=0, width=6)
    elif kind == "circle":
        draw.ellipse([(25, 25), (80, 80)], outline=0, width=6)
    else:
        draw.line([(52, 15), (52, 90)], fill=0, width=6)
        draw.line([(25, 50), (80, 50)], fill=0, width=6)
    img.save(path)
    return path


def ink_in(array, x0, y0, x1, y1) -> float:
    return float(array[int(y0):int(y1), int(x0):int(x1)].max())


def glyph_array(kind="cross", size=28):
    """A small ink drawing at model resolution."""
    ink = np.zeros((size, size), np.float32)
    if kind == "cross":
        for i in range(4, size - 4):
            ink[i, i - 1:i + 2] = 1.0
            ink[i, size - i - 2:size - i + 1] = 1.0
    else:
        ink[4:size - 4, size // 2 - 1:size // 2 + 2] = 1.0
        ink[size // 2 - 1:size // 2 + 2, 4:size - 4] = 1.0
    return ink
