"""load_ink: every kind of image a user may give, and every bad one."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

from workbench.domains.imageio import frame_ink, load_ink
from workbench.meta.errors import DataError

SIZE = 28


def _cross(mode="L", size=(120, 80), ink=0, paper=255):
    image = Image.new(mode, size, paper)
    draw = ImageDraw.Draw(image)
    draw.line((20, 10, 100, 70), fill=ink, width=6)
    draw.line((20, 70, 100, 10), fill=ink, width=6)
    return image


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_black_on_white_png_becomes_ink_one(tmp_path):
    path = tmp_path / "cross.png"
    _cross().save(path)
    ink = load_ink(path, SIZE)
    assert ink.shape == (SIZE, SIZE) and ink.dtype == np.float32
    assert ink.max() == pytest.approx(1.0)
    assert ink[0].max() < 0.05 and ink[:, 0].max() < 0.05      # margin of paper around the ink
    assert ink[SIZE // 2, SIZE // 2] > 0.5                       # the crossing is ink


def test_white_on_black_scan_is_inverted(tmp_path):
    normal, inverted = tmp_path / "normal.png", tmp_path / "inverted.png"
    _cross().save(normal)
    _cross(ink=255, paper=0).save(inverted)
    np.testing.assert_allclose(load_ink(inverted, SIZE), load_ink(normal, SIZE), atol=1e-5)


def test_rgb_jpeg_and_bmp(tmp_path):
    reference = load_ink(_save(_cross(), tmp_path / "ref.png"), SIZE)
    for name in ("c.jpg", "c.bmp"):
        got = load_ink(_save(_cross("RGB", ink=(10, 20, 200), paper=(250, 250, 240)), tmp_path / name), SIZE)
        assert np.abs(got - reference).mean() < 0.05


def test_transparent_background_is_paper(tmp_path):
    image = _cross("RGBA", ink=(0, 0, 0, 255), paper=(0, 0, 0, 0))
    got = load_ink(_save(image, tmp_path / "t.png"), SIZE)
    reference = load_ink(_save(_cross(), tmp_path / "ref.png"), SIZE)
    assert np.abs(got - reference).mean() < 0.02
    # White strokes on a transparent layer are ink too.
    light = _cross("RGBA", ink=(255, 255, 255, 255), paper=(0, 0, 0, 0))
    assert np.abs(load_ink(_save(light, tmp_path / "w.png"), SIZE) - reference).mean() < 0.02


def test_sixteen_bit_png(tmp_path):
    values = np.full((80, 120), 65535, dtype=np.uint16)
    values[20:60, 50:58] = 1000
    path = tmp_path / "deep.png"
    Image.fromarray(values).save(path)
    assert Image.open(path).mode.startswith("I")
    ink = load_ink(path, SIZE)
    assert ink.max() == pytest.approx(1.0)
    assert ink[SIZE // 2, SIZE // 2] > 0.9 and ink[SIZE // 2, 2] < 0.05


def test_bytes_source_uses_the_given_name():
    with pytest.raises(DataError, match="upload.png"):
        load_ink(b"definitely not an image", SIZE, name="upload.png")


def test_non_image_file_names_the_file(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("hello, I am text")
    with pytest.raises(DataError, match="notes.png.*not an image"):
        load_ink(path, SIZE)


def test_truncated_png_names_the_file(tmp_path):
    full = tmp_path / "full.png"
    noisy = (np.random.default_rng(0).random((200, 200)) * 255).astype(np.uint8)
    Image.fromarray(noisy).save(full)
    cut = tmp_path / "cut.png"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with pytest.raises(DataError, match="cut.png.*(damaged|truncated)"):
        load_ink(cut, SIZE)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DataError, match="nothing.png.*not found"):
        load_ink(tmp_path / "nothing.png", SIZE)
    with pytest.raises(DataError, match="folder"):
        load_ink(tmp_path, SIZE)


def test_empty_drawing_is_refused(tmp_path):
    path = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(path)
    with pytest.raises(DataError, match="blank.png.*empty"):
        load_ink(path, SIZE)
    path = tmp_path / "clear.png"
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(path)
    with pytest.raises(DataError, match="clear.png.*empty"):
        load_ink(path, SIZE)


@pytest.mark.parametrize("side", [20000, 8000])
def test_huge_image_is_refused_before_decoding(tmp_path, side):
    # Only the header claims this size: a decoder that tried to allocate it
    # would need gigabytes; load_ink must answer from the header.
    path = tmp_path / f"huge{side}.png"
    path.write_bytes(_png_header_only(side, side))
    with pytest.raises(DataError, match=f"huge{side}.png.*(too large|megapixel)"):
        load_ink(path, SIZE)


def test_big_jpeg_is_downscaled_while_decoding(tmp_path):
    image = _cross("L", size=(4800, 3200)).resize((4800, 3200))
    draw = ImageDraw.Draw(image)
    draw.line((800, 400, 4000, 2800), fill=0, width=120)
    path = _save(image, tmp_path / "big.jpg")
    ink = load_ink(path, SIZE)
    assert ink.shape == (SIZE, SIZE) and ink.max() == pytest.approx(1.0)


def test_frame_ink_centres_and_scales():
    canvas = np.zeros((300, 200), dtype=np.float32)
    canvas[10:40, 150:160] = 1.0                 # small mark in a corner
    framed = frame_ink(canvas, SIZE)
    rows = np.flatnonzero(framed.max(axis=1) > 0.2)
    assert rows[0] > 0 and rows[-1] < SIZE - 1   # margin kept
    assert rows[-1] - rows[0] > SIZE // 2          # the mark fills the frame
    with pytest.raises(DataError, match="empty"):
        frame_ink(np.zeros((10, 10)), SIZE)


def _save(image, path):
    image.save(path)
    return path
