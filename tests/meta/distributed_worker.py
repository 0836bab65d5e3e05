"""One rank of the 2-process tests in test_distributed.py:
`python -m tests.meta.distributed_worker SCENARIO[,SCENARIO] OUT` (several scenarios share one start-up).

The parent sets RANK, WORLD_SIZE, MASTER_ADDR (loopback) and MASTER_PORT, as torchrun does."""

import json
import os
import sys

import torch

from tests.meta.toy import ToyClassification, ToyRegression
from workbench.meta import distributed
from workbench.meta.algorithms import build_algorithm
from workbench.meta.batching import meta_gradient
from workbench.meta.config import MetaConfig
from workbench.meta.state import make_forward
from workbench.meta.trainer import MetaTrainer

TASKS = 5  # odd, so the ranks' shares differ (3 and 2)
ALGORITHMS = ("maml", "fomaml", "metasgd", "anil", "reptile", "protonet", "pretrain")


def gradient_case(algo: str, seed: int = 0):
    """(problem, algorithm, meta, tasks) of one test case; the same in every process."""
    problem = ToyClassification() if algo == "protonet" else ToyRegression()
    config = MetaConfig(algo=algo, inner_steps=2, inner_lr=0.1, meta_batch=TASKS, batching="loop",
                        first_order=algo == "fomaml")
    torch.manual_seed(seed)
    model = problem.build_model()
    algorithm = build_algorithm(problem, make_forward(model), config)
    meta = algorithm.init_meta({k: v.detach().clone() for k, v in model.named_parameters()})
    tasks = problem.sample_tasks(TASKS, torch.Generator().manual_seed(seed + 1), "train")
    return algorithm, meta, tasks


def gradients(world, out):
    found = {}
    for algo in ALGORITHMS:
        algorithm, meta, tasks = gradient_case(algo)
        grads, _ = meta_gradient(algorithm.task_gradient, meta, tasks.slice(*world.shard(TASKS)), "loop", world=world)
        found[algo] = {f"{group}.{k}": v.tolist() for group, values in grads.items() for k, v in values.items()}
    with open(os.path.join(out, f"grads{world.rank}.json"), "w") as handle:
        json.dump(found, handle)


class DyingRegression(ToyRegression):
    """Rank 1 leaves abruptly (like a killed process) at its fourth batch."""

    calls = 0

    def sample_tasks(self, n, generator, split="train"):
        DyingRegression.calls += n > 1  # not the one-task memory probe before the first iteration
        if split == "train" and DyingRegression.calls == 4 and int(os.environ["RANK"]) == 1:
            os._exit(3)
        return super().sample_tasks(n, generator, split)


def rank_dies(world, out):
    config = MetaConfig(algo="maml", inner_steps=1, meta_batch=4, iterations=10, val_every=0, batching="loop",
                        checkpoint_every=1)
    trainer = MetaTrainer(DyingRegression(), config, world=world)
    try:
        for _ in trainer.run(out=os.path.join(out, "run")):
            pass
    except distributed.RankLostError as exc:
        with open(os.path.join(out, f"error{world.rank}.txt"), "w") as handle:
            handle.write(str(exc))


if __name__ == "__main__":
    scenarios, out = sys.argv[1].split(","), sys.argv[2]
    world = distributed.join(torch.device("cpu"), "gloo", timeout_s=60)
    for scenario in scenarios:
        {"gradients": gradients, "rank_dies": rank_dies}[scenario](world, out)
    distributed.leave(world)
