"""The training generator: records, commands, checkpoints, resuming, bad input."""

import json
import threading

import pytest
import torch

from tests.meta.toy import ToyClassification, ToyRegression
from workbench.meta.checkpoint import checkpoint_paths, load_checkpoint
from workbench.meta.config import MetaConfig
from workbench.meta.controller import Controller
from workbench.meta.errors import CheckpointError, ConfigError, NonFiniteLossError
from workbench.meta.learner import Learner
from workbench.meta.trainer import MetaTrainer


def config(**changes):
    base = dict(algo="maml", inner_steps=2, inner_lr=0.05, meta_batch=4, iterations=6, val_every=3, val_tasks=4,
                batching="loop", seed=3)
    base.update(changes)
    return MetaConfig(**base)


def losses(records):
    return [r.outer_loss for r in records if r.kind == "iteration"]


def test_records_report_every_iteration_and_validation():
    records = list(MetaTrainer(ToyRegression(), config()).run())
    kinds = [r.kind for r in records]
    assert kinds[0] == "status" and kinds[-1] == "status"
    assert kinds.count("iteration") == 6 and kinds.count("validation") == 2
    iteration = next(r for r in records if r.kind == "iteration")
    assert len(iteration.support_losses) == 3  # before step 1, after step 1, after step 2
    assert iteration.tasks_per_s > 0 and iteration.inner_lr["mean"] == pytest.approx(0.05)
    json.dumps(iteration.to_dict())


@pytest.mark.parametrize("algo", ["maml", "metasgd", "reptile"])
def test_resume_gives_the_same_losses_as_an_uninterrupted_run(tmp_path, algo):
    full = losses(MetaTrainer(ToyRegression(), config(algo=algo)).run())
    first = MetaTrainer(ToyRegression(), config(algo=algo, iterations=3))
    head = losses(first.run(out=tmp_path / "ckpt"))
    resumed = MetaTrainer.resume(ToyRegression(), tmp_path / "ckpt.safetensors", iterations=6)
    tail = losses(resumed.run())
    assert head + tail == full


def test_checkpoint_round_trips_into_a_learner(tmp_path):
    trainer = MetaTrainer(ToyRegression(), config(algo="metasgd"))
    list(trainer.run(out=tmp_path / "model"))
    learner = Learner.from_checkpoint(tmp_path / "model", ToyRegression())
    for group in ("params", "lrs"):
        for name, value in trainer.meta[group].items():
            torch.testing.assert_close(learner.meta[group][name], value)
    task = ToyRegression().sample_tasks(1, torch.Generator().manual_seed(9)).task(0)
    result = learner.adapt(task.support, steps=3, trajectory=True)
    assert len(result.trajectory) == 4 and len(result.losses) == 4
    assert result.losses[-1] < result.losses[0]
    weights_only = learner.adapt(task.support, steps=3, final_loss=False)   # no pass after the last step
    assert len(weights_only.losses) == 3
    for name, value in result.params.items():
        torch.testing.assert_close(weights_only.params[name], value)


def test_controller_pauses_checkpoints_and_stops(tmp_path):
    trainer = MetaTrainer(ToyRegression(), config(iterations=10_000, val_every=0))
    controller = Controller()
    seen = []
    for record in trainer.run(controller):
        seen.append(record)
        if record.kind == "iteration" and record.iteration == 2:
            controller.pause()
            controller.request_checkpoint(tmp_path / "now")
            threading.Timer(0.2, controller.resume).start()
        if record.kind == "iteration" and record.iteration == 4:
            controller.stop()
    states = [r.state for r in seen if r.kind == "status"]
    assert states == ["started", "paused", "resumed", "stopped"]
    assert any(r.kind == "checkpoint" for r in seen)
    assert load_checkpoint(tmp_path / "now").meta["iteration"] == 2


def test_nan_loss_stops_training_and_keeps_the_last_good_checkpoint(tmp_path):
    problem = ToyRegression()
    trainer = MetaTrainer(problem, config(iterations=2))
    list(trainer.run(out=tmp_path / "good"))
    saved = load_checkpoint(tmp_path / "good").tensors
    original_loss = problem.loss
    problem.loss = lambda forward, params, batch: original_loss(forward, params, batch) * float("nan")
    resumed = MetaTrainer.resume(problem, tmp_path / "good", iterations=4)
    before = {k: v.clone() for k, v in resumed.meta["params"].items()}
    with pytest.raises(NonFiniteLossError, match="not updated"):
        list(resumed.run(out=tmp_path / "good"))
    for name, value in before.items():
        assert torch.equal(resumed.meta["params"][name], value)
    after = load_checkpoint(tmp_path / "good").tensors
    assert all(torch.equal(saved[k], after[k]) for k in saved)


@pytest.mark.parametrize(
    "changes, setting",
    [
        ({"algo": "magic"}, "algo"),
        ({"inner_lr": -0.1}, "inner_lr"),
        ({"outer_lr": float("nan")}, "outer_lr"),
        ({"meta_batch": 0}, "meta_batch"),
        ({"inner_steps": 0}, "inner_steps"),
        ({"batching": "threads"}, "batching"),
    ],
)
def test_invalid_settings_name_the_setting(changes, setting):
    with pytest.raises(ConfigError) as error:
        MetaConfig(**changes).validate()
    assert error.value.setting == setting
    assert str(error.value).startswith(setting)


def test_protonet_needs_a_classification_problem():
    with pytest.raises(ConfigError, match="classification"):
        MetaTrainer(ToyRegression(), config(algo="protonet"))
    records = list(MetaTrainer(ToyClassification(), config(algo="protonet", iterations=2)).run())
    assert records[1].accuracy is not None


