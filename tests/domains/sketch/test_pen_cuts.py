"""Partials in the pen's order, from a set's trajectories (Omniglot's strokes files)."""

from __future__ import annotations

import argparse
import json
import zipfile

import numpy as np
import pytest
from PIL import Image, ImageDraw

from workbench.commands import eval_sketch
from workbench.domains.sketch.pen_cuts import Trajectories, drawing_key, parse_strokes, pen_partial
from workbench.meta.errors import DataError

TWO_BARS = "START\n10,-20,0\n50,-20,100\n90,-20,200\nBREAK\n10,-80,300\n90,-80,400\nBREAK\n"


def bars_page() -> np.ndarray:
    image = Image.new("L", (105, 105), 0)
    draw = ImageDraw.Draw(image)
    draw.line([(10, 20), (90, 20)], fill=255, width=4)
    draw.line([(10, 80), (90, 80)], fill=255, width=4)
    return np.asarray(image, np.float32) / 255.0


def test_strokes_are_read_in_order_with_y_downwards():
    strokes = parse_strokes(TWO_BARS)
    assert [len(s) for s in strokes] == [3, 2]
    assert strokes[0][0].tolist() == [10.0, 20.0] and strokes[1][-1].tolist() == [90.0, 80.0]


def test_a_pen_partial_is_the_ink_drawn_first():
    page = bars_page()
    half = pen_partial(page, parse_strokes(TWO_BARS), 0.5)
    assert half[15:26].sum() >= 0.95 * page[15:26].sum() and half[70:].sum() == 0   # the first bar, whole
    quarter = pen_partial(page, parse_strokes(TWO_BARS), 0.25)
    assert quarter[:, :40].sum() > 0 and quarter[:, 60:].sum() == 0 and quarter[70:].sum() == 0   # its start
    assert 0.25 <= (quarter > 0.2).sum() / (page > 0.2).sum() < 0.4


def test_images_and_trajectories_pair_by_class_folder_and_drawing(tmp_path):
    archive = tmp_path / "strokes.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("strokes_set/Alpha/character01/0101_01.txt", TWO_BARS)
        z.writestr("strokes_set/Alpha/character02/0102_01.txt", TWO_BARS.split("BREAK")[0])
        z.writestr("strokes_set/Beta/character02/0102_01.txt", TWO_BARS)     # the same class folder and stem
        z.writestr("__MACOSX/strokes_set/Alpha/character01/._0101_01.txt", "litter")
    found = Trajectories(archive)
    assert drawing_key("/data/images.zip:images_set/Alpha/character01/0101_01.png") == "character01/0101_01"
    assert len(found.strokes("/data/images.zip:images_set/Alpha/character01/0101_01.png")) == 2
    assert len(found.strokes("images_set/Alpha/character02/0102_01.png")) == 1        # told apart by the folder above
    assert len(found.strokes("/elsewhere/Beta/character02/0102_01.png")) == 2
    with pytest.raises(DataError, match="no trajectory"):
        found.strokes("images_set/Alpha/character09/0109_01.png")


def test_eval_sketch_cuts_partials_in_the_pen_order_from_a_strokes_set(tiny_checkpoints, tmp_path, capsys):
    images, strokes = tmp_path / "images" / "Alpha", tmp_path / "strokes" / "Alpha"
    page = Image.fromarray(((1.0 - bars_page()) * 255).astype(np.uint8))    # black ink on white
    for c in range(3):
        for d in range(3):
            (images / f"character{c}").mkdir(parents=True, exist_ok=True)
            (strokes / f"character{c}").mkdir(parents=True, exist_ok=True)
            page.save(images / f"character{c}" / f"{c}_{d}.png")
            (strokes / f"character{c}" / f"{c}_{d}.txt").write_text(TWO_BARS)
    parser = argparse.ArgumentParser()
    eval_sketch.register(parser.add_subparsers(dest="what"))
    args = parser.parse_args([
        "sketch", "--checkpoint", str(tiny_checkpoints["ink"]), "--pretrained", "none", "--no-glyphs",
        "--data", str(tmp_path / "images"), "--strokes", str(tmp_path / "strokes"), "--mode", "complete",
        "--tasks", "1", "--shots", "1", "--observed", "0.5", "--decode-steps", "2", "--json"])
    assert args.func(args) == 0
    rows = json.loads(capsys.readouterr().out)["results"]
    assert rows and all(r["cut"] == "pen" for r in rows)
    fill = next(r for r in rows if r["model"] == "support-fill")
    assert fill["recall"] > 0.9            # the partial and the truth are framed as the examples are


def test_eval_sketch_refuses_trajectories_without_a_data_set(tmp_path, capsys):
    from workbench.cli import main

    assert main(["eval", "sketch", "--strokes", str(tmp_path), "--mode", "complete"]) == 2
    assert "strokes" in capsys.readouterr().err
