"""The headless commands, run in-process through workbench.cli.main."""

import json

import pytest

from tests.domains.test_omniglot import make_image_set
from workbench.cli import main


def run_json(capsys, *argv):
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_train_then_resume_then_eval_sinusoid(tmp_path, capsys):
    ckpt = str(tmp_path / "sine")
    first = run_json(capsys, "train", "--domain", "sinusoid", "--iterations", "3", "--meta-batch", "4",
                     "--val-every", "0", "--out", ckpt, "--json")
    assert first["command"] == "train" and first["results"][0]["iterations"] == 3
    resumed = run_json(capsys, "train", "--domain", "sinusoid", "--resume", ckpt, "--iterations", "5", "--json")
    assert resumed["results"][0]["iterations"] == 5
    report = run_json(capsys, "eval", "sinusoid", "--checkpoint", ckpt, "--baseline", ckpt, "--shots", "5",
                      "--steps", "0,2", "--tasks", "4", "--json")
    rows = report["results"]
    assert {(r["model"], r["steps"]) for r in rows} == {("meta", 0), ("meta", 2), ("pretrained", 0), ("pretrained", 2)}
    assert all(r["mse"] >= 0 for r in rows)
    assert set(report) >= {"command", "device", "versions", "results"}


def test_train_init_from_starts_a_new_run_from_a_pretrained_one(tmp_path, capsys):
    pre = str(tmp_path / "pre")
    run_json(capsys, "train", "--domain", "sinusoid", "--algo", "pretrain", "--iterations", "3", "--meta-batch", "4",
             "--val-every", "0", "--out", pre, "--json")
    meta = run_json(capsys, "train", "--domain", "sinusoid", "--algo", "maml", "--init-from", pre, "--iterations",
                    "2", "--meta-batch", "4", "--val-every", "0", "--out", str(tmp_path / "meta"), "--json")
    assert meta["results"][0]["iterations"] == 2 and meta["results"][0]["algo"] == "maml"
    assert main(["train", "--domain", "sinusoid", "--resume", pre, "--init-from", pre]) == 2
    assert "init_from" in capsys.readouterr().err
    # a second-stage preset without the first stage's checkpoint is refused before any training
    assert main(["train", "--domain", "sketch", "--preset", "ink-finish", "--out", str(tmp_path / "x")]) == 2
    assert "continues a run of the ink preset" in capsys.readouterr().err


def test_train_jsonl_streams_records(tmp_path, capsys):
    assert main(["train", "--domain", "sinusoid", "--iterations", "2", "--meta-batch", "2", "--val-every", "1",
                 "--jsonl"]) == 0
    kinds = [json.loads(line)["kind"] for line in capsys.readouterr().out.splitlines()]
    assert kinds.count("iteration") == 2 and kinds.count("validation") == 2


def test_eval_fewshot_reports_accuracy_with_an_interval(tmp_path, capsys):
    data = make_image_set(tmp_path / "data", classes=6, drawings=4)
    ckpt = str(tmp_path / "proto")
    run_json(capsys, "train", "--domain", "omniglot", "--data", str(data), "--algo", "protonet", "--way", "3",
             "--shot", "1", "--query", "1", "--iterations", "2", "--meta-batch", "2", "--inner-steps", "0",
             "--inner-lr", "0", "--val-every", "0", "--out", ckpt, "--json")
    report = run_json(capsys, "eval", "fewshot", "--checkpoint", ckpt, "--data", str(data), "--way", "4",
                      "--shot", "1", "--query", "2", "--episodes", "6", "--json")
    row = report["results"][0]
    assert row["way"] == 4 and 0.0 <= row["accuracy"] <= 1.0 and row["ci95"] >= 0.0


def test_eval_fewshot_leaves_out_test_classes_the_training_data_has(tmp_path, capsys):
    trained_on = make_image_set(tmp_path / "small1", classes=6, drawings=4)
    test = make_image_set(tmp_path / "small2", classes=9, drawings=4)   # its first 6 classes: the same files
    ckpt = str(tmp_path / "proto")
    run_json(capsys, "train", "--domain", "omniglot", "--data", str(trained_on), "--algo", "protonet", "--way", "3",
             "--shot", "1", "--query", "1", "--iterations", "1", "--meta-batch", "1", "--inner-steps", "0",
             "--inner-lr", "0", "--val-every", "0", "--out", ckpt, "--json")
    common = ["eval", "fewshot", "--checkpoint", ckpt, "--data", str(test), "--way", "3", "--shot", "1",
              "--query", "1", "--episodes", "2", "--json"]
    row = run_json(capsys, *common)["results"][0]
    assert (row["classes"], row["left_out_seen"], row["seen_check"]) == (3, 6, "checked")
    kept = run_json(capsys, *common, "--keep-seen")["results"][0]
    assert (kept["classes"], kept["left_out_seen"]) == (9, 0)


@pytest.mark.parametrize(
    "argv, words",
    [
        (["train", "--domain", "sinusoid", "--algo", "magic"], "algo"),
        (["train", "--domain", "sinusoid", "--inner-lr", "0"], "inner_lr"),
        (["train", "--domain", "poetry"], "domain"),
        (["train", "--domain", "omniglot", "--data", "/nonexistent/folder"], "/nonexistent/folder"),
        (["eval", "sinusoid", "--checkpoint", "/nonexistent/ckpt", "--baseline", "/nonexistent/ckpt"], "no such"),
    ],
)
def test_bad_input_is_one_line_naming_the_problem(capsys, argv, words):
    assert main(argv) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and words in error


def test_the_text_table_shortens_per_step_lists_and_paired_differences():
    from workbench.commands.output import format_table

    table = format_table([{"model": "meta", "recall_by_step": [0.1, 0.2, 0.3, 0.4, 0.5, 0.61],
                           "shots": [1, 3], "f1_paired": {"support-fill": {"difference": 0.0131, "ci95": 0.0164}}}])
    header, row = table.splitlines()
    assert "0.1 → 0.61 (6)" in row and "1, 3" in row and "support-fill +0.013 ± 0.016" in row
    assert "0.2" not in row                          # the steps in between stay in the JSON
