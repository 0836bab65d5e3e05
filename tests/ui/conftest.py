"""Qt test fixtures: isolated settings, and no test may leave a thread running."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QSettings, QThread


@pytest.fixture(autouse=True, scope="session")
def garbage_collected_on_gui_thread(qapp):
    """As in the app: a Qt object left in a reference cycle by one test must not be freed on
    another test's worker thread (that hung the suite once: a QMenu destroyed on a training thread)."""
    import gc

    from workbench.ui.jobs import collect_garbage_on_gui_thread

    timer = collect_garbage_on_gui_thread(qapp)
    yield
    timer.stop()
    gc.enable()
    gc.collect()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every QSettings the app opens (INI, user scope) lives in this test's temp folder."""
    folder = tmp_path / "settings"
    folder.mkdir()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.SystemScope, str(folder / "system"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    yield folder


@pytest.fixture
def ready_training_panel(qtbot):
    """A Training panel with its presets loaded (shut down after the test)."""
    from workbench.ui.context import AppContext
    from workbench.ui.training.panel import TrainingPanel

    widget = TrainingPanel(AppContext())
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: not widget.preset_jobs.busy, timeout=30_000)
    yield widget
    widget.shutdown()


@pytest.fixture(autouse=True)
def unsaved_project_is_discarded_on_close(monkeypatch):
    """qtbot closes each test's windows: a changed project must not wait there on the modal
    Save / Discard / Cancel question (tests of that question set their own answer)."""
    from workbench.ui.project_controller import ProjectController
    monkeypatch.setattr(ProjectController, "ask_unsaved", lambda self: "discard")


@pytest.fixture(autouse=True)
def no_threads_left_running(monkeypatch):
    """Fail a test that leaves a QThread (or a Python thread) it started still running."""
    started: list[QThread] = []  # strong refs: a wrapper collected early would hide a running thread
    original_start = QThread.start

    def recording_start(self, *args, **kwargs):
        started.append(self)
        return original_start(self, *args, **kwargs)

    monkeypatch.setattr(QThread, "start", recording_start)
    python_threads_before = set(threading.enumerate())
    yield
    monkeypatch.setattr(QThread, "start", original_start)

    running = []
    for thread in started:
        try:
            if thread.isRunning():
                running.append(thread)
        except RuntimeError:  # the C++ object is already deleted: it was joined
            continue
    for thread in running:  # stop them so later tests do not crash on a destroyed running QThread
        thread.requestInterruption()
        thread.quit()
        thread.wait(10_000)
    leftover_python = [
        t for t in threading.enumerate()
        if t not in python_threads_before and t.is_alive() and not isinstance(t, threading._DummyThread)
    ]
    names = [t.objectName() or repr(t) for t in running] + [t.name for t in leftover_python]
    if names:
        pytest.fail(f"test left threads running: {', '.join(names)}")
