"""The Controller carries commands to a run from another thread, without torch."""

import subprocess
import sys

from workbench.meta.controller import Controller


def test_pause_resume_and_stop_are_read_back():
    controller = Controller()
    assert not controller.paused and not controller.stop_requested
    controller.pause()
    assert controller.paused
    controller.resume()
    assert not controller.paused
    controller.pause()
    controller.stop()
    assert controller.stop_requested and not controller.paused  # a stop wakes a paused run
    assert controller.save_on_stop
    controller.stop(save=False)
    controller.stop()  # a later plain stop does not bring the final save back
    assert not controller.save_on_stop


def test_checkpoint_requests_are_taken_once_and_refused_after_close():
    controller = Controller()
    assert controller.request_checkpoint("a") and controller.request_checkpoint("b")
    assert controller.take_checkpoint_requests() == ["a", "b"]
    assert controller.take_checkpoint_requests() == []
    controller.request_checkpoint("late")
    assert controller.close() == ["late"]
    assert controller.request_checkpoint("after the end") is False
    assert controller.take_checkpoint_requests() == []


def test_importing_the_controller_does_not_import_torch():
    code = "import sys\nimport workbench.meta.controller\nprint('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
