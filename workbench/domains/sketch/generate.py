"""Vary and Complete: adapt a meta-trained checkpoint through the engine, then draw.

Used by the facade (workbench.domains.sketch.api), the commands and the
evaluation, so all of them run the same adaptation (Learner.adapt, i.e.
workbench.meta.adapt.adapt) and the same sampling.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from workbench.domains.imageio import fit_page, frame_ink
from workbench.domains.sketch.models import checkpoint_base
from workbench.domains.sketch.observe import EXAMPLE_GAP, near_ink, observed_mask
from workbench.meta.errors import CheckpointError, DataError


def load_learner(mode: str, checkpoint=None):
    """The Learner for a sketch checkpoint of this mode (cached per file version)."""
    from workbench.domains.registry import cached_learner

    base = Path(checkpoint) if checkpoint else checkpoint_base(mode)
    how = f"train one with `workbench train --domain sketch --preset {mode} --out {base}`"
    learner = cached_learner(base, "sketch", how)
    if learner.problem.mode != mode:
        raise CheckpointError(f"{base}: a sketch {learner.problem.mode!r} checkpoint; {mode} needs a {mode!r} one")
    return learner


def _step_callback(total: int, progress, cancelled, message: str):
    def on_step(step: int, params, loss) -> bool:
        if progress is not None:
            progress(step, total, message)
        return bool(cancelled and cancelled())
    return on_step


def model_input(drawing: np.ndarray, size: int, name: str, crop: bool) -> np.ndarray:
    """A drawing as the model sees it: framed (crop=True) or only scaled (crop=False)."""
    drawing = np.asarray(drawing, dtype=np.float32)
    if drawing.ndim != 2:
        raise DataError(f"{name}: expected a 2-D drawing, got shape {drawing.shape}")
    if not np.isfinite(drawing).all():
        raise DataError(f"{name}: the drawing contains NaN or infinite values")
    drawing = np.clip(drawing, 0.0, 1.0)
    if float(drawing.max(initial=0.0)) <= 0.2:
        raise DataError(f"{name}: the drawing is empty (no ink found)")
    if drawing.shape == (size, size):
        return drawing
    if crop:
        return frame_ink(drawing, size, name=name)
    return fit_page(drawing, size)


# Decoding steps of Vary and Invent (a pass over all canvases each): 2 at strength 0.5 and below
# (2-8 score alike there, docs/sketch.md), rising to BLANK_DECODE_STEPS at strength 1, where every
# pixel is unknown and few steps commit so many at once that strokes come out as dots.
VARY_DECODE_STEPS = 2
BLANK_DECODE_STEPS = 8
COMPLETE_DECODE_STEPS = 12  # decoding steps of Complete: the filmstrip's pictures
# Vary below strength 1 (docs/sketch.md, validation grids): its start is the support under the
# jitter baseline's distortion (elastic 0.04); the choice among candidates keeps the near-copies out.
VARY_STRENGTH = 0.5
START_ELASTIC = 0.04
# Vary draws this many candidates per result and keeps the best (scores.select_variations): the
# judge's most recognisable ones that are not near-copies. 2 at 2 decoding steps cost what 1.5 at 3
# did and chose better on both validation sets, for Vary and Invent (docs/sketch.md); 1 keeps every
# drawing.
VARY_CANDIDATES = 2.0


def _support_batch(images: np.ndarray, generator: torch.Generator) -> tuple[torch.Tensor, ...]:
    """The engine's support tuple for InkNet: drawings, weights and the masks of the masked-prediction loss."""
    from workbench.domains.sketch.inknet import binary_ink
    from workbench.domains.sketch.inktasks import cosine_known

    drawings = binary_ink(torch.from_numpy(images).reshape(len(images), -1))
    weight = torch.ones(len(images))
    return drawings, weight, drawings, weight, cosine_known(tuple(drawings.shape), generator)


def adapted(learner, images: np.ndarray, steps: int | None, generator: torch.Generator, progress=None,
            cancelled=None):
    """Fast weights of InkNet for these support drawings [K, S, S] (Learner.adapt: the engine's inner loop)."""
    support = _support_batch(images, generator)
    total = learner.default_steps if steps is None else int(steps)
    result = learner.adapt(support, total, on_step=_step_callback(total, progress, cancelled, "adapting to the support"),
                           final_loss=False)
    return result.params, support


