"""Playback: no device (this machine) says so once; a present device gets the rendered audio;
a MIDI port gets note messages; a missing MIDI port falls back to the synthesizer."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt

from tests.ui.melody_studio.conftest import notices
from workbench.domains.melody import api
from workbench.domains.melody.notes import TICKS_PER_BEAT, Melody, Note
from workbench.domains.melody.playback import segment
from workbench.ui.melody_studio.audio import MIDI_SETTING, SAMPLE_RATE, PcmSource, Player
from workbench.ui.notifications import Notifier


class FakeSink:
    """Stands in for a QAudioSink on a machine with a sound card: pulls what it is given."""

    def __init__(self):
        self.started_with = None
        self.stopped = False

    def start(self, device):
        self.started_with = device

    def stop(self):
        self.stopped = True


class FakePort:
    def __init__(self):
        self.messages = []
        self.closed = False

    def send(self, msg):
        self.messages.append(msg)

    def close(self):
        self.closed = True


def short_melody():
    return Melody(notes=(Note(0, 3, 60, 100), Note(3, 3, 64, 80)), tempo=240.0)


def test_playing_with_no_audio_device_says_so_once_and_keeps_working(panel, context, qtbot, tune, monkeypatch):
    monkeypatch.setattr(panel.player, "_device_available", lambda: False)  # as on this machine, anywhere
    panel.editor.open_melody(tune)
    panel.toggle_play()
    assert panel.player.is_playing and panel.play_button.text() == "Stop"
    qtbot.waitUntil(lambda: panel.editor.transport.playhead > 0, timeout=3000)  # the playhead moves silently
    panel.toggle_play()
    assert not panel.player.is_playing and panel.editor.transport.playhead == 0
    panel.player.preview_pitch(60)
    panel.toggle_play()
    ruler = panel.editor.ruler
    x = int(panel.editor.geometry.x(24) - panel.editor.view.horizontalScrollBar().value())
    qtbot.mouseClick(ruler, Qt.MouseButton.LeftButton, pos=QPoint(x, 4))  # seek while playing
    assert panel.player.is_playing
    qtbot.waitUntil(lambda: panel.editor.transport.playhead > 24, timeout=3000)
    panel.toggle_play()
    assert panel.editor.transport.playhead == 24  # stop returns to where playing (re)started
    audio_warnings = [m for m in notices(context, "warning") if "audio" in m.lower()]
    assert len(audio_warnings) == 1
    panel.editor.view.setFocus()
    qtbot.mouseClick(panel.editor.view.viewport(), Qt.MouseButton.LeftButton, pos=panel.editor.view.viewport().rect().center())
    assert len(panel.editor.melody.notes) == len(tune.notes) + 1  # editing still works


def test_the_real_device_check_on_a_machine_without_sound(qtbot):
    from workbench.ui.melody_studio.audio import audio_device_available
    if audio_device_available():
        pytest.skip("this machine has an audio output")
    notifier = Notifier()
    player = Player(notifier)  # the real QtMultimedia device query
    player.play(short_melody())
    player.play(short_melody())
    assert player.is_playing
    assert [n.level for n in notifier.history()] == ["warning"]
    player.shutdown()


def test_playback_reaches_the_end_and_stops(qtbot):
    player = Player(Notifier(), device_available=lambda: False)
    positions = []
    player.position_changed.connect(positions.append)
    player.play(short_melody())  # 6 ticks at 240 bpm: 0.125 s
    assert player.is_playing
    qtbot.waitUntil(lambda: not player.is_playing, timeout=3000)
    assert positions[-1] == 6 and positions == sorted(positions)
    player.shutdown()


def test_device_present_path_streams_the_rendered_audio(qtbot):
    sinks = []
    player = Player(Notifier(), device_available=lambda: True,
                    sink_factory=lambda rate: sinks.append(FakeSink()) or sinks[-1])
    melody = short_melody()
    player.play(melody)
    sink = sinks[0]
    pcm = sink.started_with.readAll().data()
    expected = api.render_audio(melody, SAMPLE_RATE)
    assert len(pcm) == 2 * len(expected)
    decoded = np.frombuffer(pcm, dtype="<i2") / 32767
    assert np.allclose(decoded, expected, atol=1e-3)
    player.preview_pitch(67)
    assert len(sinks) == 2 and sinks[1].started_with is not None
    player.stop()
    assert sink.stopped and not player.is_playing
    assert player._notifier.history() == []  # nothing to complain about
    player.shutdown()


def test_loop_streams_exactly_one_loop_then_wraps(qtbot):
    sinks = []
    player = Player(Notifier(), device_available=lambda: True,
                    sink_factory=lambda rate: sinks.append(FakeSink()) or sinks[-1])
    beat = TICKS_PER_BEAT
    melody = Melody(notes=(Note(0, beat, 60), Note(beat, beat, 67)), tempo=120.0)
    player.play(melody, start_tick=0, loop=(beat, 2 * beat))  # loop the second beat: 0.5 s
    source = sinks[0].started_with
    loop_bytes = 2 * round(0.5 * SAMPLE_RATE)
    first = source.read(loop_bytes).data()
    second = source.read(loop_bytes).data()
    assert len(first) == loop_bytes and first == second
    expected = api.render_audio(segment(melody, beat, 2 * beat), SAMPLE_RATE)[:loop_bytes // 2]
    assert np.allclose(np.frombuffer(first, dtype="<i2")[:len(expected)] / 32767, expected, atol=1e-3)
    player.shutdown()


def test_pcm_source_without_loop_ends():
    source = PcmSource(b"\x01\x00\x02\x00", loop=False)
    assert source.read(10).data() == b"\x01\x00\x02\x00"
    assert source.read(10).data() == b""


def test_midi_port_receives_the_notes_in_order(qtbot, isolated_settings):
    settings = QSettings()
    settings.setValue(MIDI_SETTING, "Synth Port")
    port = FakePort()
    opened = []
    player = Player(Notifier(), settings=settings, device_available=lambda: False,
                    midi_opener=lambda name: opened.append(name) or port)
    player.play(short_melody())
    qtbot.waitUntil(lambda: not player.is_playing, timeout=3000)
    assert opened == ["Synth Port"]
    sent = [(m.type, m.note) for m in port.messages]
    assert sent == [("note_on", 60), ("note_off", 60), ("note_on", 64), ("note_off", 64)]
    assert player._notifier.history() == []  # MIDI playback does not need an audio device
    player.shutdown()
    assert port.closed


def test_missing_midi_port_is_reported_once_and_falls_back(qtbot, isolated_settings):
    settings = QSettings()
    settings.setValue(MIDI_SETTING, "Gone")

    def no_port(name):
        raise OSError(f"unknown port {name!r}")

    sinks = []
    notifier = Notifier()
    player = Player(notifier, settings=settings, device_available=lambda: True,
                    sink_factory=lambda rate: sinks.append(FakeSink()) or sinks[-1], midi_opener=no_port)
    player.play(short_melody())
    player.play(short_melody())
    assert len(sinks) == 2  # the synthesizer played instead
    messages = [n.message for n in notifier.history()]
    assert len(messages) == 1 and "Gone" in messages[0]
    player.shutdown()


def test_listing_midi_ports_on_this_machine_reports_once(panel, context):
    panel.refresh_outputs()
    panel.refresh_outputs()
    assert panel.output_combo.count() >= 1 and panel.output_combo.itemData(0) == ""
    if panel.output_combo.count() == 1:  # no ports (as on the CI machine): said once
        assert len([m for m in notices(context) if "MIDI" in m]) == 1


class BrokenSink(FakeSink):
    """A device that is listed but fails to open (busy, unplugged)."""

    def error(self):
        from PySide6.QtMultimedia import QAudio
        return QAudio.Error.OpenError


def test_a_device_that_fails_to_open_is_reported_once(qtbot):
    notifier = Notifier()
    sinks = []
    player = Player(notifier, device_available=lambda: True,
                    sink_factory=lambda rate: sinks.append(BrokenSink()) or sinks[-1])
    player.play(short_melody())
    assert player.is_playing  # silent, but the playhead runs
    player.preview_pitch(60)
    player.play(short_melody())
    assert all(s.stopped for s in sinks)
    messages = [n.message for n in notifier.history()]
    assert len(messages) == 1 and "OpenError" in messages[0]
    player.shutdown()
