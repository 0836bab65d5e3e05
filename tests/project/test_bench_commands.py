"""The project benchmarks run and print one JSON document (the numbers live in docs, not here)."""

from __future__ import annotations

import json

import pytest

from workbench.cli import main


def test_bench_project_json(capsys):
    assert main(["bench", "project", "--results", "2", "--repeats", "1", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert [r["operation"] for r in results] == ["save", "open"]


@pytest.mark.parametrize("process", ["app", "writer"])
def test_bench_recovery_kills_and_recovers(capsys, process):
    """`app` SIGKILLs the real window mid-edit and restarts it; `writer` a headless Autosaver."""
    assert main(["bench", "recovery", "--process", process, "--runs", "2", "--max-wait", "0.2", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    record = document["results"][0]
    assert record["process"] == process and record["recovered_and_opened"] == 2 and document["failures"] == []
    assert record["holds_last_autosave"] == 2
