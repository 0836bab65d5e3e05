"""The meta-learning algorithms, each a small class behind one protocol.

An algorithm turns one task (support, query) into a meta-gradient and metrics
(`task_gradient`), and evaluates one task without a meta-gradient
(`evaluate_task`). Both are written for a single task and mapped over the
meta-batch by workbench.meta.batching (vmap or a loop), which also takes the
mean: the one place where tasks are reduced.

Meta-parameters are a nested dict {"params": {...}, "lrs": {...}}; only
Meta-SGD has "lrs" (learned per-parameter inner learning rates).
"""

from __future__ import annotations

from typing import Callable

import torch

from workbench.meta.adapt import adapt, inside_functorch
from workbench.meta.config import MetaConfig
from workbench.meta.problem import Forward, Params, Problem

Meta = dict[str, Params]


class Algorithm:
    """Base: MAML-style second-order meta-gradient through `adapt`."""

    name = "maml"
    adapts = True
    # The meta-gradient depends on the start weights only (no learned rates, no own outer
    # loss), so first-order training may take the shortcut in _first_order_gradient.
    plain_first_order = True

    def __init__(self, problem: Problem, forward: Forward, config: MetaConfig):
        self.problem = problem
        self.forward = forward
        self.config = config

    # -- meta-parameters -------------------------------------------------
    def init_meta(self, params: Params) -> Meta:
        return {"params": dict(params)}

    def inner_lr(self, meta: Meta):
        return self.config.inner_lr

    def adapt_keys(self, params: Params) -> tuple[str, ...] | None:
        """The parameters the inner loop moves: all of them, unless the problem names the part
        that adapts (`adapt_prefixes`, e.g. a style vector and the output head)."""
        prefixes = tuple(getattr(self.problem, "adapt_prefixes", None) or ())
        return tuple(k for k in params if k.startswith(prefixes)) or None if prefixes else None

    # -- one task ----------------------------------------------------------
    def adapt_task(self, meta: Meta, support: tuple, steps: int, *, first_order: bool, **kwargs):
        return adapt(
            self.problem.loss,
            self.forward,
            meta["params"],
            support,
            steps=steps,
            lr=self.inner_lr(meta),
            first_order=first_order,
            adapt_keys=self.adapt_keys(meta["params"]),
            **kwargs,
        )

    def outer_loss(self, meta: Meta, support: tuple, query: tuple):
        adaptation = self.adapt_task(meta, support, self.config.inner_steps, first_order=not self.config.second_order)
        query_loss, accuracy = self.scores(adaptation.params, query)
        metrics = self._metrics(query_loss, accuracy, adaptation)
        if not self.config.support_weight:
            return query_loss, metrics
        # the shared start also learns from the support itself, as joint training would, so a
        # meta-batch teaches the network as much as a pretraining batch of the same tasks
        support_loss = getattr(self.problem, "support_loss", self.problem.loss)
        total = query_loss + self.config.support_weight * support_loss(self.forward, meta["params"], support)
        metrics["outer_loss"] = total.detach()
        return total, metrics

    def task_gradient(self, meta: Meta, support: tuple, query: tuple):
        """(meta-gradient of this task, metrics) with the same structure as meta."""
        if inside_functorch(support[0]):  # mapped by vmap: stay in torch.func
            return torch.func.grad(self.outer_loss, has_aux=True)(meta, support, query)
        if self.plain_first_order and not self.config.second_order and not self.config.support_weight:
            return self._first_order_gradient(meta, support, query)
        with torch.enable_grad():
            leaves = {g: {k: v.detach().requires_grad_(True) for k, v in d.items()} for g, d in meta.items()}
            loss, metrics = self.outer_loss(leaves, support, query)
            flat = [v for d in leaves.values() for v in d.values()]
            grads = torch.autograd.grad(loss, flat, allow_unused=True)
        grads = iter(torch.zeros_like(v) if g is None else g for v, g in zip(flat, grads))
        return {g: {k: next(grads) for k in d} for g, d in leaves.items()}, metrics

    def _first_order_gradient(self, meta: Meta, support: tuple, query: tuple):
        """First order, per-task loop: the meta-gradient is the query gradient at the adapted
        weights (identity Jacobian), so adapt without any graph back to the start; on a CPU
        this saves the small ops of that identity path (about 6% at 5 steps)."""
        adaptation = self.adapt_task(meta, support, self.config.inner_steps, first_order=True)
        with torch.enable_grad():
            fast = {k: v.detach().requires_grad_(True) for k, v in adaptation.params.items()}
            query_loss, accuracy = self.scores(fast, query)
            grads = torch.autograd.grad(query_loss, list(fast.values()), allow_unused=True)
        grads = {k: torch.zeros_like(v) if g is None else g for (k, v), g in zip(fast.items(), grads)}
        return {"params": grads}, self._metrics(query_loss.detach(), accuracy, adaptation)

    def evaluate_task(self, meta: Meta, support: tuple, query: tuple, steps: int):
        """Adapt (no meta-gradient) and score the query set."""
        adaptation = self.adapt_task(meta, support, steps, first_order=True)
        return self._metrics(*self.scores(adaptation.params, query), adaptation)

    def scores(self, params, batch: tuple):
        """(loss, accuracy or None) of a batch; one forward pass where the problem offers `scores`."""
        if hasattr(self.problem, "scores"):
            return self.problem.scores(self.forward, params, batch)
        return self.problem.loss(self.forward, params, batch), self.problem.accuracy(self.forward, params, batch)

    @staticmethod
    def _metrics(query_loss: torch.Tensor, accuracy, adaptation) -> dict[str, torch.Tensor]:
        metrics = {
            "outer_loss": query_loss.detach(),
            "query_loss": query_loss.detach(),
            "support_losses": torch.stack([l.detach() for l in adaptation.losses]),
        }
        if accuracy is not None:
            metrics["accuracy"] = accuracy.detach()
        return metrics


