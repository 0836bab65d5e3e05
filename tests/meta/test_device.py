import pytest
import torch

from workbench.meta.device import device_label, resolve_device
from workbench.meta.errors import ConfigError


def test_auto_picks_an_available_device():
    device = resolve_device("auto")
    assert device.type in ("cuda", "mps", "cpu")
    assert device_label(device)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_asking_for_a_missing_gpu_names_the_setting():
    with pytest.raises(ConfigError) as error:
        resolve_device("cuda")
    assert error.value.setting == "device" and "no CUDA GPU" in str(error.value)


def test_unknown_device_names_the_setting():
    with pytest.raises(ConfigError, match="device"):
        resolve_device("abacus")
