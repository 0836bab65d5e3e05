"""`workbench eval sinusoid`: MSE after K-shot adaptation, meta-learned vs pretrained, as in MAML's Table/Fig. 2."""

from __future__ import annotations

# Finn et al. 2017 (REFERENCE.md): K=5, MSE after 1/5/10 steps.
PAPER = {("maml", 1): 0.67, ("maml", 5): 0.38, ("maml", 10): 0.35,
         ("pretrained", 1): 2.41, ("pretrained", 5): 2.23, ("pretrained", 10): 2.19}


def register(subparsers) -> None:
    p = subparsers.add_parser("sinusoid", help="sinusoid regression MSE after adaptation")
    p.add_argument("--checkpoint", help="meta-trained checkpoint (default: the shipped one)")
    p.add_argument("--baseline", help="pretrained baseline checkpoint (default: the shipped one)")
    p.add_argument("--shots", default="5,10", help="support sizes, comma separated")
    p.add_argument("--steps", default="1,5,10", help="inner steps, comma separated")
    p.add_argument("--tasks", type=int, default=500, help="fresh tasks per setting")
    p.add_argument("--points", type=int, default=100, help="query points per task")
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    import torch

    from workbench.commands.output import emit
    from workbench.domains import registry
    from workbench.domains.sinusoid.problem import SinusoidProblem
    from workbench.meta.device import device_label
    from workbench.resources_path import resource_path

    shots = parse_ints(args.shots, "shots")
    steps = parse_ints(args.steps, "steps")
    check_sizes(args, shots)
    models = {
        "meta": args.checkpoint or resource_path("checkpoints", "sinusoid.safetensors"),
        "pretrained": args.baseline or resource_path("checkpoints", "sinusoid-pretrained.safetensors"),
    }
    results = []
    for name, path in models.items():
        learner = registry.load_learner(path)
        for k in shots:
            tasks = SinusoidProblem(shot=k, query=args.points).sample_tasks(
                args.tasks, torch.Generator().manual_seed(args.seed + k), "test")
            losses = learner.query_losses_by_step(tasks, steps)
            for s in steps:
                mse = losses[s]
                record = {"model": name, "algo": learner.config.algo, "shots": k, "steps": s,
                          "mse": round(float(mse.mean()), 4),
                          "mse_ci95": round(float(1.96 * mse.std() / len(mse) ** 0.5), 4), "tasks": args.tasks}
                paper = PAPER.get(("maml" if name == "meta" else "pretrained", s)) if k == 5 else None
                if paper is not None:
                    record["paper_mse"] = paper
                results.append(record)
    emit("eval sinusoid", results, device=device_label("cpu"), as_json=args.json,
         extra={"checkpoints": {k: str(v) for k, v in models.items()}})
    return 0


def parse_ints(text: str, setting: str) -> list[int]:
    from workbench.meta.errors import ConfigError
    from workbench.meta.limits import MAX_STEPS, check_at_most

    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ConfigError(setting, f"expected comma-separated integers, got {text!r}") from None
    if not values or min(values) < 0:
        raise ConfigError(setting, f"expected non-negative integers, got {text!r}")
    check_at_most(setting, max(values), MAX_STEPS)
    return values


def check_sizes(args, shots: list[int]) -> None:
    """At least one task and point; all the tasks of one setting fit in memory (x, y as float32)."""
    from workbench.meta.errors import ConfigError
    from workbench.meta.limits import check_memory

    for name in ("tasks", "points"):
        if getattr(args, name) < 1:
            raise ConfigError(name, f"must be at least 1, got {getattr(args, name)}")
    check_memory("tasks", args.tasks * (args.points + max(shots)) * 2 * 4 * 4,
                 f"{args.tasks} tasks of {args.points} points")
