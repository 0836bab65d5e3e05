"""The project file: round trip, and bad files get a clear message while the rest opens."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from workbench.domains.melody.notes import Melody, Note
from workbench.project.archive import ProjectError, open_project, save_project
from workbench.project.document import MelodyWork, ModelChoice, Project, SketchWork


def melody(name: str, shift: int = 0) -> Melody:
    notes = [Note(i * 12, 12, 60 + (i + shift) % 12, 80 + i % 20) for i in range(16)]
    notes.append(Note(0, 48, 48))                           # a held note under the line (chords are kept)
    return Melody(notes=tuple(notes), tempo=96.0, beats_per_bar=3, key=2, mode="major", name=name)


def sample_project() -> Project:
    rng = np.random.default_rng(0)
    drawings = [(f"drawing {i}", rng.random((28, 28), dtype=np.float32)) for i in range(3)]
    return Project(
        panel="melody",
        sketch=SketchWork(support=drawings, support_pages=[rng.random((90, 90), dtype=np.float32), None, None],
                          canvas=rng.random((64, 80), dtype=np.float32),
                          results=[("variation 1", rng.random((28, 28), dtype=np.float32))],
                          results_mode="vary", results_caption="1 variation · seed 7",
                          settings={"seed": 7, "temperature": 0.5},
                          models={"vary": ModelChoice("shipped:sketch-ink", "Sketch ink (shipped)")}),
        melody=MelodyWork(support=[melody("jig"), melody("reel", 3)], clip=melody("clip", 5),
                          results=[melody("variation-01", 1)], results_caption="seed 3",
                          settings={"seed": 3, "bars": 8}, model=ModelChoice("user:run-1", "my run")),
        playground_model=ModelChoice("shipped:sinusoid", "Sinusoid (shipped)"))


def assert_same(a: Project, b: Project) -> None:
    assert a.panel == b.panel and a.playground_model == b.playground_model
    for (na, xa), (nb, xb) in zip(a.sketch.support + a.sketch.results, b.sketch.support + b.sketch.results,
                                  strict=True):
        assert na == nb and np.array_equal(xa, xb)
    assert np.array_equal(a.sketch.canvas, b.sketch.canvas)
    assert len(a.sketch.support_pages) == len(b.sketch.support_pages)
    for pa, pb in zip(a.sketch.support_pages, b.sketch.support_pages):
        assert (pa is None and pb is None) or np.array_equal(pa, pb)
    assert (a.sketch.settings, a.sketch.models, a.sketch.results_caption) == \
        (b.sketch.settings, b.sketch.models, b.sketch.results_caption)
    assert a.melody == b.melody


def test_round_trip_keeps_everything_exactly(tmp_path):
    project = sample_project()
    opened = open_project(save_project(project, tmp_path / "song.wbproj"))
    assert opened.problems == []
    assert_same(project, opened.project)


def test_assets_are_png_and_midi_files_other_apps_open(tmp_path):
    from PIL import Image

    from workbench.domains.melody.midi_io import read_midi
    path = save_project(sample_project(), tmp_path / "p.wbproj")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert "manifest.json" in names
        png = next(n for n in names if n.endswith(".png"))
        assert Image.open(io.BytesIO(archive.read(png))).size == (28, 28)
        mid = next(n for n in names if n.startswith("melody/support/") and n.endswith(".mid"))
        (tmp_path / "x.mid").write_bytes(archive.read(mid))
    assert read_midi(tmp_path / "x.mid")[0].notes


def rewrite(path, drop=(), manifest_change=None, replace=None):
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members.update(replace or {})
    manifest = json.loads(members["manifest.json"])
    if manifest_change:
        manifest_change(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            if name not in drop:
                archive.writestr(name, data)


def test_missing_and_corrupt_assets_are_named_and_the_rest_opens(tmp_path):
    path = save_project(sample_project(), tmp_path / "p.wbproj")
    rewrite(path, drop=("sketch/support/001.npy",), replace={"sketch/results/000.npy": b"\x93NUMPY garbage"})
    opened = open_project(path)
    assert len(opened.problems) == 2
    assert any("sketch/support/001.npy is missing" in p for p in opened.problems)
    assert any("sketch/results/000.npy" in p for p in opened.problems)
    assert [n for n, _ in opened.project.sketch.support] == ["drawing 0", "drawing 2"]
    pages = opened.project.sketch.support_pages        # each still beside its own drawing
    assert pages[0] is not None and pages[0].shape == (90, 90) and pages[1] is None
    assert len(opened.project.melody.support) == 2


def test_a_malformed_melody_entry_is_named(tmp_path):
    path = save_project(sample_project(), tmp_path / "p.wbproj")
    rewrite(path, manifest_change=lambda m: m["melody"]["support"][0].update(notes=[["x"]]))
    opened = open_project(path)
    assert any("support melody 'jig'" in p for p in opened.problems)
    assert [m.name for m in opened.project.melody.support] == ["reel"]


@pytest.mark.parametrize("damage, message", [
    (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "truncated or corrupt"),
    (lambda p: p.write_bytes(b"not a zip at all"), "not a workbench project"),
    (lambda p: rewrite(p, manifest_change=lambda m: m.update(version=99)), "newer workbench"),
    (lambda p: rewrite(p, manifest_change=lambda m: m.update(format="other")), "format tag"),
    (lambda p: rewrite(p, drop=("manifest.json",)), "no manifest.json"),
])
def test_bad_project_files_raise_a_clear_error(tmp_path, damage, message):
    path = save_project(sample_project(), tmp_path / "p.wbproj")
    damage(path)
    with pytest.raises(ProjectError, match=message):
        open_project(path)


def test_a_pickled_array_is_refused_not_executed(tmp_path):
    path = save_project(sample_project(), tmp_path / "p.wbproj")
    pickled = io.BytesIO()
    np.save(pickled, np.array([object()], dtype=object), allow_pickle=True)
    rewrite(path, replace={"sketch/canvas.npy": pickled.getvalue()})
    opened = open_project(path)
    assert opened.project.sketch.canvas is None
    assert any("sketch/canvas.npy" in p for p in opened.problems)