def decoder(learner, params) -> torch.nn.Module:
    """InkNet holding these adapted weights, for decoding loops (Learner.bound: no weights swapped in
    per call); channels-last convolutions are about a fifth faster on CPU at these sizes."""
    return learner.bound(params).to(memory_format=torch.channels_last)


def draw(net, context: tuple[torch.Tensor, torch.Tensor], ink: torch.Tensor, known: torch.Tensor,
         steps: int, generator: torch.Generator, temperature: float, on_step=None) -> list[torch.Tensor]:
    """Decode canvases [N, P] with a `decoder`; the frames of decode.decode. The support's condition
    is computed once: only the canvas changes from step to step."""
    from workbench.domains.sketch.decode import decode

    device = net.code.device
    drawings, weight = (t.to(device) for t in context)
    with torch.no_grad():
        condition = net.condition(drawings, weight)
    return decode(lambda i, k: net.logits(condition, i.to(device), k.to(device)), ink, known, steps, generator,
                  temperature=temperature, on_step=on_step)


def vary(support: Sequence[np.ndarray], n: int = 16, steps: int | None = None, seed: int = 0,
         temperature: float = 1.0, checkpoint=None, progress=None, cancelled=None,
         learner=None, decode_steps: int | None = None, strength: float | None = None,
         candidates: float | None = None) -> list[np.ndarray]:
    """n new drawings [S, S] (0/1 ink) of the support's kind; `steps` = adaptation steps.

    candidates (default VARY_CANDIDATES): Vary decodes round(candidates * n) drawings and keeps the n that the studio's
    judge finds most like the support without copying it (scores.select_variations), in the
    order drawn; 1 keeps them all.

    strength: how far a drawing may move from the support (SDEdit's idea, Meng et al. 2021, for
    masked decoding). 1 decodes from a blank canvas; below 1 each canvas starts from a jittered
    support drawing of which a random share 1 - strength of the pixels (ink and paper) is known,
    and the network redraws the rest. Default VARY_STRENGTH."""
    if not support:
        raise DataError("vary needs at least one support drawing")
    run = _adapted_run("Vary", support, n, steps, seed, temperature, checkpoint, progress, cancelled, learner,
                       decode_steps, VARY_STRENGTH if strength is None else strength, candidates)
    if run is None:
        return []
    ink, known = _starting_canvases(run.images, run.drawn, run.strength, run.generator)
    frames = draw(run.net, run.context, ink, known, run.decode_steps, run.generator, float(temperature))
    from workbench.domains.sketch.scores import select_variations

    return run.kept(frames[-1], select_variations)


@dataclass
class _AdaptedRun:
    """What Vary and Invent share before they decode: the checked options, the framed support
    [K, S, S] and the network adapted to it (a `decoder`)."""

    net: torch.nn.Module
    images: np.ndarray
    generator: torch.Generator
    context: tuple[torch.Tensor, torch.Tensor]     # the support drawings [K, P] and their weights
    n: int
    drawn: int                                      # candidates decoded, n of them kept
    strength: float
    decode_steps: int

    def kept(self, canvases: torch.Tensor, select) -> list[np.ndarray]:
        """The n of the decoded canvases [drawn, P] that select(support, candidates, n) keeps."""
        size = self.images.shape[-1]
        drawings = [a for a in canvases.reshape(-1, size, size).numpy()]
        return drawings if self.drawn == self.n else [drawings[i] for i in select(self.images, drawings, self.n)]


def _adapted_run(action: str, support, n: int, steps, seed: int, temperature: float, checkpoint, progress,
                 cancelled, learner, decode_steps: int | None, strength: float,
                 candidates: float | None) -> _AdaptedRun | None:
    """Check Vary's or Invent's options, frame the support and adapt to it; None when cancelled."""
    candidates = VARY_CANDIDATES if candidates is None else candidates
    decode_steps = decode_steps_for(strength) if decode_steps is None else decode_steps
    drawn, strength = _checked(action, n, temperature, decode_steps, candidates, strength)
    learner = learner or load_learner("ink", checkpoint)
    size = learner.problem.size
    images = np.stack([model_input(d, size, f"support drawing {i + 1}", crop=True) for i, d in enumerate(support)])
    generator = torch.Generator().manual_seed(int(seed))
    params, batch = adapted(learner, images, steps, generator, progress, cancelled)
    if cancelled and cancelled():
        return None
    return _AdaptedRun(decoder(learner, params), images, generator, batch[:2], int(n), drawn, strength,
                       decode_steps)


