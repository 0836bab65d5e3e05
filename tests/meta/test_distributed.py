"""Distributed meta-training: sharding, messages, and 2 gloo processes on loopback."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests.meta.distributed_worker import ALGORITHMS, TASKS, gradient_case
from tests.meta.toy import ToyRegression
from workbench.meta import distributed
from workbench.meta.batching import meta_gradient
from workbench.meta.checkpoint import load_checkpoint
from workbench.meta.config import MetaConfig
from workbench.meta.errors import ConfigError
from workbench.meta.trainer import MetaTrainer

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch(argv: list[str], world_size: int = 2, timeout: float = 120) -> list[subprocess.CompletedProcess]:
    """Run argv once per rank with torchrun's environment (loopback only); wait for all."""
    port = str(free_port())
    procs = []
    for rank in range(world_size):
        env = dict(os.environ, RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world_size),
                   LOCAL_WORLD_SIZE=str(world_size), MASTER_ADDR="127.0.0.1", MASTER_PORT=port, OMP_NUM_THREADS="1")
        procs.append(subprocess.Popen([sys.executable, *argv], cwd=ROOT, env=env, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    done = []
    for proc in procs:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for other in procs:
                other.kill()
            raise
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr))
    return done


def test_shards_cover_the_batch_once_and_differ_by_at_most_one():
    for size in (1, 2, 3, 4):
        shards = [distributed.World(rank=r, size=size).shard(10) for r in range(size)]
        assert shards[0][0] == 0 and shards[-1][1] == 10
        assert all(a[1] == b[0] for a, b in zip(shards, shards[1:]))
        assert max(b - a for a, b in shards) - min(b - a for a, b in shards) <= 1


def test_a_meta_batch_smaller_than_the_world_is_refused_with_the_setting_named():
    world = distributed.World(rank=0, size=4, backend="gloo")
    config = MetaConfig(algo="maml", meta_batch=3, val_every=0)
    with pytest.raises(ConfigError) as error:
        MetaTrainer(ToyRegression(), config, world=world)
    assert error.value.setting == "meta_batch" and "4 processes" in str(error.value)
    with pytest.raises(ConfigError) as error:
        MetaTrainer(ToyRegression(), config.replace(meta_batch=8, val_every=5, val_tasks=2), world=world)
    assert error.value.setting == "val_tasks"


def test_nccl_without_gpus_is_a_clear_message():
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ConfigError, match="NCCL needs CUDA GPUs"):
        distributed.join(torch.device("cpu"), "nccl")
    with pytest.raises(ConfigError, match="unknown backend"):
        distributed.join(torch.device("cpu"), "mpi")


def test_torchrun_is_recognised_by_its_environment():
    assert distributed.launched_by_torchrun({"RANK": "0", "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1"})
    assert not distributed.launched_by_torchrun({})


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory):
    """One start of 2 gloo processes: they compute the meta-gradients, then train until rank 1 dies."""
    out = tmp_path_factory.mktemp("two-ranks")
    return out, launch(["-m", "tests.meta.distributed_worker", "gradients,rank_dies", str(out)])


def test_two_gloo_processes_average_to_the_single_process_meta_gradient(two_ranks):
    """Every algorithm (MAML and ProtoNet as the issue asks, and the rest): 5 tasks split 3 + 2 over
    two processes, all-reduced, equal the single-process mean of all 5 to 1e-5."""
    tmp_path, ranks = two_ranks
    assert ranks[0].returncode == 0, ranks[0].stderr[-2000:]
    for algo in ALGORITHMS:
        algorithm, meta, tasks = gradient_case(algo)
        expected, _ = meta_gradient(algorithm.task_gradient, meta, tasks, "loop")
        assert tasks.size == TASKS
        for rank in (0, 1):
            found = json.loads((tmp_path / f"grads{rank}.json").read_text())[algo]
            assert len(found) == sum(len(values) for values in expected.values())
            for group, values in expected.items():
                for name, value in values.items():
                    assert torch.allclose(torch.tensor(found[f"{group}.{name}"]), value, atol=1e-5, rtol=0), (
                        algo, rank, name)


