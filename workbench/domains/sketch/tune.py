"""Choose the adaptation rate and step count of a sketch checkpoint by meta-validation.

The inner rate and steps of first-order ANIL are not learned; instead each
(rate, steps) pair is scored by the mean query loss of validation tasks
(classes never trained on) after that adaptation, and the best pair is
written into the checkpoint's config (inner_lr, eval_steps), with the table
that chose it. The pretrained baseline's fine-tuning is chosen the same way,
so neither model's rate is hand-set.
"""

from __future__ import annotations

import torch

RATES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
STEPS = (0, 1, 2, 3, 5)


def validation_table(learner, rates=RATES, steps=STEPS, tasks: int = 32, seed: int = 0) -> list[dict]:
    """[{"inner_lr", "steps", "query_loss"}] on `tasks` validation tasks (the same tasks for every pair)."""
    from workbench.meta.learner import Learner

    val = learner.problem.sample_tasks(tasks, torch.Generator().manual_seed(seed), "val")
    table = []
    for rate in rates:
        candidate = Learner(learner.problem, learner.config.replace(inner_lr=float(rate)), meta=learner.meta)
        losses = candidate.query_losses_by_step(val, list(steps))
        table += [{"inner_lr": float(rate), "steps": int(s), "query_loss": float(losses[s].mean())} for s in steps]
    return table


def best(table: list[dict]) -> dict:
    """The lowest query loss after at least one step (the config cannot say "no steps"; the
    table keeps step 0 to show what adaptation gains); among near-ties (within 0.1 %),
    the fewest steps, which are faster at use."""
    adapting = [row for row in table if row["steps"] > 0]
    low = min(row["query_loss"] for row in adapting)
    close = [row for row in adapting if row["query_loss"] <= low * 1.001]
    return min(close, key=lambda row: (row["steps"], row["query_loss"]))


def with_adaptation(learner, inner_lr: float, steps: int):
    """The same weights, adapting with this rate and step count."""
    from workbench.meta.learner import Learner

    config = learner.config.replace(inner_lr=float(inner_lr), eval_steps=int(steps))
    tuned = Learner(learner.problem, config, meta=learner.meta)
    tuned.checkpoint_path, tuned.checkpoint_meta = learner.checkpoint_path, learner.checkpoint_meta
    return tuned


def write_choice(path, choice: dict, table: list[dict]) -> None:
    """Store the chosen rate and steps in the checkpoint (its config) and the table beside them."""
    from workbench.meta.checkpoint import load_checkpoint, save_checkpoint

    data = load_checkpoint(path)
    meta = dict(data.meta)
    meta["config"] = {**meta["config"], "inner_lr": choice["inner_lr"], "eval_steps": choice["steps"]}
    meta["adaptation_validation"] = {"chosen": choice, "table": table}
    save_checkpoint(path, meta, data.tensors)