def decode_steps_for(strength: float) -> int:
    """Vary's and Invent's decoding steps at this strength (see VARY_DECODE_STEPS)."""
    rise = max(0.0, float(strength) - 0.5) / 0.5
    return VARY_DECODE_STEPS + round(rise * (BLANK_DECODE_STEPS - VARY_DECODE_STEPS))


def _checked(action: str, n: int, temperature: float, decode_steps: int, candidates: float,
             strength: float) -> tuple[int, float]:
    """The options Vary and Invent share, checked: (canvases to draw, strength)."""
    if n < 1:
        raise DataError(f"{action} makes at least one drawing, got {n}")
    if not (0.0 <= float(temperature) <= 4.0):
        raise DataError(f"temperature must be between 0 and 4, got {temperature}")
    if decode_steps < 1:
        raise DataError(f"decoding needs at least one step, got {decode_steps}")
    if candidates < 1:
        raise DataError(f"{action} draws at least one candidate per result, got {candidates}")
    if not (0.0 < float(strength) <= 1.0):
        raise DataError(f"{action} strength must be above 0 and at most 1, got {strength}")
    return max(int(n), round(candidates * int(n))), float(strength)


def _starting_canvases(images: np.ndarray, n: int, strength: float, generator: torch.Generator):
    """Vary's canvases (ink, known) [n, P]: blank at strength 1, else jittered support drawings
    (cycled) with a random share 1 - strength of their pixels known."""
    from workbench.domains.sketch import baselines
    from workbench.domains.sketch.inknet import binary_ink

    pixels = images.shape[1] * images.shape[2]
    if strength >= 1.0:
        blank = torch.zeros(n, pixels)
        return blank, blank
    start = binary_ink(torch.from_numpy(baselines.jitter(images, n, generator, elastic=START_ELASTIC)).reshape(n, -1))
    known = (torch.rand(n, pixels, generator=generator) >= strength).float()
    return start * known, known


# Invent (from different characters of one writing system, new characters of it): each canvas
# starts from a chimera, two support characters joined along a random straight cut, distorted like
# Vary's start; a share 1 - INVENT_STRENGTH of its pixels is known, none within INVENT_SEAM pixels
# of the cut, where the network joins the two halves. Decoded with the pair as context.
INVENT_STRENGTH = 0.5
INVENT_SEAM = 3
INVENT_CUT_SHIFT = 0.15     # the cut passes within this share of the frame from its centre
INVENT_MIN_SHARE = 0.4      # each character keeps at least this share of its ink where a cut can (validated, docs/sketch.md)
INVENT_CUT_TRIES = 16       # cuts drawn per canvas to find one


def invent(support: Sequence[np.ndarray], n: int = 16, steps: int | None = None, seed: int = 0,
           temperature: float = 1.0, checkpoint=None, progress=None, cancelled=None, learner=None,
           decode_steps: int | None = None, strength: float | None = None,
           candidates: float | None = None) -> list[np.ndarray]:
    """n new drawings [S, S] (0/1 ink) that belong with 2 or more different support characters
    (e.g. letters of one alphabet): the network adapts to all of them (the writing system's hand),
    and redraws chimeras of two of them into one character (see INVENT_STRENGTH). Of
    round(candidates * n) drawings it keeps the n least like any one support character
    (scores.select_inventions); 1 keeps them all."""
    if len(support) < 2:
        raise DataError("Invent needs at least two different characters of one writing system")
    run = _adapted_run("Invent", support, n, steps, seed, temperature, checkpoint, progress, cancelled, learner,
                       decode_steps, INVENT_STRENGTH if strength is None else strength, candidates)
    if run is None:
        return []
    start, seam, pairs = chimeras(run.images, run.drawn, run.generator)
    known = (torch.rand(start.shape, generator=run.generator) >= run.strength).float() * (1.0 - seam)
    ink = start * known
    out = torch.empty_like(ink)
    drawings, weight = run.context
    for pair in sorted({tuple(sorted(p)) for p in pairs}):      # (a, b) and (b, a) share their context
        rows = [i for i, p in enumerate(pairs) if tuple(sorted(p)) == pair]
        out[rows] = draw(run.net, (drawings[list(pair)], weight[list(pair)]), ink[rows], known[rows],
                         run.decode_steps, run.generator, float(temperature))[-1]
    from workbench.domains.sketch.scores import select_inventions

    return run.kept(out, select_inventions)


