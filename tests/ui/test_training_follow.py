"""Training > Follow a Run…: a metric stream another process appends to, plotted live and read-only."""

from __future__ import annotations

import json

import pytest

from tests.meta.toy import ToyRegression
from workbench.meta.config import MetaConfig
from workbench.meta.trainer import MetaTrainer


@pytest.fixture
def panel(ready_training_panel):
    ready_training_panel.follower.timer.setInterval(20)
    return ready_training_panel


@pytest.fixture(scope="module")
def lines():
    """The JSON lines of a real 8-iteration run (what `workbench train --jsonl-file` writes)."""
    config = MetaConfig(algo="metasgd", inner_steps=1, meta_batch=2, iterations=8, val_every=4, val_tasks=2,
                        batching="loop")
    return [json.dumps(r.to_dict()) + "\n" for r in MetaTrainer(ToyRegression(), config).run()]


def test_a_followed_stream_is_plotted_live_and_the_panel_is_read_only(qtbot, panel, lines, tmp_path):
    stream = tmp_path / "run.jsonl"
    head = lines[:5]  # started, info..., the first iterations
    stream.write_text("".join(head))
    assert panel.follow_run(str(stream))
    expected = sum('"kind": "iteration"' in line for line in head)
    qtbot.waitUntil(lambda: len(panel.store) == expected, timeout=5_000)
    assert panel.remote_banner.isVisibleTo(panel) and "read-only" in panel.remote_banner.text()
    assert not panel.actions.start.isEnabled() and not panel.actions.resume_checkpoint.isEnabled()
    assert not panel.actions.save.isEnabled() and not panel.actions.pause.isEnabled()
    assert panel.actions.follow.text() == "Stop Following"
    assert panel.plots.rates.widget.isVisibleTo(panel)  # a Meta-SGD run shows its learned rates

    rest = "".join(lines[5:])
    cut = rest.index("\n") + 10
    with stream.open("a") as handle:  # a writer caught mid-line: the half line waits
        handle.write(rest[:cut])
    expected += '"kind": "iteration"' in rest[:cut].splitlines()[0]
    qtbot.wait(150)
    assert len(panel.store) == expected
    with stream.open("a") as handle:
        handle.write(rest[cut:])
    qtbot.waitUntil(lambda: len(panel.store) == 8, timeout=5_000)
    assert len(panel.store.validations["iteration"]) == 2
    assert panel.progress.state.text() == "Remote run: finished"

    panel.stop_following()
    assert not panel.follower.following and not panel.remote_banner.isVisibleTo(panel)
    assert panel.actions.follow.text() == "Follow a Run…"
    assert panel.actions.start.isEnabled() == panel.form.validate()


def test_a_bad_line_is_reported_once_and_the_good_ones_still_plot(qtbot, panel, lines, tmp_path):
    stream = tmp_path / "run.jsonl"
    stream.write_text("not json\n" + '{"kind": "mystery"}\n' + "".join(lines))
    with qtbot.waitSignal(panel.notifier.posted, timeout=5_000) as posted:
        panel.follow_run(str(stream))
    level, message = posted.args
    assert level == "warning" and "not a training record" in message
    qtbot.waitUntil(lambda: len(panel.store) == 8, timeout=5_000)


def test_a_stream_that_does_not_exist_yet_is_waited_for(qtbot, panel, lines, tmp_path):
    stream = tmp_path / "later.jsonl"
    with qtbot.waitSignal(panel.notifier.posted, timeout=5_000) as posted:
        panel.follow_run(str(stream))
    assert "still watching" in posted.args[1]
    stream.write_text("".join(lines))
    qtbot.waitUntil(lambda: len(panel.store) == 8, timeout=5_000)


def test_a_replaced_stream_starts_the_plots_over(qtbot, panel, lines, tmp_path):
    stream = tmp_path / "run.jsonl"
    stream.write_text("".join(lines))
    panel.follow_run(str(stream))
    qtbot.waitUntil(lambda: len(panel.store) == 8, timeout=5_000)
    stream.write_text("".join(lines[:4]))
    first = sum('"kind": "iteration"' in line for line in lines[:4])
    qtbot.waitUntil(lambda: len(panel.store) == first, timeout=5_000)


def test_a_new_run_appended_to_the_stream_starts_the_plots_over(qtbot, panel, lines, tmp_path):
    stream = tmp_path / "run.jsonl"
    stream.write_text("".join(lines))
    panel.follow_run(str(stream))
    qtbot.waitUntil(lambda: len(panel.store) == 8, timeout=5_000)
    with stream.open("a") as handle:
        handle.write("".join(lines[:4]))
    first = sum('"kind": "iteration"' in line for line in lines[:4])
    qtbot.waitUntil(lambda: len(panel.store) == first, timeout=5_000)
