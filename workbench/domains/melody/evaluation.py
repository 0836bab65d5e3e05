"""`workbench eval melody`: does adapting to a few tunes of a style help, next to every honest
alternative, and do the melodies it writes have the shape of a tune?

Style tasks: the support is one 8-bar strain from each of K tunes of a style,
the query two strains of another tune of that style (held-out tunes: the
corpus' test split, or every tune of a user's folder), all transposed by one
random interval. NLL per note (pitch or rest + duration, nats) of the query
for these rows, on the same tasks:

  meta                   the meta-learned model adapted with its own steps and learned rates
  meta-unadapted         the same weights, no adaptation
  meta-primed            the same weights, the support given only as context before the query
  pretrained-unadapted   the same network trained jointly on the same data
  pretrained-primed      the pretrained network with the support as context
  pretrained-finetuned   the pretrained network fine-tuned on the support: rate, steps and the
                         part fine-tuned (style vector + head, or everything) chosen on the
                         corpus' validation tasks
  markov                 a second-order (pitch, duration) Markov chain of the support backed off
                         to corpus counts (markov.py), smoothing chosen on validation tasks

Then 8 melodies of 8 bars per task from the adapted model (and the unadapted
one, for scale) are measured beside their support (shape.py): notes per bar,
eighth-note share, self-repetition, held phrase ends, tonic on the last
downbeat, copying from the support and bar rhythms found in the style.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from workbench.domains.melody import generation, shape, theory, vocab
from workbench.domains.melody.markov import MarkovBaseline
from workbench.domains.melody.model import event_nll
from workbench.domains.melody.notes import Melody
from workbench.domains.melody.problem import transpose
from workbench.meta.errors import first_few

SHOTS = (1, 3, 5)
LR_GRID = (0.003, 0.01, 0.03, 0.1)
STEP_GRID = (1, 3, 10)
PART_GRID = ("style", "all")
MARKOV_GRID = tuple((a, b) for a in (1.0, 10.0, 30.0, 100.0, 300.0) for b in (3.0, 10.0, 30.0, 100.0))
VALIDATION_TASKS, VALIDATION_SHOTS = 16, 3
SAMPLES_PER_TASK, SAMPLE_BARS = 8, 8


@dataclass
class EvalTask:
    support: torch.Tensor    # [K_max, L, F]: one strain from each of K_max tunes
    query: torch.Tensor      # [Q, L, F]: strains of another tune
    style: str


def make_tasks(problem, split: str, count: int, max_shot: int, seed: int, query: int = 2) -> list[EvalTask]:
    """Fixed style tasks: the same query for every K, the support for K is the first K strains."""
    data = problem.split(split)
    rng = np.random.default_rng(seed)
    styles = sorted(s for s, tunes in data.styles.items() if len(tunes) >= max_shot + 1)
    tasks = []
    for i in range(count if styles else 0):
        style = styles[i % len(styles)]
        tunes = rng.permutation(data.styles[style])
        support = [rng.choice(data.tune_segments[t]) for t in tunes[1:max_shot + 1]]
        query_segs = data.tune_segments[tunes[0]][:query]
        shift = torch.tensor(int(rng.integers(-3, 4)))
        tasks.append(EvalTask(transpose(torch.from_numpy(data.segments[np.array(support)]), shift),
                              transpose(torch.from_numpy(data.segments[query_segs]), shift), style))
    return tasks


# -- likelihood of the query -----------------------------------------------------
def context_events(support: torch.Tensor) -> torch.Tensor:
    """The support strains' real events one after another: the context a primed model reads."""
    return torch.cat([s[s[:, vocab.VALID] == 1] for s in support], dim=0)


def query_nll(learner, params, query: torch.Tensor, context: torch.Tensor | None = None) -> tuple[float, float]:
    """(summed NLL, number of events) of the query strains, after `context` events when given."""
    x = query if context is None else torch.cat([context[None].expand(len(query), -1, -1), query], dim=1)
    logits = learner.forward(params, x)[:, -query.shape[1]:]
    nll, mask = event_nll(logits, query)
    return float(nll.sum()), float(mask.sum())


def mean_nll(score, tasks: list[EvalTask], shots: int) -> float:
    total = count = 0.0
    for task in tasks:
        nll, n = score(task, shots)
        total, count = total + nll, count + n
    return total / max(count, 1.0)


