"""Playback: the built-in synthesizer through QtMultimedia, or a MIDI output port.

Player.play(melody, start_tick, loop) renders the melody with the melody
facade's `render_audio` and streams it to a QAudioSink; a GUI-thread clock
moves the playhead (`position_changed`) at about 30 Hz. With a MIDI port
chosen (QSettings key `melody_studio/midi_output`), notes go to that port
through mido + python-rtmidi instead.

With no audio device, no MIDI port or no renderer, the player says so ONCE
through the Notifier and keeps going silently: the playhead still moves,
and editing, generating and exporting are unaffected.

The timing (what a range plays, where the playhead is, which MIDI events are
due, ticks <-> seconds) is workbench.domains.melody.playback, tested without
Qt; this module only feeds a sound device or a port and runs the clock.
"""

from __future__ import annotations

import logging
from typing import Callable

import numpy as np
from PySide6.QtCore import QElapsedTimer, QIODevice, QObject, QTimer, Signal

from workbench.domains.melody.notes import Melody, Note
from workbench.domains.melody.playback import MidiSchedule, NoteEvent, PlayRange, note_events, play_range, segment

log = logging.getLogger(__name__)

SAMPLE_RATE = 44100
CLOCK_INTERVAL_MS = 33        # playhead refresh, about 30 Hz
MIDI_INTERVAL_MS = 5          # MIDI scheduling resolution
MIDI_SETTING = "melody_studio/midi_output"
PREVIEW_TICKS = 9             # a previewed key sounds for 3/4 of a beat


def audio_device_available() -> bool:
    from PySide6.QtMultimedia import QMediaDevices
    return not QMediaDevices.defaultAudioOutput().isNull()


def qt_sink_factory(sample_rate: int):
    """A QAudioSink on the default output, 16-bit mono."""
    from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices
    fmt = QAudioFormat()
    fmt.setSampleRate(sample_rate)
    fmt.setChannelCount(1)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    device = QMediaDevices.defaultAudioOutput()
    if not device.isFormatSupported(fmt):
        raise RuntimeError(f"'{device.description()}' does not accept 16-bit mono at {sample_rate} Hz")
    return QAudioSink(device, fmt)


def sink_error(sink) -> str:
    """'' when the sink is fine, else the name of its QAudio error."""
    error = getattr(sink, "error", None)
    if not callable(error):
        return ""
    from PySide6.QtMultimedia import QAudio
    value = error()
    return "" if value == QAudio.Error.NoError else getattr(value, "name", str(value))


def default_renderer(melody: Melody, sample_rate: int) -> np.ndarray:
    from workbench.domains.melody import api
    return api.render_audio(melody, sample_rate=sample_rate)


def midi_output_names() -> tuple[list[str], str]:
    """(port names, "" or why none could be listed)."""
    try:
        import mido
        names = list(mido.get_output_names())
    except Exception as exc:  # noqa: BLE001 - rtmidi raises SystemError without ALSA/CoreMIDI
        return [], f"{type(exc).__name__}: {exc}".strip()
    return names, "" if names else "the system lists no MIDI output ports"


def open_midi_output(name: str):
    import mido
    return mido.open_output(name)


def to_pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767).astype("<i2").tobytes()


class PcmSource(QIODevice):
    """Read-only PCM bytes for a pull-mode sink; wraps around when looping."""

    def __init__(self, data: bytes, loop: bool = False, start_byte: int = 0):
        super().__init__()
        self._data, self._loop = data, loop and len(data) > 0
        self._pos = min(start_byte - start_byte % 2, len(data))
        self.open(QIODevice.OpenModeFlag.ReadOnly)

    def readData(self, maxlen: int) -> bytes:
        if not self._loop:
            chunk = self._data[self._pos:self._pos + maxlen]
            self._pos += len(chunk)
            return chunk
        out = bytearray()
        while len(out) < maxlen:
            take = self._data[self._pos:self._pos + maxlen - len(out)]
            out += take
            self._pos = (self._pos + len(take)) % len(self._data)
        return bytes(out)

    def writeData(self, _data) -> int:
        return -1

    def bytesAvailable(self) -> int:
        if self._loop:
            return len(self._data) + super().bytesAvailable()
        return len(self._data) - self._pos + super().bytesAvailable()

    def isSequential(self) -> bool:
        return True


