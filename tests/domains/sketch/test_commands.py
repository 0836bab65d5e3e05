"""`workbench sketch vary|complete` and `workbench eval sketch`, through the real entry points."""

from __future__ import annotations

import argparse
import json
from unittest import mock

from PIL import Image, ImageDraw

from workbench.cli import main
from workbench.commands import eval_sketch


def _drawing(path, offset=0):
    image = Image.new("L", (90, 90), 255)
    draw = ImageDraw.Draw(image)
    draw.line((10 + offset, 10, 80, 80 - offset), fill=0, width=5)
    draw.arc((20, 20, 70, 70), 0, 200, fill=0, width=5)
    image.save(path)
    return str(path)


def test_sketch_vary_writes_pngs_and_a_contact_sheet(tiny_checkpoints, tmp_path, capsys):
    support = [_drawing(tmp_path / f"s{i}.png", i * 3) for i in range(3)]
    broken = tmp_path / "broken.png"
    broken.write_text("not a picture")
    out = tmp_path / "out"
    code = main(["sketch", "vary", "--support", *support, str(broken), "-n", "5", "--steps", "2",
                 "--decode-steps", "3", "--checkpoint", str(tiny_checkpoints["ink"]), "--out", str(out), "--json"])
    captured = capsys.readouterr()
    assert code == 0
    document = json.loads(captured.out)
    assert document["command"] == "sketch vary" and len(document["results"]) == 5
    assert document["support"] == 3 and "broken.png" in document["skipped"][0]
    assert "broken.png" in captured.err
    assert sorted(p.name for p in out.glob("vary-0?.png")) == [f"vary-0{i}.png" for i in range(1, 6)]
    assert sorted(p.name for p in out.glob("vary-0?.svg")) == [f"vary-0{i}.svg" for i in range(1, 6)]
    assert sorted(p.name for p in out.glob("vary-0?.strokes.svg")) == [f"vary-0{i}.strokes.svg" for i in range(1, 6)]
    with Image.open(out / "contact-sheet.png") as sheet:
        assert sheet.size[0] > 5 * 32


