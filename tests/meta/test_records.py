"""Training records round-trip through their dicts (the JSON lines of `workbench train --json`)."""

import json

import pytest

from workbench.meta.errors import DataError
from workbench.meta.records import CheckpointRecord, IterationRecord, StatusRecord, ValidationRecord, record_from_dict

RECORDS = [
    IterationRecord(iteration=3, outer_loss=0.5, query_loss=0.5, support_losses=(2.0, 1.0), accuracy=None,
                    tasks_per_s=10.0, memory_mb=1.0, outer_lr=1e-3, inner_lr={"mean": 0.01, "min": 0.01, "max": 0.01},
                    elapsed_s=0.1, iterations_total=10),
    ValidationRecord(iteration=3, loss=0.7, accuracy=0.9, support_losses=(1.0, 0.6), tasks=8),
    CheckpointRecord(iteration=3, path="run.safetensors"),
    StatusRecord(iteration=3, state="paused"),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.kind)
def test_a_record_is_rebuilt_from_its_json_line(record):
    assert record_from_dict(json.loads(json.dumps(record.to_dict()))) == record


@pytest.mark.parametrize("data, message", [
    ({"kind": "lunch"}, "not a training record"),
    ([1, 2], "not a training record"),
    ({"kind": "validation", "iteration": 1}, "without 'loss'"),
])
def test_anything_else_is_a_clear_data_error(data, message):
    with pytest.raises(DataError, match=message):
        record_from_dict(data)
