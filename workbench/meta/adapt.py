"""The inner loop. The only adaptation code path: meta-training (every algorithm),
evaluation, the CLI and the GUI all call `adapt`.

Gradients come from torch.func.grad inside torch.func transforms (the vmap
task batching and its outer torch.func.grad), and from torch.autograd.grad
otherwise: on a CPU the per-task loop is up to twice as fast with plain
autograd as with nested functorch levels. `gradient_and_value` picks by
looking at the tensors; both give the same numbers (tests assert it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import torch

from workbench.meta.problem import Forward, Params

LossFn = Callable[[Forward, Params, tuple], torch.Tensor]


@dataclass
class Adaptation:
    params: Params                 # fast weights after the last step
    losses: list[torch.Tensor]     # support loss before step 1, ..., after the last step
    trajectory: list[Params] | None = None   # params after step 0 (start) .. S, when asked


def adapt(
    loss_fn: LossFn,
    forward: Forward,
    params: Params,
    support: tuple,
    *,
    steps: int,
    lr: float | Mapping[str, torch.Tensor],
    first_order: bool = False,
    adapt_keys: tuple[str, ...] | None = None,
    final_loss: bool = True,
    trajectory: bool = False,
    on_step: Callable[[int, Params, torch.Tensor], bool | None] | None = None,
) -> Adaptation:
    """Take `steps` gradient steps on the support loss.

    lr is one rate, or a per-parameter tensor dict (Meta-SGD). adapt_keys limits
    adaptation to some parameters (ANIL); the rest stay shared. first_order
    treats the inner gradients as constants, so an outer gradient flows through
    the identity path only. on_step(step, params, loss) may return True to stop
    early (the GUI's cancel).
    """
    keys = tuple(adapt_keys) if adapt_keys else tuple(params)
    functorch = inside_functorch(support[0]) or any(inside_functorch(v) for v in params.values())
    fast = dict(params)
    losses: list[torch.Tensor] = []
    path = [fast] if trajectory else None

    for step in range(steps):
        frozen = {k: v for k, v in fast.items() if k not in keys}

        def support_loss(adapted: Params, frozen: Params = frozen) -> torch.Tensor:  # this step's frozen part
            return loss_fn(forward, {**frozen, **adapted}, support)

        grads, loss = gradient_and_value(
            support_loss, {k: fast[k] for k in keys}, create_graph=not first_order, functorch=functorch
        )
        losses.append(loss)
        fast = dict(fast)
        for k in keys:
            g = grads[k].detach() if first_order else grads[k]
            rate = lr[k] if isinstance(lr, Mapping) else lr
            fast[k] = fast[k] - rate * g
        if path is not None:
            path.append(fast)
        if on_step is not None and on_step(step + 1, fast, loss):
            break

    if final_loss:  # a metric only: no graph
        with torch.no_grad():
            losses.append(loss_fn(forward, fast, support))
    return Adaptation(params=fast, losses=losses, trajectory=path)


def inside_functorch(tensor: torch.Tensor) -> bool:
    """True when called under a torch.func transform (vmap, grad), whose tensors are wrapped.

    torch.func.debug_unwrap is the public way to see the wrapper: it returns a
    plain tensor unchanged and a wrapped one's inner tensor."""
    return torch.func.debug_unwrap(tensor, recurse=False) is not tensor


def gradient_and_value(fn: Callable[[Params], torch.Tensor], inputs: Params, create_graph: bool, functorch: bool):
    """(d fn / d inputs, fn(inputs)) with torch.func under a transform, else with torch.autograd.

    Under autograd, inputs that do not require grad (inference) get a local
    graph; inputs that do (a meta-gradient is being taken) keep their history,
    and create_graph keeps the second-order terms."""
    if functorch:
        return torch.func.grad_and_value(fn)(inputs)
    with torch.enable_grad():
        tracked = {k: v if v.requires_grad else v.detach().requires_grad_(True) for k, v in inputs.items()}
        value = fn(tracked)
        keep = create_graph and any(v.requires_grad for v in inputs.values())
        grads = torch.autograd.grad(value, list(tracked.values()), create_graph=keep, allow_unused=True)
    grads = {k: torch.zeros_like(v) if g is None else g for (k, v), g in zip(tracked.items(), grads)}
    return grads, (value if keep else value.detach())