class MAML(Algorithm):
    name = "maml"


class FOMAML(Algorithm):
    """First-order MAML: the inner gradients are constants (config.second_order is False)."""

    name = "fomaml"


class MetaSGD(Algorithm):
    """Meta-SGD (Li et al. 2017): per-parameter inner learning rates, learned in the outer loop."""

    name = "metasgd"
    plain_first_order = False

    def init_meta(self, params: Params) -> Meta:
        lrs = {k: torch.full_like(v, self.config.inner_lr) for k, v in params.items()}
        return {"params": dict(params), "lrs": lrs}

    def inner_lr(self, meta: Meta):
        return meta["lrs"]


class ANIL(Algorithm):
    """Almost No Inner Loop (Raghu et al. 2020): adapt only the head."""

    name = "anil"

    def adapt_keys(self, params: Params) -> tuple[str, ...]:
        return head_keys(params, self.problem.head_prefixes)


class Reptile(Algorithm):
    """Reptile (Nichol et al. 2018): the meta-gradient is params - adapted params.

    With an SGD outer optimizer of rate eps this is exactly
    params <- params + eps * (adapted - params).
    """

    name = "reptile"

    def task_gradient(self, meta: Meta, support: tuple, query: tuple):
        # Reptile trains on all of the task's data: support and query together.
        data = tuple(torch.cat([s, q], dim=0) for s, q in zip(support, query))
        adaptation = self.adapt_task(meta, data, self.config.inner_steps, first_order=True)
        params = meta["params"]
        grads = {"params": {k: (params[k] - adaptation.params[k]).detach() for k in params}}
        with torch.no_grad():
            scores = self.scores(adaptation.params, query)
        return grads, self._metrics(*scores, adaptation)


class ProtoNet(Algorithm):
    """Prototypical Networks (Snell et al. 2017): no inner loop; logits are
    negative squared distances to the class means of the support embeddings."""

    name = "protonet"
    plain_first_order = False
    adapts = False

    def logits(self, params: Params, support: tuple, query_x: torch.Tensor) -> torch.Tensor:
        return prototype_logits(self.forward, params, support, query_x, self.problem.way)

    def outer_loss(self, meta: Meta, support: tuple, query: tuple):
        query_x, query_y = query[0], query[1]
        logits = self.logits(meta["params"], support, query_x)
        loss = torch.nn.functional.cross_entropy(logits, query_y)
        accuracy = (logits.argmax(-1) == query_y).float().mean()
        metrics = {
            "outer_loss": loss.detach(),
            "query_loss": loss.detach(),
            "support_losses": loss.detach().reshape(1),
            "accuracy": accuracy.detach(),
        }
        return loss, metrics

    def evaluate_task(self, meta: Meta, support: tuple, query: tuple, steps: int):
        return self.outer_loss(meta, support, query)[1]


class Pretrain(Algorithm):
    """Baseline: joint training on all tasks' data, no inner loop during training.
    Fine-tuned at evaluation with the same `adapt` as the meta-learned models."""

    name = "pretrain"
    plain_first_order = False

    def outer_loss(self, meta: Meta, support: tuple, query: tuple):
        data = tuple(torch.cat([s, q], dim=0) for s, q in zip(support, query))
        loss, accuracy = self.scores(meta["params"], data)
        metrics = {"outer_loss": loss.detach(), "query_loss": loss.detach(), "support_losses": loss.detach().reshape(1)}
        if accuracy is not None:
            metrics["accuracy"] = accuracy.detach()
        return loss, metrics


ALGORITHM_CLASSES: dict[str, type[Algorithm]] = {
    cls.name: cls for cls in (MAML, FOMAML, MetaSGD, ANIL, Reptile, ProtoNet, Pretrain)
}


def build_algorithm(problem: Problem, forward: Forward, config: MetaConfig) -> Algorithm:
    if config.algo == "protonet" and problem.kind != "classification":
        from workbench.meta.errors import ConfigError

        raise ConfigError("algo", f"protonet needs a classification domain; {problem.domain} is {problem.kind}")
    return ALGORITHM_CLASSES[config.algo](problem, forward, config)


def head_keys(params: Params, prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """The parameters ANIL adapts: those under the domain's head prefixes,
    or the last module's parameters when the domain names none."""
    if prefixes:
        keys = tuple(k for k in params if k.startswith(tuple(prefixes)))
        if keys:
            return keys
    last_module = list(params)[-1].rsplit(".", 1)[0]
    return tuple(k for k in params if k.rsplit(".", 1)[0] == last_module)


def prototype_logits(forward: Forward, params: Params, support: tuple, query_x: torch.Tensor, way: int) -> torch.Tensor:
    support_x, support_y = support[0], support[1]
    embedded_support = forward(params, support_x).flatten(1)
    embedded_query = forward(params, query_x).flatten(1)
    # One-hot by comparison (vmappable, unlike data-dependent indexing).
    onehot = (support_y.unsqueeze(-1) == torch.arange(way, device=support_y.device)).to(embedded_support.dtype)
    prototypes = onehot.t() @ embedded_support / onehot.sum(0).clamp_min(1).unsqueeze(-1)
    distances = (embedded_query.unsqueeze(1) - prototypes.unsqueeze(0)).pow(2).sum(-1)
    return -distances


TaskFn = Callable[[Meta, tuple, tuple], tuple]
