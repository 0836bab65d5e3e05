"""Tasks of the "ink" mode: which pixels of a drawing the network is shown.

A task is one class. Its support is up to K drawings (a weight per drawing,
so one model serves K = 1..5); the engine adapts to them on masked
prediction of the support drawings themselves. Its query is other drawings of
the class, each on a canvas with some pixels known, scored on the unknown
ones. The share of unknown pixels follows MaskGIT's cosine schedule, so every
stage of decoding (all unknown .. almost all known) is trained.

Some tasks are Complete tasks: the query is a whole drawing with a partial of
it (the ink nearest to one point, as `observe.partial_drawings` cuts it) and a
band of paper around it known, plus a random share of the rest (what earlier
decoding steps would have committed). The support is either the partial
itself (Complete with nothing else to go on) or, for a share
`supported_complete` of them, the class's other drawings (Complete in the
style of the user's examples). A share `started_complete` of those starts as
the app's Complete does: part of the canvas known from the example that covers
the partial best, which is another drawing than the one scored.
All randomness is drawn here, so the loss is a pure function.
"""

from __future__ import annotations

import math

import torch

from workbench.domains.sketch.inknet import binary_ink
from workbench.domains.sketch.observe import EXAMPLE_GAP, cover_score, near_ink, observed_mask, partial_drawings


def cosine_known(shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    """Random known-pixel masks [..., P]: unknown share cos(pi/2 * u), u ~ U(0, 1), per canvas."""
    u = torch.rand(shape[:-1] + (1,), generator=generator)
    unknown_share = torch.cos(0.5 * math.pi * u)
    return (torch.rand(shape, generator=generator) >= unknown_share).float()


def ink_tasks(drawings: torch.Tensor, shots: int, generator: torch.Generator, *, vary_shots: bool,
              complete_share: float, min_observed: float, max_observed: float, supported_complete: float = 0.0,
              started_complete: float = 0.0):
    """drawings [n, shots + queries, S, S] of one class per task -> (support, query) tuples.

    support = (drawings [n, K, P], weight [n, K], the same drawings and weights, known [n, K, P])
    query = (the support's drawings and weights, drawings [n, Q, P], ones [n, Q], known [n, Q, P])
    """
    n, total, s, _ = drawings.shape
    ink = binary_ink(drawings).reshape(n, total, s * s)
    support, query = ink[:, :shots].clone(), ink[:, shots:].clone()
    queries = total - shots
    weight = torch.ones(n, shots)
    if vary_shots:
        real = torch.randint(1, shots + 1, (n, 1), generator=generator)
        weight = (torch.arange(shots).unsqueeze(0) < real).float()
    query_known = cosine_known((n, queries, s * s), generator)

    completing = torch.rand(n, generator=generator) < complete_share
    if completing.any():
        picked = completing.nonzero().squeeze(1)
        whole = query[picked, 0].reshape(-1, s, s)
        fractions = min_observed + (max_observed - min_observed) * torch.rand(len(picked), generator=generator)
        partial = binary_ink(partial_drawings(whole, fractions, generator))
        observed = observed_mask(partial).reshape(-1, 1, s * s)
        # Drawn only when used, so the random stream (and older checkpoints' runs) stay as they were.
        own = (torch.rand(len(picked), generator=generator) < supported_complete if supported_complete > 0
               else torch.zeros(len(picked), dtype=torch.bool))
        alone = picked[~own]
        support[alone] = 0.0
        support[alone, 0] = partial[~own].reshape(-1, s * s)
        weight[alone] = 0.0
        weight[alone, 0] = 1.0
        query[picked] = whole.reshape(-1, 1, s * s).expand(-1, queries, -1)
        # Known: the partial's neighbourhood plus a random share of the rest.
        extra = torch.rand(len(picked), queries, 1, generator=generator)
        revealed = (torch.rand(len(picked), queries, s * s, generator=generator) < extra).float()
        query_known[picked] = torch.maximum(observed.expand(-1, queries, -1), revealed)
        if started_complete > 0 and own.any():
            _start_from_example(support, weight, query, query_known, partial, picked, own, started_complete, generator)

    support_known = cosine_known((n, shots, s * s), generator)
    return (support, weight, support, weight, support_known), (support, weight, query, torch.ones(n, queries), query_known)


def _start_from_example(support, weight, query, query_known, partial, picked, own, share: float,
                        generator: torch.Generator) -> None:
    """Complete as the app ran it with examples when this was trained: part of the canvas known from
    the example that covers the partial best (unbent; the app now bends it first, align.py), another
    person's drawing, not the truth. For a share of the supported
    Complete tasks, a random 30-70 % of the example's pixels (none within EXAMPLE_GAP of the
    partial's ink) are known with the example's values; the loss still scores the truth on the
    unknown pixels, so the network learns that such pixels may be wrong (in place)."""
    started = own & (torch.rand(len(picked), generator=generator) < share)
    if not started.any():
        return
    tasks, partial = picked[started], partial[started]                        # [m], [m, S, S]
    m, s = partial.shape[0], partial.shape[-1]
    examples = support[tasks]                                                 # [m, K, P]
    near = near_ink(examples.reshape(m, -1, s, s), 1).reshape(m, -1, s * s)
    cover = cover_score(near, examples.sum(2), partial.reshape(m, s * s))
    cover = torch.where(weight[tasks] > 0, cover, torch.full_like(cover, -torch.inf))
    example = examples[torch.arange(m), cover.argmax(1)].unsqueeze(1)         # [m, 1, P]
    gap = near_ink(partial, EXAMPLE_GAP)                                       # [m, S, S]
    queries = query.shape[1]
    strength = 0.3 + 0.4 * torch.rand(m, 1, 1, generator=generator)
    from_example = (torch.rand(m, queries, s * s, generator=generator) < strength).float() * (1.0 - gap.reshape(m, 1, -1))
    query[tasks] = torch.where(from_example > 0, example.expand(-1, queries, -1), query[tasks])
    query_known[tasks] = torch.maximum(query_known[tasks], from_example)
