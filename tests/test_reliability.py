"""Fault injection (issue 14): every failure gets a message naming what is wrong, and nothing is lost.

Each test breaks one thing on purpose (an unwritable destination, a full disk mid-run, a crash
between the parts of a save, a damaged or hand-edited checkpoint, a huge size, a FIFO) and checks
the message and that the last good state survives.
"""

from __future__ import annotations

import errno
import json
import os
import struct

import pytest
import torch

from tests.meta.toy import ToyClassification, ToyRegression
from workbench import cli
from workbench.meta import checkpoint as checkpoint_module
from workbench.meta.checkpoint import HASH_KEY, META_KEY, checkpoint_paths, load_checkpoint, verify_checkpoint
from workbench.meta.config import MetaConfig
from workbench.meta.errors import CheckpointError, ConfigError, NonFiniteLossError
from workbench.meta.trainer import MetaTrainer


def toy_config(**changes) -> MetaConfig:
    settings = dict(algo="maml", inner_steps=1, meta_batch=2, iterations=3, val_every=0, batching="loop")
    settings.update(changes)
    return MetaConfig(**settings)


def trained(tmp_path, iterations=3, name="run", **changes):
    trainer = MetaTrainer(ToyRegression(), toy_config(iterations=iterations, **changes))
    list(trainer.run(out=tmp_path / name))
    return trainer, checkpoint_paths(tmp_path / name)[0]


def header_and_data(path):
    blob = path.read_bytes()
    (length,) = struct.unpack("<Q", blob[:8])
    return json.loads(blob[8:8 + length]), blob[8 + length:]


def rewrite(path, meta_changes=None, tensors=None, rehash=False):
    """Edit a checkpoint as a person or a broken writer would: new JSON fields and/or tensors,
    with the old content hash kept unless rehash (a writer that hashed what it wrote)."""
    from safetensors.torch import load, save

    header, data = header_and_data(path)
    extra = header["__metadata__"]
    meta = json.loads(extra[META_KEY])
    meta.update(meta_changes or {})
    current = load(path.read_bytes())
    current.update(tensors or {})
    bare = save(current)
    (length,) = struct.unpack("<Q", bare[:8])
    import hashlib
    digest = hashlib.sha256(bare[8 + length:]).hexdigest() if rehash else extra[HASH_KEY]
    path.write_bytes(save(current, metadata={META_KEY: json.dumps(meta), HASH_KEY: digest}))


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured


# -- 1. a run is never lost when its output cannot be written --------------------------------

