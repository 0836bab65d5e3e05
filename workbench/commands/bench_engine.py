"""`workbench bench engine`: meta-training throughput of this engine next to a
plain per-task autograd loop and the `higher` library, in the same run.

The settings are the throughput table's in REFERENCE.md: MAML on the Omniglot
conv net (random 28x28 data, 15 query images per class for 5-way, 5 for
20-way). Every (setting, implementation) pair runs in a fresh subprocess, so
its peak memory is its own and one cannot warm the caches of another.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

SETTINGS = {
    # name: (way, shot, query per class, inner steps, meta-batch, second order)
    "5w1s-1step-b32-2nd": (5, 1, 15, 1, 32, True),
    "5w1s-5step-b32-2nd": (5, 1, 15, 5, 32, True),
    "20w1s-5step-b16-2nd": (20, 1, 5, 5, 16, True),
    "5w1s-5step-b32-1st": (5, 1, 15, 5, 32, False),
}
# The settings REFERENCE.md measured on each kind of device; --quick runs only these.
QUICK = {"cpu": ["5w1s-1step-b32-2nd", "5w1s-5step-b32-1st"],
         "cuda": ["5w1s-1step-b32-2nd", "5w1s-5step-b32-2nd", "20w1s-5step-b16-2nd"]}
REFERENCE_TASKS_PER_S = {
    ("cuda", "5w1s-1step-b32-2nd"): {"loop": 169, "higher": 106, "vmap": 2224, "vmap+tf32+graph": 7386},
    ("cuda", "5w1s-5step-b32-2nd"): {"loop": 48, "higher": 45, "vmap": 513, "vmap+tf32+graph": 1810},
    ("cuda", "20w1s-5step-b16-2nd"): {"loop": 54, "higher": 50, "vmap": 286},
    ("cpu", "5w1s-1step-b32-2nd"): {"loop": 50, "higher": 65, "vmap": 50},
    ("cpu", "5w1s-5step-b32-1st"): {"loop": 69, "higher": 61, "vmap": 42},
}
IMPLEMENTATIONS = ("workbench-auto", "workbench-loop", "workbench-vmap", "plain-loop", "higher")
# On CUDA also the speed settings: TF32 matmuls, and the meta-step captured in a CUDA graph or compiled.
CUDA_IMPLEMENTATIONS = ("workbench-vmap+tf32", "workbench-vmap+tf32+graph", "workbench-vmap+tf32+compile")
INNER_LR = 0.4


def register(subparsers) -> None:
    p = subparsers.add_parser("engine", help="meta-training throughput vs a plain loop and higher")
    p.add_argument("--quick", action="store_true", help="the device's reference settings, few iterations (< 2 min on CPU)")
    p.add_argument("--device", default="auto")
    p.add_argument("--iterations", type=int, help="timed iterations per measurement")
    p.add_argument("--settings", help="comma-separated setting names (default: all, or the quick ones)")
    p.add_argument("--impls", help=f"comma-separated implementations (default: {','.join(IMPLEMENTATIONS)})")
    p.add_argument("--world-size", type=int, nargs="+", dest="world_size",
                   help="measure the engine on this many processes (gloo on CPU, NCCL on CUDA), e.g. 1 2; "
                        "adds the scaling efficiency")
    p.add_argument("--json", action="store_true")
    p.add_argument("--worker", help=argparse_hidden())
    p.set_defaults(func=run)


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS


def run(args) -> int:
    if args.worker:
        print(json.dumps(measure(**json.loads(args.worker))))
        return 0
    from workbench.commands.output import emit
    from workbench.meta.device import device_label, resolve_device

    device = resolve_device(args.device)
    kind = "cuda" if device.type == "cuda" else "cpu"
    names = args.settings.split(",") if args.settings else (QUICK[kind] if args.quick else list(SETTINGS))
    impls = args.impls.split(",") if args.impls else list(IMPLEMENTATIONS) + (
        list(CUDA_IMPLEMENTATIONS) if kind == "cuda" else [])
    iterations = args.iterations or (3 if args.quick else 10)
    if args.world_size:
        from workbench.commands.bench_world import measure_world_sizes

        impls = args.impls.split(",") if args.impls else ["workbench-auto"]
        results = measure_world_sizes(names, impls, args.world_size, str(device), iterations, run_worker)
        emit("bench engine", results, device=device_label(device), as_json=args.json)
        return 0
    results = []
    for name in names:
        for impl in impls:
            job = {"setting": name, "impl": impl, "device": str(device), "iterations": iterations}
            record = run_worker(job)
            reference = REFERENCE_TASKS_PER_S.get((kind, name), {})
            ref_key = {"plain-loop": "loop"}.get(impl, impl.removeprefix("workbench-"))
            if ref_key in reference:
                record["reference_tasks_per_s"] = reference[ref_key]
            results.append(record)
    add_speedup_over_higher(results)
    emit("bench engine", results, device=device_label(device), as_json=args.json)
    return 0


def add_speedup_over_higher(results: list[dict]) -> None:
    """x_higher: tasks/s over `higher`'s in the same setting and run (the GPU targets are 15x, aim 70x)."""
    higher = {r["setting"]: r["tasks_per_s"] for r in results if r["impl"] == "higher" and r.get("tasks_per_s")}
    for record in results:
        if record.get("tasks_per_s") and record["setting"] in higher:
            record["x_higher"] = round(record["tasks_per_s"] / higher[record["setting"]], 2)


