"""Fixtures for the melody studio tests: a real AppContext and MIDI files written with mido."""

from __future__ import annotations

import mido
import pytest

from workbench.domains.melody.notes import TICKS_PER_BEAT, Melody, Note


@pytest.fixture
def context(isolated_settings):
    from workbench.ui.context import AppContext
    return AppContext()


@pytest.fixture
def panel(qtbot, context):
    from workbench.ui.melody_studio.panel import MelodyStudioPanel
    widget = MelodyStudioPanel(context)
    qtbot.addWidget(widget)
    widget.resize(1300, 820)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.shutdown()


def notices(context, level=None):
    return [n.message for n in context.notifier.history() if level is None or n.level == level]


def write_mido_file(path, pitches, ticks_per_beat=480, step=240):
    """A type-1 MIDI file of eighth notes, written with mido directly (not with the code under test)."""
    midi = mido.MidiFile(type=1, ticks_per_beat=ticks_per_beat)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(100)))
    for pitch in pitches:
        track.append(mido.Message("note_on", note=pitch, velocity=80, time=0))
        track.append(mido.Message("note_off", note=pitch, velocity=0, time=step))
    midi.save(str(path))
    return path


def read_notes_with_mido(path):
    """(onset, duration, pitch, velocity) in the file's own ticks, decoded with mido only."""
    midi = mido.MidiFile(str(path))
    found, sounding = [], {}
    for track in midi.tracks:
        now = 0
        for msg in track:
            now += msg.time
            if msg.type == "note_on" and msg.velocity > 0:
                sounding[msg.note] = (now, msg.velocity)
            elif msg.type in ("note_on", "note_off") and msg.note in sounding:
                onset, velocity = sounding.pop(msg.note)
                found.append((onset, now - onset, msg.note, velocity))
    return midi.ticks_per_beat, sorted(found)


@pytest.fixture
def tune():
    e, q = TICKS_PER_BEAT // 2, TICKS_PER_BEAT  # an eighth, a quarter
    return Melody(notes=(Note(0, e, 60, 70), Note(e, e, 62, 90), Note(q, q, 64, 110), Note(2 * q, q, 67, 50)),
                  tempo=110.0, name="tune")


@pytest.fixture(scope="session")
def tiny_melody_checkpoint(tmp_path_factory):
    """A real melody checkpoint, meta-trained for 3 iterations on a synthetic two-style MIDI folder
    (seconds, no corpus parsing), so Generate runs through the real facade and model."""
    import random

    import torch

    from workbench.domains.registry import build_problem
    from workbench.meta.config import MetaConfig
    from workbench.meta.trainer import MetaTrainer

    root = tmp_path_factory.mktemp("styles")
    rng = random.Random(0)
    for style, scale in (("major", [60, 62, 64, 65, 67, 69, 71, 72]), ("minor", [57, 59, 60, 62, 64, 65, 67, 69])):
        (root / style).mkdir()
        for k in range(12):
            midi = mido.MidiFile(type=1, ticks_per_beat=480)
            track = mido.MidiTrack()
            midi.tracks.append(track)
            for _ in range(64):
                pitch = rng.choice(scale)
                track.append(mido.Message("note_on", note=pitch, velocity=80, time=0))
                track.append(mido.Message("note_off", note=pitch, velocity=0, time=rng.choice([240, 480])))
            midi.save(str(root / style / f"{style}{k:02d}.mid"))
    torch.manual_seed(0)
    problem = build_problem("melody", {"data": str(root), "width": 16, "layers": 1, "heads": 2, "task": "tune",
                                       "segment_bars": 4, "max_events": 40, "shot": 2, "query": 1})
    config = MetaConfig(algo="metasgd", first_order=True, inner_steps=1, eval_steps=3, inner_lr=0.05,
                        meta_batch=4, iterations=3, val_every=0, batching="loop")
    trainer = MetaTrainer(problem, config)
    for _ in trainer.run():
        pass
    path = tmp_path_factory.mktemp("checkpoint") / "tiny-melody.safetensors"
    trainer.save(path)
    return path
