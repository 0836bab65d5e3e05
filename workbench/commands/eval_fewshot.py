"""`workbench eval fewshot`: N-way K-shot accuracy with a 95% interval on any class-per-folder image set."""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("fewshot", help="few-shot classification accuracy on an image folder or zip")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--data", required=True, help="class-per-folder images (folder or zip); all classes are test classes")
    p.add_argument("--way", type=int, default=5)
    p.add_argument("--shot", type=int, default=1)
    p.add_argument("--query", type=int, default=15)
    p.add_argument("--episodes", type=int, default=600)
    p.add_argument("--steps", type=int, help="inner steps (default: the checkpoint's test-time steps)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--keep-seen", action="store_true",
                   help="keep test classes that share a drawing file with the checkpoint's training data "
                        "(left out by default: Omniglot's small1 and small2 share their Greek and Latin characters)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    from workbench.commands.output import emit
    from workbench.meta.device import device_label

    results = [evaluate_fewshot(args.checkpoint, args.data, args.way, args.shot, args.query, args.episodes,
                                args.steps, args.seed, keep_seen=args.keep_seen)]
    if not args.json and results[0]["seen_check"] != "checked":
        print(f"note: {results[0]['seen_check']}", file=sys.stderr)
    emit("eval fewshot", results, device=device_label("cpu"), as_json=args.json)
    return 0


def evaluate_fewshot(checkpoint, data, way, shot, query, episodes, steps=None, seed=0, keep_seen=False) -> dict:
    import torch

    from workbench.domains import registry
    from workbench.domains.drawings.sources import unseen_by
    from workbench.meta.checkpoint import load_checkpoint
    from workbench.meta.errors import ConfigError
    from workbench.meta.learner import Learner

    saved = load_checkpoint(checkpoint).meta
    trained = saved.get("problem") or {}
    algo = saved.get("config", {}).get("algo")
    if saved.get("domain") != "omniglot":
        raise ConfigError("checkpoint", f"{checkpoint} is a {saved.get('domain')} model, not a classifier")
    if algo != "protonet" and way != trained.get("way"):
        raise ConfigError("way", f"this {algo} checkpoint has a {trained.get('way')}-way head; use --way "
                                 f"{trained.get('way')} (only ProtoNet checkpoints take any way)")
    seen_by, seen_check = unseen_by(trained.get("data"), data, keep_seen)
    options = dict(trained, data=str(data), way=way, shot=shot, query=query, whole=True,
                   head_way=trained.get("head_way") or trained.get("way"), unseen_by=seen_by)
    problem = registry.build_problem("omniglot", options)
    learner = Learner.from_checkpoint(checkpoint, problem)
    generator = torch.Generator().manual_seed(seed)
    accuracies = []
    for start in range(0, episodes, 50):
        tasks = problem.sample_tasks(min(50, episodes - start), generator, "test")
        accuracies.append(learner.evaluate(tasks, steps)["accuracy"])
    accuracy = torch.cat(accuracies)
    return {
        "checkpoint": str(checkpoint), "algo": algo, "data": str(data), "way": way, "shot": shot,
        "query": query, "episodes": episodes, "steps": learner.default_steps if steps is None else steps,
        "accuracy": round(float(accuracy.mean()), 4),
        "ci95": round(float(1.96 * accuracy.std() / len(accuracy) ** 0.5), 4),
        "classes": problem.source.num_classes("test"),
        "left_out_seen": len(getattr(problem.source, "dropped", [])),   # test classes the training data has
        "seen_check": seen_check,
    }
