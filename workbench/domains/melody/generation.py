"""Few-shot melody generation: adapt the model to support melodies, then sample.

One path for the studio and the command line (api.generate calls this).
Sampling is autoregressive over note events (vocab.py) with temperature and
nucleus (top-p) sampling, a bar-length budget (durations that would run past
the end are masked, so the last note ends on the final barline), an optional
key constraint (theory.allowed_pitch_classes) and a pitch range of the
support's range widened by RANGE_MARGIN semitones.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from workbench.domains.melody import theory, vocab
from workbench.domains.melody.notes import SIXTEENTH, Melody
from workbench.meta.errors import CheckpointError, ConfigError, DataError

RANGE_MARGIN = 5
MAX_SUPPORT_SEGMENTS = 16   # longer support is cut: more adds time, not much information
MAX_N, MAX_BARS = 64, 64


def load_learner(checkpoint) -> object:
    """A Learner for a melody checkpoint (cached per file version)."""
    from workbench.domains.registry import cached_learner

    how = f"train one with `workbench train --domain melody --preset default --out {checkpoint}`"
    return cached_learner(checkpoint, "melody", how)


def check_settings(n: int, bars: int, temperature: float, top_p: float, steps) -> None:
    if not 1 <= int(n) <= MAX_N:
        raise ConfigError("n", f"number of melodies must be 1-{MAX_N}, got {n}")
    if not 1 <= int(bars) <= MAX_BARS:
        raise ConfigError("bars", f"length must be 1-{MAX_BARS} bars, got {bars}")
    if not 0.0 < float(temperature) <= 5.0:
        raise ConfigError("temperature", f"must be in (0, 5], got {temperature}")
    if not 0.0 < float(top_p) <= 1.0:
        raise ConfigError("top_p", f"must be in (0, 1], got {top_p}")
    if steps is not None and not 0 <= int(steps) <= 1000:
        raise ConfigError("steps", f"adaptation steps must be 0-1000, got {steps}")


def support_tensor(support: list[Melody], problem) -> torch.Tensor:
    """The support melodies as the model's segments [S, L, F] (at most MAX_SUPPORT_SEGMENTS)."""
    o = problem.options
    pieces = [s for melody in support for s in vocab.segments(melody, o["segment_bars"], o["max_events"])]
    if not pieces:
        raise DataError("the support melodies are too short to learn from (each needs at least 4 notes)")
    return torch.from_numpy(np.stack(pieces[:MAX_SUPPORT_SEGMENTS]))


def adapt_to(learner, support: list[Melody], steps=None, progress=None, cancelled=None):
    """Fast weights adapted to the support melodies (or None when cancelled)."""
    x = support_tensor(support, learner.problem)
    total = learner.default_steps if steps is None else int(steps)
    state = {"cancelled": False}

    def on_step(step, _params, _loss):
        if progress:
            progress(step, total, f"adapting: step {step}/{total}")
        if cancelled and cancelled():
            state["cancelled"] = True
            return True
        return None

    result = learner.adapt((x,), steps=total, on_step=on_step)
    return None if state["cancelled"] else result.params


def generate(
    support: list[Melody], n=8, bars=8, temperature=1.0, top_p=0.9, seed=0, continue_from=None,
    keep_key=True, steps=None, checkpoint=None, progress=None, cancelled=None, learner=None,
) -> list[Melody]:
    check_settings(n, bars, temperature, top_p, steps)
    support = [m for m in support if m.notes]
    if not support:
        raise DataError("give at least one support melody with notes")
    learner = learner if learner is not None else load_learner(checkpoint)
    params = adapt_to(learner, support, steps, progress, cancelled)
    if params is None:
        return []
    return sample(learner, params, support, n=n, bars=bars, temperature=temperature, top_p=top_p, seed=seed,
                  continue_from=continue_from, keep_key=keep_key, cancelled=cancelled)


