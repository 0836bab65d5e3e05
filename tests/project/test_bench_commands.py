"""The project benchmarks run and print one JSON document (the numbers live in docs, not here)."""

from __future__ import annotations

import json

from workbench.cli import main


def test_bench_project_json(capsys):
    assert main(["bench", "project", "--results", "2", "--repeats", "1", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert [r["operation"] for r in results] == ["save", "open"]


def test_bench_recovery_kills_and_recovers(capsys):
    assert main(["bench", "recovery", "--runs", "2", "--max-wait", "0.2", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["results"][0]["recovered_and_opened"] == 2 and document["failures"] == []