def chimeras(images: np.ndarray, n: int, generator: torch.Generator):
    """Invent's starting drawings [n, P] (binary ink), their seams [n, P] (1 within INVENT_SEAM px
    of the cut) and the support pair (a, b) each was cut from: a's ink on one side of a random
    straight cut, b's on the other, under Vary's start distortion."""
    from workbench.domains.sketch import baselines
    from workbench.domains.sketch.inknet import binary_ink

    k, size, _ = images.shape
    pairs = [(a, b) for a in range(k) for b in range(k) if a != b]
    chosen = [pairs[i] for i in torch.randint(len(pairs), (n,), generator=generator).tolist()]
    first, second = images[[a for a, _ in chosen]], images[[b for _, b in chosen]]
    side = _cuts(first, second, generator)
    cut = np.where(side > 0, first, second).astype(np.float32)
    start = binary_ink(torch.from_numpy(baselines.jitter(cut, n, generator, elastic=START_ELASTIC)).reshape(n, -1))
    seam = torch.from_numpy(np.abs(side) <= INVENT_SEAM).reshape(n, -1).float()
    return start, seam, chosen


def _cuts(first: np.ndarray, second: np.ndarray, generator: torch.Generator) -> np.ndarray:
    """Signed distance [n, S, S] to one straight cut per pair: of INVENT_CUT_TRIES random cuts, the
    first that keeps INVENT_MIN_SHARE of the first drawing's ink on its side (> 0) and of the
    second's on the other, else the fairest; a cut that leaves most of one character gives back
    that character with a scrap of the other."""
    n, size, _ = first.shape
    angle = torch.rand(n, INVENT_CUT_TRIES, generator=generator).numpy() * np.pi
    shift = (torch.rand(n, INVENT_CUT_TRIES, generator=generator).numpy() - 0.5) * 2 * INVENT_CUT_SHIFT * size
    ys, xs = np.mgrid[0:size, 0:size] - (size - 1) / 2
    sides = np.empty((n, size, size))
    for i in range(n):  # one canvas at a time: the tries of all canvases at once grow with n
        side = xs * np.cos(angle[i])[:, None, None] + ys * np.sin(angle[i])[:, None, None] - shift[i][:, None, None]
        ink_a, ink_b = first[i] > 0.5, second[i] > 0.5
        kept_a = (ink_a & (side > 0)).sum((1, 2)) / max(int(ink_a.sum()), 1)
        kept_b = (ink_b & (side <= 0)).sum((1, 2)) / max(int(ink_b.sum()), 1)
        fair = np.minimum(kept_a, kept_b)
        good = fair >= INVENT_MIN_SHARE
        sides[i] = side[good.argmax() if good.any() else fair.argmax()]
    return sides


COMPLETE_SUPPORT = 3         # built-in glyphs that cover the partial best: Complete's support without examples
# Complete with examples (docs/sketch.md, validation grid on built-in validation classes): the canvas
# starts from the example that fits the partial best; a share 1 - strength of its pixels is known,
# except within COMPLETE_GAP pixels of the partial's ink, where the two meet and the network redraws.
COMPLETE_STRENGTH = 0.5
# One pixel more than training's EXAMPLE_GAP: on both validation sets (4 draws of 30 tasks) the
# weaker of recall and precision, the issue's own terms, rose in all four (+0.002 to +0.010, about
# +0.01 of precision at one example) at F1 within 0.003 (docs/sketch.md); 5 px lost F1.
COMPLETE_GAP = EXAMPLE_GAP + 1


