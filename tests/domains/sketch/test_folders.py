"""Class-per-folder image sets, as folders and as zips."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
from PIL import Image, ImageDraw

from workbench.domains.drawings.sources import make_source
from workbench.domains.imageio import load_ink
from workbench.meta.errors import DataError


def _make_set(root, classes=4, drawings=3):
    for c in range(classes):
        folder = root / "alphabet" / f"character{c:02d}"
        folder.mkdir(parents=True)
        for d in range(drawings):
            image = Image.new("L", (105, 105), 255)
            ImageDraw.Draw(image).line((10 + 5 * d, 10 + 20 * c, 90, 95 - 10 * c), fill=0, width=4)
            image.save(folder / f"{d}.png")
    (root / "alphabet" / "README.txt").write_text("not an image, ignored")
    return root


def test_folder_and_zip_give_the_same_drawings(tmp_path):
    root = _make_set(tmp_path / "set")
    archive = tmp_path / "set.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(root.rglob("*")):
            z.write(path, path.relative_to(tmp_path))
    folder = make_source(str(root), whole=True)
    zipped = make_source(str(archive), whole=True)
    assert folder.num_classes("test") == zipped.num_classes("test") == 4
    assert folder.num_instances("test", 2) == 3
    np.testing.assert_array_equal(folder.images("test", 1, [0, 2]), zipped.images("test", 1, [0, 2]))


def test_split_by_class_without_overlap(tmp_path):
    source = make_source(str(_make_set(tmp_path / "set", classes=10)))
    names = {split: {source.class_name(split, i) for i in range(source.num_classes(split))}
             for split in ("train", "val", "test")}
    assert sum(len(v) for v in names.values()) == 10
    assert not (names["train"] & names["test"]) and not (names["train"] & names["val"])


def test_bad_data_paths(tmp_path):
    with pytest.raises(DataError, match="no such folder"):
        make_source(str(tmp_path / "missing"))
    (tmp_path / "one" / "only").mkdir(parents=True)
    Image.new("L", (20, 20), 0).save(tmp_path / "one" / "only" / "a.png")
    with pytest.raises(DataError, match="need at least 2"):
        make_source(str(tmp_path / "one"))


def test_load_ink_without_crop_keeps_the_page(tmp_path):
    image = Image.new("L", (100, 100), 255)
    ImageDraw.Draw(image).rectangle((5, 5, 25, 25), fill=0)
    image.save(tmp_path / "corner.png")
    page = load_ink(tmp_path / "corner.png", 28, crop=False)
    cropped = load_ink(tmp_path / "corner.png", 28)
    assert page[2:7, 2:7].mean() > 0.9 and page[10:, 10:].max() < 0.05    # stays in its corner
    assert cropped[14, 14] > 0.5                                            # cropping fills the frame
