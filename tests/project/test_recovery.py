"""The recovery file: written atomically, found after a crash, removed on a clean close."""

from __future__ import annotations

from workbench.project.document import ModelChoice, Project
from workbench.project.recovery import Autosaver


def test_autosave_recover_discard(tmp_path):
    saver = Autosaver(tmp_path)
    assert not saver.pending()
    project = Project(panel="sketch", playground_model=ModelChoice("shipped:sinusoid", "s"))
    saver.save(project, autosave_of=str(tmp_path / "song.wbproj"))
    assert saver.pending()
    recovered = saver.recover()
    assert recovered.project.panel == "sketch" and recovered.autosave_of == str(tmp_path / "song.wbproj")
    assert not list(tmp_path.glob("*.tmp"))
    saver.discard()
    assert not saver.pending()