def run_worker(job: dict) -> dict:
    command = [sys.executable, "-m", "workbench", "bench", "engine", "--worker", json.dumps(job)]
    if job.get("world_size", 1) > 1:
        from workbench.commands.bench_world import run_ranks

        done = run_ranks(command, job["world_size"])
    else:
        done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
        return {"setting": job["setting"], "impl": job["impl"], "error": lines[-1][:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(setting: str, impl: str, device: str, iterations: int, world_size: int = 1) -> dict:
    import torch

    from workbench.meta import distributed

    way, shot, query, steps, batch, second_order = SETTINGS[setting]
    torch.manual_seed(0)
    device_ = torch.device(device)
    world = distributed.join(device_) if world_size > 1 else distributed.SINGLE
    if world.distributed and not impl.startswith("workbench"):
        raise SystemExit(f"{impl} runs in one process only")
    device_ = world.place(device_)
    step, chosen = make_step(impl, way, shot, query, steps, batch, second_order, device_, world)
    step()  # warm-up (and, for auto, the strategy measurement)
    sync(device_)
    if device_.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device_)
    start = time.perf_counter()
    for _ in range(iterations):
        step()
    sync(device_)
    seconds = time.perf_counter() - start
    record = {"setting": setting, "impl": impl, "tasks_per_s": round(batch * iterations / seconds, 1),
              "peak_memory_mb": round(peak_mb(device_), 1), "iterations": iterations}
    if world_size > 1:
        record["world_size"] = world_size
        distributed.leave(world)
    if chosen:
        record.update(chosen())
    return record


def random_tasks(way, shot, query, batch, device):
    import torch

    from workbench.meta.problem import TaskBatch

    generator = torch.Generator().manual_seed(0)

    def images(per_class):
        return torch.rand(batch, way * per_class, 28, 28, generator=generator).to(device)

    def labels(per_class):
        return torch.arange(way).repeat_interleave(per_class).expand(batch, -1).contiguous().to(device)

    return TaskBatch((images(shot), labels(shot)), (images(query), labels(query)))


def make_step(impl, way, shot, query, steps, batch, second_order, device, world=None):
    """A callable doing one meta-training step, and (for auto) a getter of the chosen strategy."""
    tasks = random_tasks(way, shot, query, batch, "cpu" if world and world.distributed else device)
    if impl.startswith("workbench"):
        return workbench_step(impl.split("-", 1)[1], tasks, way, shot, query, steps, batch, second_order, device,
                              world)
    if impl == "plain-loop":
        return plain_loop_step(tasks, way, steps, second_order, device), None
    if impl == "higher":
        return higher_step(tasks, way, steps, second_order, device), None
    raise SystemExit(f"unknown implementation {impl}")


def workbench_step(variant, tasks, way, shot, query, steps, batch, second_order, device, world=None):
    """variant: batching[+tf32][+graph|+compile], e.g. "vmap+tf32+graph" (TF32 off unless named)."""
    from workbench.domains.omniglot.problem import DEFAULTS, FewShotProblem
    from workbench.meta.config import MetaConfig
    from workbench.meta.distributed import SINGLE
    from workbench.meta.trainer import MetaTrainer

    batching, *extras = variant.split("+")
    step_mode = "cuda-graph" if "graph" in extras else "compile" if "compile" in extras else "eager"

    class RandomData(FewShotProblem):
        def sample_tasks(self, n, generator, split):
            return tasks

    problem = RandomData(dict(DEFAULTS, way=way, shot=shot, query=query))
    config = MetaConfig(algo="maml" if second_order else "fomaml", first_order=not second_order,
                        inner_steps=steps, inner_lr=INNER_LR, meta_batch=batch, iterations=10**9,
                        batching=batching, device=str(device), val_every=0, tf32="tf32" in extras,
                        step_mode=step_mode)
    trainer = MetaTrainer(problem, config, world=world or SINGLE)  # a rank trains its share of the tasks
    records = trainer.run()
    next(records)  # "started"
    notes = []

    def step():
        record = next(records)
        while record.kind != "iteration":
            if "runs eager" in getattr(record, "message", ""):
                notes.append(record.message)  # a capture that fell back: the number is eager's
            record = next(records)

    return step, (lambda: {"batching": trainer.batching, **({"note": "; ".join(notes)} if notes else {})})


def _classifier(way, device):
    import torch

    from workbench.domains.omniglot.model import ConvNet

    class WithHead(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = ConvNet(way=way)

        def forward(self, x):
            return self.net.head(self.net(x))

    return WithHead().to(device)


def plain_loop_step(tasks, way, steps, second_order, device):
    """The textbook implementation: per task, torch.autograd.grad with create_graph, then backward."""
    import torch
    from torch.nn import functional as F

    model = _classifier(way, device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    names = [n for n, _ in model.named_parameters()]

    def step():
        optimizer.zero_grad()
        for i in range(tasks.size):
            (xs, ys), (xq, yq) = [(t[0][i], t[1][i]) for t in (tasks.support, tasks.query)]
            fast = dict(model.named_parameters())
            for _ in range(steps):
                loss = F.cross_entropy(torch.func.functional_call(model, fast, (xs,)), ys)
                grads = torch.autograd.grad(loss, list(fast.values()), create_graph=second_order)
                fast = {n: w - INNER_LR * g for (n, w), g in zip(fast.items(), grads)}
            query_loss = F.cross_entropy(torch.func.functional_call(model, fast, (xq,)), yq) / tasks.size
            if second_order:
                query_loss.backward()
            else:  # first order: the query gradient at the fast weights, applied to the initial ones
                grads = torch.autograd.grad(query_loss, [fast[n] for n in names])
                for param, grad in zip(model.parameters(), grads):
                    param.grad = grad if param.grad is None else param.grad + grad
        optimizer.step()

    return step


def higher_step(tasks, way, steps, second_order, device):
    import higher
    import torch
    from torch.nn import functional as F

    model = _classifier(way, device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    inner = torch.optim.SGD(model.parameters(), lr=INNER_LR)

    def step():
        optimizer.zero_grad()
        for i in range(tasks.size):
            (xs, ys), (xq, yq) = [(t[0][i], t[1][i]) for t in (tasks.support, tasks.query)]
            with higher.innerloop_ctx(model, inner, copy_initial_weights=False,
                                      track_higher_grads=second_order) as (fmodel, diffopt):
                for _ in range(steps):
                    diffopt.step(F.cross_entropy(fmodel(xs), ys))
                query_loss = F.cross_entropy(fmodel(xq), yq) / tasks.size
                if second_order:
                    query_loss.backward()
                else:
                    grads = torch.autograd.grad(query_loss, list(fmodel.parameters()))
                    for param, grad in zip(model.parameters(), grads):
                        param.grad = grad if param.grad is None else param.grad + grad
        optimizer.step()

    return step


def sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def peak_mb(device) -> float:
    from workbench.meta.device import peak_memory_mb

    return peak_memory_mb(device)