def test_an_unwritable_destination_is_refused_before_the_first_iteration(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    trainer = MetaTrainer(ToyRegression(), toy_config())
    records = []
    with pytest.raises(CheckpointError, match="cannot write the checkpoint"):
        for record in trainer.run(out=blocker / "run"):
            records.append(record)
    assert trainer.iteration == 0 and not [r for r in records if r.kind == "iteration"]


def test_a_full_disk_mid_run_keeps_training_and_the_next_save_retries(tmp_path, monkeypatch):
    real_write = checkpoint_module.atomic_write_bytes
    calls = {"n": 0}

    def flaky_write(path, blob, mode=0o644):
        calls["n"] += 1
        if calls["n"] == 2:  # the second save meets a full disk
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(path, blob, mode)

    monkeypatch.setattr(checkpoint_module, "atomic_write_bytes", flaky_write)
    trainer = MetaTrainer(ToyRegression(), toy_config(iterations=4, checkpoint_every=1))
    records = list(trainer.run(out=tmp_path / "run"))
    failed = [r for r in records if r.kind == "status" and r.state == "save_failed"]
    assert len(failed) == 1 and "No space left" in failed[0].message and "next save retries" in failed[0].message
    assert records[-1].state == "finished" and trainer.iteration == 4
    assert load_checkpoint(tmp_path / "run").meta["iteration"] == 4
    assert not list(tmp_path.glob("*.tmp"))


def test_the_cli_saves_a_finished_run_elsewhere_when_its_out_fails_at_the_end(tmp_path, monkeypatch, capsys):
    from workbench.commands import train_checks

    real_write = checkpoint_module.atomic_write_bytes
    target = tmp_path / "run.safetensors"

    def full_disk_for_target(path, blob, mode=0o644):
        if path == target:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(path, blob, mode)

    monkeypatch.setattr(checkpoint_module, "atomic_write_bytes", full_disk_for_target)
    monkeypatch.setattr(train_checks, "rescue_path", lambda out: tmp_path / "rescued" / "run")
    code, captured = run_cli(capsys, "train", "--domain", "sinusoid", "--iterations", "3", "--meta-batch", "2",
                             "--val-every", "0", "--batching", "loop", "--out", str(tmp_path / "run"))
    assert code == 1
    assert "No space left" in captured.err and "saved to" in captured.err
    assert load_checkpoint(tmp_path / "rescued" / "run").meta["iteration"] == 3


def test_out_naming_a_folder_is_refused(tmp_path, capsys):
    code, captured = run_cli(capsys, "train", "--domain", "sinusoid", "--iterations", "2", "--out", f"{tmp_path}/")
    assert code == 2 and "is a folder" in captured.err
    assert not (tmp_path.parent / (tmp_path.name + ".safetensors")).exists()


# -- 2. validation never reads uninitialised memory -----------------------------------------

def _class_folders(root, classes: int, per_class: int = 4) -> None:
    """A class-per-folder image set: `classes` folders of `per_class` 12x12 PNGs, a bar each."""
    import numpy as np
    from PIL import Image

    for c in range(classes):
        (root / f"c{c}").mkdir()
        for i in range(per_class):
            image = np.full((12, 12), 255, np.uint8)
            image[c:c + 4, i:i + 6] = 0
            Image.fromarray(image).save(root / f"c{c}" / f"{i}.png")


def test_a_validation_split_with_too_few_classes_is_refused_naming_the_split(tmp_path):
    from workbench.domains.registry import build_problem

    _class_folders(tmp_path, classes=10)
    problem = build_problem("omniglot", {"data": str(tmp_path), "way": 3, "shot": 1, "query": 1, "size": 12,
                                         "rotations": False})
    with pytest.raises(ConfigError, match=r"3-way tasks need 3 classes; the val split of .* has 2"):
        problem.sample_tasks(1, torch.Generator().manual_seed(0), "val")


# -- 3. sizes have an upper bound, checked before allocating -----------------------------------

@pytest.mark.parametrize("argv, message", [
    (["train", "--domain", "sinusoid", "--shot", "100000"], "shot: 100000 is more than the limit"),
    (["train", "--domain", "sinusoid", "--shot", "0"], "shot: must be at least 1"),
    (["sketch", "complete", "--partial", "x.png", "--start", "0", "--out", "o"], "start: must be at least 1"),
    (["train", "--domain", "sinusoid", "--meta-batch", "1000000"], "meta_batch: 1000000 is more than"),
    (["train", "--domain", "sinusoid", "--eval-steps", "1000000"], "eval_steps: 1000000 is more than"),
    (["train", "--domain", "sinusoid", "--iterations", "1000000000000"], "--iterations: 1000000000000 is more"),
    (["eval", "sinusoid", "--tasks", "-1"], "--tasks: -1 is negative"),
    (["melody", "generate", "--support", "x.mid", "--temperature", "nan", "--out", "o"], "not a finite number"),
    (["melody", "generate", "--support", "x.mid", "-n", "1000000", "--out", "o"], "n: must be from 1"),
    (["melody", "generate", "--support", "x.mid", "--bars", "1000000", "--out", "o"], "bars: must be from 1"),
])
def test_huge_sizes_are_refused_with_a_message(capsys, argv, message):
    try:
        code, captured = run_cli(capsys, *argv)
    except SystemExit as exc:  # argparse's usage error
        code, captured = exc.code, capsys.readouterr()
    assert code == 2 and message in captured.err


def test_a_checkpoint_asking_for_a_huge_model_is_refused_before_allocating(tmp_path):
    from workbench.domains.registry import load_learner
    from workbench.meta.checkpoint import save_checkpoint

    save_checkpoint(tmp_path / "huge", {"domain": "omniglot", "problem_version": "1", "iteration": 1, "config": {},
                                        "problem": {"size": 100000}}, {"params.w": torch.zeros(1)})
    with pytest.raises(ConfigError, match="would need about .* of memory"):
        load_learner(tmp_path / "huge")


def test_a_checkpoint_with_a_billion_adaptation_steps_is_refused(tmp_path):
    _, path = trained(tmp_path)
    rewrite(path, {"config": {**load_checkpoint(path).meta["config"], "eval_steps": 10**9}})
    with pytest.raises(CheckpointError, match="config.eval_steps.*more than the limit"):
        load_checkpoint(path)


# -- 4. a checkpoint is one unit ------------------------------------------------------------

def test_a_checkpoint_is_one_file_and_resumes_with_matching_optimizer_state(tmp_path):
    _, path = trained(tmp_path, iterations=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.safetensors"]
    resumed = MetaTrainer.resume(ToyRegression(), path, iterations=5)
    steps = {int(s["step"]) for s in resumed.optimizer.state_dict()["state"].values()}
    assert resumed.iteration == 3 and steps == {3}


def test_a_crash_between_writing_and_renaming_keeps_the_old_checkpoint(tmp_path, monkeypatch):
    trainer, path = trained(tmp_path, iterations=2)
    list(MetaTrainer(ToyRegression(), toy_config(iterations=1)).run())  # advance nothing on disk
    real_replace = os.replace

    def crash(src, dst):
        raise KeyboardInterrupt  # as if the process died after the temp file was written

    monkeypatch.setattr(checkpoint_module.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        trainer.save(path)
    monkeypatch.setattr(checkpoint_module.os, "replace", real_replace)
    assert load_checkpoint(path).meta["iteration"] == 2


def test_orphan_temp_files_of_a_killed_save_are_removed_by_the_next_save(tmp_path):
    trainer, path = trained(tmp_path)
    orphan = tmp_path / "run.safetensors.abc123.tmp"
    orphan.write_bytes(b"half a checkpoint")
    trainer.save(path)
    assert not orphan.exists()


def test_a_format_1_pair_is_still_read_and_saving_over_it_leaves_one_file(tmp_path):
    from safetensors.torch import load, save_file

    trainer, path = trained(tmp_path)
    data = load_checkpoint(path)
    old = tmp_path / "old.safetensors"
    save_file(load(path.read_bytes()), str(old))  # tensors only, JSON beside it
    (tmp_path / "old.json").write_text(json.dumps({**data.meta, "format_version": 1}))
    assert load_checkpoint(old).meta["iteration"] == 3
    trainer.save(old)
    assert not (tmp_path / "old.json").exists() and load_checkpoint(old).meta["format_version"] == 2


# -- 5. corrupt checkpoints are refused -----------------------------------------------------

@pytest.mark.parametrize("value, message", [(float("nan"), "NaN or infinite"), (1e38, "values above")])
def test_non_finite_or_absurd_weights_are_refused(tmp_path, value, message):
    _, path = trained(tmp_path)
    name = next(k for k in load_checkpoint(path).tensors if k.startswith("params."))
    rewrite(path, tensors={name: torch.full_like(load_checkpoint(path).tensors[name], value)}, rehash=True)
    with pytest.raises(CheckpointError, match=message):
        MetaTrainer.resume(ToyRegression(), path)


def test_changed_tensor_bytes_fail_the_checksum(tmp_path):
    _, path = trained(tmp_path)
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 0x01
    path.write_bytes(bytes(blob))
    with pytest.raises(CheckpointError, match="checksum"):
        load_checkpoint(path)
    with pytest.raises(CheckpointError, match="checksum"):
        verify_checkpoint(path)  # the torch-free check the GUI runs before a checkpoint becomes current


@pytest.mark.parametrize("changes, field", [
    ({"iteration": -5}, "iteration"),
    ({"iteration": "abc"}, "iteration"),
    ({"config": "maml"}, "config"),
    ({"format_version": "1"}, "format_version"),
    ({"domain": 7}, "domain"),
    ({"batching": "magic"}, "batching"),
    ({"optimizer": {"type": "Adam", "param_groups": "x"}}, "optimizer"),
])
def test_every_json_field_is_checked(tmp_path, changes, field):
    _, path = trained(tmp_path)
    rewrite(path, changes)
    with pytest.raises(CheckpointError, match=f"invalid checkpoint field '{field}"):
        load_checkpoint(path)


def test_a_bad_config_value_names_the_setting(tmp_path):
    _, path = trained(tmp_path)
    config = load_checkpoint(path).meta["config"]
    for key, value in [("algo", "magic"), ("inner_lr", "fast"), ("first_order", "yes"), ("meta_batch", -1)]:
        rewrite(path, {"config": {**config, key: value}})
        with pytest.raises(CheckpointError, match=f"config.{key}"):
            load_checkpoint(path)


def test_a_pickle_or_truncated_file_never_loads(tmp_path):
    import pickle

    _, path = trained(tmp_path)
    (tmp_path / "evil.safetensors").write_bytes(pickle.dumps({"a": 1}))
    (tmp_path / "cut.safetensors").write_bytes(path.read_bytes()[:-10])
    for name in ("evil", "cut"):
        with pytest.raises(CheckpointError):
            verify_checkpoint(tmp_path / name)


# -- 6. CLI output files ----------------------------------------------------------------------

@pytest.fixture()
def a_midi(tmp_path):
    from workbench.domains.melody.midi_io import write_midi
    from workbench.domains.melody.notes import Melody, Note

    path = tmp_path / "a.mid"
    write_midi(Melody(notes=tuple(Note(i * 24, 24, 60 + i) for i in range(4))), path)
    return str(path)


@pytest.mark.parametrize("out, message", [
    ("/dev/full", "not a regular file"),
    ("/proc/x.wav", "cannot write it"),
])
def test_render_refuses_devices_and_unwritable_places(capsys, a_midi, out, message):
    code, captured = run_cli(capsys, "melody", "render", a_midi, "--out", out)
    assert code == 2 and message in captured.err
    if out == "/dev/full":
        import stat
        assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # the device node is still a device


def test_render_writes_through_a_temporary_file(tmp_path, capsys, a_midi):
    code, _ = run_cli(capsys, "melody", "render", a_midi, "--out", str(tmp_path / "a.wav"))
    assert code == 0 and (tmp_path / "a.wav").stat().st_size > 44
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".a.")]


def test_generate_into_a_file_is_refused(tmp_path, capsys, a_midi):
    code, captured = run_cli(capsys, "melody", "generate", "--support", a_midi, "--out", a_midi)
    assert code == 2 and "is not a folder" in captured.err


def test_sketch_commands_refuse_an_unwritable_folder_before_working(tmp_path, capsys):
    import numpy as np

    from workbench.domains.sketch.api import save_png

    image = np.zeros((28, 28), np.float32)
    image[5:20, 10] = 1
    save_png(image, tmp_path / "p.png")
    code, captured = run_cli(capsys, "sketch", "complete", "--partial", str(tmp_path / "p.png"), "--out", "/proc/x")
    assert code == 2 and "/proc/x" in captured.err


# -- 7. smaller ones ----------------------------------------------------------------------------

def test_resume_refuses_another_domain_naming_both(tmp_path, capsys):
    code, _ = run_cli(capsys, "train", "--domain", "sinusoid", "--iterations", "2", "--meta-batch", "2",
                      "--val-every", "0", "--out", str(tmp_path / "s"))
    assert code == 0
    code, captured = run_cli(capsys, "train", "--domain", "melody", "--resume", str(tmp_path / "s"))
    assert code == 2 and "melody" in captured.err and "sinusoid" in captured.err


@pytest.mark.parametrize("suffix, command", [(".png", ["sketch", "complete", "--partial"]),
                                             (".mid", ["melody", "render"])])
def test_a_fifo_is_refused_instead_of_hanging(tmp_path, capsys, suffix, command):
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    code, captured = run_cli(capsys, *command, str(fifo), "--out", str(tmp_path / ("o.wav" if suffix == ".mid" else "o")))
    assert code == 2 and "not a regular file" in captured.err


def test_a_diverging_run_stops_like_a_nan_one(tmp_path):
    trainer = MetaTrainer(ToyClassification(), toy_config(algo="protonet", inner_steps=0, inner_lr=0.0,
                                                          outer_lr=1e6, iterations=200))
    with pytest.raises(NonFiniteLossError, match="diverged"):
        list(trainer.run())


def test_protonet_with_a_sane_rate_does_not_trip_the_divergence_check():
    trainer = MetaTrainer(ToyClassification(), toy_config(algo="protonet", inner_steps=0, inner_lr=0.0,
                                                          iterations=30))
    assert list(trainer.run())[-1].state == "finished"


def test_the_kill_9_evaluation_finds_every_checkpoint_loadable_and_consistent(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "workbench", "eval", "crashes", "--kills", "8", "--json",
                           "--folder", str(tmp_path)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)["results"][0]
    assert result["kills"] == 8 and result["checkpoints_checked"] >= 1
    assert result["loadable_checkpoints_pct"] == 100.0 and result["resumes_consistent_pct"] == 100.0
    assert result["orphan_temp_files_at_end"] == 0


def test_a_corrupt_image_among_training_images_is_skipped_and_reported(tmp_path, caplog):
    from workbench.domains.drawings.sources import FolderSource

    _class_folders(tmp_path, classes=3)
    (tmp_path / "c1" / "2.png").write_bytes(b"not a png")
    source = FolderSource(tmp_path, size=12, whole=True)
    index = next(i for i in range(3) if source.class_name("train", i) == "c1")
    with caplog.at_level("WARNING", logger="workbench.data"):
        drawings = source.images("train", index, [0, 1, 2, 3])
    assert drawings.shape == (4, 12, 12)
    assert len(source.skipped) == 1 and "2.png" in caplog.text