def adapted(learner, steps=None):
    return lambda task, k: query_nll(learner, learner.adapt((task.support[:k],), steps=steps).params, task.query)


def unadapted(learner):
    return lambda task, k: query_nll(learner, learner.params, task.query)


def primed(learner):
    return lambda task, k: query_nll(learner, learner.params, task.query, context_events(task.support[:k]))


def markov_score(chain: MarkovBaseline):
    return lambda task, k: chain.nll(task.support[:k].numpy(), task.query.numpy())


def fine_tuner(learner, lr: float, part: str):
    """The pretrained network fine-tuned by plain SGD at `lr` on the chosen part (engine's adapt)."""
    from workbench.meta.learner import Learner

    config = learner.config.replace(algo="pretrain", inner_lr=lr, first_order=True)
    return Learner(learner.problem.variant(adapt=part), config, meta={"params": learner.params})


def choose(scored: dict) -> object:
    return min(scored, key=lambda key: scored[key] if math.isfinite(scored[key]) else float("inf"))


# -- the evaluation ---------------------------------------------------------------
def evaluate(meta_checkpoint, pretrained_checkpoint=None, data=None, shots=SHOTS, tasks: int = 40, seed: int = 0,
             samples: bool = True, progress=None, notes: list[str] | None = None) -> list[dict]:
    """The records of `eval melody`; with a MIDI folder (`data`), what it gave the evaluation is
    appended to `notes` (data_notes)."""
    torch.manual_seed(seed)
    say = progress or (lambda *_: None)
    meta = generation.load_learner(meta_checkpoint)
    test_problem = meta.problem
    if data:
        from workbench.domains.melody.problem import MelodyProblem

        test_problem = MelodyProblem(**{**meta.problem.options, "data": str(data), "task": "style"})
        test_problem.holdout_all = True  # a user's folder is all held out
    max_shot = max(shots)
    test_tasks = make_tasks(test_problem, "test", tasks, max_shot, seed)
    if data and notes is not None:
        notes += data_notes(test_problem, test_tasks, max_shot)
    if not test_tasks:
        return [{"task": "style", "note": f"no style with {max_shot + 1}+ held-out tunes"}]
    val_tasks = make_tasks(meta.problem, "val", VALIDATION_TASKS, VALIDATION_SHOTS, seed + 1)

    rows = {"meta": (adapted(meta), {"steps": meta.default_steps}),
            "meta-unadapted": (unadapted(meta), {}), "meta-primed": (primed(meta), {})}
    if pretrained_checkpoint:
        pretrained = generation.load_learner(pretrained_checkpoint)
        rows["pretrained-unadapted"] = (unadapted(pretrained), {})
        rows["pretrained-primed"] = (primed(pretrained), {})
        say(0, 0, "choosing the fine-tuning rate, steps and part on validation tasks")
        grid = {(lr, steps, part): mean_nll(adapted(fine_tuner(pretrained, lr, part), steps), val_tasks, VALIDATION_SHOTS)
                for lr in LR_GRID for steps in STEP_GRID for part in PART_GRID}
        lr, steps, part = choose(grid)
        rows["pretrained-finetuned"] = (adapted(fine_tuner(pretrained, lr, part), steps),
                                        {"steps": steps, "inner_lr": lr, "adapted_part": part})
    chain = MarkovBaseline(meta.problem.split("train").segments)
    smoothing = choose({(a, b): mean_nll(markov_score(chain.with_smoothing(a, b)), val_tasks, VALIDATION_SHOTS)
                        for a, b in MARKOV_GRID})
    rows["markov"] = (markov_score(chain.with_smoothing(*smoothing)), {"alpha": smoothing[0], "beta": smoothing[1]})

    records = []
    for name, (score, settings) in rows.items():
        for k in shots:
            say(len(records), 0, f"{name}, K={k}")
            records.append({"task": "style", "model": name, "shots": k, **settings,
                            "nll_per_note": round(mean_nll(score, test_tasks, k), 4), "tasks": len(test_tasks)})
    if samples:
        style_rhythms = rhythms_by_style(test_problem, meta.problem)
        for k in shots:
            say(len(records), 0, f"generating: K={k}")
            records += sample_records(meta, test_tasks, k, seed, style_rhythms)
    return records


SKIPPED_SHOWN = 5  # files named in the notes; the rest are counted


