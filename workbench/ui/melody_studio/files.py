"""File work for the studio: finding MIDI files in drops, exporting, temp files for drag-out."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from workbench.domains.melody import api
from workbench.domains.melody.notes import Melody
from workbench.meta.errors import DataError

MIDI_SUFFIXES = {".mid", ".midi", ".smf", ".kar"}
MAX_FILES_PER_DROP = 64


def expand_paths(paths) -> tuple[list[Path], list[str]]:
    """Files as given, plus MIDI files found under given folders (sorted, recursive).

    Returns (files, notes for the user). A folder's non-MIDI files are skipped
    silently; a file given directly is always tried, so a wrong one is reported.
    """
    files, notes = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in MIDI_SUFFIXES)
            if not found:
                notes.append(f"{path.name}: the folder holds no .mid files")
            files.extend(found)
        else:
            files.append(path)
    if len(files) > MAX_FILES_PER_DROP:
        notes.append(f"{len(files)} files dropped; only the first {MAX_FILES_PER_DROP} were read")
        files = files[:MAX_FILES_PER_DROP]
    return files, notes


def read_melodies(paths) -> tuple[list[Melody], list[str], list[str]]:
    """(melodies, errors naming each bad file, reports of what was dropped from good files)."""
    files, errors = expand_paths(paths)
    melodies, reports = [], []
    for path in files:
        try:
            melody, report = api.read_midi(path)
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


def safe_name(name: str, fallback: str) -> str:
    cleaned = re.sub(r"[^\w\-. ]+", "_", name).strip(" .")[:60]
    return cleaned or fallback


def unique_path(folder: Path, stem: str, suffix: str) -> Path:
    path = folder / f"{stem}{suffix}"
    counter = 2
    while path.exists():
        path = folder / f"{stem}-{counter}{suffix}"
        counter += 1
    return path


def export_melodies(melodies: list[Melody], folder, midi: bool = True, wav: bool = True) -> list[Path]:
    """Write each melody as .mid and/or .wav into folder, never overwriting; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index, melody in enumerate(melodies, start=1):
        stem = safe_name(melody.name, f"melody-{index:02d}")
        if midi:
            path = unique_path(folder, stem, ".mid")
            api.write_midi(melody, path)
            written.append(path)
        if wav:
            path = unique_path(folder, stem, ".wav")
            api.write_wav(melody, path)
            written.append(path)
    return written


class DragFolder:
    """Where dragged-out results are written. Files stay after the app closes, because
    a DAW or file manager may still be copying or referencing them; the OS temp
    cleaner removes them later."""

    def __init__(self):
        self._folder: Path | None = None

    def write_midis(self, melodies: list[Melody]) -> list[Path]:
        if self._folder is None or not self._folder.exists():
            self._folder = Path(tempfile.mkdtemp(prefix="workbench-melodies-"))
        paths = []
        for index, melody in enumerate(melodies, start=1):
            path = unique_path(self._folder, safe_name(melody.name, f"melody-{index:02d}"), ".mid")
            api.write_midi(melody, path)
            paths.append(path)
        return paths
