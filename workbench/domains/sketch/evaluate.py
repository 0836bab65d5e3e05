"""`workbench eval sketch`: Vary and Complete side by side with models and trivial baselines.

Rows (`model` field):
  meta        the meta-trained InkNet, adapted with its validated rate and steps, at the
              default strength (generate.VARY_STRENGTH, COMPLETE_STRENGTH); Vary keeps the
              best of its candidates (generate.VARY_CANDIDATES), as in the studio
  meta-all    (Vary, Invent) the same, keeping every drawing it makes (no choice among candidates)
  meta-blank  the same at strength 1: drawn from a blank canvas (Complete: with the
              examples read, but not started from one)
  unadapted   the same network and support context, no adaptation steps
  pretrain    InkNet trained on all training drawings jointly, fine-tuned with
              the rate and steps chosen on validation tasks (tune.py)
  unadapted-blank, pretrain-blank  (Vary, Invent) those two at strength 1, beside meta-blank:
              where the network draws on its own, adaptation has the most to do
  jitter      (Vary) affine + elastic distortions of the support drawings
  start       (Vary) what Vary starts from below strength 1: the support under
              the stronger elastic distortion, binarized, all of it kept (so the
              model's redrawing is measured against its own starting point)
  nearest     (Vary) the training drawings nearest to the support
  meta-alone  (Complete) the meta model without the user's examples: its support is the
              built-in glyphs that cover the partial best (the studio with an empty strip)
  mirror      (Complete) the partial plus its mirror image
  nearest-fill (Complete) the partial plus the best-covering training drawing
  support-fill (Complete) the partial plus the example drawing that covers it best
  bent-fill   (Complete) the partial plus the example bent toward it that fits it best
              (align.py): where Complete starts, without the network
  real        (Vary) other real drawings of the class, for scale

Vary measures (metrics.py): mid_grey, faint, fidelity (share of samples a
20-way ProtoNet judge assigns to the support's class, K support drawings per
class), near_copy, chamfer (to a held-out drawing of the class).
Complete measures: recall and precision of the missing ink at 1 px after the
last step, and per decoding step for the models; f1, the mean over tasks of
their harmonic mean. `*_ci95` is the half-width of a 95 % interval of a mean
over tasks; the meta row's `fidelity_paired` / `f1_paired` give its mean
difference from each row in PAIRED_VARY / PAIRED_COMPLETE on the same tasks
with that difference's half-width (a gap inside it is not a gap the run can see);
meta-blank's, from the other two networks drawn from a blank canvas.

Invent (evaluate_invent, sets laid out alphabet/character/drawing): from K
characters of one alphabet, 16 new ones. Rows: the models; start (the
chimeras Invent starts from, binarized, every pixel kept); jitter (the
support characters distorted: copies); real (other characters of the
alphabet). alphabet_fidelity: share of drawings the judge assigns to the
support's alphabet among all alphabets of the set (prototype of each: K of
its characters); support_variant: share the judge finds as close to a
support character as another person's drawing of that character is (a
variant of a known character rather than a new one); near_copy, faint,
mid_grey as for Vary. The models complete in the
style of K examples of the class (the studio's support strip), K = shots.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from workbench.domains.imageio import frame_ink
from workbench.domains.sketch import baselines, metrics
from workbench.domains.sketch.generate import START_ELASTIC, chimeras, complete, invent, vary
from workbench.domains.sketch.observe import partial_drawings
from workbench.domains.sketch.pen_cuts import pen_partial
from workbench.meta.errors import DataError

SAMPLES = 16
JUDGE_SIZE = 28
# The rows the meta row is compared with task by task (`*_paired`: mean difference and its 95 %
# half-width): the targets' baselines and the model's own unadapted and fine-tuned versions.
PAIRED_VARY = {"meta": ("jitter", "start", "unadapted", "pretrain", "meta-all"),
               "meta-blank": ("unadapted-blank", "pretrain-blank")}
PAIRED_COMPLETE = ("support-fill", "bent-fill", "unadapted", "pretrain")


def _classes_with(source, split: str, need: int, what: str) -> list[int]:
    """The classes of the split with at least `need` drawings, which a task of `what` takes; a
    DataError naming the set when fewer than two have them (a held-out set of small classes)."""
    counts = [source.num_instances(split, c) for c in range(source.num_classes(split))]
    eligible = [c for c, count in enumerate(counts) if count >= need]
    if len(eligible) < 2:
        raise DataError(f"{what} needs at least 2 classes of {need} or more drawings; the largest class has "
                        f"{max(counts, default=0)}: give smaller --shots")
    return eligible


def _class_drawings(source, split: str, index: int, count: int, rng: np.random.Generator) -> np.ndarray:
    return source.images(split, index, _chosen(source, split, index, count, rng))


def _chosen(source, split: str, index: int, count: int, rng: np.random.Generator) -> list[int]:
    available = source.num_instances(split, index)
    return rng.choice(available, size=min(count, available), replace=False).tolist()


def _judge_frame(drawings: np.ndarray) -> np.ndarray:
    """Drawings framed for the judge (cropped to their ink like a user's file); empty ones stay blank."""
    out = []
    for d in drawings:
        try:
            out.append(frame_ink(d, JUDGE_SIZE))
        except DataError:
            out.append(np.zeros((JUDGE_SIZE, JUDGE_SIZE), dtype=np.float32))
    return np.stack(out)


def _embed(judge, drawings: np.ndarray) -> torch.Tensor:
    x = torch.from_numpy(_judge_frame(drawings)).reshape(len(drawings), -1)
    return judge.forward(judge.params, x).flatten(1)


def _options(spec: tuple) -> dict:
    """(Learner, adaptation steps[, {keyword: value} for vary / complete]) -> their keywords."""
    learner, adapt_steps, *more = spec
    return {"learner": learner, "steps": adapt_steps, **(more[0] if more else {})}


def evaluate_vary(models: dict, judge, source, pool: np.ndarray, *, shots=(1, 3, 5), tasks: int = 30,
                  way: int = 20, seed: int = 0, split: str = "test", data_name: str = "glyphs",
                  progress: Callable | None = None) -> list[dict]:
    """One record per (row, K): the mean of each measure over tasks.

    models: row name -> (Learner, adaptation steps or None for the learner's own[, {"strength": ...,
    "candidates": ...} for generate.vary])."""
    rng = np.random.default_rng(seed)
    eligible = _classes_with(source, split, max(shots) + 2, f"{data_name}: Vary (K support drawings, one held out "
                                                            "and real ones)")
    way = min(way, len(eligible))
    sums: dict[tuple[str, int], dict[str, list[float]]] = {}
    total, done = tasks * len(shots), 0
    for t in range(tasks):
        classes = [eligible[i] for i in rng.choice(len(eligible), size=way, replace=False)]
        target = _class_drawings(source, split, int(classes[0]), max(shots) + 1 + SAMPLES, rng)
        others = [_class_drawings(source, split, int(c), max(shots), rng) for c in classes[1:]]
        held_out = target[max(shots)]
        generator = torch.Generator().manual_seed(seed * 100_003 + t)
        for k in shots:
            support = target[:k]
            prototypes = torch.stack([_embed(judge, support).mean(0)] + [_embed(judge, o[:k]).mean(0) for o in others])
            rows = {name: np.stack(vary(list(support), n=SAMPLES, seed=seed * 1000 + t, **_options(spec)))
                    for name, spec in models.items()}
            rows["jitter"] = baselines.jitter(support, SAMPLES, generator)
            start = baselines.jitter(support, SAMPLES, generator, elastic=START_ELASTIC)
            rows["start"] = (start > metrics.INK).astype(np.float32)
            rows["nearest"] = baselines.nearest(support, pool, SAMPLES)
            rows["real"] = target[max(shots) + 1:]
            for name, drawings in rows.items():
                assigned = (torch.cdist(_embed(judge, drawings), prototypes).argmin(1) == 0).float().mean()
                record = sums.setdefault((name, k), {m: [] for m in ("mid_grey", "faint", "fidelity", "near_copy",
                                                                       "chamfer")})
                record["mid_grey"].append(metrics.mid_grey_share(drawings))
                record["faint"].append(metrics.faint_share(drawings, support))
                record["fidelity"].append(float(assigned))
                record["near_copy"].append(metrics.near_copy_share(drawings, support))
                record["chamfer"].append(float(np.mean([metrics.chamfer(d, held_out) for d in drawings])))
            done += 1
            if progress:
                progress(done, total, f"vary on {data_name}")
    order = {name: i for i, name in enumerate(("meta", "meta-all", "meta-blank", "unadapted", "unadapted-blank",
                                                "pretrain", "pretrain-blank", "jitter", "start", "nearest", "real"))}
    results = []
    for (name, k), values in sums.items():
        record = {"data": data_name, "mode": "vary", "model": name, "shots": k, "way": way, "tasks": tasks,
                  **{key: float(np.mean(vals)) for key, vals in values.items()},
                  "fidelity_ci95": metrics.ci95(values["fidelity"])}
        if name in PAIRED_VARY:
            record["fidelity_paired"] = {other: metrics.paired(values["fidelity"], sums[(other, k)]["fidelity"])
                                         for other in PAIRED_VARY[name] if (other, k) in sums}
        results.append(record)
    return sorted(results, key=lambda r: (r["shots"], order.get(r["model"], len(order))))


def evaluate_complete(models: dict, source, pool: np.ndarray, *, fractions=(0.25, 0.5), shots=(1, 3, 5),
                      tasks: int = 30, steps: int = 12, seed: int = 0, split: str = "test", data_name: str = "glyphs",
                      offset: int = 0, pen=None, progress: Callable | None = None) -> list[dict]:
    """One record per (row, share of ink kept, K): recall and precision at 1 px, per step for the models.

    A task is a drawing of one class cut to a partial, and K other drawings of the class as the
    user's examples. Rows that do not read the examples (`-alone`, mirror, nearest-fill) have K = 0.
    offset: the drawing to complete (and so its partial) sits this many pixels right of where the
    examples' framing puts it, as when a user draws the partial off the examples' place.
    pen: the set's pen trajectories (pen_cuts.Trajectories): a partial is then the ink the person
    had drawn when the share was down (`cut` "pen"), not the ink nearest one point ("near")."""
    rng = np.random.default_rng(seed)
    eligible = _classes_with(source, split, max(shots) + 1, f"{data_name}: Complete (K examples and the drawing "
                                                            "to complete)")
    drawn, pages = [], []
    for _ in range(tasks):
        index = eligible[int(rng.integers(len(eligible)))]
        chosen = _chosen(source, split, index, max(shots) + 1, rng)
        drawn.append((source.images(split, index, chosen) > metrics.INK).astype(np.float32))
        if pen is not None:
            pages.append(source.page(split, index, chosen[-1]))
    generator = torch.Generator().manual_seed(seed)
    results = []
    total, done = tasks * len(fractions), 0
    size = drawn[0].shape[-1]
    truths = _moved_right(np.stack([d[-1] for d in drawn]), offset)
    for f in fractions:
        if pen is None:
            partials = partial_drawings(torch.from_numpy(truths), torch.full((tasks,), float(f)), generator).numpy()
        else:
            partials = _moved_right(np.stack([_pen_partial(pen, name, page, f, size) for name, page in pages]),
                                    offset)
        partials = (partials > metrics.INK).astype(np.float32)
        scores: dict[tuple[str, int], list[list[tuple[float, float]]]] = {}
        reliance: dict[tuple[str, int], list[tuple[float, float]]] = {}
        for t in range(tasks):
            partial, examples = partials[t], drawn[t][:-1]
            outputs = {("meta-alone", 0): complete(partial, steps=steps, learner=models["meta"][0], seed=seed * 1000 + t,
                                                   adapt_steps=models["meta"][1])[1:],
                       ("mirror", 0): [baselines.mirror(partial)],
                       ("nearest-fill", 0): [baselines.nearest_fill(partial, pool)]}
            for k in shots:
                for name, spec in models.items():
                    options = _options(spec)
                    outputs[(name, k)] = complete(partial, steps=steps, learner=options.pop("learner"),
                                                  seed=seed * 1000 + t, adapt_steps=options.pop("steps"),
                                                  examples=examples[:k], **options)[1:]
                outputs[("support-fill", k)] = [baselines.nearest_fill(partial, examples[:k])]
                outputs[("bent-fill", k)] = [baselines.bent_fill(partial, examples[:k])]
            for key, frames in outputs.items():
                scores.setdefault(key, []).append([metrics.completion_scores(fr, partial, truths[t]) for fr in frames])
                if key[1] > 0:
                    reliance.setdefault(key, []).append(metrics.example_reliance(frames[-1], partial, truths[t],
                                                                                 examples[:key[1]]))
            done += 1
            if progress:
                progress(done, total, f"complete on {data_name}")
        task_f1 = {key: [metrics.f1(*frames[-1]) for frames in per_task] for key, per_task in scores.items()}
        for (name, k), per_task in scores.items():
            mean = np.array(per_task).mean(0)                            # [frames, 2]
            record = {"data": data_name, "mode": "complete", "model": name, "observed": f, "shots": k,
                      "cut": "near" if pen is None else "pen", "offset": offset, "tasks": tasks,
                      "steps": len(mean), "recall": float(mean[-1, 0]),
                      "precision": float(mean[-1, 1]), "f1": float(np.mean(task_f1[(name, k)])),
                      "f1_ci95": metrics.ci95(task_f1[(name, k)]), "recall_by_step": [float(v) for v in mean[:, 0]],
                      "precision_by_step": [float(v) for v in mean[:, 1]]}
            if k > 0:
                on, off = np.array(reliance[(name, k)]).mean(0)
                record.update(on_examples=float(on), recall_off_examples=float(off))
            if name == "meta":
                record["f1_paired"] = {other: metrics.paired(task_f1[(name, k)], task_f1[(other, k)])
                                       for other in PAIRED_COMPLETE if (other, k) in task_f1}
            results.append(record)
    return results


def _pen_partial(pen, name: str, page: np.ndarray, share: float, size: int) -> np.ndarray:
    """The partial of a drawing's page by its pen's order, framed as the whole drawing is."""
    cut = pen_partial(page, pen.strokes(name), share)
    return frame_ink(cut, size, name=name, reference=page)


def _moved_right(drawings: np.ndarray, pixels: int) -> np.ndarray:
    """Drawings [N, S, S] moved `pixels` to the right; ink pushed past the edge is lost."""
    if pixels == 0:
        return drawings
    moved = np.zeros_like(drawings)
    moved[..., pixels:] = drawings[..., :-pixels]
    return moved


def _alphabets(source, split: str) -> list[list[int]]:
    """Class indices grouped by their parent folder (Omniglot's alphabet), alphabets of 2+ classes."""
    groups: dict[str, list[int]] = {}
    for index in range(source.num_classes(split)):
        name = source.class_name(split, index).replace("\\", "/")
        groups.setdefault(name.rsplit("/", 1)[0] if "/" in name else "", []).append(index)
    return [members for members in groups.values() if len(members) >= 2]


def _support_variants(judge, source, split: str, drawn: list[tuple[int, int]], support: np.ndarray, rng):
    """A measure of character-level novelty for Invent: drawings -> the share the judge finds as close
    to some support character as a second drawing of a support character is to its first (the
    median over the support of that same-character distance): a variant of a known character,
    not a new one."""
    seconds = []
    for c, i in drawn:
        count = source.num_instances(split, c)
        seconds.append(source.images(split, c, [(i + 1 + int(rng.integers(max(count - 1, 1)))) % count])[0])
    with torch.no_grad():
        first = _embed(judge, support)
        same = (_embed(judge, np.stack(seconds)) - first).pow(2).sum(1).median()

    def share(drawings: np.ndarray) -> float:
        with torch.no_grad():
            nearest = torch.cdist(_embed(judge, drawings), first).pow(2).min(1).values
        return float((nearest <= same).float().mean())
    return share


def evaluate_invent(models: dict, judge, source, *, shots=(3, 5), tasks: int = 30, seed: int = 0,
                    split: str = "test", data_name: str = "data", progress: Callable | None = None) -> list[dict]:
    """One record per (row, K); [] when the set has fewer than two alphabets (built-in glyphs have none)."""
    alphabets = [a for a in _alphabets(source, split) if len(a) > max(shots)] if hasattr(source, "class_name") else []
    if len(alphabets) < 2:
        return []
    rng = np.random.default_rng(seed)
    other_hand = np.random.default_rng(seed + 1)     # picks the second drawings; `rng` stays as it was
    sums: dict[tuple[str, int], dict[str, list[float]]] = {}
    total, done = tasks * len(shots), 0
    for t in range(tasks):
        target = t % len(alphabets)
        generator = torch.Generator().manual_seed(seed * 100_003 + t)
        for k in shots:
            picks = [rng.permutation(members) for members in alphabets]
            drawn = [[(int(c), int(rng.integers(source.num_instances(split, int(c))))) for c in order]
                     for order in picks]
            chars = [[source.images(split, c, [i])[0] for c, i in order] for order in drawn]
            support = np.stack(chars[target][:k])
            prototypes = torch.stack([_embed(judge, np.stack(c[:k])).mean(0) for c in chars])
            variant_of = _support_variants(judge, source, split, drawn[target][:k], support, other_hand)
            rows = {name: np.stack(invent(list(support), n=SAMPLES, seed=seed * 1000 + t, **_options(spec)))
                    for name, spec in models.items()}
            start, _seam, _pairs = chimeras((support > metrics.INK).astype(np.float32), SAMPLES, generator)
            rows["start"] = start.reshape(SAMPLES, *support.shape[1:]).numpy()
            rows["jitter"] = baselines.jitter(support, SAMPLES, generator)
            rows["real"] = np.stack(chars[target][k:k + SAMPLES])
            for name, drawings in rows.items():
                assigned = (torch.cdist(_embed(judge, drawings), prototypes).argmin(1) == target).float().mean()
                record = sums.setdefault((name, k), {m: [] for m in ("alphabet_fidelity", "support_variant",
                                                                       "near_copy", "faint", "mid_grey")})
                record["alphabet_fidelity"].append(float(assigned))
                record["support_variant"].append(variant_of(drawings))
                record["near_copy"].append(metrics.near_copy_share(drawings, support))
                record["faint"].append(metrics.faint_share(drawings, support))
                record["mid_grey"].append(metrics.mid_grey_share(drawings))
            done += 1
            if progress:
                progress(done, total, f"invent on {data_name}")
    return [{"data": data_name, "mode": "invent", "model": name, "shots": k, "alphabets": len(alphabets),
             "tasks": tasks, **{key: float(np.mean(vals)) for key, vals in values.items()},
             "alphabet_fidelity_ci95": metrics.ci95(values["alphabet_fidelity"])}
            for (name, k), values in sums.items()]
