"""Generate in the background: results fill in, the UI stays responsive, errors are reported,
closing during generation joins the thread."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from PySide6.QtCore import QTimer

from tests.ui.melody_studio.conftest import notices
from workbench.domains.melody import api
from workbench.domains.melody.notes import Melody, Note


def support_melodies():
    scale = [60, 62, 64, 65, 67, 69, 71, 72]
    return [Melody(notes=tuple(Note(3 * i, 3, scale[(i * k) % 8], 90) for i in range(16)), name=f"s{k}")
            for k in (1, 2, 3)]


def fill_support(panel):
    for melody in support_melodies():
        panel.support.add_melody(melody)


def test_generate_fills_results_while_the_gui_stays_responsive(panel, qtbot, monkeypatch):
    calls = {}
    release = threading.Event()

    def stand_in(support, n, bars, temperature, seed, continue_from, keep_key, form_plan, steps, checkpoint, progress,
                 cancelled):
        calls.update(support=support, n=n, bars=bars, temperature=temperature, seed=seed, steps=steps,
                     continue_from=continue_from, keep_key=keep_key, form_plan=form_plan,
                     thread=threading.current_thread())
        for step in range(5):
            progress(step + 1, 5, "adapting")
        release.wait(10)  # runs until the test has seen the GUI thread at work
        return [replace(support[0].transposed(i), name="") for i in range(n)]

    monkeypatch.setattr(api, "generate", stand_in)
    fill_support(panel)
    panel.controls.variations.setValue(3)
    panel.controls.seed.setValue(7)
    panel.controls.steps.setValue(2)
    busy_at_tick = []
    timer = QTimer(interval=10, timeout=lambda: busy_at_tick.append(panel.is_busy()))
    timer.start()
    with qtbot.waitSignal(panel.runner.finished, timeout=10_000):
        panel.controls.generate_button.click()
        assert panel.is_busy() and not panel.controls.generate_button.isEnabled()
        # the GUI thread keeps running timers while the job runs
        qtbot.waitUntil(lambda: busy_at_tick.count(True) >= 3, timeout=5000)
        release.set()
    timer.stop()
    assert calls["thread"] is not threading.main_thread()
    assert len(calls["support"]) == 3 and calls["n"] == 3 and calls["seed"] == 7 and calls["steps"] == 2
    assert calls["continue_from"] is None and calls["keep_key"] is True and calls["form_plan"] is True
    assert panel.results.count() == 3
    assert panel.results.item(0).text() == "variation-01-seed7"
    assert not panel.is_busy() and panel.controls.generate_button.isEnabled()


def test_empty_support_uses_the_clip_and_continue_passes_it(panel, qtbot, monkeypatch, context):
    seen = {}

    def stand_in(support, continue_from, progress, cancelled, **kwargs):
        seen.update(support=support, continue_from=continue_from)
        return [support[0]]

    monkeypatch.setattr(api, "generate", stand_in)
    panel.generate()  # nothing to learn from
    assert "support" not in seen and any("support set" in m for m in notices(context, "warning"))
    clip = support_melodies()[0]
    panel.editor.open_melody(clip)
    panel.controls.continue_clip.setChecked(True)
    with qtbot.waitSignal(panel.runner.finished, timeout=10_000):
        panel.generate()
    assert seen["support"] == [clip] and seen["continue_from"] == clip


def test_a_failing_generation_is_reported_and_the_support_kept(panel, qtbot, monkeypatch, context, tmp_path):
    monkeypatch.setattr(panel.model_picker, "path", lambda: str(tmp_path / "missing.safetensors"))
    fill_support(panel)
    with qtbot.waitSignal(panel.runner.errored, timeout=60_000):
        panel.generate()  # the real facade: no checkpoint at that path
    errors = notices(context, "error")
    assert len(errors) == 1 and "missing.safetensors" in errors[0]
    assert len(panel.support.melodies()) == 3 and panel.controls.generate_button.isEnabled()


def generate_for_real(panel, qtbot, context, n=3, bars=2):
    panel.controls.variations.setValue(n)
    panel.controls.bars.setValue(bars)
    with qtbot.waitSignal(panel.runner.finished, timeout=60_000):
        panel.controls.generate_button.click()
    assert notices(context, "error") == []
    return panel.results.melodies()


def test_generate_fills_results_with_the_real_facade_and_model(panel, qtbot, context, tiny_melody_checkpoint):
    assert panel.model_picker.entry().shipped                       # a studio starts on the shipped model
    assert panel.model_picker.load(str(tiny_melody_checkpoint))     # the user picks a checkpoint file
    fill_support(panel)
    melodies = generate_for_real(panel, qtbot, context)
    assert len(melodies) == 3 and all(m.notes for m in melodies)
    assert all(m.length_ticks <= 2 * m.ticks_per_bar for m in melodies)
    assert panel.results.item(0).text() == "variation-01-seed0"
    name = panel.model_picker.label()
    assert f"seed 0 · model {name}" in panel.results_caption.text()  # the caption names model and seed
    assert melodies[0].meta["text"] == f"{name} · seed 0"            # and so does every exported .mid
    again = generate_for_real(panel, qtbot, context)  # same seed, same settings: same melodies
    assert [m.notes for m in again] == [m.notes for m in melodies]

    clip = support_melodies()[1]
    panel.editor.open_melody(clip)
    panel.controls.continue_clip.setChecked(True)
    continued = generate_for_real(panel, qtbot, context, n=2, bars=1)
    assert all(m.notes[:len(clip.notes)] == clip.notes for m in continued)  # each starts with the clip
    assert all(len(m.notes) > len(clip.notes) for m in continued)


def test_generate_with_the_shipped_checkpoint(panel, qtbot, context):
    if not api.default_checkpoint().exists():
        pytest.skip("the shipped melody checkpoint is not built yet (resources/checkpoints/melody.safetensors)")
    fill_support(panel)
    melodies = generate_for_real(panel, qtbot, context, n=2)
    assert len(melodies) == 2 and all(m.notes for m in melodies)
    assert "adapted to all" in panel.controls.status.text()      # the studio says what reached the model


def test_cancel_drops_the_result(panel, qtbot, monkeypatch):
    release = threading.Event()

    def stand_in(support, progress, cancelled, **kwargs):
        while not cancelled():
            time.sleep(0.01)
        release.set()
        return [support[0]]

    monkeypatch.setattr(api, "generate", stand_in)
    fill_support(panel)
    panel.generate()
    panel.controls.cancel_button.click()
    assert release.wait(5)
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=5000)
    assert panel.results.count() == 0 and panel.controls.generate_button.isEnabled()


def test_closing_during_generation_is_clean(qtbot, context, monkeypatch):
    from workbench.ui.melody_studio.panel import MelodyStudioPanel
    running, stopped_by_cancel = threading.Event(), threading.Event()

    def slow(support, progress, cancelled, **kwargs):
        running.set()
        for _ in range(3000):  # 30 s unless cancelled
            if cancelled():
                stopped_by_cancel.set()
                return []
            time.sleep(0.01)
        return []

    monkeypatch.setattr(api, "generate", slow)
    panel = MelodyStudioPanel(context)
    qtbot.addWidget(panel)
    fill_support(panel)
    panel.generate()
    assert running.wait(5) and panel.is_busy()
    panel.shutdown()
    assert stopped_by_cancel.is_set()  # shutdown cancelled the job (not waited it out) ...
    assert not panel.is_busy()  # ... and joined its thread
    panel.close()
