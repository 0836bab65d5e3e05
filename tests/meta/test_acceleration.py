"""GPU speed settings: TF32 and the compiled / captured meta-step fall back to eager with a message."""

import pytest
import torch

from tests.meta.distributed_worker import gradient_case
from tests.meta.toy import ToyRegression
from workbench.meta import acceleration
from workbench.meta.batching import gradient_sum
from workbench.meta.config import MetaConfig
from workbench.meta.errors import ConfigError
from workbench.meta.trainer import MetaTrainer


def test_tf32_is_a_cuda_setting_only():
    assert acceleration.configure_tf32(torch.device("cpu"), True) is None


def test_tf32_on_cuda_is_on_by_default_and_a_flag_turns_it_off():
    matmul, conv = torch.backends.cuda.matmul.fp32_precision, torch.backends.cudnn.conv.fp32_precision
    try:  # setting the precision needs no GPU, so the CUDA path is checked here too
        assert MetaConfig().tf32
        assert "on" in acceleration.configure_tf32(torch.device("cuda"), True)
        assert torch.backends.cuda.matmul.fp32_precision == "tf32" == torch.backends.cudnn.conv.fp32_precision
        assert "off" in acceleration.configure_tf32(torch.device("cuda"), False)
        assert torch.backends.cuda.matmul.fp32_precision == "ieee" == torch.backends.cudnn.conv.fp32_precision
    finally:
        torch.backends.cuda.matmul.fp32_precision, torch.backends.cudnn.conv.fp32_precision = matmul, conv


def test_unknown_step_mode_names_the_setting():
    with pytest.raises(ConfigError) as error:
        MetaConfig(step_mode="turbo").validate()
    assert error.value.setting == "step_mode"


def test_a_cuda_graph_without_cuda_runs_eager_and_says_so():
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    config = MetaConfig(algo="maml", inner_steps=1, meta_batch=2, iterations=2, val_every=0, batching="loop",
                        step_mode="cuda-graph")
    records = list(MetaTrainer(ToyRegression(), config).run())
    messages = [r.message for r in records if r.kind == "status"]
    assert any("CUDA graphs need a CUDA device" in m and "runs eager" in m for m in messages)
    assert sum(r.kind == "iteration" for r in records) == 2


def test_a_failing_compile_falls_back_to_the_same_eager_gradient(monkeypatch):
    def broken_compile(fn, **kwargs):
        def compiled(*args):
            raise RuntimeError("no C++ compiler found\nmore detail")
        return compiled

    monkeypatch.setattr(torch, "compile", broken_compile)
    algorithm, meta, tasks = gradient_case("maml")
    step = acceleration.GradientStep("compile", torch.device("cpu"))
    found, _ = step(algorithm.task_gradient, meta, tasks, "loop")
    expected, _ = gradient_sum(algorithm.task_gradient, meta, tasks, "loop")
    assert all(torch.equal(found["params"][k], expected["params"][k]) for k in expected["params"])
    [message] = step.take_messages()
    assert "torch.compile failed (RuntimeError: no C++ compiler found)" in message and step.mode == "eager"
    assert step.take_messages() == []
