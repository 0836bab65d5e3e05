"""The melody domain's facade: the studio and the commands call these and nothing deeper.

Reading, writing and rendering import no torch; generate() imports it lazily.
Long calls take progress(done, total, message) and cancelled() -> bool.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from workbench.domains.file_drops import MAX_FILES_PER_DROP, expand_paths
from workbench.domains.melody import midi_io, synth
from workbench.domains.melody.notes import TICKS_PER_BEAT, Melody, Note
from workbench.meta.errors import DataError

__all__ = [
    "Melody", "Note", "TICKS_PER_BEAT", "MAX_FILES_PER_DROP", "MIDI_SUFFIXES", "read_midi", "read_midis",
    "write_midi", "render_audio", "write_wav", "generate", "default_checkpoint",
]

CHECKPOINT_NAME = "melody.safetensors"
MIDI_SUFFIXES = (".mid", ".midi", ".smf", ".kar")


def read_midi(path) -> tuple[Melody, list[str]]:
    """The melody of a MIDI file and a report of what was dropped; DataError naming the file."""
    return midi_io.read_midi(path)


def read_midis(paths, chords: bool = False, progress=None, cancelled=None) -> tuple[list[Melody], list[str], list[str]]:
    """Read the files a user gives (folders expand to their MIDI files; one drop reads at
    most MAX_FILES_PER_DROP): (good melodies, one message per bad file or skipped part of
    the drop, one report per good file that lost something in reading). chords=True keeps
    chords (for the piano roll); otherwise each file is read as its top voice.
    progress(done, total, message) is told before each file; cancelled() stops between files."""
    files, errors = expand_paths(paths, MIDI_SUFFIXES)
    melodies, reports = [], []
    for index, path in enumerate(files):
        if cancelled is not None and cancelled():
            break
        if progress is not None:
            progress(index, len(files), f"reading {path.name}")
        try:
            melody, report = midi_io.read_midi(path, chords=chords)
        except DataError as exc:
            errors.append(str(exc))
            continue
        except Exception as exc:  # noqa: BLE001 - one odd file must not stop the others
            errors.append(f"{path.name}: could not be read ({type(exc).__name__}: {exc})")
            continue
        melodies.append(melody)
        if report:
            reports.append(f"{path.name}: " + "; ".join(report))
    return melodies, errors, reports


def write_midi(melody: Melody, path) -> None:
    """A type-1 MIDI file that reads back to the same melody."""
    midi_io.write_midi(melody, path)


def render_audio(melody: Melody, sample_rate: int = synth.SAMPLE_RATE) -> np.ndarray:
    """Float32 mono samples in [-1, 1] at sample_rate."""
    return synth.render_audio(melody, sample_rate)


def write_wav(melody: Melody, path, sample_rate: int = synth.SAMPLE_RATE) -> None:
    synth.write_wav(synth.render_audio(melody, sample_rate), path, sample_rate)


def generate(
    support: list[Melody],
    n: int = 8,
    bars: int = 8,
    temperature: float = 1.0,
    top_p: float = 0.9,
    seed: int = 0,
    continue_from: Melody | None = None,
    keep_key: bool = True,
    form_plan: bool = True,
    steps: int | None = None,
    checkpoint=None,
    progress: Callable[[int, int, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Melody]:
    """Adapt the model to the support melodies, then sample n new melodies of `bars` bars.

    A support melody or continue_from with chords or overlaps is read as its top voice.
    With continue_from, each result starts with that melody and adds `bars` new
    bars after it. keep_key keeps pitches in the support's estimated key; form_plan gives the
    results the shape of a tune (form.py). progress() first reports which support strains were used.
    Raises WorkbenchError subclasses (DataError, ConfigError, CheckpointError).
    """
    from workbench.domains.melody import generation

    # the model reads one line: a polyphonic clip's top voice, by the MIDI reader's rule
    support = [melody.top_voice() for melody in support]
    continue_from = continue_from.top_voice() if continue_from is not None else None
    return generation.generate(
        support, n=n, bars=bars, temperature=temperature, top_p=top_p, seed=seed,
        continue_from=continue_from, keep_key=keep_key, form_plan=form_plan, steps=steps,
        checkpoint=checkpoint if checkpoint is not None else default_checkpoint(),
        progress=progress, cancelled=cancelled,
    )


def default_checkpoint() -> Path:
    """The shipped meta-trained melody checkpoint (resources/checkpoints/melody.safetensors)."""
    from workbench.resources_path import resource_path

    return resource_path("checkpoints", CHECKPOINT_NAME)