class Player(QObject):
    position_changed = Signal(int)   # tick of the melody being played
    playing_changed = Signal(bool)

    def __init__(self, notifier, settings=None, sink_factory: Callable | None = None,
                 device_available: Callable[[], bool] = audio_device_available,
                 renderer: Callable[[Melody, int], np.ndarray] = default_renderer,
                 midi_opener: Callable = open_midi_output, parent: QObject | None = None):
        super().__init__(parent)
        self._notifier, self._settings = notifier, settings
        self._sink_factory = sink_factory or qt_sink_factory
        self._device_available, self._renderer, self._midi_opener = device_available, renderer, midi_opener
        self._warned: set[str] = set()
        self._sink = self._source = None
        self._preview_sink = self._preview_source = None
        self._midi_port = None
        self._midi_port_name = ""
        self._schedule: MidiSchedule | None = None
        self._elapsed = QElapsedTimer()
        self._clock = QTimer(self, interval=CLOCK_INTERVAL_MS)
        self._clock.timeout.connect(self._tick)
        self._playing = False
        self._range = PlayRange(0, 0)
        self._tempo = 120.0

    # -- public -------------------------------------------------------------------
    @property
    def is_playing(self) -> bool:
        return self._playing

    @property
    def midi_output(self) -> str:
        return str(self._settings.value(MIDI_SETTING, "", type=str)) if self._settings is not None else ""

    def set_midi_output(self, name: str) -> None:
        if self._settings is not None:
            self._settings.setValue(MIDI_SETTING, name or "")
        self._close_midi()

    def play(self, melody: Melody, start_tick: int = 0, loop: tuple[int, int] | None = None) -> None:
        self.stop()
        self._tempo = melody.tempo
        chosen = play_range(melody, start_tick, loop)
        if chosen is None:
            self._notifier.info("Nothing to play: the melody has no notes.")
            return
        self._range = chosen
        part = segment(melody, chosen.start, chosen.end)
        if not (self.midi_output and self._start_midi(part)):
            self._start_audio(part)
        self._playing = True
        self._elapsed.start()
        self._clock.setInterval(MIDI_INTERVAL_MS if self._midi_port is not None else CLOCK_INTERVAL_MS)
        self._clock.start()
        self.playing_changed.emit(True)
        self.position_changed.emit(chosen.start + chosen.offset)

    def stop(self) -> None:
        was_playing = self._playing
        self._playing = False
        self._clock.stop()
        if self._sink is not None:
            self._sink.stop()
            self._sink = None
        self._source = None
        self._midi_all_off()
        self._schedule = None
        if was_playing:
            self.playing_changed.emit(False)

    def preview_pitch(self, pitch: int, velocity: int = 100) -> None:
        """Let the user hear one pitch (keyboard click, drawn or dragged note)."""
        if self.midi_output and self._open_midi():
            import mido
            port = self._midi_port
            port.send(mido.Message("note_on", note=pitch, velocity=velocity))
            QTimer.singleShot(350, lambda: self._midi_port is port and port.send(
                mido.Message("note_off", note=pitch, velocity=0)))
            return
        if not self._audio_possible():
            return
        samples = self._render(Melody(notes=(Note(0, PREVIEW_TICKS, pitch, velocity),), tempo=120.0))
        if samples is None:
            return
        if self._preview_sink is not None:
            self._preview_sink.stop()
        self._preview_source = PcmSource(to_pcm16(samples))
        self._preview_sink = self._open_sink(self._preview_source)

    def shutdown(self) -> None:
        self.stop()
        if self._preview_sink is not None:
            self._preview_sink.stop()
            self._preview_sink = None
        self._close_midi()

    # -- audio ----------------------------------------------------------------------
    def notify_once(self, key: str, level: str, message: str) -> None:
        """Post a message the first time `key` comes up; later occurrences stay quiet."""
        if key not in self._warned:
            self._warned.add(key)
            self._notifier.post(level, message)

    def _audio_possible(self) -> bool:
        try:
            available = self._device_available()
        except Exception:  # noqa: BLE001 - a broken multimedia backend counts as no device
            log.warning("audio device query failed", exc_info=True)
            available = False
        if not available:
            self.notify_once("audio", "warning", "No audio output device was found, so playback is silent "
                              "(the playhead still moves). Export a WAV to listen elsewhere.")
        return available

    def _render(self, melody: Melody) -> np.ndarray | None:
        try:
            return self._renderer(melody, SAMPLE_RATE)
        except Exception as exc:  # noqa: BLE001 - playback must never take the studio down
            log.warning("rendering audio failed", exc_info=True)
            self.notify_once("render", "error", f"Could not render audio for playback: {exc}")
            return None

    def _start_audio(self, part: Melody) -> None:
        if not self._audio_possible():
            return
        samples = self._render(part)
        if samples is None:
            return
        played = self._range
        if played.loop:  # exactly one loop long, so it wraps in time with the playhead
            length = played.loop_samples(self._tempo, SAMPLE_RATE)
            samples = np.pad(samples[:length], (0, max(0, length - len(samples))))
        else:
            self._range = played.extended_to(len(samples) / SAMPLE_RATE, self._tempo)
        start_byte = 2 * played.offset_samples(self._tempo, SAMPLE_RATE)
        self._source = PcmSource(to_pcm16(samples), loop=played.loop, start_byte=start_byte)
        self._sink = self._open_sink(self._source)

    def _open_sink(self, source: PcmSource):
        """A started sink pulling from source, or None (said once) when the output cannot be opened."""
        try:
            sink = self._sink_factory(SAMPLE_RATE)
            sink.start(source)
        except Exception as exc:  # noqa: BLE001 - a missing backend or format must not stop the studio
            log.warning("starting the audio sink failed", exc_info=True)
            self.notify_once("audio", "warning", f"The audio output could not be opened ({exc}); "
                             "playback is silent (the playhead still moves).")
            return None
        problem = sink_error(sink)
        if problem:
            sink.stop()
            self.notify_once("audio", "warning", f"The audio output reported an error ({problem}); "
                             "playback is silent (the playhead still moves).")
            return None
        return sink

    # -- MIDI -------------------------------------------------------------------------
    def _open_midi(self) -> bool:
        name = self.midi_output
        if self._midi_port is not None and self._midi_port_name == name:
            return True
        self._close_midi()
        try:
            self._midi_port = self._midi_opener(name)
            self._midi_port_name = name
            return True
        except Exception as exc:  # noqa: BLE001 - no port, no ALSA, no rtmidi: all the same to the user
            self._midi_port = None
            self.notify_once("midi", "warning", f"MIDI output port '{name}' is not available ({exc}); "
                              "using the built-in synthesizer.")
            return False

    def _close_midi(self) -> None:
        if self._midi_port is not None:
            self._midi_all_off()
            try:
                self._midi_port.close()
            except Exception:  # noqa: BLE001
                log.warning("closing the MIDI port failed", exc_info=True)
        self._midi_port = None
        self._midi_port_name = ""

    def _start_midi(self, part: Melody) -> bool:
        if not self._open_midi():
            return False
        self._schedule = MidiSchedule(note_events(part), self._range)
        return True

    def _send(self, events: list[NoteEvent]) -> None:
        import mido
        for event in events:
            kind = "note_on" if event.on else "note_off"
            self._midi_port.send(mido.Message(kind, note=event.pitch, velocity=event.velocity))

    def _midi_all_off(self) -> None:
        if self._midi_port is not None and self._schedule is not None:
            self._send(self._schedule.release_all())

    # -- clock --------------------------------------------------------------------------
    def _tick(self) -> None:
        elapsed = self._range.elapsed_ticks(self._elapsed.elapsed() / 1000.0, self._tempo)
        if self._midi_port is not None and self._schedule is not None:
            self._send(self._schedule.due(elapsed))
        tick, ended = self._range.position(elapsed)
        self.position_changed.emit(tick)
        if ended:
            self.stop()
