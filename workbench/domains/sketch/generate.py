"""Vary and Complete: adapt a meta-trained checkpoint through the engine, then draw.

Used by the facade (workbench.domains.sketch.api), the commands and the
evaluation, so all of them run the same adaptation (Learner.adapt, i.e.
workbench.meta.adapt.adapt) and the same sampling.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from workbench.domains.imageio import fit_page, frame_ink
from workbench.domains.sketch.models import checkpoint_base
from workbench.domains.sketch.observe import observed_mask
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


def vary(support: Sequence[np.ndarray], n: int = 16, steps: int | None = None, seed: int = 0,
         temperature: float = 1.0, checkpoint=None, progress=None, cancelled=None,
         learner=None) -> list[np.ndarray]:
    if not support:
        raise DataError("vary needs at least one support drawing")
    if n < 1:
        raise DataError(f"the number of variations must be at least 1, got {n}")
    if not (0.0 <= float(temperature) <= 4.0):
        raise DataError(f"temperature must be between 0 and 4, got {temperature}")
    learner = learner or load_learner("vary", checkpoint)
    problem = learner.problem
    size, latent = problem.size, problem.options["latent"]
    images = np.stack([model_input(d, size, f"support drawing {i + 1}", crop=True) for i, d in enumerate(support)])
    generator = torch.Generator().manual_seed(int(seed))
    k = len(images)
    batch = (
        torch.from_numpy(images).reshape(k, -1),
        torch.randn(k, latent, generator=generator),
        torch.ones(k),
    )
    total = learner.default_steps if steps is None else int(steps)
    result = learner.adapt(batch, total, on_step=_step_callback(total, progress, cancelled, "adapting to the support"))
    if cancelled and cancelled():
        return []
    z = torch.randn(int(n), latent, generator=generator) * float(temperature)
    return [a for a in sample(learner, result.params, z).numpy()]


def sample(learner, params, z: torch.Tensor) -> torch.Tensor:
    """Decoded drawings [n, S, S] for latents z under (adapted) params."""
    size = learner.problem.size
    with torch.no_grad():
        buffers = dict(learner.model.named_buffers())
        probs = torch.func.functional_call(learner.model, (params, buffers), (z,), {"decode": True})
    return probs.reshape(-1, size, size).float()


def complete(partial: np.ndarray, steps: int | None = None, checkpoint=None, progress=None, cancelled=None,
             learner=None) -> list[np.ndarray]:
    learner = learner or load_learner("complete", checkpoint)
    size = learner.problem.size
    drawing = model_input(partial, size, "partial drawing", crop=False)
    target = torch.from_numpy(drawing).reshape(1, -1)
    mask = observed_mask(torch.from_numpy(drawing)).reshape(1, -1)
    total = learner.default_steps if steps is None else int(steps)
    result = learner.adapt((target, mask), total, trajectory=True,
                           on_step=_step_callback(total, progress, cancelled, "completing"))
    if cancelled and cancelled():
        return []
    return [np.maximum(picture, drawing) for picture in pictures(learner, result.trajectory)]


def pictures(learner, trajectory) -> list[np.ndarray]:
    """Ink probability images [S, S] for each parameter set of a trajectory."""
    size = learner.problem.size
    with torch.no_grad():
        return [torch.sigmoid(learner.forward(p)).reshape(size, size).numpy() for p in trajectory]
