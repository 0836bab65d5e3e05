"""Reopening a project and generating again with its model, settings and seed gives the same results."""

from __future__ import annotations

import numpy as np

from tests.project.user_library import library_with
from workbench.project.archive import open_project, save_project
from workbench.project.document import Project, SketchWork


def test_sketch_vary_again_from_a_reopened_project(tmp_path, tiny_checkpoints):
    from workbench.domains.sketch import api
    library, model = library_with(tiny_checkpoints["ink"], tmp_path)
    rng = np.random.default_rng(1)
    support = [(f"drawing {i}", rng.random((28, 28), dtype=np.float32)) for i in range(3)]
    settings = {"variations": 4, "seed": 11, "temperature": 0.8, "vary_steps": 2}

    def run(work: SketchWork):
        s = work.settings
        return api.vary([a for _, a in work.support], n=s["variations"], seed=s["seed"],
                        temperature=s["temperature"], steps=s["vary_steps"],
                        checkpoint=library.get(work.models["vary"].id).path)

    work = SketchWork(support=support, settings=settings, models={"vary": model})
    work.results = [(f"variation {i}", a) for i, a in enumerate(run(work), start=1)]
    reopened = open_project(save_project(Project(sketch=work), tmp_path / "p.wbproj")).project.sketch
    again = run(reopened)
    assert len(again) == 4
    for (_, before), after in zip(reopened.results, again, strict=True):
        assert np.array_equal(before, after)
