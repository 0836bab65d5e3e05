"""Objective measures of melodies after Yang and Lerch (2020). numpy only.

Per-melody features: pitch count, pitch-class histogram and its 12x12
transition matrix, pitch range, average absolute pitch interval, note count,
average inter-onset interval (beats), note-length histogram (NOTE_LENGTH_BINS,
in 16ths) and its transition matrix.

Two sets are compared per feature through distances between melodies:
the intra-set distances of the reference set and the inter-set distances
between the generated and the reference set, each smoothed by a Gaussian
kernel density estimate. The overlap area of the two densities is 1.0 when the
generated melodies sit among the references as the references sit among
themselves; KL divergence (reference intra || inter) is 0 then.
Distances can be grouped (pairs only within the same group, e.g. task), so a
generated melody is compared with the references of its own tune or style.
"""

from __future__ import annotations

import numpy as np

from workbench.domains.melody.notes import SIXTEENTH, TICKS_PER_BEAT, Melody

NOTE_LENGTH_BINS = (1, 2, 3, 4, 6, 8, 12, 16)  # 16th, 8th, dotted 8th, quarter, dotted quarter, half, dotted half, whole
FEATURES = (
    "pitch_count", "pitch_class_histogram", "pitch_class_transition", "pitch_range", "avg_pitch_interval",
    "note_count", "avg_ioi", "note_length_histogram", "note_length_transition",
)


def _length_bin(duration_ticks: int) -> int:
    sixteenths = duration_ticks / SIXTEENTH
    return int(np.argmin([abs(sixteenths - b) for b in NOTE_LENGTH_BINS]))


def features(melody: Melody) -> dict[str, np.ndarray]:
    notes = melody.notes
    pitches = np.array([n.pitch for n in notes], dtype=np.float64)
    classes = [n.pitch % 12 for n in notes]
    lengths = [_length_bin(n.duration) for n in notes]
    pc_hist = np.bincount(classes, minlength=12).astype(np.float64)
    pc_trans = np.zeros((12, 12))
    for a, b in zip(classes, classes[1:]):
        pc_trans[a, b] += 1
    nl_hist = np.bincount(lengths, minlength=len(NOTE_LENGTH_BINS)).astype(np.float64)
    nl_trans = np.zeros((len(NOTE_LENGTH_BINS),) * 2)
    for a, b in zip(lengths, lengths[1:]):
        nl_trans[a, b] += 1
    onsets = np.array([n.onset for n in notes], dtype=np.float64) / TICKS_PER_BEAT
    return {
        "pitch_count": np.array([len(set(pitches.tolist()))], dtype=np.float64),
        "pitch_class_histogram": pc_hist / max(pc_hist.sum(), 1),
        "pitch_class_transition": (pc_trans / max(pc_trans.sum(), 1)).ravel(),
        "pitch_range": np.array([pitches.max() - pitches.min() if len(pitches) else 0.0]),
        "avg_pitch_interval": np.array([np.abs(np.diff(pitches)).mean() if len(pitches) > 1 else 0.0]),
        "note_count": np.array([float(len(notes))]),
        "avg_ioi": np.array([np.diff(onsets).mean() if len(onsets) > 1 else 0.0]),
        "note_length_histogram": nl_hist / max(nl_hist.sum(), 1),
        "note_length_transition": (nl_trans / max(nl_trans.sum(), 1)).ravel(),
    }


def _pairwise(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))


def distances(generated, reference, gen_groups, ref_groups, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(intra-set distances of the reference, inter-set distances generated-reference) for one feature,
    pairs taken only within the same group."""
    intra, inter = [], []
    gen_groups, ref_groups = np.asarray(gen_groups), np.asarray(ref_groups)
    for group in np.unique(ref_groups):
        ref = np.stack([reference[i][name] for i in np.flatnonzero(ref_groups == group)])
        gen_index = np.flatnonzero(gen_groups == group)
        if len(ref) >= 2:
            d = _pairwise(ref, ref)
            intra.append(d[np.triu_indices(len(ref), 1)])
        if len(gen_index):
            gen = np.stack([generated[i][name] for i in gen_index])
            inter.append(_pairwise(gen, ref).ravel())
    return (np.concatenate(intra) if intra else np.zeros(0)), (np.concatenate(inter) if inter else np.zeros(0))


def _kde(samples: np.ndarray, grid: np.ndarray) -> np.ndarray:
    std = samples.std()
    bandwidth = max(1.06 * std * len(samples) ** -0.2, 1e-3 * max(1.0, abs(samples.mean())), 1e-6)
    z = (grid[:, None] - samples[None, :]) / bandwidth
    density = np.exp(-0.5 * z**2).sum(1) / (len(samples) * bandwidth * np.sqrt(2 * np.pi))
    return density


def overlap_and_kl(intra: np.ndarray, inter: np.ndarray, points: int = 1000) -> tuple[float, float]:
    """Overlapping area of the two densities and KL(intra || inter) on a shared grid."""
    if len(intra) < 2 or len(inter) < 2:
        return float("nan"), float("nan")
    low = min(intra.min(), inter.min())
    high = max(intra.max(), inter.max())
    pad = 0.1 * (high - low) + 1e-6
    grid = np.linspace(low - pad, high + pad, points)
    step = grid[1] - grid[0]
    p, q = _kde(intra, grid), _kde(inter, grid)
    p, q = p / (p.sum() * step), q / (q.sum() * step)
    overlap = float(np.minimum(p, q).sum() * step)
    eps = 1e-10
    kl = float((p * np.log((p + eps) / (q + eps))).sum() * step)
    return overlap, kl


def compare_sets(generated: list[Melody], reference: list[Melody], gen_groups=None, ref_groups=None) -> dict:
    """Per feature: {"overlap": ..., "kl": ...} between generated and reference melodies."""
    gen_groups = np.zeros(len(generated), int) if gen_groups is None else gen_groups
    ref_groups = np.zeros(len(reference), int) if ref_groups is None else ref_groups
    gen_features = [features(m) for m in generated]
    ref_features = [features(m) for m in reference]
    out = {}
    for name in FEATURES:
        intra, inter = distances(gen_features, ref_features, gen_groups, ref_groups, name)
        overlap, kl = overlap_and_kl(intra, inter)
        out[name] = {"overlap": overlap, "kl": kl}
    return out
