"""Masked iterative decoding (MaskGIT, Chang et al. 2022) of InkNet canvases.

Each step predicts every unknown pixel, draws a value for it (ink with the
predicted probability, sharpened or flattened by the temperature), and commits
the draws it is most sure of; the rest stay unknown for the next step. The
number left unknown follows a cosine schedule, so early steps commit few
pixels (the layout) and late ones many (the details). Confidence gets Gumbel
noise that fades with the steps (MaskGIT's "choice temperature"), a lot of
it: early commits are then close to a random order, as in training, where
the known pixels are a random subset. Ordered by confidence alone, the first
steps commit only sure paper, little ink ever appears in Vary, and Complete
ends with a block of unknown pixels that the network, never trained on such
a block, outlines with ink (measured, docs/sketch.md). The last step commits
every remaining pixel to its likelier value.
"""

from __future__ import annotations

import math
from typing import Callable

import torch

CHOICE_NOISE = 4.5  # scale of the Gumbel noise on the confidence at step 0 (MaskGIT's value)
# Frames show a still-unknown pixel's predicted ink this faint: committed ink is black, so the
# drawing visibly grows step by step (at full strength a confident prediction looked finished at step 1).
FOG = 0.4


def decode(predict: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], ink: torch.Tensor, known: torch.Tensor,
           steps: int, generator: torch.Generator, temperature: float = 1.0,
           choice_noise: float = CHOICE_NOISE,
           on_step: Callable[[int, torch.Tensor, torch.Tensor], bool | None] | None = None) -> list[torch.Tensor]:
    """Decode canvases ink, known [N, P] (known pixels stay as given).

    predict(ink, known) -> logits [N, P]. Returns the canvas after each step
    1..steps as ink images [N, P]: committed pixels are 0 or 1, the
    still-unknown ones show the current prediction, FOG times as dark (the
    filmstrip's faint "fog" that clears). The last one is fully committed (0/1). on_step(step, ink,
    known) may return True to stop early.
    """
    if steps < 1:
        raise ValueError(f"decoding needs at least one step, got {steps}")
    ink, known = ink.clone() * known, known.clone()
    start_unknown = (1.0 - known).sum(1)                                       # [N]
    frames = []
    for step in range(steps):
        with torch.no_grad():
            logits = predict(ink, known)
        last = step == steps - 1
        if temperature > 0 and not last:
            probs = torch.sigmoid(logits / temperature)
            draw = (torch.rand(probs.shape, generator=generator) < probs).float()
        else:
            probs = torch.sigmoid(logits)
            draw = (probs > 0.5).float()
        chosen = torch.where(draw > 0, probs, 1.0 - probs).clamp_min(1e-6).log()
        fade = choice_noise * temperature * (1.0 - (step + 1) / steps)
        if fade > 0:
            uniform = torch.rand(probs.shape, generator=generator).clamp(1e-9, 1 - 1e-9)
            chosen = chosen + fade * -torch.log(-torch.log(uniform))
        confidence = torch.where(known > 0, torch.full_like(chosen, -math.inf), chosen)
        left = torch.floor(start_unknown * math.cos(0.5 * math.pi * (step + 1) / steps))   # stay unknown
        commit = ((1.0 - known).sum(1) - left).clamp_min(0).long()                       # [N]
        order = confidence.argsort(dim=1, descending=True)
        rank = torch.empty_like(order)
        rank.scatter_(1, order, torch.arange(order.shape[1]).expand_as(order))
        newly = (rank < commit.unsqueeze(1)) & (known == 0)
        ink = torch.where(newly, draw, ink)
        known = torch.where(newly, torch.ones_like(known), known)
        frames.append(torch.where(known > 0, ink, FOG * probs))
        if on_step is not None and on_step(step + 1, ink, known):
            break
    return frames