def test_sketch_invent_writes_new_characters_and_refuses_a_single_one(tiny_checkpoints, tmp_path, capsys):
    support = [_drawing(tmp_path / f"s{i}.png", i * 3) for i in range(3)]
    out = tmp_path / "out"
    code = main(["sketch", "invent", "--support", *support, "-n", "3", "--checkpoint", str(tiny_checkpoints["ink"]),
                 "--out", str(out), "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["command"] == "sketch invent" and len(document["results"]) == 3
    assert sorted(p.name for p in out.glob("invent-0?.svg")) == [f"invent-0{i}.svg" for i in range(1, 4)]
    assert main(["sketch", "invent", "--support", support[0], "--checkpoint", str(tiny_checkpoints["ink"]),
                 "--out", str(tmp_path / "one")]) == 2
    assert "at least two different characters" in capsys.readouterr().err


def test_sketch_vary_with_only_bad_support_fails_cleanly(tiny_checkpoints, tmp_path, capsys):
    blank = tmp_path / "blank.png"
    Image.new("L", (40, 40), 255).save(blank)
    code = main(["sketch", "vary", "--support", str(blank), "--checkpoint", str(tiny_checkpoints["ink"]),
                 "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    assert "blank.png" in err and "empty" in err and "none of the support images" in err


def test_sketch_complete_writes_every_step_and_a_filmstrip(tiny_checkpoints, tmp_path, capsys):
    partial = _drawing(tmp_path / "partial.png")
    out = tmp_path / "done"
    code = main(["sketch", "complete", "--partial", partial, "--steps", "3",
                 "--checkpoint", str(tiny_checkpoints["ink"]), "--out", str(out)])
    assert code == 0
    assert sorted(p.name for p in out.glob("step-*.png")) == [f"step-0{i}.png" for i in range(4)]
    assert (out / "completed.png").exists() and (out / "filmstrip.png").exists()
    assert (out / "completed.svg").read_text().startswith("<svg")
    assert (out / "completed.strokes.svg").read_text().startswith("<svg")
    assert "sketch complete" in capsys.readouterr().out


def test_sketch_complete_follows_examples_and_skips_bad_files(tiny_checkpoints, tmp_path, capsys):
    partial = _drawing(tmp_path / "partial.png")
    example = _drawing(tmp_path / "example.png")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    code = main(["sketch", "complete", "--partial", partial, "--examples", example, str(broken), "--steps", "2",
                 "--start", "2", "--checkpoint", str(tiny_checkpoints["ink"]), "--out", str(tmp_path / "done"), "--json"])
    assert code == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["examples"] == 1 and len(document["skipped"]) == 1 and "broken.png" in captured.err
    assert document["start"] == 2                          # one example: the 2nd best is the best again


def test_sketch_tune_stores_the_validated_rate_and_steps(tiny_checkpoints, tmp_path, capsys):
    import shutil

    from workbench.meta.checkpoint import load_checkpoint

    copy = tmp_path / "ink.safetensors"
    shutil.copy(str(tiny_checkpoints["ink"]) + ".safetensors", copy)
    assert main(["sketch", "tune", "--checkpoint", str(copy), "--tasks", "2", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    chosen = document["chosen"]
    meta = load_checkpoint(copy).meta
    assert meta["config"]["inner_lr"] == chosen["inner_lr"] and meta["config"]["eval_steps"] == chosen["steps"] >= 1
    from workbench.domains.sketch.tune import RATES, STEPS

    assert len(meta["adaptation_validation"]["table"]) == len(document["results"]) == len(RATES) * len(STEPS)


def test_eval_sketch_reports_models_and_baselines_side_by_side(tiny_checkpoints, capsys):
    parser = argparse.ArgumentParser()
    eval_sketch.register(parser.add_subparsers(dest="what"))
    args = parser.parse_args([
        "sketch", "--checkpoint", str(tiny_checkpoints["ink"]), "--judge", str(tiny_checkpoints["classify"]),
        "--pretrained", str(tiny_checkpoints["ink-pretrain"]), "--tasks", "2", "--decode-steps", "3",
        "--shots", "1", "2", "--json",
    ])
    assert args.func(args) == 0
    document = json.loads(capsys.readouterr().out)
    rows = document["results"]
    vary = [r for r in rows if r["mode"] == "vary"]
    models = ("meta", "meta-all", "meta-blank", "unadapted", "unadapted-blank", "pretrain", "pretrain-blank",
              "jitter", "start", "nearest", "real")
    assert {(r["model"], r["shots"]) for r in vary} == {(m, k) for m in models for k in (1, 2)}
    for r in vary:
        assert all(0.0 <= r[key] <= 1.0 for key in ("mid_grey", "faint", "fidelity", "near_copy"))
        assert r["chamfer"] >= 0.0
    assert all(r["mid_grey"] == 0.0 for r in vary if r["model"] in ("meta", "meta-blank", "unadapted", "pretrain", "start"))
    assert all(r["fidelity_ci95"] >= 0.0 for r in vary)
    assert all(set(r["fidelity_paired"]) == {"jitter", "start", "unadapted", "pretrain", "meta-all"}
               for r in vary if r["model"] == "meta")
    assert all(set(r["fidelity_paired"]) == {"unadapted-blank", "pretrain-blank"}
               for r in vary if r["model"] == "meta-blank")
    complete = [r for r in rows if r["mode"] == "complete"]
    with_examples = {(m, k) for m in ("meta", "meta-blank", "unadapted", "pretrain", "support-fill", "bent-fill")
                     for k in (1, 2)}
    without = {(m, 0) for m in ("meta-alone", "mirror", "nearest-fill")}
    assert {(r["model"], r["shots"]) for r in complete} == with_examples | without
    assert {r["observed"] for r in complete} == {0.25, 0.5}
    for r in complete:
        assert 0.0 <= r["recall"] <= 1.0 and 0.0 <= r["precision"] <= 1.0
        decoded = r["model"] in ("meta", "meta-blank", "meta-alone", "unadapted", "pretrain")
        assert len(r["recall_by_step"]) == (3 if decoded else 1)
        assert 0.0 <= r["f1"] <= 1.0 and r["f1_ci95"] >= 0.0
        if r["model"] == "meta":
            assert set(r["f1_paired"]) == {"support-fill", "bent-fill", "unadapted", "pretrain"}
    assert any("pretrain fine-tuned with inner_lr" in note for note in document["notes"])


def test_eval_sketch_invent_scores_new_characters_by_their_alphabet(tiny_checkpoints, tmp_path, capsys):
    from tests.domains.test_omniglot import make_image_set

    data = make_image_set(tmp_path / "alphabets", classes=8, drawings=3)       # 2 alphabets of 4 characters
    parser = argparse.ArgumentParser()
    eval_sketch.register(parser.add_subparsers(dest="what"))
    args = parser.parse_args([
        "sketch", "--checkpoint", str(tiny_checkpoints["ink"]), "--judge", str(tiny_checkpoints["classify"]),
        "--pretrained", "none", "--no-glyphs", "--data", str(data), "--mode", "invent", "--tasks", "2",
        "--shots", "1", "2", "--json",
    ])
    assert args.func(args) == 0
    document = json.loads(capsys.readouterr().out)
    rows = document["results"]
    assert {r["mode"] for r in rows} == {"invent"} and {r["shots"] for r in rows} == {2}   # Invent reads 2+
    assert {r["model"] for r in rows} == {"meta", "meta-all", "meta-blank", "unadapted", "unadapted-blank", "start",
                                          "jitter", "real"}
    for r in rows:
        assert r["alphabets"] == 2 and 0.0 <= r["alphabet_fidelity"] <= 1.0 and 0.0 <= r["near_copy"] <= 1.0
        assert r["alphabet_fidelity_ci95"] >= 0.0
    assert any("no file can overlap" in note for note in document["notes"])


def test_eval_sketch_can_choose_settings_on_the_validation_classes(tiny_checkpoints, capsys):
    parser = argparse.ArgumentParser()
    eval_sketch.register(parser.add_subparsers(dest="what"))
    args = parser.parse_args([
        "sketch", "--checkpoint", str(tiny_checkpoints["ink"]), "--judge", str(tiny_checkpoints["classify"]),
        "--pretrained", "none", "--glyph-split", "val", "--mode", "vary", "--tasks", "1", "--shots", "1", "--json",
    ])
    from workbench.domains.sketch import evaluate

    with mock.patch.object(evaluate, "evaluate_vary", wraps=evaluate.evaluate_vary) as vary:
        assert args.func(args) == 0
    assert vary.call_args.kwargs["split"] == "val"                  # the validation classes, not the test ones
    rows = json.loads(capsys.readouterr().out)["results"]
    assert rows and {r["data"] for r in rows} == {"glyphs-val"}


def test_eval_sketch_can_move_the_drawing_to_complete_off_its_examples_place(tiny_checkpoints, capsys):
    import numpy as np

    from workbench.domains.sketch.evaluate import _moved_right

    bar = np.zeros((1, 8, 8), np.float32)
    bar[0, :, 5:7] = 1.0
    moved = _moved_right(bar, 2)
    assert moved[0, :, 7].all() and moved.sum() == 8      # moved right; the column past the edge is lost
    parser = argparse.ArgumentParser()
    eval_sketch.register(parser.add_subparsers(dest="what"))
    common = ["sketch", "--checkpoint", str(tiny_checkpoints["ink"]), "--pretrained", "none", "--mode", "complete",
              "--tasks", "1", "--shots", "1", "--observed", "0.25", "--decode-steps", "2", "--json"]
    args = parser.parse_args(common + ["--offset", "3"])
    assert args.func(args) == 0
    rows = json.loads(capsys.readouterr().out)["results"]
    assert rows and all(r["offset"] == 3 for r in rows)
    assert main(["eval"] + common + ["--offset", "40"]) == 2             # more than the half of the canvas
    assert "offset" in capsys.readouterr().err


def test_eval_sketch_on_a_set_of_small_classes_runs_what_they_allow_and_names_what_not(tiny_checkpoints, tmp_path,
                                                                                        capsys):
    from tests.domains.test_omniglot import make_image_set

    data = make_image_set(tmp_path / "small", classes=8, drawings=3)
    common = ["eval", "sketch", "--checkpoint", str(tiny_checkpoints["ink"]), "--judge", str(tiny_checkpoints["classify"]),
              "--pretrained", "none", "--no-glyphs", "--data", str(data), "--tasks", "1", "--decode-steps", "2",
              "--observed", "0.25", "--json"]
    assert main(common + ["--mode", "vary", "--shots", "5"]) == 2           # 5 + 2 drawings per class needed
    assert "classes of 7 or more drawings; the largest class has 3" in capsys.readouterr().err
    assert main(common + ["--mode", "complete", "--shots", "2"]) == 0       # 2 examples + the drawing: 3
    rows = json.loads(capsys.readouterr().out)["results"]
    assert {r["shots"] for r in rows if r["model"] == "meta"} == {2}
    for folder in [p for p in data.rglob("*") if p.is_dir() and any(p.glob("*.png"))]:
        (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n")     # a fourth file, unreadable
    assert main(common + ["--mode", "complete", "--shots", "3"]) == 0       # a task takes all four
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert any("files could not be read; the class's next drawing stood in" in n and "broken.png" in n for n in notes)


def test_a_complete_only_run_leaves_out_the_judges_classes_as_a_whole_run_does(tiny_checkpoints, tmp_path, capsys):
    from tests.domains.test_omniglot import make_image_set

    judged = make_image_set(tmp_path / "small1", classes=6, drawings=4)
    test = make_image_set(tmp_path / "small2", classes=9, drawings=4)          # its first 6: the same files
    judge = tmp_path / "judge"
    assert main(["train", "--domain", "sketch", "--preset", "classify", "--data", str(judged), "--way", "2",
                 "--iterations", "1", "--val-every", "0", "--out", str(judge), "--json"]) == 0
    capsys.readouterr()
    assert main(["eval", "sketch", "--checkpoint", str(tiny_checkpoints["ink"]), "--judge", str(judge),
                 "--pretrained", "none", "--no-glyphs", "--data", str(test), "--mode", "complete", "--tasks", "1",
                 "--shots", "1", "--observed", "0.25", "--decode-steps", "2", "--json"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert any("3 classes" in n and "6 classes left out" in n for n in notes)