def data_notes(problem, tasks: list[EvalTask], max_shot: int) -> list[str]:
    """What a folder of styles gave the evaluation: per style the tunes read, those long enough for a
    strain and the tasks drawn from it (or why none), and the files that could not be read."""
    read: dict[str, int] = {}
    for tune in problem.tunes():
        read[tune.style] = read.get(tune.style, 0) + 1
    usable = {style: len(members) for style, members in problem.split("test").styles.items()}
    drawn: dict[str, int] = {}
    for task in tasks:
        drawn[task.style] = drawn.get(task.style, 0) + 1
    notes = []
    for style, count in sorted(read.items()):
        line = f"{style}: {count} tunes read, {usable.get(style, 0)} long enough to use"
        notes.append(f"{line}, {drawn[style]} tasks" if style in drawn else
                     f"{line}: left out (K = {max_shot} needs {max_shot + 1} such tunes)")
    skipped = problem.skipped
    if skipped:
        notes.append(f"{len(skipped)} files skipped: {first_few(skipped, SKIPPED_SHOWN)}")
    return notes


# -- the melodies it writes ----------------------------------------------------------
def segment_melody(segment: torch.Tensor, template: Melody) -> Melody:
    """A strain's events as a Melody whose bar 0 starts at tick 0."""
    events = segment.numpy()
    events = events[events[:, vocab.VALID] == 1]
    start = int(events[0, vocab.POSITION]) if len(events) else 0
    return vocab.decode(events, template, start_sixteenth=start)


def metre_template(segment: torch.Tensor) -> Melody:
    metre = int(segment[0, vocab.METRE])
    beats, unit = vocab.METRES[metre] if metre < len(vocab.METRES) else (4, 4)
    return Melody(beats_per_bar=beats, beat_unit=unit)


def rhythms_by_style(test_problem, train_problem) -> dict[str, set]:
    """Every bar rhythm (onsets within the bar) of each style: the training corpus' tunes of it and
    the evaluated tunes of it."""
    found: dict[str, set] = {}
    tunes = list(train_problem.tunes_of_split("train"))
    if test_problem is not train_problem:
        tunes += list(test_problem.tunes())
    for tune in tunes:
        found.setdefault(tune.style, set()).update(shape.bar_rhythms(tune.melody))
    return found


def sample_records(meta, tasks: list[EvalTask], shots: int, seed: int, style_rhythms: dict[str, set]) -> list[dict]:
    sets: dict[str, list] = {"meta": [], "meta-unadapted": []}
    supports, copied, in_style = [], {name: [0, 0] for name in sets}, {name: [0, 0] for name in sets}
    for index, task in enumerate(tasks):
        template = metre_template(task.support[0])
        support = [segment_melody(s, template) for s in task.support[:shots]]
        tonic = theory.estimate_key(support)[0]
        supports.append((support, tonic))
        starts = {"meta": meta.adapt((task.support[:shots],)).params, "meta-unadapted": meta.params}
        for name, params in starts.items():
            made = generation.sample(meta, params, support, n=SAMPLES_PER_TASK, bars=SAMPLE_BARS, seed=seed + index)
            sets[name].append((made, tonic))
            hits, total = shape.copy_rate(made, support)
            copied[name][0] += hits
            copied[name][1] += total
            known = style_rhythms.get(task.style, set()) | {r for m in support for r in shape.bar_rhythms(m)}
            bars = [r for m in made for r in shape.bar_rhythms(m)]
            in_style[name][0] += sum(r in known for r in bars)
            in_style[name][1] += len(bars)
    records = [_shape_record("support", shots, len(tasks), supports, SAMPLE_BARS)]
    for name, made in sets.items():
        record = _shape_record(name, shots, len(tasks), made, SAMPLE_BARS)
        record["copy_rate_6gram"] = round(copied[name][0] / max(copied[name][1], 1), 4)
        record["bar_rhythms_in_style"] = round(in_style[name][0] / max(in_style[name][1], 1), 4)
        records.append(record)
    return records


def _shape_record(samples: str, shots: int, count: int, groups, bars: int) -> dict:
    """Means over tasks of shape.describe (each task's melodies against its own tonic)."""
    described = [shape.describe(melodies, tonic, bars) for melodies, tonic in groups]
    means = {key: round(float(np.mean([d[key] for d in described])), 4) for key in described[0]}
    return {"task": "style", "measure": "shape", "samples": samples, "shots": shots, "tasks": count, **means}

