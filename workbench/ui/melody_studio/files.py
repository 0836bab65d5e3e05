"""File work for the studio: exporting and temp files for drag-out (reading goes through the melody facade)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from workbench.domains.melody import api
from workbench.domains.melody.notes import Melody
from workbench.ui.file_names import safe_stem, unique_path


def export_melodies(melodies: list[Melody], folder, midi: bool = True, wav: bool = True) -> list[Path]:
    """Write each melody as .mid and/or .wav into folder, never overwriting; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index, melody in enumerate(melodies, start=1):
        stem = safe_stem(melody.name, f"melody-{index:02d}")
        if midi:
            path = unique_path(folder / f"{stem}.mid")
            api.write_midi(melody, path)
            written.append(path)
        if wav:
            path = unique_path(folder / f"{stem}.wav")
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
            path = unique_path(self._folder / (safe_stem(melody.name, f"melody-{index:02d}") + ".mid"))
            api.write_midi(melody, path)
            paths.append(path)
        return paths
