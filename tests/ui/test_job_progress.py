"""The studios' job-progress widget follows a JobRunner: shown while a job runs, hidden after."""

import threading

from workbench.ui.job_progress import JobProgress, time_left_text
from workbench.ui.jobs import JobRunner


def test_time_left_comes_from_the_pace_so_far():
    assert time_left_text(4.0, 2, 6) == " · about 8 s left"
    assert time_left_text(0.5, 2, 6) == ""      # too early to tell
    assert time_left_text(4.0, 0, 6) == "" and time_left_text(4.0, 6, 6) == ""


def test_it_follows_a_job_and_hides_when_it_ends(qtbot):
    runner = JobRunner(name="test-progress")
    widget = JobProgress(runner)
    qtbot.addWidget(widget)
    go = threading.Event()

    def job(*, progress, cancelled):
        progress(1, 4, "drawing")
        go.wait(10)
        return "done"

    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.submit(job)
        qtbot.waitUntil(lambda: widget.status.text().startswith("drawing (1/4)"), timeout=5000)
        assert widget.isVisibleTo(None) or not widget.isHidden()
        assert widget.bar.maximum() == 4 and widget.bar.value() == 1
        go.set()
    assert widget.isHidden()
    runner.shutdown()


def test_cancel_is_a_request_to_the_panel(qtbot):
    runner = JobRunner(name="test-progress-cancel")
    widget = JobProgress(runner)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.cancel_requested, timeout=1000):
        widget.cancel_button.click()
    runner.shutdown()
