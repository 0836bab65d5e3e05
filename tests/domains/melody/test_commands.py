import json

import pytest

from workbench import cli
from workbench.domains.melody import api, synth
from workbench.domains.melody.notes import TICKS_PER_BEAT as BEAT
from workbench.domains.melody.notes import Melody, Note


@pytest.fixture()
def support_files(tmp_path, tiny_tunes):
    paths = []
    for i, tune in enumerate(tiny_tunes[:3]):
        path = tmp_path / f"support{i}.mid"
        api.write_midi(tune.melody, path)
        paths.append(str(path))
    return paths


def test_generate_writes_midi_and_wav(tmp_path, support_files, tiny_checkpoint, capsys):
    bad = tmp_path / "bad.mid"
    bad.write_text("not midi")
    out = tmp_path / "out"
    code = cli.main(["melody", "generate", "--support", *support_files, str(bad), "-n", "3", "--bars", "2",
                     "--seed", "4", "--checkpoint", str(tiny_checkpoint), "--wav", "--out", str(out), "--json"])
    captured = capsys.readouterr()
    assert code == 0
    document = json.loads(captured.out)
    assert document["command"] == "melody generate" and len(document["results"]) == 3
    assert "bad.mid" in captured.err and len(document["skipped"]) == 1
    for row in document["results"]:
        melody, report = api.read_midi(row["file"])
        assert melody.notes and melody.bars <= 2
        samples, rate = synth.read_wav(row["wav"])
        assert rate == 44100 and len(samples) > 0 and abs(samples).max() < 1.0


def test_generate_continue(tmp_path, support_files, tiny_checkpoint, capsys):
    start = tmp_path / "start.mid"
    api.write_midi(Melody(notes=tuple(Note(i * BEAT, BEAT, 60 + i) for i in range(4)), name="start"), start)
    code = cli.main(["melody", "generate", "--support", *support_files, "-n", "1", "--bars", "1",
                     "--continue", str(start), "--checkpoint", str(tiny_checkpoint), "--out", str(tmp_path / "o")])
    assert code == 0
    melody, _ = api.read_midi(tmp_path / "o" / "melody-01.mid")
    assert [n.pitch for n in melody.notes[:4]] == [60, 61, 62, 63]


def test_generate_with_no_readable_support_fails_clearly(tmp_path, tiny_checkpoint, capsys):
    bad = tmp_path / "bad.mid"
    bad.write_text("not midi")
    code = cli.main(["melody", "generate", "--support", str(bad), "--checkpoint", str(tiny_checkpoint),
                     "--out", str(tmp_path / "o")])
    assert code == 2
    assert "bad.mid" in capsys.readouterr().err


def test_render(tmp_path, capsys):
    midi = tmp_path / "x.mid"
    api.write_midi(Melody(notes=(Note(0, BEAT, 60), Note(BEAT, BEAT, 64)), tempo=120), midi)
    code = cli.main(["melody", "render", str(midi), "--out", str(tmp_path / "x.wav"), "--json"])
    assert code == 0
    row = json.loads(capsys.readouterr().out)["results"][0]
    assert row["peak"] < 1.0 and row["seconds"] == pytest.approx(1.0 + synth.TAIL_S, abs=0.01)


def test_render_bad_file(tmp_path, capsys):
    path = tmp_path / "x.mid"
    path.write_bytes(b"MThd\x00")
    assert cli.main(["melody", "render", str(path), "--out", str(tmp_path / "x.wav")]) == 2
    assert "x.mid" in capsys.readouterr().err


def test_eval_melody_on_a_style_folder(tmp_path, tiny_tunes, tiny_checkpoint, capsys):
    for i, tune in enumerate(tiny_tunes):
        folder = tmp_path / "styles" / ("a" if i % 2 else "b")
        api.write_midi(tune.melody, folder / f"{i}.mid")
    api.write_midi(tiny_tunes[0].melody, tmp_path / "styles" / "c" / "alone.mid")   # too few tunes for a task
    (tmp_path / "styles" / "a" / "broken.mid").write_bytes(b"MThd\x00\x00")
    code = cli.main(["eval", "melody", "--data", str(tmp_path / "styles"), "--checkpoint", str(tiny_checkpoint),
                     "--pretrained", str(tiny_checkpoint), "--tasks", "2", "--shots", "1", "2", "--json"])
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    results = document["results"]
    notes = document["notes"]                                 # what the folder gave, and what it could not
    assert any(n.startswith("c: 1 tunes read") and "left out (K = 2 needs 3" in n for n in notes)
    assert any(n.startswith("1 files skipped: broken.mid") for n in notes)
    assert sum(int(n.split(", ")[-1].split()[0]) for n in notes if n.endswith(" tasks")) == 2
    nll = [r for r in results if "nll_per_note" in r]
    models = {"meta", "meta-unadapted", "meta-primed", "pretrained-unadapted", "pretrained-primed",
              "pretrained-finetuned", "markov"}
    assert {(r["model"], r["shots"]) for r in nll} == {(m, k) for m in models for k in (1, 2)}
    assert all(r["nll_per_note"] > 0 for r in nll)
    tuned = next(r for r in nll if r["model"] == "pretrained-finetuned")
    assert tuned["inner_lr"] > 0 and tuned["adapted_part"] in ("style", "all")
    shapes = [r for r in results if r.get("measure") == "shape"]
    assert {(r["samples"], r["shots"]) for r in shapes} == {(s, k) for s in ("support", "meta", "meta-unadapted")
                                                            for k in (1, 2)}
    generated = [r for r in shapes if r["samples"] == "meta"]
    assert all(0.0 <= r["copy_rate_6gram"] <= 1.0 and 0.0 <= r["bar_rhythms_in_style"] <= 1.0 for r in generated)
    assert all(r["phrase_end_holds"] >= 0.5 for r in generated)  # the plan holds at least the piece's end


def test_eval_melody_rejects_bad_shots(capsys):
    assert cli.main(["eval", "melody", "--shots", "0"]) == 2
    assert "shots" in capsys.readouterr().err


def test_corpus_command(capsys):
    assert cli.main(["melody", "corpus", "--collections", "ryans", "--limit-files", "3", "--json"]) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["tunes"] == 3 and sum(r["tunes"] for r in document["results"]) == 3
    assert cli.main(["melody", "corpus", "--collections", "essen", "nowhere"]) == 2
    assert "NON-COMMERCIAL" in capsys.readouterr().err
