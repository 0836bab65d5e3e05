
import mido
import pytest

from workbench.domains.melody import corpus, vocab
from workbench.domains.melody.notes import SIXTEENTH as S
from workbench.domains.melody.notes import Melody, Note
from workbench.meta.errors import DataError


def test_builtin_subset_is_parsed_once_and_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path))
    melody_cache = tmp_path
    calls = []
    tunes = corpus.load_builtin(("ryans",), limit_files=3, progress=lambda d, t, m: calls.append((d, t)))
    assert len(tunes) == 3 and calls[-1] == (3, 3)
    cached = list(melody_cache.glob("melody-corpus-*ryans-first3.npz"))
    assert len(cached) == 1
    again = corpus.load_builtin(("ryans",), limit_files=3, progress=lambda d, t, m: calls.append("parsed"))
    assert "parsed" not in calls
    assert [t.melody for t in again] == [t.melody for t in tunes]
    first = tunes[0]
    assert first.source == "ryans" and first.style in ("reel", "jig", "hornpipe", "strathspey", "other", "clog")
    assert len(first.melody.notes) > 20
    assert first.melody.key is not None


def test_a_damaged_cache_is_parsed_again(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path))
    tunes = corpus.load_builtin(("ryans",), limit_files=2)
    cached = next(tmp_path.glob("melody-corpus-*.npz"))
    data = bytearray(cached.read_bytes())
    data[60:80] = bytes(20)                               # a CRC error inside the zip
    cached.write_bytes(bytes(data))
    assert [t.melody for t in corpus.load_builtin(("ryans",), limit_files=2)] == [t.melody for t in tunes]
    assert [p.name for p in tmp_path.iterdir()] == [cached.name]   # no temporary file left behind


def test_cache_dir_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path))
    assert corpus.cache_dir() == tmp_path


def test_style_names():
    assert corpus.style_of("double jig", "", (6, 8)) == "jig"
    assert corpus.style_of("", "Acacia -- Reel", (2, 4)) == "reel"
    assert corpus.style_of("", "Untitled", (9, 8)) == "slip jig"
    assert corpus.style_of("", "Untitled", (5, 4)) == "other"


def test_essen_licence_is_stated():
    assert "essen" in corpus.NONCOMMERCIAL and "NON-COMMERCIAL" in corpus.ESSEN_LICENCE
    assert "essen" not in corpus.DEFAULT_COLLECTIONS


def _write_tune(path, pitches):
    track = mido.MidiTrack()
    for p in pitches:
        track += [mido.Message("note_on", note=p, velocity=80, time=0), mido.Message("note_off", note=p, time=240)]
    midi = mido.MidiFile(type=1, ticks_per_beat=480)
    midi.tracks.append(track)
    midi.save(str(path))


def test_midi_folder_one_subfolder_per_style(tmp_path):
    for style in ("waltz", "reel"):
        (tmp_path / style).mkdir()
        for i in range(2):
            _write_tune(tmp_path / style / f"{i}.mid", [60 + i, 62, 64, 65, 67, 69])
    (tmp_path / "reel" / "broken.mid").write_bytes(b"nope")
    tunes, problems = corpus.load_midi_folder(tmp_path)
    assert sorted(t.style for t in tunes) == ["reel", "reel", "waltz", "waltz"]
    assert len(problems) == 1 and "broken.mid" in problems[0]


def test_midi_folder_without_styles_is_an_error(tmp_path):
    with pytest.raises(DataError, match="subfolder"):
        corpus.load_midi_folder(tmp_path)


def test_vocab_round_trip_on_the_16th_grid():
    melody = Melody(notes=(Note(2 * S, 2 * S, 60), Note(4 * S, S, 62), Note(8 * S, 4 * S, 64), Note(12 * S, 20 * S, 30)),
                    beats_per_bar=3)
    events = vocab.encode(melody)
    # note, note, rest, note, note (held 20 sixteenths -> capped at 16), pitch 30 folded up an octave
    assert events[:, vocab.PITCH].tolist() == [vocab.pitch_token(60), vocab.pitch_token(62), vocab.REST,
                                               vocab.pitch_token(64), vocab.pitch_token(42)]
    assert events[:, vocab.POSITION].tolist() == [2, 4, 5, 8, 0]
    back = vocab.decode(events, melody, start_sixteenth=2)
    assert [(n.onset, n.pitch) for n in back.notes] == [(2 * S, 60), (4 * S, 62), (8 * S, 64), (12 * S, 42)]


def test_events_know_their_bar_in_the_strain():
    pickup = Note(3 * 4 * S, 4 * S, 62)                          # a pickup quarter before the first full bar
    melody = Melody(notes=(pickup,) + tuple(Note(16 * S + i * 4 * S, 4 * S, 64) for i in range(40)))
    events = vocab.encode(melody)
    assert events[0, vocab.PHRASE] == 7                          # the pickup belongs before bar 1 of the strain
    assert events[1:5, vocab.PHRASE].tolist() == [0, 0, 0, 0] and events[5, vocab.PHRASE] == 1
    assert events[-1, vocab.PHRASE] == 1                         # bar 10 -> bar 2 of the second strain
    segs = vocab.segments(melody, bars=8, max_events=40)
    assert segs[0][0, vocab.PITCH] == vocab.pitch_token(64)       # strains start at the first full bar


def test_segments_are_padded_windows_of_bars():
    melody = Melody(notes=tuple(Note(i * 2 * S, 2 * S, 60 + i % 5) for i in range(64)))  # 8 bars of 8ths in 4/4
    segs = vocab.segments(melody, bars=4, max_events=40)
    assert len(segs) == 2 and segs[0].shape == (40, vocab.EVENT_FIELDS)
    assert segs[0][:, vocab.VALID].sum() == 32 and not segs[0][32:, vocab.VALID].any()


def test_export_as_a_folder_of_styles_reads_back(tmp_path):
    melody = Melody(notes=tuple(Note(i * 2 * S, 2 * S, 60 + i % 5) for i in range(32)))
    tunes = [corpus.Tune(f"reel {i}", "reel", "x", melody) for i in range(3)]
    tunes += [corpus.Tune(f"tune {i}", "other", "x", melody) for i in range(3)]
    tunes += [corpus.Tune("lonely", "waltz", "x", melody)]
    written = corpus.export_style_folders(tunes, tmp_path, min_tunes=2)
    assert written == {"other 4-4": 3, "reel": 3}                # too few waltzes: left out
    back, problems = corpus.load_midi_folder(tmp_path)
    assert not problems and sorted({t.style for t in back}) == ["other 4-4", "reel"]
    assert all(t.melody.notes == melody.notes for t in back)