def complete(partial: np.ndarray, steps: int | None = None, checkpoint=None, progress=None, cancelled=None,
             learner=None, seed: int = 0, temperature: float = 1.0, adapt_steps: int | None = None,
             examples: Sequence[np.ndarray] | None = None, strength: float | None = None,
             start: int = 0) -> list[np.ndarray]:
    """The partial drawing, then the canvas after each decoding step 1..steps ([S, S] arrays in [0, 1]).

    `steps` are decoding steps (the filmstrip). The partial's ink and a
    one-pixel band of paper around it are known and kept; the network decodes
    the rest. Its support (what it adapts to, `adapt_steps`, and draws like):
    the user's `examples` of the kind being drawn (1-5 drawings), so the
    completion follows them; without examples, the built-in training glyphs
    whose ink covers the partial's best, so the strokes it adds continue a
    known kind of drawing, decoded from a blank canvas. The partial and the
    examples are read as given, on their page (not cropped to their ink):
    InkNet reads the examples pixel by pixel beside the canvas, so they must
    sit where the finished drawing would (the studio passes drawings made on
    the same canvas as they were drawn; model-size arrays are taken as they
    are). Each example is bent toward the partial's strokes near them
    (align.py: each piece of the partial pulls the example by a shift of at
    most a few pixels, fading away from it), since two hands differ there by
    a few pixels. With examples, `strength` works as in Vary: below 1 the
    canvas starts from the bent example that fits the partial best
    (choose.py ranks them), redrawn with the partial's pen (pen_width.py),
    a share 1 - strength of its pixels known (default COMPLETE_STRENGTH);
    `start` 1, 2, ... starts from the next best instead (modulo the number
    of examples). Another seed redraws the same example nearly as it was;
    another start is another hand.
    """
    from workbench.domains.sketch import align, baselines, pen_width
    from workbench.domains.sketch.inknet import binary_ink

    learner = learner or load_learner("ink", checkpoint)
    size = learner.problem.size
    total = COMPLETE_DECODE_STEPS if steps is None else int(steps)
    if total < 1:
        raise DataError(f"complete needs at least one decoding step, got {total}")
    drawing = model_input(partial, size, "partial drawing", crop=False)
    ink = given = binary_ink(torch.from_numpy(drawing).reshape(1, -1))
    strength = COMPLETE_STRENGTH if strength is None else float(strength)
    if not (0.0 < strength <= 1.0):
        raise DataError(f"completion strength must be above 0 and at most 1, got {strength}")
    generator = torch.Generator().manual_seed(int(seed))
    known = observed_mask(ink.reshape(size, size)).reshape(1, -1)
    if examples is not None and len(examples):
        images = np.stack([model_input(d, size, f"support drawing {i + 1}", crop=False) for i, d in enumerate(examples)])
        page = ink.reshape(size, size).numpy()
        images, order = align.fitted(images, page)
        if strength < 1.0:
            example = pen_width.in_pen_of(images[order[int(start) % len(order)]], page)
            ink, known = _from_example(example, ink, known, strength, generator)
    else:
        pool = baselines.training_pool(size, learner.problem.options["seed"])
        images = pool[baselines.covering(ink.reshape(size, size).numpy(), pool, COMPLETE_SUPPORT)]
    params, batch = adapted(learner, images, adapt_steps, generator)
    frames = draw(decoder(learner, params), batch[:2], ink, known, total, generator, float(temperature),
                  on_step=_step_callback(total, progress, cancelled, "completing"))
    if cancelled and cancelled():
        return []
    return [given.reshape(size, size).numpy()] + [f.reshape(size, size).numpy() for f in frames]


def _from_example(example: np.ndarray, ink: torch.Tensor, known: torch.Tensor, strength: float,
                  generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Complete's canvas (ink, known) [1, P] started from the example [S, S]: a random share
    1 - strength of its pixels known, none near the partial's ink."""
    size = example.shape[-1]
    start = torch.maximum(torch.from_numpy((example > 0.5).astype(np.float32)).reshape(1, -1), ink)
    near = near_ink(ink.reshape(size, size), COMPLETE_GAP)
    chosen = (torch.rand(start.shape, generator=generator) >= strength).float() * (1.0 - near.reshape(1, -1))
    known_now = torch.maximum(known, chosen)
    return torch.where(known > 0, ink, start) * known_now, known_now
