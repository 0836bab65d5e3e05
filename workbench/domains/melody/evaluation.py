"""`workbench eval melody`: how well adaptation works, side by side with the baselines.

Records (one flat list):
- NLL per note (event: note or rest, pitch + duration, nats) of held-out
  segments after adapting on K = 1, 3, 5 support segments, for
  "meta" (the meta-learned checkpoint and its own inner loop),
  "pretrained" (the same network trained jointly on all training tunes, then
  fine-tuned by plain SGD with the same number of steps) and "scratch" (the
  same network from a random start, trained on the support with the same
  steps). The baselines' inner learning rate is chosen on validation tasks
  from LR_GRID (the meta model's is its own, learned or configured). Rows with
  steps=0 show each start before adaptation.
- Yang & Lerch overlap areas per feature between generated and held-out
  melodies of the same tune, for adapted and unadapted samples of the meta
  model (and fine-tuned samples of the pretrained model); higher is closer.
- copy_rate: the share of generated pitch 6-grams found literally in the
  support, to show how much of the closeness is copying.

Task kinds: "tune" (support and query segments from one held-out tune) and
"style" (support from K tunes of a style, query from another tune of it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from workbench.domains.melody import generation, metrics, vocab
from workbench.domains.melody.model import event_nll
from workbench.domains.melody.notes import Melody
from workbench.domains.melody.problem import transpose

SHOTS = (1, 3, 5)
LR_GRID = (0.01, 0.03, 0.1, 0.3)


@dataclass
class EvalTask:
    support: torch.Tensor    # [K_max, L, F]
    query: torch.Tensor      # [Q, L, F]
    group: int


def make_tasks(problem, split: str, kind: str, count: int, max_shot: int, seed: int, query: int = 1) -> list[EvalTask]:
    """Fixed tasks: the same query for every K, the support for K is the first K of max_shot segments."""
    data = problem.split(split)
    rng = np.random.default_rng(seed)
    tasks = []
    if kind == "tune":
        eligible = [t for t, segs in enumerate(data.tune_segments) if len(segs) >= max_shot + query]
        for t in rng.permutation(eligible)[:count]:
            segs = rng.permutation(data.tune_segments[t])
            tasks.append(_task(data, segs[query:query + max_shot], segs[:query], int(t), rng))
    else:
        styles = sorted(s for s, tunes in data.styles.items() if len(tunes) >= max_shot + 1)
        for i in range(count if styles else 0):
            style = styles[i % len(styles)]
            tunes = rng.permutation(data.styles[style])
            support = [rng.choice(data.tune_segments[t]) for t in tunes[1:max_shot + 1]]
            query_segs = rng.permutation(data.tune_segments[tunes[0]])[:query]
            tasks.append(_task(data, np.array(support), query_segs, i, rng))
    return tasks


def _task(data, support_idx, query_idx, group, rng) -> EvalTask:
    shift = torch.tensor(int(rng.integers(-3, 4)))
    return EvalTask(transpose(torch.from_numpy(data.segments[support_idx]), shift),
                    transpose(torch.from_numpy(data.segments[query_idx]), shift), group)


def query_nll(learner, params, query: torch.Tensor) -> tuple[float, float]:
    """(summed NLL, number of events) of the query segments under params."""
    with torch.no_grad():
        nll, mask = event_nll(learner.forward(params, query), query)
    return float(nll.sum()), float(mask.sum())


def nll_after(learner, tasks: list[EvalTask], shots: int, steps: int) -> float:
    total = count = 0.0
    for task in tasks:
        params = learner.params if steps == 0 else learner.adapt((task.support[:shots],), steps=steps).params
        nll, n = query_nll(learner, params, task.query)
        total, count = total + nll, count + n
    return total / max(count, 1.0)


def with_lr(learner, lr: float):
    from workbench.meta.learner import Learner

    config = learner.config.replace(algo="pretrain", inner_lr=lr, first_order=True)
    return Learner(learner.problem, config, meta={"params": learner.params})


def scratch_learner(problem, seed: int):
    from workbench.meta.config import MetaConfig
    from workbench.meta.learner import Learner

    torch.manual_seed(seed)
    return Learner(problem, MetaConfig(algo="pretrain", inner_lr=0.1))


def pick_lr(learner, tasks, shots: int, steps: int) -> tuple[object, float]:
    scored = [(nll_after(with_lr(learner, lr), tasks, shots, steps), lr) for lr in LR_GRID]
    best = min(scored, key=lambda s: s[0] if math.isfinite(s[0]) else float("inf"))[1]
    return with_lr(learner, best), best


def evaluate(meta_checkpoint, pretrained_checkpoint=None, data=None, shots=SHOTS, steps=None,
             tasks: int = 40, seed: int = 0, samples: bool = True, progress=None) -> list[dict]:
    """steps: one count or a list (default: 1 and the checkpoint's adaptation steps)."""
    torch.manual_seed(seed)
    meta = generation.load_learner(meta_checkpoint)
    if steps is None:
        steps_list = sorted({1, meta.default_steps})
    else:
        steps_list = sorted({int(s) for s in (steps if isinstance(steps, (list, tuple)) else [steps])})
    problem = meta.problem
    if data:
        from workbench.domains.melody.problem import MelodyProblem

        problem = MelodyProblem(**{**problem.options, "data": str(data), "task": "style"})
        problem.holdout_all = True  # a user's folder is all held out
    max_shot = max(shots)
    kinds = ("style",) if data else ("tune", "style")
    records: list[dict] = []
    starts = {"meta": meta}
    if pretrained_checkpoint:
        starts["pretrained"] = generation.load_learner(pretrained_checkpoint)
    starts["scratch"] = scratch_learner(meta.problem, seed)
    val_tasks = None if data else make_tasks(meta.problem, "val", "tune", 12, 3, seed + 1)
    task_sets = {kind: make_tasks(problem, "test", kind, tasks, max_shot, seed) for kind in kinds}
    for kind, eval_tasks in task_sets.items():
        if not eval_tasks:
            records.append({"task": kind, "note": f"no held-out {kind} with {max_shot + 1}+ segments/tunes"})
            continue
        for name in starts:
            if name != "scratch":
                records.append(_nll_record(kind, name, 0, 0, nll_after(starts[name], eval_tasks, max_shot, 0),
                                           len(eval_tasks), None))
    tuned_at_default = None
    for count in steps_list:
        tuned = {"meta": (meta, "learned" if "lrs" in meta.meta else meta.config.inner_lr)}
        for name in ("pretrained", "scratch"):
            if name in starts:
                # the baselines' rate is chosen on validation tasks for each step count
                tuned[name] = pick_lr(starts[name], val_tasks, 3, count) if val_tasks else (
                    with_lr(starts[name], 0.1), 0.1)
        if count == max(steps_list):
            tuned_at_default = tuned
        for kind, eval_tasks in task_sets.items():
            for name, (learner, lr) in tuned.items():
                for k in shots:
                    if progress:
                        progress(len(records), 0, f"{kind} tasks: {name}, K={k}, {count} steps")
                    records.append(_nll_record(kind, name, k, count, nll_after(learner, eval_tasks, k, count),
                                               len(eval_tasks), lr))
    if samples and tuned_at_default:
        records += sample_overlaps(tuned_at_default, problem, max(steps_list), seed, data is not None,
                                   tasks=min(tasks, 24), shots=min(3, max_shot))
    return records


def _nll_record(kind, model, shots, steps, nll, count, lr) -> dict:
    record = {"task": kind, "model": model, "shots": shots, "steps": steps, "nll_per_note": round(nll, 4),
              "tasks": count}
    if lr is not None:
        record["inner_lr"] = lr
    return record


def sample_overlaps(tuned, problem, steps: int, seed: int, user_data: bool, tasks: int = 24, shots: int = 3,
                    per_task: int = 4) -> list[dict]:
    """Yang & Lerch overlap areas: generated 4-bar melodies vs the held-out segments of the same tune."""
    kind = "style" if user_data else "tune"
    eval_tasks = make_tasks(problem, "test", kind, tasks, shots, seed + 7, query=2)
    if not eval_tasks:
        return []
    meta_learner = tuned["meta"][0]
    reference, ref_groups, copied = [], [], {}
    sets: dict[str, tuple[list, list]] = {"meta-adapted": ([], []), "meta-unadapted": ([], [])}
    if "pretrained" in tuned:
        sets["pretrained-finetuned"] = ([], [])
    for index, task in enumerate(eval_tasks):
        template = Melody(beats_per_bar=4, beat_unit=4)
        metre = int(task.support[0, 0, vocab.METRE])
        if metre < len(vocab.METRES):
            beats, unit = vocab.METRES[metre]
            template = Melody(beats_per_bar=beats, beat_unit=unit)
        support = [vocab.decode(s.numpy(), template) for s in task.support[:shots]]
        for q in task.query:
            reference.append(vocab.decode(q.numpy(), template))
            ref_groups.append(index)
        starts = {
            "meta-adapted": (meta_learner, meta_learner.adapt((task.support[:shots],), steps=steps).params),
            "meta-unadapted": (meta_learner, meta_learner.params),
        }
        if "pretrained" in tuned:
            learner = tuned["pretrained"][0]
            starts["pretrained-finetuned"] = (learner, learner.adapt((task.support[:shots],), steps=steps).params)
        for name, (learner, params) in starts.items():
            made = generation.sample(learner, params, support, n=per_task, bars=4, seed=seed + index,
                                     keep_key=False, keep_range=False)
            sets[name][0].extend(made)
            sets[name][1].extend([index] * len(made))
            hits, total = copied.get(name, (0, 0))
            h, t = copy_counts(made, support)
            copied[name] = (hits + h, total + t)
    records = []
    for name, (melodies, groups) in sets.items():
        compared = metrics.compare_sets(melodies, reference, groups, ref_groups)
        for feature, scores in compared.items():
            records.append({"task": kind, "measure": "yang_lerch", "samples": name, "feature": feature,
                            "overlap": round(scores["overlap"], 4), "kl": round(scores["kl"], 4),
                            "tasks": len(eval_tasks), "shots": shots, "generated": len(melodies)})
    for name, (hits, total) in copied.items():
        records.append({"task": kind, "measure": "copy_rate", "samples": name, "ngram": COPY_NGRAM,
                        "share": round(hits / max(total, 1), 4), "tasks": len(eval_tasks), "shots": shots})
    return records


COPY_NGRAM = 6


def copy_counts(generated, support) -> tuple[int, int]:
    """How many of the generated melodies' pitch 6-grams occur in the support (literal copying)."""
    def grams(melody):
        pitches = [n.pitch for n in melody.notes]
        return [tuple(pitches[i:i + COPY_NGRAM]) for i in range(len(pitches) - COPY_NGRAM + 1)]

    known = {g for m in support for g in grams(m)}
    found = [g for m in generated for g in grams(m)]
    return sum(g in known for g in found), len(found)
