"""The model library: shipped defaults read-only, user runs named, renamed, deleted, imported with validation."""

from __future__ import annotations

import json
import shutil

import pytest

from workbench.meta.checkpoint import checkpoint_paths
from workbench.meta.errors import WorkbenchError
from workbench.project.library import ModelLibrary, shipped_folder


@pytest.fixture()
def library(tmp_path):
    return ModelLibrary(tmp_path / "data" / "runs")


def copy_shipped(stem, folder, new_stem=None, **meta_changes):
    """A copy of a shipped checkpoint (one file, or a format-1 pair), with its metadata changed."""
    from workbench.meta.checkpoint import load_checkpoint, save_checkpoint

    folder.mkdir(parents=True, exist_ok=True)
    for source in checkpoint_paths(shipped_folder() / stem):
        if source.exists():
            shutil.copyfile(source, folder / source.name.replace(stem, new_stem or stem, 1))
    copied = folder / f"{new_stem or stem}.safetensors"
    if meta_changes:
        data = load_checkpoint(copied)
        meta = dict(data.meta)
        for key, value in meta_changes.items():
            if isinstance(value, dict):
                meta[key] = {**meta.get(key, {}), **value}
            else:
                meta[key] = value
        save_checkpoint(copied, meta, data.tensors)
    return copied


def test_each_studio_defaults_to_its_shipped_model(library):
    assert library.default("sketch", "ink").id == "shipped:sketch-ink"
    assert library.default("melody").id == "shipped:melody"
    assert library.default("sinusoid").id == "shipped:sinusoid"
    ink = library.entries("sketch", "ink")
    assert ink[0].id == "shipped:sketch-ink" and all(e.mode == "ink" and e.shipped for e in ink)


def test_shipped_models_are_read_only(library):
    with pytest.raises(WorkbenchError, match="read-only"):
        library.rename("shipped:melody", "mine")
    with pytest.raises(WorkbenchError, match="read-only"):
        library.delete("shipped:melody")


def test_a_run_is_listed_named_renamed_and_deleted(library):
    path = copy_shipped("melody", library.user_folder, "melody-metasgd-1", iteration=20)
    entry = library.add_run(path, "first try")
    assert (entry.id, entry.name, entry.domain, entry.algorithm) == ("user:melody-metasgd-1", "first try",
                                                                   "melody", "metasgd")
    planned = entry.iterations_planned  # the shipped run's planned iterations
    assert entry.stopped_early and f"stopped early at 20 of {planned}" in entry.describe()
    assert [e.id for e in library.entries("melody")][-1] == entry.id
    library.rename(entry.id, "  jigs   v2 ")
    assert library.get(entry.id).name == "jigs v2"
    library.delete(entry.id)
    assert library.get(entry.id) is None and not path.exists()
    assert not checkpoint_paths(path)[1].exists()


def test_import_validates_and_copies(library, tmp_path):
    source = copy_shipped("sinusoid", tmp_path / "elsewhere")
    entry = library.import_checkpoint(source)
    assert entry.id.startswith("user:sinusoid") and entry.domain == "sinusoid"
    assert entry.path.parent == library.user_folder and source.exists()
    again = library.import_checkpoint(source)
    assert again.id != entry.id                                     # never overwrites


@pytest.mark.parametrize("damage, message", [
    (lambda w, m: w.write_bytes(b"garbage"), "sinusoid"),           # the message names the file
    (lambda w, m: m.write_text("{not json"), "sinusoid"),
    (lambda w, m: m.unlink(), "sinusoid"),
    (lambda w, m: m.write_text(json.dumps({**json.loads(m.read_text()), "domain": "nope"})), "unknown domain"),
])
def test_a_bad_checkpoint_is_not_added(library, tmp_path, damage, message):
    source = copy_shipped("sinusoid", tmp_path / "elsewhere")
    damage(*checkpoint_paths(source))
    with pytest.raises(WorkbenchError, match=message):
        library.import_checkpoint(source)
    assert library.entries("sinusoid")[-1].shipped                 # nothing of the user's was added


def test_ids_cannot_escape_the_library(library):
    assert library.path_of("user:../../etc/passwd") is None
    assert library.get("user:") is None and library.get("bogus") is None