def test_a_rank_that_dies_stops_the_others_with_a_message_naming_it(two_ranks):
    tmp_path, ranks = two_ranks
    assert ranks[1].returncode == 3
    message = (tmp_path / "error0.txt").read_text()
    assert "rank 1 of 2 stopped" in message and "rank 0 stops too" in message
    data = load_checkpoint(tmp_path / "run")  # the last checkpoint stays loadable
    assert data.meta["iteration"] == 3 and data.meta["world_size"] == 2


def test_torchrun_training_resumes_with_another_world_size_on_the_same_task_stream(tmp_path):
    """2 processes for 3 iterations, then 1 process for 2 more == 1 process for 5 (same seed)."""
    common = ["--domain", "sinusoid", "--algo", "maml", "--meta-batch", "4", "--inner-steps", "1",
              "--batching", "loop", "--val-every", "0", "--seed", "2"]
    out = tmp_path / "two"
    ranks = launch(["-m", "workbench", "train", *common, "--iterations", "3", "--out", str(out),
                    "--jsonl-file", str(tmp_path / "metrics.jsonl")])
    assert all(r.returncode == 0 for r in ranks), [r.stderr[-2000:] for r in ranks]
    assert ranks[1].stdout == "" and ranks[1].stderr == ""  # rank 0 alone reports
    lines = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert "2 processes (gloo)" in lines[0]["message"]
    two = [r["outer_loss"] for r in lines if r["kind"] == "iteration"]

    from workbench.domains import registry

    resumed = MetaTrainer.resume(registry.problem_for_checkpoint(str(out)), out, iterations=5)
    later = [r.outer_loss for r in resumed.run() if r.kind == "iteration"]
    config = MetaConfig(algo="maml", meta_batch=4, inner_steps=1, batching="loop", val_every=0, seed=2,
                        iterations=5, **{k: v for k, v in resumed.config.to_dict().items()
                                         if k in ("inner_lr", "outer_lr")})
    single = MetaTrainer(registry.build_problem("sinusoid", {}), config)
    reference = [r.outer_loss for r in single.run() if r.kind == "iteration"]
    assert two + later == pytest.approx(reference, rel=1e-4)


def test_the_train_command_explains_distributed_flags_outside_torchrun(tmp_path, capsys, monkeypatch):
    from workbench.cli import main

    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR"):
        monkeypatch.delenv(name, raising=False)
    assert main(["train", "--domain", "sinusoid", "--iterations", "1", "--backend", "nccl"]) == 2
    assert "only applies under torchrun" in capsys.readouterr().err
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert main(["train", "--domain", "sinusoid", "--iterations", "1", "--jsonl-file", str(blocked / "x.jsonl")]) == 2
    assert "cannot write the metric stream" in capsys.readouterr().err


def test_the_metric_stream_file_gets_every_record_as_a_json_line(tmp_path, capsys):
    from workbench.cli import main

    stream = tmp_path / "runs" / "metrics.jsonl"
    args = ["train", "--domain", "sinusoid", "--iterations", "3", "--meta-batch", "2", "--val-every", "0",
            "--batching", "loop", "--jsonl-file", str(stream)]
    assert main(args) == 0 and main([*args, "--no-tf32", "--cuda-graph", "--out", str(tmp_path / "c")]) == 0
    records = [json.loads(line) for line in stream.read_text().splitlines()]  # the second run appended
    assert [r["kind"] for r in records].count("iteration") == 6 and records[0]["kind"] == "status"
    if not torch.cuda.is_available():
        assert any("runs eager" in r.get("message", "") for r in records)
    config = load_checkpoint(tmp_path / "c").meta["config"]
    assert config["tf32"] is False and config["step_mode"] == "cuda-graph"
