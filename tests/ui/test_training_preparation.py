"""A domain's slow first data load (the melody corpus) shows progress with an ETA, and Stop cancels it."""

from __future__ import annotations

import mido
import pytest

from workbench.domains.melody import corpus
from workbench.ui.context import AppContext
from workbench.ui.training.panel import TrainingPanel
from workbench.ui.training.progress import ProgressView
from workbench.ui.training.worker import TrainingJob, TrainingWorker


def style_folder(root, files_per_style=3):
    for style, pitches in (("major", [60, 62, 64, 65, 67]), ("minor", [57, 59, 60, 62, 64])):
        (root / style).mkdir(parents=True)
        for k in range(files_per_style):
            midi = mido.MidiFile(type=1, ticks_per_beat=480)
            track = mido.MidiTrack()
            midi.tracks.append(track)
            for i in range(48):
                pitch = pitches[(i * (k + 2)) % len(pitches)]
                track.append(mido.Message("note_on", note=pitch, velocity=80, time=0))
                track.append(mido.Message("note_off", note=pitch, velocity=0, time=240))
            midi.save(str(root / style / f"{style}{k}.mid"))
    return root


def test_the_progress_view_counts_files_with_an_eta_then_iterations(qtbot):
    view = ProgressView()
    qtbot.addWidget(view)
    view.start(0, 100)
    view.show_preparation(0, 60, "parsing oneills/1.abc", now=0.0)
    view.show_preparation(10, 60, "parsing oneills/11.abc", now=20.0)  # 0.5 files per second
    assert view.bar.format() == "data %v / %m" and view.bar.maximum() == 60 and view.bar.value() == 10
    assert view.rate.text() == "parsing oneills/11.abc · ETA 1:40"
    assert "Stop" in view.state.text()
    view.update_progress(1, 100, 5.0, now=21.0)
    assert view.bar.format() == "iteration %v / %m" and view.bar.maximum() == 100 and "ETA" not in view.rate.text()


def test_stop_cancels_the_data_load_between_files(tmp_path):
    folder = style_folder(tmp_path / "styles")
    with pytest.raises(corpus.CorpusBuildCancelled):
        corpus.load_midi_folder(folder, cancelled=lambda: True)

    class SlowData:
        def prepare_data(self, progress, cancelled):
            progress(0, 2, "first file")
            worker.stop()  # the user presses Stop while the first file is parsed
            corpus.load_midi_folder(folder, progress, cancelled)

    worker = TrainingWorker(TrainingJob("melody", {}, {}))
    seen = []
    worker.preparing.connect(lambda *args: seen.append(args))
    assert worker._prepare_data(SlowData()) is False  # a stop, not a failure
    assert seen == [(0, 2, "first file")]


def test_a_melody_run_reports_its_data_load_in_the_panel(qtbot, tmp_path):
    panel = TrainingPanel(AppContext())
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: not panel.preset_jobs.busy, timeout=30_000)
    panel.form.set_state({"domain": "melody", "algo": "fomaml", "meta_batch": 2, "inner_steps": 1, "eval_steps": 1,
                          "iterations": 1, "val_every": 0, "device": "cpu", "shot": 2,
                          "folder": str(style_folder(tmp_path / "styles"))})
    panel.form.extra_problem = {"query": 1}
    panel.form.extra_config = {"batching": "loop"}
    seen = []
    panel.session.preparing.connect(lambda *args: seen.append(args))
    try:
        with qtbot.waitSignal(panel.session.ended, timeout=120_000):
            assert panel.start()
        assert seen and seen[-1][:2] == (6, 6) and "read 6 melodies" in seen[-1][2]
        assert panel.last_error is None and panel.progress.bar.format() == "iteration %v / %m"
    finally:
        panel.shutdown()