def sample(learner, params, support, n=8, bars=8, temperature=1.0, top_p=0.9, seed=0, continue_from=None,
           keep_key=True, cancelled=None, keep_range=True) -> list[Melody]:
    """Sample n melodies from adapted weights (see module doc for the constraints).

    keep_range=False lifts the pitch-range guard (evaluation: the model alone decides)."""
    beats, unit = (continue_from.beats_per_bar, continue_from.beat_unit) if continue_from else theory.common_metre(support)
    tonic, mode = theory.estimate_key(support)
    template = Melody(tempo=(continue_from or support[0]).tempo, beats_per_bar=beats, beat_unit=unit,
                      key=tonic, mode=mode, name="")
    bar = vocab.bar_sixteenths(template)
    metre = vocab.metre_index(beats, unit)
    generator = torch.Generator().manual_seed(int(seed))
    context = learner.problem.options["context"]

    prefix = vocab.encode(continue_from) if continue_from is not None and continue_from.notes else np.zeros((0, 5), np.int64)
    if len(prefix):
        first = round(continue_from.notes[0].onset / SIXTEENTH)
        start = first + int((prefix[:, vocab.DURATION] + 1).sum())
        start = max(start, -(-continue_from.length_ticks // SIXTEENTH))
        prefix[:, vocab.METRE] = metre
    else:
        start = 0
    end = (-(-start // bar) + bars) * bar if len(prefix) else bars * bar
    pitch_mask = _pitch_mask(support, keep_key, keep_range)
    _, octave = _folded_pitches(support)

    rows = torch.zeros((n, context + 1, vocab.EVENT_FIELDS), dtype=torch.long)  # sliding window + target row
    if len(prefix):
        tail = torch.from_numpy(prefix[-context:])
        rows[:, context - len(tail):context] = tail
    cursor = torch.full((n,), start, dtype=torch.long)
    events: list[torch.Tensor] = []
    from workbench.domains.melody.model import mlp_forward

    durations = torch.arange(1, vocab.N_DURATIONS + 1)
    while bool((cursor < end).any()):
        if cancelled and cancelled():
            return []
        rows[:, -1, vocab.POSITION] = (cursor % bar) % vocab.N_POSITIONS
        rows[:, -1, vocab.METRE] = metre
        with torch.no_grad():
            logits = mlp_forward(params, rows, context, last_only=True)[:, -1]
        pitch_logits = logits[:, :vocab.N_PITCH_TOKENS].masked_fill(~pitch_mask, float("-inf"))
        if not events and not len(prefix):
            pitch_logits[:, vocab.REST] = float("-inf")  # start with a note
        duration_logits = logits[:, vocab.N_PITCH_TOKENS:]
        remaining = (end - cursor).clamp_min(1)
        duration_logits = duration_logits.masked_fill(durations[None, :] > remaining[:, None], float("-inf"))
        pitch = _nucleus(pitch_logits, temperature, top_p, generator)
        duration = _nucleus(duration_logits, temperature, top_p, generator)
        active = cursor < end
        event = torch.stack([pitch, duration, rows[:, -1, vocab.POSITION], rows[:, -1, vocab.METRE],
                             active.long()], dim=-1)
        events.append(event)
        cursor = cursor + torch.where(active, duration + 1, torch.zeros_like(duration))
        rows = torch.cat([rows[:, 1:-1], event[:, None], torch.zeros_like(rows[:, :1])], dim=1)

    stacked = torch.stack(events, dim=1).numpy() if events else np.zeros((n, 0, 5), np.int64)
    velocity = int(round(np.mean([note.velocity for m in support for note in m.notes])))
    melodies = []
    for i in range(n):
        named = replace(template, name=f"generated {i + 1}", meta={"seed": int(seed), "index": i})
        new = vocab.decode(stacked[i], named, start_sixteenth=start, velocity=velocity)
        if octave:
            new = new.with_notes(replace(n, pitch=min(127, max(0, n.pitch + octave))) for n in new.notes)
        if continue_from is not None:
            new = new.with_notes(continue_from.notes + new.notes)
        melodies.append(new)
    return melodies


def _folded_pitches(support: list[Melody]) -> tuple[list[int], int]:
    """The support's pitches as the model sees them (folded into its range by octaves), and the
    octave shift that takes generated pitches back to the support's register."""
    folded = []
    for melody in support:
        pitches = [n.pitch for n in melody.notes]
        shift = vocab.register_shift(pitches)
        folded += [vocab.token_pitch(vocab.pitch_token(p + shift)) for p in pitches]
    everything = [n.pitch for m in support for n in m.notes]
    return folded, 12 * round((float(np.median(everything)) - float(np.median(folded))) / 12)


def _pitch_mask(support: list[Melody], keep_key: bool, keep_range: bool = True) -> torch.Tensor:
    folded, _ = _folded_pitches(support)
    low, high = min(folded), max(folded)
    low, high = max(vocab.MIN_PITCH, low - RANGE_MARGIN), min(vocab.MAX_PITCH, high + RANGE_MARGIN)
    if not keep_range:
        low, high = vocab.MIN_PITCH, vocab.MAX_PITCH
    allowed = theory.allowed_pitch_classes(support) if keep_key else set(range(12))
    mask = torch.zeros(vocab.N_PITCH_TOKENS, dtype=torch.bool)
    mask[vocab.REST] = True
    for pitch in range(low, high + 1):
        if pitch % 12 in allowed:
            mask[vocab.pitch_token(pitch)] = True
    if not mask[1:].any():  # support outside the model's range: fall back to every pitch in the key
        for pitch in range(vocab.MIN_PITCH, vocab.MAX_PITCH + 1):
            mask[vocab.pitch_token(pitch)] = pitch % 12 in allowed
    return mask


def _nucleus(logits: torch.Tensor, temperature: float, top_p: float, generator: torch.Generator) -> torch.Tensor:
    """Sample one index per row from softmax(logits / T), restricted to the top-p nucleus
    (inverse-CDF sampling over the sorted probabilities: cheaper than multinomial for tiny batches)."""
    probs = torch.softmax(logits / temperature, dim=-1)
    sorted_probs, order = probs.sort(dim=-1, descending=True)
    if top_p < 1.0:
        sorted_probs = sorted_probs * (sorted_probs.cumsum(-1) - sorted_probs < top_p)  # keeps the top one
    cumulative = sorted_probs.cumsum(-1)
    u = torch.rand((logits.shape[0], 1), generator=generator) * cumulative[:, -1:]
    index = torch.searchsorted(cumulative, u).clamp_max(logits.shape[-1] - 1)
    return order.gather(-1, index).squeeze(-1)
