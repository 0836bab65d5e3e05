"""A small built-in synthesizer: a melody to float32 audio and WAV. numpy + stdlib only.

The tone is a soft electric-piano-like voice: a few harmonics whose upper
partials fade faster than the fundamental, with a short attack, an exponential
decay to a sustain level and a release after the note ends (no clicks). The
mix is scaled so that the peak never exceeds PEAK.
"""

from __future__ import annotations

import os
import wave
from pathlib import Path

import numpy as np

from workbench.domains.melody.notes import Melody
from workbench.domains.melody.playback import ticks_to_seconds
from workbench.meta.errors import DataError

SAMPLE_RATE = 44100
PEAK = 0.89
ATTACK_S, DECAY_S, SUSTAIN, RELEASE_S = 0.008, 0.25, 0.45, 0.12
HARMONICS = ((1, 1.0, 0.0), (2, 0.45, 1.5), (3, 0.22, 3.0), (4, 0.1, 5.0))  # number, level, extra decay /s
TAIL_S = 0.25
MAX_SECONDS = 15 * 60


def duration_seconds(melody: Melody) -> float:
    """Length of the rendered audio in seconds (the melody plus the release tail)."""
    return ticks_to_seconds(melody.length_ticks, melody.tempo) + TAIL_S


def render_audio(melody: Melody, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Float32 mono samples in [-PEAK, PEAK]; an empty melody gives TAIL_S of silence."""
    if sample_rate < 8000 or sample_rate > 192000:
        raise DataError(f"sample rate {sample_rate} Hz is outside 8000-192000 Hz")
    seconds = duration_seconds(melody)
    if seconds > MAX_SECONDS:
        raise DataError(f"'{melody.name}' would play {seconds / 60:.0f} minutes; the synthesizer renders at most 15")
    total = int(round(seconds * sample_rate))
    out = np.zeros(total, dtype=np.float64)
    tick = ticks_to_seconds(1, melody.tempo)
    for note in melody.notes:
        start = int(round(note.onset * tick * sample_rate))
        held = note.duration * tick
        length = int(round((held + RELEASE_S) * sample_rate))
        length = min(length, total - start)
        if length <= 0:
            continue
        t = np.arange(length) / sample_rate
        out[start:start + length] += _tone(note.pitch, t, held) * (0.25 + 0.75 * note.velocity / 127) * 0.3
    peak = float(np.max(np.abs(out))) if total else 0.0
    if peak > PEAK:
        out *= PEAK / peak
    return out.astype(np.float32)


def _tone(pitch: int, t: np.ndarray, held: float) -> np.ndarray:
    frequency = 440.0 * 2 ** ((pitch - 69) / 12)
    wave_sum = np.zeros_like(t)
    for number, level, extra_decay in HARMONICS:
        if frequency * number > 18000:
            continue
        wave_sum += level * np.exp(-extra_decay * t) * np.sin(2 * np.pi * frequency * number * t)
    return wave_sum * _envelope(t, held)


def _envelope(t: np.ndarray, held: float) -> np.ndarray:
    attack = np.clip(t / ATTACK_S, 0.0, 1.0)
    decay = SUSTAIN + (1 - SUSTAIN) * np.exp(-np.maximum(t - ATTACK_S, 0.0) / DECAY_S * 3)
    level_at_release = (SUSTAIN + (1 - SUSTAIN) * np.exp(-max(held - ATTACK_S, 0.0) / DECAY_S * 3)) * min(held / ATTACK_S, 1.0)
    release = np.clip(1 - (t - held) / RELEASE_S, 0.0, 1.0) ** 2
    return np.where(t < held, attack * decay, level_at_release * release)


def write_wav(samples: np.ndarray, path, sample_rate: int = SAMPLE_RATE) -> None:
    """16-bit PCM mono WAV, written atomically."""
    path = Path(path)
    data = np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0)
    pcm = np.round(data * 32767).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    try:
        with wave.open(str(temporary), "wb") as handle:
            handle.setnchannels(1)
            handle.setsampwidth(2)
            handle.setframerate(sample_rate)
            handle.writeframes(pcm.tobytes())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise DataError(f"{path}: cannot write the WAV file ({exc.strerror or exc})") from exc


def read_wav(path) -> tuple[np.ndarray, int]:
    """Samples as float32 in [-1, 1] and the sample rate (for checks and tests)."""
    with wave.open(str(path), "rb") as handle:
        if handle.getsampwidth() != 2:
            raise DataError(f"{path}: only 16-bit WAV files are read")
        frames = handle.readframes(handle.getnframes())
        rate, channels = handle.getframerate(), handle.getnchannels()
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32767
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate
