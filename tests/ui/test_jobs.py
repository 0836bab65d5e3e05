"""JobRunner: results, errors, cancel and restart while busy, shutdown joins its thread."""

from __future__ import annotations

import threading
import time

import pytest

from workbench.meta.errors import DataError
from workbench.ui.jobs import JobRunner


@pytest.fixture
def runner(qtbot):
    jobs = JobRunner(name="test-jobs")
    yield jobs
    assert jobs.shutdown(5000)


def test_result_arrives_on_gui_thread_with_progress(qtbot, runner):
    seen_threads = []
    progress = []

    def work(a, b, *, progress, cancelled):
        seen_threads.append(threading.current_thread())
        for i in range(3):
            progress(i + 1, 3, f"step {i + 1}")
        return a * b

    runner.progress.connect(lambda d, t, m: progress.append((d, t, m)))
    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        runner.submit(work, 6, b=7)
        assert runner.busy
    assert blocker.args == [42]
    assert not runner.busy
    assert seen_threads and seen_threads[0] is not threading.main_thread()
    assert progress[-1] == (3, 3, "step 3")  # the final report is never throttled away


def test_error_becomes_user_message(qtbot, runner):
    def broken(*, progress, cancelled):
        raise DataError("support.png is not an image")

    finished = []
    runner.finished.connect(finished.append)
    with qtbot.waitSignal(runner.errored, timeout=5000) as blocker:
        runner.submit(broken)
    assert blocker.args == ["support.png is not an image"]
    assert finished == []
    assert not runner.busy


def test_unexpected_error_names_its_type(qtbot, runner):
    def broken(*, progress, cancelled):
        raise ZeroDivisionError("division by zero")

    with qtbot.waitSignal(runner.errored, timeout=5000) as blocker:
        runner.submit(broken)
    assert "ZeroDivisionError" in blocker.args[0]


def _wait_until_cancelled(release: threading.Event, label: str):
    def job(*, progress, cancelled):
        release.set()
        deadline = time.monotonic() + 10
        while not cancelled():
            if time.monotonic() > deadline:
                raise AssertionError("job was never cancelled")
            time.sleep(0.005)
        return label

    return job


def test_submit_while_busy_cancels_and_runs_the_new_job(qtbot, runner):
    running = threading.Event()
    results = []
    runner.finished.connect(results.append)
    runner.submit(_wait_until_cancelled(running, "old"))
    assert running.wait(5)
    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        runner.submit(lambda *, progress, cancelled: "new")
        assert runner.busy
    assert blocker.args == ["new"]
    assert results == ["new"]  # the cancelled job's result is stale and dropped
    assert not runner.busy


def test_only_the_latest_pending_job_runs(qtbot, runner):
    running = threading.Event()
    results = []
    runner.finished.connect(results.append)
    runner.submit(_wait_until_cancelled(running, "first"))
    assert running.wait(5)
    runner.submit(lambda *, progress, cancelled: "second")
    runner.submit(lambda *, progress, cancelled: "third")
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert results == ["third"]


def test_cancel_drops_result_and_frees_runner(qtbot, runner):
    running = threading.Event()
    results = []
    runner.finished.connect(results.append)
    runner.submit(_wait_until_cancelled(running, "cancelled"))
    assert running.wait(5)
    runner.cancel()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert results == []
    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        runner.submit(lambda *, progress, cancelled: "after")
    assert blocker.args == ["after"]


def test_shutdown_cancels_and_joins_a_running_job(qtbot):
    jobs = JobRunner(name="test-shutdown")
    running = threading.Event()
    stopped = threading.Event()

    def long_job(*, progress, cancelled):
        running.set()
        while not cancelled():
            time.sleep(0.005)
        stopped.set()

    jobs.submit(long_job)
    assert running.wait(5)
    thread = jobs._thread
    assert jobs.shutdown(5000)
    assert stopped.is_set()
    assert not thread.isRunning()
    with pytest.raises(RuntimeError):
        jobs.submit(long_job)


def test_shutdown_without_any_job_is_harmless(qtbot):
    jobs = JobRunner()
    assert jobs.shutdown()
    assert not jobs.busy


def test_reference_cycles_are_freed_on_the_gui_thread(qtbot, runner):
    import gc

    freed_on = []

    class Cycle:
        def __init__(self):
            self.me = self

        def __del__(self):
            freed_on.append(threading.current_thread())

    assert not gc.isenabled()                  # the automatic collector would run on any thread
    Cycle()

    def allocate_a_lot(progress, cancelled):  # enough to trigger an automatic collection, on the worker
        return [[i] for i in range(20_000)]

    kept = []          # the allocations stay alive: freed, they would take the collector's count back down
    runner.finished.connect(kept.append)
    runner.submit(allocate_a_lot)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    qtbot.waitUntil(lambda: bool(freed_on), timeout=5_000)
    assert freed_on == [threading.main_thread()]


def test_cycles_made_after_the_start_up_freeze_are_still_collected_on_the_gui_thread(qtbot):
    """The session's collector (conftest, as in the app) with start-up objects frozen out of it."""
    import gc
    import weakref

    from workbench.ui.jobs import freeze_start_up_objects

    freeze_start_up_objects()
    frozen = gc.get_freeze_count()
    freeze_start_up_objects()                                  # once per process
    assert gc.get_freeze_count() == frozen and not gc.isenabled()

    class Node:
        pass

    node = Node()
    node.me = node                                             # a cycle: refcounting alone never frees it
    gone = weakref.ref(node)
    del node
    kept = [[] for _ in range(2 * gc.get_threshold()[0])]     # enough new containers for a collection
    qtbot.waitUntil(lambda: gone() is None, timeout=5000)
    assert len(kept) > 0
