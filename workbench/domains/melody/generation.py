"""Few-shot melody generation: adapt the model to support melodies, then sample.

One path for the studio and the command line (api.generate calls this).
Sampling is autoregressive over note events (vocab.py) with temperature and
nucleus (top-p) sampling of the pitches, a cached transformer window (model.decode), an
optional key constraint (theory.allowed_pitch_classes) and a pitch range of
the support's range widened by RANGE_MARGIN semitones.

With form_plan=True (the default) a phrase plan (form.py) gives the result the
shape of a tune: 4-bar phrases, a note held for at least a beat at the end
and at the support's share of the phrase ends before it, answering phrases that open
like the phrase before them, and a last bar that starts on the tonic; and each
bar keeps to a rhythm of the support or a common one of the corpus (rhythm.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch

from workbench.domains.melody import form, rhythm, theory, vocab
from workbench.domains.melody.notes import SIXTEENTH, Melody
from workbench.meta.errors import ConfigError, DataError

RANGE_MARGIN = 5
MAX_SUPPORT_SEGMENTS = 20   # 8-bar strains: more adds time, not much information
MAX_N, MAX_BARS = 64, 64
WINDOW = 128                # events the model looks back over while generating (two 8-bar strains or more)
ROCKING_PENALTY = 2.0        # nats off the pitches a bar rocks between (_discourage_rocking; validation-chosen)


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


@dataclass(frozen=True)
class SupportUse:
    """Which parts of the support reached the model."""
    segments: int          # strains used
    available: int         # strains the support melodies hold
    melodies: int          # melodies that contributed at least one strain

    def message(self) -> str:
        if self.segments == self.available:
            return f"adapted to all {self.segments} strains of {self.melodies} melodies"
        return (f"adapted to {self.segments} of {self.available} strains (taken in turn from each of the "
                f"{self.melodies} melodies; the limit is {MAX_SUPPORT_SEGMENTS})")


def support_tensor(support: list[Melody], problem) -> tuple[torch.Tensor, SupportUse]:
    """The support melodies as the model's segments [S, L, F]: strains taken in turn from every
    melody (first strain of each, then the second of each, ...) up to MAX_SUPPORT_SEGMENTS, so a
    long first melody cannot crowd out the others."""
    o = problem.options
    per_melody = [vocab.segments(melody, o["segment_bars"], o["max_events"]) for melody in support]
    available = sum(len(p) for p in per_melody)
    if not available:
        raise DataError("the support melodies are too short to learn from (each needs at least 4 notes)")
    chosen = []
    for round_ in range(max(len(p) for p in per_melody)):
        chosen += [p[round_] for p in per_melody if round_ < len(p)]
    chosen = chosen[:MAX_SUPPORT_SEGMENTS]
    used = SupportUse(len(chosen), available, sum(1 for p in per_melody if p))
    return torch.from_numpy(np.stack(chosen)), used


def adapt_to(learner, support: list[Melody], steps=None, progress=None, cancelled=None):
    """Fast weights adapted to the support melodies (or None when cancelled)."""
    x, used = support_tensor(support, learner.problem)
    total = learner.default_steps if steps is None else int(steps)
    state = {"cancelled": False}
    if progress:
        progress(0, total, used.message())

    def on_step(step, _params, _loss):
        if progress:
            progress(step, total, f"adapting: step {step}/{total}")
        if cancelled and cancelled():
            state["cancelled"] = True
            return True
        return None

    result = learner.adapt((x,), steps=total, on_step=on_step, final_loss=False)
    return None if state["cancelled"] else result.params


def generate(
    support: list[Melody], n=8, bars=8, temperature=1.0, top_p=0.9, seed=0, continue_from=None,
    keep_key=True, steps=None, checkpoint=None, progress=None, cancelled=None, learner=None, form_plan=True,
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
                  continue_from=continue_from, keep_key=keep_key, cancelled=cancelled, form_plan=form_plan)


@torch.inference_mode()   # no autograd bookkeeping: about 15 % of this token-by-token loop
def sample(learner, params, support, n=8, bars=8, temperature=1.0, top_p=0.9, seed=0, continue_from=None,
           keep_key=True, cancelled=None, keep_range=True, form_plan=True) -> list[Melody]:
    """Sample n melodies from adapted weights (see module doc for the constraints).

    keep_range=False lifts the pitch-range guard (evaluation: the model alone decides)."""
    from workbench.domains.melody.model import DURATION_BOS, PITCH_BOS, decode, embed

    beats, unit = (continue_from.beats_per_bar, continue_from.beat_unit) if continue_from else theory.common_metre(support)
    tonic, mode = theory.estimate_key(support)
    template = Melody(tempo=(continue_from or support[0]).tempo, beats_per_bar=beats, beat_unit=unit,
                      key=tonic, mode=mode, name="")
    bar = vocab.bar_sixteenths(template)
    metre = vocab.metre_index(beats, unit)
    generator = torch.Generator().manual_seed(int(seed))
    options = learner.problem.options
    layers, heads = options["layers"], options["heads"]

    prefix = vocab.encode(continue_from) if continue_from is not None and continue_from.notes else np.zeros((0, vocab.EVENT_FIELDS), np.int64)
    origin = 0
    if len(prefix):
        first = round(continue_from.notes[0].onset / SIXTEENTH)
        start = first + int((prefix[:, vocab.DURATION] + 1).sum())
        start = max(start, -(-continue_from.length_ticks // SIXTEENTH))
        prefix[:, vocab.METRE] = metre
        origin = vocab.phrase_origin(continue_from)
    else:
        start = 0
    begin = -(-start // bar) * bar
    end = begin + bars * bar
    plan = form.PhrasePlan(begin, end, bar, beat=form.beat_sixteenths(beats, unit), enabled=form_plan,
                           hold_share=form.hold_share(support), seed=seed)
    guide = rhythm.RhythmGuide.for_support(support, beats, unit, bar, plan.hold, seed) if form_plan else None
    pitch_mask = _pitch_mask(support, keep_key, keep_range)
    tonic_mask = pitch_mask & _tonic_tokens(tonic)
    _, octave = _folded_pitches(support)

    cache = None
    previous = torch.full((n, 2), -1, dtype=torch.long)  # the last event's (pitch, duration) tokens
    if len(prefix):
        x = torch.from_numpy(prefix[-WINDOW:])[None].expand(n, -1, -1)
        from workbench.domains.melody.model import inputs

        _, cache = decode(params, inputs(params, x), layers, heads, window=WINDOW)
        previous[:] = x[:, -1, [vocab.PITCH, vocab.DURATION]]
    cursor = torch.full((n,), start, dtype=torch.long)
    history: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]   # (onset, pitch token, duration token)
    events: list[torch.Tensor] = []
    while bool((cursor < end).any()):
        if cancelled and cancelled():
            return []
        position = (cursor % bar) % vocab.N_POSITIONS
        phrase = ((cursor - origin) // bar) % vocab.N_PHRASE_BARS
        h = embed(params,
                  torch.where(previous[:, 0] >= 0, previous[:, 0], PITCH_BOS),
                  torch.where(previous[:, 1] >= 0, previous[:, 1], DURATION_BOS),
                  position, torch.full_like(cursor, metre), phrase)[:, None]
        logits, cache = decode(params, h, layers, heads, cache, window=WINDOW)
        logits = logits[:, -1]
        pitch_logits = logits[:, :vocab.N_PITCH_TOKENS].masked_fill(~pitch_mask, float("-inf"))
        if not events and not len(prefix):
            pitch_logits[:, vocab.REST] = float("-inf")  # start with a note
        duration_logits = logits[:, vocab.N_PITCH_TOKENS:]
        rules = plan.rules(cursor.tolist(), history)
        if guide is not None:
            _keep_to_known_rhythms(guide, plan, rules, cursor.tolist(), history)
        allowed = torch.from_numpy(rules.durations)        # [n, N_DURATIONS]
        duration_logits = duration_logits.masked_fill(~allowed, float("-inf"))
        tonic_rows = torch.from_numpy(rules.tonic)
        note_rows = torch.from_numpy(rules.note)
        pitch_logits = torch.where(tonic_rows[:, None] & tonic_mask.any(), pitch_logits.masked_fill(~tonic_mask, float("-inf")), pitch_logits)
        pitch_logits[note_rows, vocab.REST] = float("-inf")
        _discourage_rocking(pitch_logits, cursor.tolist(), history, bar)
        pitch = _nucleus(pitch_logits, temperature, top_p, generator)
        # durations from the full distribution: the rhythm guide already keeps them to known bar rhythms,
        # and top-p pushed them to the commonest one (eighth share 0.02-0.03 nearer the support without it,
        # corpus validation tasks; docs/melody.md)
        duration = _nucleus(duration_logits, temperature, 1.0, generator)
        forced = torch.from_numpy(rules.forced)            # [n, 2]: (pitch, duration) or -1
        pitch = torch.where(forced[:, 0] >= 0, forced[:, 0], pitch)
        duration = torch.where(forced[:, 1] >= 0, forced[:, 1], duration)
        active = cursor < end
        event = torch.stack([pitch, duration, position, torch.full_like(cursor, metre), active.long(), phrase], dim=-1)
        events.append(event)
        for i in np.flatnonzero(active.numpy()):
            history[i].append((int(cursor[i]), int(pitch[i]), int(duration[i])))
        cursor = cursor + torch.where(active, duration + 1, torch.zeros_like(duration))
        previous = torch.stack([pitch, duration], dim=-1)

    stacked = torch.stack(events, dim=1).numpy() if events else np.zeros((n, 0, vocab.EVENT_FIELDS), np.int64)
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


def _keep_to_known_rhythms(guide, plan, rules, cursors, history) -> None:
    """Narrow each free step's durations to those that keep its bar on a known rhythm
    (where the plan's rules and the guide leave nothing in common, the plan wins)."""
    bar = guide.bar
    for i, cursor in enumerate(cursors):
        if cursor >= plan.end or rules.forced[i, 0] >= 0:
            continue
        start = cursor - cursor % bar
        onsets = tuple(onset - start for onset, pitch, _ in history[i] if onset >= start and pitch != vocab.REST)
        allowed = guide.durations(i, start, onsets, cursor - start, cadence=plan.ends_phrase(i, start))
        if allowed is not None and (rules.durations[i] & allowed).any():
            rules.durations[i] &= allowed


def _discourage_rocking(pitch_logits: torch.Tensor, cursors: list[int], history, bar: int) -> None:
    """Lower the two pitches a bar has rocked between (3+ notes, at most 2 pitches so far) by
    ROCKING_PENALTY nats, so the next note tends to leave them: sampled freely, 7-9 % of bars
    with 4+ notes used at most two pitches, twice the support's 3-4 %; 2 nats brought that to
    2-4 % on 60 validation tasks (1 nat: 3-5 %), nothing else measured moved (docs/melody.md)."""
    for i, cursor in enumerate(cursors):
        start = cursor - cursor % bar
        pitches = [p for onset, p, _ in history[i] if onset >= start and p != vocab.REST]
        if len(pitches) >= 3 and len(set(pitches)) <= 2:
            pitch_logits[i, sorted(set(pitches))] -= ROCKING_PENALTY


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


def _tonic_tokens(tonic: int) -> torch.Tensor:
    mask = torch.zeros(vocab.N_PITCH_TOKENS, dtype=torch.bool)
    for pitch in range(vocab.MIN_PITCH, vocab.MAX_PITCH + 1):
        mask[vocab.pitch_token(pitch)] = pitch % 12 == tonic
    return mask


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
