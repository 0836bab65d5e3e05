"""The memory check counts a model's parameters on the "meta" device, without initialising them."""

from __future__ import annotations

import subprocess
import sys

import torch
from torch import nn

from workbench.meta.footprint import parameter_count


class _Problem:
    options: dict = {}

    def build_model(self) -> nn.Module:
        model = nn.Sequential(nn.Embedding(50, 16), nn.Linear(16, 8), nn.LayerNorm(8))
        nn.init.orthogonal_(model[1].weight)
        nn.init.trunc_normal_(model[0].weight)
        return model


def test_parameters_are_counted_as_built_and_later_initialisation_is_random_again():
    assert parameter_count(_Problem()) == sum(p.numel() for p in _Problem().build_model().parameters())
    torch.manual_seed(0)
    filled = torch.empty(100).normal_()                     # the no-initialisation mode has ended
    assert filled.std() > 0.5


def test_counting_a_melody_model_does_not_import_torch_dynamo():
    """Torch's meta fills import torch._dynamo (1-2 s) the first time; nothing else needs it."""
    code = ("import sys; from workbench.domains.registry import build_problem; "
            "from workbench.meta.footprint import parameter_count; "
            "assert parameter_count(build_problem('melody', {})) > 0; "
            "print('torch._dynamo' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
