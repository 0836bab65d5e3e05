"""What an artist sees in a drawing, as numbers (`workbench eval sketch`).

Drawings are float32 [S, S] ink images (ink = 1) at the model frame.

- mid_grey_share: of the pixels with any ink (> 0.2), the share that is
  mid-grey (0.2-0.8): fog, not strokes. Real drawings have some at stroke edges.
- faint: a sample whose ink area is under a third of the support's mean.
- near_copy: binarized IoU with some support drawing, after moving both ink
  centroids to the centre, of at least 0.6.
- chamfer: mean distance (pixels) from each ink pixel of one drawing to the
  nearest ink pixel of the other, both ways, averaged.
- recall / precision at 1 px: of the missing ink (truth ink more than 1 px from
  the partial's), the share within 1 px of ink the method added; of the ink it
  added (ink more than 1 px from the partial's), the share within 1 px of the
  truth's ink. Both leave out the same 1-px band around the partial: ink there
  only thickens the user's strokes, and counted as added it was always "right"
  (the partial is truth), which paid a method for pasting a drawing over the
  partial (support-fill's whole lead over the model before, docs/sketch.md).
- on_examples / recall_off_examples (Complete with examples): of the ink a
  method added, the share within 1 px of the examples' ink; and the recall of
  the missing ink that lies farther than 1 px from it. They tell a redrawn
  example from a drawing of one's own: pasting the example scores 1 and 0.
- ci95 / paired: the spread of a mean over tasks (normal approximation), and of a
  difference between two rows on the same tasks (how sure "meta beats jitter" is).
"""

from __future__ import annotations

import numpy as np
import torch

from workbench.domains.sketch.observe import near_ink

INK = 0.5          # binarization level
DRAWN = 0.2        # a pixel with any ink
FAINT = 1.0 / 3.0
NEAR_COPY_IOU = 0.6


def mid_grey_share(drawings: np.ndarray) -> float:
    drawn = drawings > DRAWN
    return float((drawn & (drawings < 0.8)).sum() / max(int(drawn.sum()), 1))


def faint_share(drawings: np.ndarray, support: np.ndarray) -> float:
    area = drawings.reshape(len(drawings), -1).sum(1)
    reference = support.reshape(len(support), -1).sum(1).mean()
    return float((area < FAINT * reference).mean())


def centred(drawing: np.ndarray) -> np.ndarray:
    """Binarized drawing shifted (whole pixels) so its ink centroid is at the centre."""
    ink = drawing > INK
    if not ink.any():
        return ink
    ys, xs = np.nonzero(ink)
    s = drawing.shape[0]
    return np.roll(ink, (int(round(s / 2 - 0.5 - ys.mean())), int(round(s / 2 - 0.5 - xs.mean()))), axis=(0, 1))


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = (a | b).sum()
    return float((a & b).sum() / union) if union else 0.0


def nearest_iou(drawings: np.ndarray, support: np.ndarray) -> np.ndarray:
    """Per drawing [N, S, S], its highest IoU with a support drawing [K, S, S], both centred -> [N]."""
    if not len(drawings):
        return np.zeros(0)
    ours = np.stack([centred(d) for d in drawings]).reshape(len(drawings), 1, -1)
    theirs = np.stack([centred(s) for s in support]).reshape(1, len(support), -1)
    union = (ours | theirs).sum(2)
    return np.where(union > 0, (ours & theirs).sum(2) / np.maximum(union, 1), 0.0).max(1)


def near_copy_share(drawings: np.ndarray, support: np.ndarray) -> float:
    return float(np.mean(nearest_iou(drawings, support) >= NEAR_COPY_IOU))


def _points(drawing: np.ndarray) -> torch.Tensor:
    ys, xs = np.nonzero(drawing > INK)
    return torch.from_numpy(np.stack([ys, xs], 1).astype(np.float32))


def chamfer(a: np.ndarray, b: np.ndarray) -> float:
    """Symmetric chamfer distance in pixels; the frame's diagonal when a drawing is empty."""
    pa, pb = _points(a), _points(b)
    if len(pa) == 0 or len(pb) == 0:
        return float(np.hypot(*a.shape))
    d = torch.cdist(pa, pb)
    return float(0.5 * (d.min(1).values.mean() + d.min(0).values.mean()))


def dilate(ink: np.ndarray, pixels: int = 1) -> np.ndarray:
    """A boolean ink mask grown by `pixels` (observe.near_ink, as numpy)."""
    return near_ink(torch.from_numpy(ink.astype(np.float32)), pixels).numpy() > 0.5


def completion_scores(output: np.ndarray, partial: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(recall, precision) at 1 px of the ink a Complete added to a partial drawing."""
    near_given = dilate(partial > INK)
    missing = (truth > INK) & ~near_given
    added = (output > INK) & ~near_given
    recall = float((missing & dilate(added)).sum() / max(int(missing.sum()), 1))
    precision = float((added & dilate(truth > INK)).sum() / added.sum()) if added.any() else 0.0
    return recall, precision


def example_reliance(output: np.ndarray, partial: np.ndarray, truth: np.ndarray,
                     examples: np.ndarray) -> tuple[float, float]:
    """(on_examples, recall_off_examples) of a Complete with examples [K, S, S] (module doc).
    on_examples is 0 when nothing was added; recall_off_examples is 0 when all the missing ink
    lies near the examples'."""
    near_given = dilate(partial > INK)
    near_examples = dilate((examples > INK).any(0))
    added = (output > INK) & ~near_given
    off = (truth > INK) & ~near_given & ~near_examples
    on = float((added & near_examples).sum() / added.sum()) if added.any() else 0.0
    return on, float((off & dilate(added)).sum() / off.sum()) if off.any() else 0.0


def ci95(values) -> float:
    """Half-width of the normal-approximation 95 % interval of the mean of per-task values (0 for one task)."""
    values = np.asarray(values, dtype=np.float64)
    return float(1.96 * values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0


def paired(row, baseline) -> dict:
    """The mean difference row - baseline over the same tasks and its 95 % half-width."""
    difference = np.asarray(row, dtype=np.float64) - np.asarray(baseline, dtype=np.float64)
    return {"difference": float(difference.mean()), "ci95": ci95(difference)}


def f1(recall: float, precision: float) -> float:
    return 2.0 * recall * precision / (recall + precision) if recall + precision > 0 else 0.0
