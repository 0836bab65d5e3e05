"""Plumbing shared by the trainer and the learner: the functional forward,
meta-parameter flattening, and (de)serialising optimizer and RNG state."""

from __future__ import annotations

import torch

from workbench.meta.checkpoint import CheckpointData
from workbench.meta.errors import CheckpointError

# No trained weight or learning rate comes near this; a larger value means a damaged file.
MAX_PARAMETER = 1e8


def make_forward(model: torch.nn.Module, bf16: bool = False):
    """forward(params, *inputs): the model run with the given parameters (never edited in place)."""
    buffers = dict(model.named_buffers())

    def forward(params, *inputs):
        if bf16:
            with torch.autocast("cuda", dtype=torch.bfloat16):
                return torch.func.functional_call(model, (params, buffers), inputs).float()
        return torch.func.functional_call(model, (params, buffers), inputs)

    return forward


def flatten_meta(meta: dict) -> list[torch.Tensor]:
    """The meta-parameters as one ordered list: params first, then Meta-SGD rates."""
    return [meta[group][k] for group in ("params", "lrs") if group in meta for k in meta[group]]


def meta_from_checkpoint(data: CheckpointData, template: dict) -> dict:
    """The checkpoint's meta-parameters, checked against the model's names and shapes."""
    restored = {}
    for group, expected in template.items():
        found = data.group(group)
        missing = sorted(set(expected) - set(found))
        if missing:
            raise CheckpointError(f"the checkpoint does not match this model: {group} {missing[0]!r} is missing")
        for name, value in expected.items():
            if found[name].is_floating_point() and found[name].numel() and found[name].abs().max() > MAX_PARAMETER:
                raise CheckpointError(f"corrupt checkpoint: {group} {name!r} holds values above {MAX_PARAMETER:g}; "
                                      "a trained model never does")
            if found[name].shape != value.shape:
                raise CheckpointError(
                    f"the checkpoint does not match this model: {name} has shape "
                    f"{tuple(found[name].shape)}, expected {tuple(value.shape)}"
                )
        restored[group] = {k: found[k].to(device=v.device, dtype=v.dtype).clone() for k, v in expected.items()}
    return restored


def optimizer_to_state(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict]:
    state = optimizer.state_dict()
    tensors, scalars = {}, {}
    for index, entry in state["state"].items():
        for key, value in entry.items():
            if torch.is_tensor(value):
                tensors[f"optim.{index}.{key}"] = value
            else:
                scalars[f"{index}.{key}"] = value
    groups = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()} for g in state["param_groups"]]
    return tensors, {"type": type(optimizer).__name__, "param_groups": groups, "scalars": scalars}


def optimizer_from_state(optimizer: torch.optim.Optimizer, data: CheckpointData) -> None:
    saved = data.meta.get("optimizer") or {}
    if saved.get("type") != type(optimizer).__name__:
        raise CheckpointError(f"the checkpoint's optimizer {saved.get('type')} differs from this run's")
    entries: dict[int, dict] = {}
    for name, value in [*data.group("optim").items(), *saved.get("scalars", {}).items()]:
        index, _, key = name.partition(".")
        if not (index.isdigit() and key):
            raise CheckpointError(f"the checkpoint's optimizer state has a malformed entry {name!r}")
        entries.setdefault(int(index), {})[key] = value
    groups = [{k: (tuple(v) if k == "betas" else v) for k, v in g.items()} for g in saved.get("param_groups", [])]
    leaves = [p for group in optimizer.param_groups for p in group["params"]]
    for index, entry in entries.items():
        for key, value in entry.items():
            if torch.is_tensor(value) and value.dim() > 0 and (index >= len(leaves) or value.shape != leaves[index].shape):
                raise CheckpointError(f"the checkpoint's optimizer state {index}.{key} does not match this model")
    try:
        optimizer.load_state_dict({"state": entries, "param_groups": groups})
    except (ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise CheckpointError(f"the checkpoint's optimizer state does not match this model ({exc})") from exc


def rng_to_tensors(task_generator: torch.Generator) -> dict[str, torch.Tensor]:
    tensors = {"rng.tasks": task_generator.get_state(), "rng.torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        for i, state in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng.cuda.{i}"] = state
    return tensors


def rng_from_tensors(data: CheckpointData):
    rng = data.group("rng")
    if "tasks" not in rng or "torch" not in rng:
        raise CheckpointError("the checkpoint has no random-number state, so the run cannot be resumed exactly")
    cuda = [rng[k] for k in sorted(k for k in rng if k.startswith("cuda."))]
    expected = torch.get_rng_state()
    for name, state in [("tasks", rng["tasks"]), ("torch", rng["torch"])]:
        if state.dtype != expected.dtype or state.shape != expected.shape:
            raise CheckpointError(f"the checkpoint's random-number state {name!r} is malformed")
    return rng["tasks"], rng["torch"], cuda
