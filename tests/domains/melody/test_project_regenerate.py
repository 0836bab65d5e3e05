"""Reopening a project and generating again with its model, settings and seed gives the same results."""

from __future__ import annotations

from tests.project.user_library import library_with
from workbench.project.archive import open_project, save_project
from workbench.project.document import MelodyWork, Project


def test_melody_generate_again_from_a_reopened_project(tmp_path, tiny_checkpoint):
    from workbench.domains.melody import api
    from workbench.domains.melody.notes import Melody, Note
    library, model = library_with(tiny_checkpoint, tmp_path)
    settings = {"n": 2, "bars": 2, "temperature": 1.0, "seed": 5, "steps": 1}
    support = [Melody(notes=tuple(Note(i * 12, 12, 60 + (i * k) % 12) for i in range(16)), name=f"tune {k}")
               for k in (1, 3)]

    def run(work: MelodyWork):
        s = work.settings
        return api.generate(work.support, n=s["n"], bars=s["bars"], temperature=s["temperature"], seed=s["seed"],
                            steps=s["steps"], checkpoint=library.get(work.model.id).path)

    work = MelodyWork(support=support, settings=settings, model=model)
    work.results = run(work)
    reopened = open_project(save_project(Project(melody=work), tmp_path / "p.wbproj")).project.melody
    again = run(reopened)
    assert again[0].notes and [m.notes for m in again] == [m.notes for m in reopened.results]