def test_corrupt_foreign_and_mismatched_checkpoints_are_refused(tmp_path):
    trainer = MetaTrainer(ToyRegression(), config(iterations=1))
    list(trainer.run(out=tmp_path / "ok"))
    weights, _ = checkpoint_paths(tmp_path / "ok")

    broken = tmp_path / "broken"
    (tmp_path / "broken.safetensors").write_bytes(weights.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="corrupt"):
        load_checkpoint(broken)

    from safetensors.torch import save_file
    save_file({"w": torch.zeros(2)}, str(tmp_path / "foreign.safetensors"))
    (tmp_path / "foreign.json").write_text(json.dumps({"hello": "world"}))
    with pytest.raises(CheckpointError, match="not a workbench checkpoint"):
        load_checkpoint(tmp_path / "foreign")

    with pytest.raises(CheckpointError, match="no such"):
        load_checkpoint(tmp_path / "missing")

    with pytest.raises(CheckpointError, match="domain"):
        Learner.from_checkpoint(tmp_path / "ok", ToyClassification())

    other_shape = ToyRegression(dim=5)
    with pytest.raises(CheckpointError, match="shape"):
        Learner.from_checkpoint(tmp_path / "ok", other_shape)


def test_a_pickle_file_is_never_executed(tmp_path):
    import pickle

    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('executed')",))

    (tmp_path / "evil.safetensors").write_bytes(pickle.dumps(Boom()))
    (tmp_path / "evil.json").write_text(json.dumps({"format": "workbench-checkpoint", "format_version": 1}))
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path / "evil")


def test_writing_to_an_unwritable_place_gives_a_checkpoint_error(tmp_path):
    trainer = MetaTrainer(ToyRegression(), config(iterations=1))
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(CheckpointError, match="could not write"):
        trainer.save(blocker / "ckpt")


def test_meta_validation_chooses_the_adaptation_steps_and_the_checkpoint_keeps_them(tmp_path):
    trainer = MetaTrainer(ToyRegression(), config(select_steps="1,4", inner_lr=0.02))
    records = list(trainer.run(out=tmp_path / "run"))
    chosen = next(r for r in records if r.kind == "status" and "chosen by meta-validation" in r.message)
    assert "1: " in chosen.message and "4: " in chosen.message
    assert trainer.config.eval_steps in (1, 4)
    learner = Learner.from_checkpoint(tmp_path / "run.safetensors", ToyRegression())
    assert learner.default_steps == trainer.config.eval_steps


def test_step_candidates_are_checked():
    with pytest.raises(ConfigError, match="select_steps"):
        config(select_steps="1,x").validate()
    with pytest.raises(ConfigError, match="select_steps"):
        config(select_steps="0,2").validate()


def test_a_problem_can_name_the_part_that_adapts():
    """adapt_prefixes: every algorithm's inner loop moves only those parameters."""
    problem = ToyRegression()
    learner = Learner(problem, config(algo="maml"))
    first = next(iter(learner.params))
    problem.adapt_prefixes = (first,)
    tasks = problem.sample_tasks(1, torch.Generator().manual_seed(0))
    adapted = learner.adapt(tasks.task(0).support, steps=2).params
    moved = {k for k in adapted if not torch.equal(adapted[k], learner.params[k])}
    assert moved == {first}


def test_a_new_run_can_start_from_another_runs_weights(tmp_path):
    pretrained = MetaTrainer(ToyRegression(), config(algo="pretrain", inner_steps=0))
    list(pretrained.run(out=tmp_path / "pre"))
    trainer = MetaTrainer(ToyRegression(), config(algo="metasgd", seed=9))
    trainer.start_from(tmp_path / "pre.safetensors")
    assert all(torch.equal(trainer.meta["params"][k], pretrained.meta["params"][k]) for k in pretrained.meta["params"])
    assert trainer.iteration == 0 and "lrs" in trainer.meta
    list(trainer.run())
    assert trainer.iteration == 6


@pytest.mark.parametrize("algo", ["maml", "fomaml", "metasgd"])
def test_support_weight_adds_the_support_loss_to_the_outer_loss(algo):
    problem = ToyRegression()
    learner = Learner(problem, config(algo=algo, first_order=algo == "fomaml"))
    task = problem.sample_tasks(1, torch.Generator().manual_seed(0)).task(0)
    plain = learner.algorithm.task_gradient(learner.meta, task.support, task.query)
    weighted = Learner(problem, config(algo=algo, first_order=algo == "fomaml", support_weight=1.0),
                       meta=learner.meta).algorithm
    grads, metrics = weighted.task_gradient(learner.meta, task.support, task.query)
    support_loss = problem.loss(learner.forward_fn, learner.params, task.support)
    assert float(metrics["outer_loss"]) == pytest.approx(float(metrics["query_loss"] + support_loss), rel=1e-5)
    first = next(iter(grads["params"]))
    assert not torch.allclose(grads["params"][first], plain[0]["params"][first])


def test_a_problem_may_define_its_own_support_term():
    problem = ToyRegression()
    problem.support_loss = lambda forward, params, batch: 0.5 * problem.loss(forward, params, batch)
    learner = Learner(problem, config(algo="maml", support_weight=2.0))
    task = problem.sample_tasks(1, torch.Generator().manual_seed(0)).task(0)
    _, metrics = learner.algorithm.task_gradient(learner.meta, task.support, task.query)
    support_loss = problem.loss(learner.forward_fn, learner.params, task.support)
    assert float(metrics["outer_loss"]) == pytest.approx(float(metrics["query_loss"] + support_loss), rel=1e-5)
