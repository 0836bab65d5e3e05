"""A meta-trained model, ready to adapt: what evaluation, the CLI and the GUI use.

`Learner.adapt` goes through the same algorithm code (and so the same
`workbench.meta.adapt.adapt`) as meta-training, without building a graph for
a meta-gradient.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Callable

import torch

from workbench.meta.adapt import Adaptation
from workbench.meta.algorithms import build_algorithm
from workbench.meta.checkpoint import load_checkpoint
from workbench.meta.config import MetaConfig
from workbench.meta.device import resolve_device
from workbench.meta.footprint import check_model_fits
from workbench.meta.problem import Params, Problem, TaskBatch
from workbench.meta.state import make_forward, meta_from_checkpoint
from workbench.meta.trainer import check_domain, evaluate_tasks


class Learner:
    def __init__(self, problem: Problem, config: MetaConfig, meta: dict | None = None, device: str = "cpu"):
        self.problem = problem
        self.config = config
        self.device = resolve_device(device)
        check_model_fits(problem)
        self.model = problem.build_model().to(self.device)
        self.forward_fn = make_forward(self.model)
        self.algorithm = build_algorithm(problem, self.forward_fn, config)
        initial = {k: v.detach().clone() for k, v in self.model.named_parameters()}
        template = self.algorithm.init_meta(initial)
        self.meta = template if meta is None else {g: {k: v.to(self.device) for k, v in d.items()} for g, d in meta.items()}
        self.checkpoint_path: str | None = None
        self.checkpoint_meta: dict = {}

    @classmethod
    def from_checkpoint(cls, path: str | Path, problem: Problem, device: str = "cpu") -> "Learner":
        """Load a checkpoint for `problem` (workbench.domains.registry.load_learner builds the problem for you)."""
        data = load_checkpoint(path)
        check_domain(data, problem)
        learner = cls(problem, MetaConfig.from_dict(data.meta["config"]), device=device)
        learner.meta = meta_from_checkpoint(data, learner.meta)
        learner.checkpoint_path = str(path)
        learner.checkpoint_meta = data.meta
        return learner

    @property
    def params(self) -> Params:
        return self.meta["params"]

    @property
    def default_steps(self) -> int:
        return self.config.adapt_steps

    def adapt(
        self,
        support: tuple[torch.Tensor, ...],
        steps: int | None = None,
        *,
        trajectory: bool = False,
        on_step: Callable[[int, Params, torch.Tensor], bool | None] | None = None,
        final_loss: bool = True,
    ) -> Adaptation:
        """Adapt to one task's support tensors (no task dim). Returns detached fast weights,
        the support loss before each step and after the last, and optionally every step's weights.
        final_loss=False leaves out the loss after the last step: one more pass over the support,
        which a caller that only uses the weights does not need (a third of one step's cost)."""
        steps = self.default_steps if steps is None else steps
        support = tuple(t.to(self.device) for t in support)
        if not self.algorithm.adapts:
            return Adaptation(params=self.params, losses=[], trajectory=[self.params] if trajectory else None)
        with torch.no_grad():
            result = self.algorithm.adapt_task(
                self.meta, support, steps, first_order=True, trajectory=trajectory, on_step=on_step,
                final_loss=final_loss,
            )
        result.losses = [loss.detach() for loss in result.losses]
        return result

    def forward(self, params: Params, *inputs: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return self.forward_fn(params, *(x.to(self.device) for x in inputs))

    def bound(self, params: Params) -> torch.nn.Module:
        """A copy of the model holding `params`, in eval mode, for many calls with the same weights
        (a decoding loop): `forward` swaps the weights in on every call, about 0.4 ms, a sixth of
        InkNet's pass over one canvas on a 2-core CPU; the copy costs about 4 ms once."""
        model = copy.deepcopy(self.model).eval()
        model.load_state_dict(params, strict=False)
        return model.requires_grad_(False)

    def query_losses_by_step(self, tasks: TaskBatch, steps: list[int]) -> dict[int, torch.Tensor]:
        """Query loss of every task after each requested number of inner steps (0 = unadapted)."""
        wanted = sorted(set(steps))
        found: dict[int, list[float]] = {s: [] for s in wanted}
        for i in range(tasks.size):
            task = tasks.task(i).to(self.device)

            def score(step: int, params, task=task) -> None:  # this loop's task
                if step in found:
                    with torch.no_grad():
                        found[step].append(float(self.problem.loss(self.forward_fn, params, task.query)))

            score(0, self.params)
            if wanted[-1] > 0:
                self.adapt(task.support, wanted[-1], on_step=lambda step, params, loss: score(step, params))
        return {s: torch.tensor(v) for s, v in found.items()}

    def evaluate(self, tasks: TaskBatch, steps: int | None = None, strategy: str = "loop") -> dict[str, torch.Tensor]:
        """Per-task metrics (query_loss, support_losses, accuracy where defined) after adaptation."""
        steps = self.default_steps if steps is None else steps
        return evaluate_tasks(self.algorithm, self.meta, tasks.to(self.device), steps, strategy, self.config.meta_batch)
