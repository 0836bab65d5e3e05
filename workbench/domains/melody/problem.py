"""The melody Problem: few-shot next-note modelling of folk tunes.

Tasks ("task" option):
  tune   (default) one tune per task: `shot` 4-bar segments of the tune are the
         support, `query` other segments of the same tune the query, the whole
         task transposed by a random interval in [-transpose, +transpose].
         Adapting means picking up the tune's key, rhythm and motifs.
  style  one style (reel, jig, hornpipe, ... or a MIDI folder's subfolder) per
         task: support segments from `shot` different tunes of the style,
         query segments from other tunes of that style.
  mixed  each task is a tune task or a style task with equal chance.

With shot_min < shot every task draws its support size K from shot_min..shot
(unused support segments are masked), so one model serves K = 1 to 5.

The loss is the mean negative log-likelihood per event (pitch or rest plus
duration, nats) of the segments; see model.py and vocab.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from workbench.domains.melody import vocab
from workbench.domains.melody.model import STYLE_PREFIXES
from workbench.meta.errors import ConfigError, DataError

DEFAULTS = {
    "data": None, "collections": ["oneills", "ryans"], "limit_files": None, "task": "style", "shot": 5,
    "shot_min": 1, "query": 2, "segment_bars": 8, "max_events": 80, "transpose": 5,
    "width": 96, "layers": 3, "heads": 4, "adapt": "style",
}
ADAPT_PARTS = {"style": STYLE_PREFIXES, "all": ()}

_TRAINING = {"outer_lr": 1e-3, "meta_batch": 8, "iterations": 1600, "lr_halve_every": 1000, "val_every": 200,
             "val_tasks": 64, "batching": "loop", "grad_clip": 5.0, "checkpoint_every": 400}

_STYLE_TASKS = {"task": "style", "shot": 5, "shot_min": 1, "query": 2}
_META = {"algo": "metasgd", "first_order": True, "inner_steps": 1, "inner_lr": 0.1, "select_steps": "1,2,3,5,10"}

PRESETS = {
    "default": {
        "help": "the shipped checkpoint, meta-trained from the pretrained network (--init-from "
                "melody.pretrained.safetensors at 1600 iterations, as Meta-Baseline does): second-order Meta-SGD "
                "with learned per-parameter rates for every parameter of a 3-layer transformer, the support loss "
                "kept in the outer loss (support_weight 1), on style tasks (support: 8-bar strains of 1-5 tunes "
                "of a style; query: 2 strains of other tunes of it; random transposition), 2400 iterations with "
                "the pretraining's rate schedule; adaptation steps chosen by meta-validation",
        "start_from": "pretrained",
        "problem": {**_STYLE_TASKS, "adapt": "all"},
        "config": {**_META, **_TRAINING, "first_order": False, "inner_lr": 0.01, "support_weight": 1.0,
                   "iterations": 2400, "select_steps": "1,2,3,5"},
    },
    "first-order": {
        "help": "the previous default (docs/melody.md): the same with first-order Meta-SGD and the outer rate "
                "halved every 400 iterations",
        "problem": {**_STYLE_TASKS, "adapt": "all"},
        "config": {**_META, **_TRAINING, "inner_lr": 0.01, "support_weight": 1.0, "lr_halve_every": 400},
    },
    "adapt-style": {
        "help": "the default's recipe adapting only the style vector and output head (rates from 0.1)",
        "problem": _STYLE_TASKS,
        "config": {**_META, **_TRAINING, "support_weight": 1.0, "iterations": 800, "lr_halve_every": 400,
                   "val_every": 200},
    },
    "meta-scratch": {
        "help": "the same meta-training from a random start for 1600 iterations (a comparison row in "
                "docs/melody.md: worse than pretraining at equal iterations)",
        "problem": _STYLE_TASKS,
        "config": {**_META, **_TRAINING},
    },
    "pretrained": {
        "help": "baseline for `eval melody` and the start of the default: the same network trained jointly on "
                "the same strains for 1600 iterations (resume it to 3200 for the baseline with the default's "
                "total iterations), fine-tuned at adaptation with a validated rate",
        "problem": _STYLE_TASKS,
        "config": {"algo": "pretrain", "inner_steps": 1, "eval_steps": 3, "inner_lr": 0.01, **_TRAINING},
    },
    "tiny": {
        "help": "a few seconds of training on a small part of the corpus (smoke runs)",
        "problem": {"task": "tune", "shot": 2, "query": 1, "limit_files": 2, "width": 32, "layers": 1, "heads": 2},
        "config": {"algo": "metasgd", "inner_steps": 1, "eval_steps": 3, "inner_lr": 0.05, "outer_lr": 1e-3,
                   "meta_batch": 4, "iterations": 5, "val_every": 0, "batching": "loop"},
    },
}


@dataclass
class SplitData:
    segments: np.ndarray                       # [S, L, F] int64
    tune_segments: list[np.ndarray]            # per eligible tune: its segment indices
    tune_styles: list[str]
    styles: dict[str, list[int]] = field(default_factory=dict)   # style -> eligible tune indices


class MelodyProblem:
    domain = "melody"
    version = "1"
    kind = "generative"
    way = None
    head_prefixes = ("head.", "norm_out.")

    def __init__(self, **options):
        self.options = {**DEFAULTS, **{k: v for k, v in options.items() if k in DEFAULTS and v is not None}}
        o = self.options
        if o["task"] not in ("tune", "style", "mixed"):
            raise ConfigError("task", f"choose 'tune', 'style' or 'mixed', not {o['task']!r}")
        if o["adapt"] not in ADAPT_PARTS:
            raise ConfigError("adapt", f"choose {' or '.join(ADAPT_PARTS)}, not {o['adapt']!r}")
        for name in ("shot", "query", "segment_bars", "max_events", "width", "layers", "heads"):
            if int(o[name]) < 1:
                raise ConfigError(name, f"must be at least 1, got {o[name]!r}")
            o[name] = int(o[name])
        o["transpose"] = max(0, int(o["transpose"]))
        o["shot_min"] = min(o["shot"], max(1, int(o["shot_min"] or o["shot"])))
        if o["width"] % o["heads"]:
            raise ConfigError("heads", f"the width ({o['width']}) must be a multiple of the heads ({o['heads']})")
        o["collections"] = list(o["collections"])
        self._splits: dict[str, SplitData] = {}
        self._tunes = None
        self.skipped: list[str] = []     # why each unreadable file of a MIDI folder was left out
        self.holdout_all = False  # evaluation on a user's folder: every split is all of its tunes

    # -- the contract --------------------------------------------------
    @property
    def adapt_prefixes(self) -> tuple[str, ...]:
        """The part the inner loop adapts (see model.STYLE_PREFIXES); () = every parameter."""
        return ADAPT_PARTS[self.options["adapt"]]

    def build_model(self) -> torch.nn.Module:
        from workbench.domains.melody.model import MelodyTransformer

        o = self.options
        return MelodyTransformer(width=o["width"], layers=o["layers"], heads=o["heads"])

    def loss(self, forward, params, batch) -> torch.Tensor:
        from workbench.domains.melody.model import event_nll

        x = batch[0]
        nll, mask = event_nll(forward(params, x), x)
        return nll.sum() / mask.sum().clamp_min(1.0)

    def accuracy(self, forward, params, batch):
        return None

    def describe(self) -> dict:
        return dict(self.options)

    def sample_tasks(self, n: int, generator: torch.Generator, split: str = "train"):
        from workbench.meta.problem import TaskBatch

        data = self.split(split)
        o = self.options
        shot, query = o["shot"], o["query"]
        support_idx = np.zeros((n, shot), dtype=np.int64)
        query_idx = np.zeros((n, query), dtype=np.int64)
        kinds = np.full(n, o["task"])
        if o["task"] == "mixed":
            kinds = np.where(torch.rand(n, generator=generator).numpy() < 0.5, "tune", "style")
        if not data.styles:
            kinds[:] = "tune"
        for i, kind in enumerate(kinds):
            if kind == "tune":
                segs = data.tune_segments[_randint(len(data.tune_segments), 1, generator)[0]]
                order = segs[_randperm(len(segs), generator)]
                support_idx[i] = order[np.arange(shot) % max(1, len(order) - 1)]
                rest = order[min(shot, len(order) - 1):]
                query_idx[i] = rest[np.arange(query) % len(rest)]
            else:
                names = sorted(data.styles)
                tunes = np.array(data.styles[names[_randint(len(names), 1, generator)[0]]])
                order = tunes[_randperm(len(tunes), generator)]
                support_tunes = order[np.arange(shot) % max(1, len(order) - 1)]
                rest = order[min(shot, len(order) - 1):]
                query_tunes = rest[np.arange(query) % len(rest)]
                support_idx[i] = [self._pick(data, t, generator) for t in support_tunes]
                query_idx[i] = [self._pick(data, t, generator) for t in query_tunes]
        shift = torch.randint(-o["transpose"], o["transpose"] + 1, (n, 1, 1), generator=generator)
        support = transpose(torch.from_numpy(data.segments[support_idx]), shift)
        query = transpose(torch.from_numpy(data.segments[query_idx]), shift)
        if o["shot_min"] < shot:
            # a random support size K in shot_min..shot per task: the unused segments are masked out
            # (the loss is a masked mean), so tensor shapes stay fixed and vmappable
            k = torch.randint(o["shot_min"], shot + 1, (n, 1), generator=generator)
            unused = torch.arange(shot)[None, :] >= k
            support[..., vocab.VALID] = support[..., vocab.VALID].masked_fill(unused[..., None], 0)
        return TaskBatch(support=(support,), query=(query,))

    def variant(self, **changes) -> "MelodyProblem":
        """The same problem with other model-side options (e.g. adapt="all"), sharing the loaded data."""
        if {"data", "collections", "limit_files", "segment_bars", "max_events", "task"} & set(changes):
            raise ConfigError("variant", "data options change the tasks: build a new problem instead")
        other = MelodyProblem(**{**self.options, **changes})
        other._tunes, other._splits, other.holdout_all = self._tunes, self._splits, self.holdout_all
        return other

    # -- data ------------------------------------------------------------
    @staticmethod
    def _pick(data: SplitData, tune: int, generator) -> int:
        segs = data.tune_segments[tune]
        return int(segs[_randint(len(segs), 1, generator)[0]])

    def prepare_data(self, progress=None, cancelled=None) -> None:
        """Load the corpus now (a first-time parse takes minutes), reporting progress(done, total,
        message) and polling cancelled(); the GUI's training worker calls this before training."""
        self.tunes(progress, cancelled)

    def tunes(self, progress=None, cancelled=None):
        """All tunes of the corpus (built-in cache, or the MIDI folder), loaded once.

        Without a progress callback, a first-time parse shows a bar on stderr when it is a terminal."""
        if self._tunes is None:
            import sys

            from workbench.domains.melody import corpus

            if progress is None and sys.stderr.isatty():
                progress = corpus.text_progress
            o = self.options
            if o["data"]:
                self._tunes, self.skipped = corpus.load_midi_folder(o["data"], progress, cancelled)
            else:
                self._tunes = corpus.load_builtin(tuple(o["collections"]), o["limit_files"], progress,
                                                  cancelled=cancelled)
        return self._tunes

    def split(self, split: str) -> SplitData:
        if split not in ("train", "val", "test"):
            raise ConfigError("split", f"choose train, val or test, not {split!r}")
        if split not in self._splits:
            self._splits[split] = self._build_split(split)
        return self._splits[split]

    def tunes_of_split(self, split: str):
        from workbench.domains.melody.corpus import split_of

        tunes = self.tunes()
        if self.holdout_all:
            return tunes
        chosen = [t for i, t in enumerate(tunes) if split_of(t.title, i) == split]
        if not chosen and len(tunes) >= 1:
            chosen = tunes  # tiny corpora (tests): every split sees all tunes
        return chosen

    def _build_split(self, split: str) -> SplitData:
        o = self.options
        segments, tune_segments, styles_of = [], [], []
        need = 1 if o["task"] == "style" else 2
        for tune in self.tunes_of_split(split):
            segs = vocab.segments(tune.melody, o["segment_bars"], o["max_events"])
            if len(segs) < need:
                continue
            tune_segments.append(np.arange(len(segments), len(segments) + len(segs)))
            segments.extend(segs)
            styles_of.append(tune.style)
        styles: dict[str, list[int]] = {}
        for i, style in enumerate(styles_of):
            styles.setdefault(style, []).append(i)
        styles = {k: v for k, v in styles.items() if len(v) >= 2}
        if not tune_segments or (o["task"] == "style" and not styles):  # "mixed" falls back to tune tasks
            what = "styles with two or more tunes" if o["task"] == "style" else "tunes of 8 bars or more"
            raise DataError(f"the {split} split of the melody corpus has no {what}")
        return SplitData(np.stack(segments), tune_segments, styles_of, styles)


def transpose(x: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """Shift the pitch tokens of events by `shift` semitones; rests stay rests, octaves fold into range."""
    pitch = x[..., vocab.PITCH]
    pitched = pitch > 0
    moved = pitch + shift
    moved = torch.where(moved > vocab.N_PITCHED, moved - 12, moved)
    moved = torch.where(moved < 1, moved + 12, moved)
    out = x.clone()
    out[..., vocab.PITCH] = torch.where(pitched, moved, pitch)
    return out


def _randint(high: int, n: int, generator) -> np.ndarray:
    return torch.randint(0, high, (n,), generator=generator).numpy()


def _randperm(n: int, generator) -> np.ndarray:
    return torch.randperm(n, generator=generator).numpy()


def build(options: dict) -> MelodyProblem:
    return MelodyProblem(**options)
