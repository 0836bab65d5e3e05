import numpy as np
import pytest

from workbench.domains.melody import api, synth
from workbench.domains.melody.notes import TICKS_PER_BEAT, Melody, Note
from workbench.meta.errors import DataError

EIGHTH = TICKS_PER_BEAT // 2


def loud_melody():
    return Melody(notes=tuple(Note(i * EIGHTH, EIGHTH, 48 + (i * 7) % 36, 127) for i in range(64)), tempo=150)


def test_render_is_float32_mono_without_clipping():
    melody = loud_melody()
    audio = api.render_audio(melody)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert len(audio) == round(synth.duration_seconds(melody) * 44100)
    assert 0.3 < np.abs(audio).max() <= synth.PEAK < 1.0
    assert np.isfinite(audio).all()


def test_notes_sound_where_they_are_and_silence_between():
    melody = Melody(notes=(Note(0, TICKS_PER_BEAT, 69), Note(4 * TICKS_PER_BEAT, TICKS_PER_BEAT, 69)), tempo=60)
    # beats 0 and 4, 1 s per beat
    audio = api.render_audio(melody, sample_rate=8000)
    rms = lambda a: float(np.sqrt(np.mean(a**2)))
    assert rms(audio[0:8000]) > 0.01
    assert rms(audio[2 * 8000:4 * 8000]) < 1e-4  # after the release, before the second note
    assert rms(audio[4 * 8000:5 * 8000]) > 0.01
    # starts without a click: the first millisecond is quieter than the attack's end
    assert np.abs(audio[:8]).max() < np.abs(audio[60:120]).max()


def test_empty_melody_renders_short_silence():
    audio = api.render_audio(Melody())
    assert len(audio) == round(synth.TAIL_S * 44100) and not audio.any()


def test_wav_round_trip(tmp_path):
    melody = loud_melody()
    path = tmp_path / "out.wav"
    api.write_wav(melody, path)
    samples, rate = synth.read_wav(path)
    assert rate == 44100
    assert len(samples) == len(api.render_audio(melody))
    assert np.abs(samples).max() <= synth.PEAK + 1e-3
    assert np.allclose(samples, api.render_audio(melody), atol=1e-4)


def test_bad_sample_rate():
    with pytest.raises(DataError, match="sample rate"):
        api.render_audio(loud_melody(), sample_rate=10)
