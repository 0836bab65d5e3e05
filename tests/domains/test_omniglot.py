"""Omniglot-format few-shot classification: data, splits, episodes, bad input."""

import numpy as np
import pytest
import torch
from PIL import Image

from workbench.domains.registry import build_problem
from workbench.meta.errors import ConfigError, DataError


def make_image_set(root, classes=6, drawings=4, size=20):
    """class-per-folder PNGs in an Omniglot-like alphabet/character layout."""
    rng = np.random.default_rng(0)
    for c in range(classes):
        folder = root / f"alphabet{c % 2}" / f"character{c:02d}"
        folder.mkdir(parents=True)
        for d in range(drawings):
            pixels = np.full((size, size), 255, np.uint8)
            r, col = rng.integers(2, size - 8, 2)
            pixels[r : r + 6, col : col + 2 + c] = 0  # black ink on white
            Image.fromarray(pixels).save(folder / f"{c}_{d}.png")
    return root


def test_episodes_have_way_times_shot_labelled_images(tmp_path):
    problem = build_problem("omniglot", {"data": str(make_image_set(tmp_path)), "way": 3, "shot": 2, "query": 1})
    tasks = problem.sample_tasks(4, torch.Generator().manual_seed(0), "train")
    assert tasks.support[0].shape == (4, 6, 28, 28)
    assert tasks.query[0].shape == (4, 3, 28, 28)
    assert tasks.support[1][0].tolist() == [0, 0, 1, 1, 2, 2]
    assert 0.0 <= float(tasks.support[0].min()) and float(tasks.support[0].max()) <= 1.0
    assert float(tasks.support[0].mean()) < 0.5  # ink is 1 on a 0 background


def test_rotations_are_extra_classes_and_the_split_is_by_character(tmp_path):
    problem = build_problem("omniglot", {"data": str(make_image_set(tmp_path, classes=10)), "way": 2, "query": 1})
    source = problem.source
    assert problem.classes("train") == 4 * source.num_classes("train")
    train = {source.class_name("train", i) for i in range(source.num_classes("train"))}
    val = {source.class_name("val", i) for i in range(source.num_classes("val"))}
    assert train and val and not train & val


def test_built_in_glyphs_need_no_data():
    problem = build_problem("omniglot", {"way": 5, "shot": 1, "query": 2})
    tasks = problem.sample_tasks(2, torch.Generator().manual_seed(0), "val")
    assert tasks.support[0].shape == (2, 5, 28, 28)


@pytest.mark.parametrize("options, setting", [({"way": 50}, "way"), ({"shot": 4, "query": 1}, "shot"),
                                              ({"way": 1}, "way"), ({"shot": 0}, "shot")])
def test_settings_the_data_cannot_satisfy_name_the_setting(tmp_path, options, setting):
    data = str(make_image_set(tmp_path))
    with pytest.raises(ConfigError) as error:
        build_problem("omniglot", {"data": data, **options})
    assert error.value.setting == setting


def test_empty_or_missing_folders_name_the_path(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="empty"):
        build_problem("omniglot", {"data": str(tmp_path / "empty")})
    with pytest.raises(DataError, match="nowhere"):
        build_problem("omniglot", {"data": str(tmp_path / "nowhere")})
