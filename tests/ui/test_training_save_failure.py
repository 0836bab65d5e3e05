"""A save that fails during a GUI run (a full disk) is reported, training goes on, and the run
can still be saved elsewhere with Save Checkpoint (issue 14: a run is never lost)."""

from __future__ import annotations

import errno

from tests.ui.test_training_panel import click, configure, context, panel  # noqa: F401 - fixtures
from workbench.meta import checkpoint as checkpoint_module
from workbench.meta.checkpoint import load_checkpoint


def test_a_full_disk_at_the_autosave_is_reported_and_the_run_saved_elsewhere(qtbot, panel, context,  # noqa: F811
                                                                           tmp_path, monkeypatch):
    real_write = checkpoint_module.atomic_write_bytes

    def full_disk(path, blob, mode=0o644):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint_module, "atomic_write_bytes", full_disk)
    configure(panel, iterations=3)
    with qtbot.waitSignal(panel.run_ended, timeout=60_000) as ended:
        click(qtbot, panel.start_button)
    assert ended.args == ["finished"]
    warnings = [n.message for n in context.notifier.history() if n.level == "warning"]
    assert any("No space left" in w and "Save Checkpoint" in w for w in warnings), warnings

    monkeypatch.setattr(checkpoint_module, "atomic_write_bytes", real_write)  # space again
    panel.save_checkpoint(str(tmp_path / "elsewhere.safetensors"))
    qtbot.waitUntil(lambda: (tmp_path / "elsewhere.safetensors").exists() and not panel.save_jobs.busy,
                    timeout=30_000)
    assert load_checkpoint(tmp_path / "elsewhere.safetensors").meta["iteration"] == 3
