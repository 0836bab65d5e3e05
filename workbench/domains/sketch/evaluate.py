"""`workbench eval sketch`: how good Vary and Complete are, next to their baselines.

Every model is adapted with the same engine call (Learner.adapt) and the same
step count. Models compared in one run:
  meta      the meta-trained checkpoint
  pretrain  the same network trained on all training classes jointly, then
            fine-tuned (a checkpoint of the "vary-pretrain"/"complete-pretrain" preset)
  random    the same network from a random initialisation, fine-tuned

Vary, per held-out class and K in {1, 3, 5}:
  nll        negative ELBO (nats per drawing, an upper bound on the NLL) of
             5 held-out drawings of the class, averaged over noise draws
  fidelity   share of 16 samples that a Prototypical Network assigns to the
             support's class in 20-way classification (K support drawings per class)
  novelty    mean embedding distance of each sample to its nearest support drawing
  diversity  mean pairwise embedding distance among the samples
  A "real" row scores up to 16 other real drawings of the class the same way
  (15 when a class has 20), for scale.
Complete, per held-out drawing with 10% / 25% of its ink observed: BCE and
PSNR on the unobserved pixels after each step 0..S.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch
from torch.nn import functional as F

from workbench.domains.sketch.generate import sample
from workbench.domains.sketch.observe import observed_mask, partial_drawings

VARY_SAMPLES = 16
VARY_QUERIES = 5
NLL_DRAWS = 4


def random_learner(learner, seed: int = 0):
    """The same network and adaptation settings as `learner`, from a random initialisation."""
    from workbench.meta.learner import Learner

    torch.manual_seed(seed)
    return Learner(learner.problem, learner.config)


def _class_drawings(source, split: str, index: int, count: int, rng: np.random.Generator) -> np.ndarray:
    available = source.num_instances(split, index)
    chosen = rng.choice(available, size=min(count, available), replace=False)
    return source.images(split, index, chosen.tolist())


def _embed(classifier, images: np.ndarray | torch.Tensor) -> torch.Tensor:
    x = torch.as_tensor(images, dtype=torch.float32).reshape(len(images), -1)
    return classifier.forward(classifier.params, x).flatten(1)


def _pairwise_mean(e: torch.Tensor) -> float:
    d = torch.cdist(e, e)
    n = len(e)
    return float(d.sum() / (n * (n - 1))) if n > 1 else 0.0


def evaluate_vary(learners: dict, classifier, source, *, shots=(1, 3, 5), tasks: int = 30, steps: int = 10,
                  way: int = 20, seed: int = 0, split: str = "test", data_name: str = "glyphs",
                  progress: Callable | None = None) -> list[dict]:
    """One record per (model, K) with the mean nll, fidelity, novelty, diversity over tasks."""
    rng = np.random.default_rng(seed)
    n_classes = source.num_classes(split)
    if n_classes < way:
        way = n_classes
    latent = next(iter(learners.values())).problem.options["latent"]
    sums: dict[tuple[str, int], dict[str, list[float]]] = {}
    total = tasks * len(shots)
    done = 0
    for t in range(tasks):
        classes = rng.choice(n_classes, size=way, replace=False)
        need = max(shots) + VARY_QUERIES + VARY_SAMPLES
        target = _class_drawings(source, split, int(classes[0]), need, rng)
        others = [_class_drawings(source, split, int(c), max(shots), rng) for c in classes[1:]]
        generator = torch.Generator().manual_seed(seed * 100_003 + t)
        for k in shots:
            support = target[:k]
            query = target[max(shots):max(shots) + VARY_QUERIES]
            real = target[max(shots):max(shots) + VARY_SAMPLES]
            if len(real) < 2:
                real = target[k:]
            prototypes = torch.stack([_embed(classifier, support).mean(0)] +
                                     [_embed(classifier, o[:k]).mean(0) for o in others])
            support_embedded = _embed(classifier, support)
            batch = (torch.from_numpy(support).reshape(k, -1), torch.randn(k, latent, generator=generator), torch.ones(k))
            z = torch.randn(VARY_SAMPLES, latent, generator=generator)
            query_x = torch.from_numpy(query).reshape(len(query), -1)
            query_eps = torch.randn(NLL_DRAWS, len(query), latent, generator=generator)
            rows = {"real": (None, real)}
            for name, learner in learners.items():
                adapted = learner.adapt(batch, steps).params
                with torch.no_grad():
                    nll = float(torch.stack([learner.forward(adapted, query_x, eps) for eps in query_eps]).mean())
                rows[name] = (nll, sample(learner, adapted, z).numpy())
            for name, (nll, drawings) in rows.items():
                e = _embed(classifier, drawings)
                assigned = (torch.cdist(e, prototypes).argmin(1) == 0).float().mean()
                novelty = torch.cdist(e, support_embedded).min(1).values.mean()
                record = sums.setdefault((name, k), {"nll": [], "fidelity": [], "novelty": [], "diversity": []})
                if nll is not None:
                    record["nll"].append(nll)
                record["fidelity"].append(float(assigned))
                record["novelty"].append(float(novelty))
                record["diversity"].append(_pairwise_mean(e))
            done += 1
            if progress:
                progress(done, total, f"vary on {data_name}")
    results = []
    for (name, k), values in sums.items():
        row = {"data": data_name, "mode": "vary", "model": name, "shots": k, "steps": steps if name != "real" else 0,
               "way": way, "tasks": tasks}
        for key, vals in values.items():
            row[key] = float(np.mean(vals)) if vals else None
        results.append(row)
    order = {"meta": 0, "pretrain": 1, "random": 2, "real": 3}
    return sorted(results, key=lambda r: (r["shots"], order.get(r["model"], 9)))


def _psnr(mse: float) -> float:
    return 10.0 * math.log10(1.0 / max(mse, 1e-10))


def evaluate_complete(learners: dict, source, *, fractions=(0.1, 0.25), tasks: int = 50, steps: int = 10,
                      seed: int = 0, split: str = "test", data_name: str = "glyphs",
                      progress: Callable | None = None) -> list[dict]:
    """One record per (model, observed share, step) with BCE and PSNR on the unobserved pixels."""
    rng = np.random.default_rng(seed)
    n_classes = source.num_classes(split)
    size = next(iter(learners.values())).problem.size
    generator = torch.Generator().manual_seed(seed)
    truths = torch.from_numpy(np.stack([
        _class_drawings(source, split, int(rng.integers(n_classes)), 1, rng)[0] for _ in range(tasks)
    ]))
    bce = {(name, f): np.zeros((tasks, steps + 1)) for name in learners for f in fractions}
    mse = {(name, f): np.zeros((tasks, steps + 1)) for name in learners for f in fractions}
    done, total = 0, tasks * len(fractions)
    for f in fractions:
        partial = partial_drawings(truths, torch.full((tasks,), float(f)), generator)
        mask = observed_mask(partial)
        for t in range(tasks):
            support = (partial[t].reshape(1, -1), mask[t].reshape(1, -1))
            hidden = (1.0 - mask[t]).reshape(-1) > 0.5
            truth = truths[t].reshape(-1)[hidden]
            for name, learner in learners.items():
                path = learner.adapt(support, steps, trajectory=True).trajectory
                for i, params in enumerate(path):
                    logits = learner.forward(params).reshape(-1)[hidden]
                    bce[(name, f)][t, i] = float(F.binary_cross_entropy_with_logits(logits, truth))
                    mse[(name, f)][t, i] = float((torch.sigmoid(logits) - truth).pow(2).mean())
            done += 1
            if progress:
                progress(done, total, f"complete on {data_name}")
    results = []
    for f in fractions:
        for name in learners:
            for i in range(steps + 1):
                results.append({
                    "data": data_name, "mode": "complete", "model": name, "observed": f, "step": i,
                    "tasks": tasks, "bce": float(bce[(name, f)][:, i].mean()),
                    "psnr": _psnr(float(mse[(name, f)][:, i].mean())),
                })
    return results
