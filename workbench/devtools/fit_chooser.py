"""Fit the weights of Complete's choice of start example (choose.py) and print them as JSON.

    python -m workbench.devtools.fit_chooser [--tasks 300] [--seed 11]      # prints JSON

Tasks from the built-in glyphs' *training* classes only (what the shipped models train on; the
validation and test sets stay unseen): a drawing cut to 25 % of its ink (nearest one point, as
training cuts it) and K = 3 or 5 other drawings of the class as examples, `tasks` of each. Each
example is bent toward the partial and measured (align.measured); its paste (bent-fill) is scored
against the truth (F1 at 1 px). A pairwise logistic ranker (L2 1e-3) learns, from every pair whose
F1 differs by more than 0.02, which of the two completes the drawing better. Prints MEAN, SCALE
and WEIGHTS for choose.py, and how often the fitted score and the cost alone pick the better of
such a pair and the F1 of what each picks (on these training tasks).
"""

from __future__ import annotations

import argparse
import json

import numpy as np


def _tasks(count: int, seed: int, shots: int, size: int = 64):
    import torch

    from workbench.domains.drawings.sources import GlyphSource
    from workbench.domains.sketch import evaluate, metrics
    from workbench.domains.sketch.observe import partial_drawings

    source = GlyphSource(size=size, seed=0)
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(seed)
    eligible = evaluate._classes_with(source, "train", shots + 1, "fit_chooser")
    for _ in range(count):
        index = eligible[int(rng.integers(len(eligible)))]
        drawn = (source.images("train", index, evaluate._chosen(source, "train", index, shots + 1, rng)) > metrics.INK)
        truth, examples = drawn[-1].astype(np.float32), drawn[:-1].astype(np.float32)
        partial = partial_drawings(torch.from_numpy(truth[None]), torch.tensor([0.25]), generator).numpy()[0]
        yield truth, examples, (partial > metrics.INK).astype(np.float32)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=300, help="tasks per K (3 and 5)")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    import torch
    import torch.nn.functional as F

    from workbench.domains.sketch import align, choose, metrics

    measured = []                                                   # per task: values [K, F], F1 [K]
    for shots in (3, 5):
        for truth, examples, partial in _tasks(args.tasks, args.seed, shots):
            if not partial.any():
                continue
            bent, values = align.measured(examples, partial)
            f1 = [metrics.f1(*metrics.completion_scores(np.maximum(partial, b), partial, truth)) for b in bent]
            measured.append((values, np.array(f1)))
    every = np.concatenate([values for values, _ in measured])
    mean, scale = every.mean(0), every.std(0) + 1e-6
    # each row: the better example's standardised measures minus the worse one's
    better = [(a - b) / scale for values, f1 in measured for a, fa in zip(values, f1) for b, fb in zip(values, f1)
              if fa > fb + 0.02]
    pairs = torch.tensor(np.array(better), dtype=torch.float32)
    weights = torch.zeros(pairs.shape[1], requires_grad=True)
    optimiser = torch.optim.LBFGS([weights], max_iter=200)

    def closure():
        optimiser.zero_grad()
        loss = F.softplus(-(pairs @ weights)).mean() + 1e-3 * (weights ** 2).sum()
        loss.backward()
        return loss

    optimiser.step(closure)
    fitted = weights.detach().numpy().astype(float)
    picked = [f1[int(np.argmax(((values - mean) / scale) @ fitted))] for values, f1 in measured]
    by_cost = [f1[int(np.argmin(values[:, 0]))] for values, f1 in measured]
    print(json.dumps({
        "features": list(choose.FEATURES), "tasks": len(measured), "pairs": len(better),
        "MEAN": [round(float(v), 4) for v in mean], "SCALE": [round(float(v), 4) for v in scale],
        "WEIGHTS": [round(float(v), 4) for v in fitted],
        "pairs_ranked_right": float(((pairs @ torch.from_numpy(fitted).float()) > 0).float().mean()),
        "pairs_ranked_right_by_cost": float((pairs[:, 0] < 0).float().mean()),
        "f1_of_the_pick": float(np.mean(picked)), "f1_of_the_pick_by_cost": float(np.mean(by_cost)),
        "f1_of_the_best": float(np.mean([f1.max() for _, f1 in measured]))}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
