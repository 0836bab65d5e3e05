"""The project file: one zip holding manifest.json plus PNG / MIDI assets.

What is read back is JSON and numpy arrays loaded with allow_pickle=False, so
opening a project never runs code. Each drawing is stored twice on purpose:
a PNG that people and other apps can open, and a .npy with the exact float
values the model saw, so generating again from a reopened project gives the
same results. Melodies are read back from their notes in the manifest (exact,
chords included); the .mid beside each is for DAWs and file managers.

Anything missing or unreadable inside a project is named in `problems` and
skipped; the rest opens. A file that is not a project at all, or one written
by a newer version, raises ProjectError with a message for the user.
"""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workbench.domains.melody.notes import Melody, Note
from workbench.meta.atomic_file import atomic_write_bytes
from workbench.meta.errors import WorkbenchError
from workbench.project.document import MelodyWork, ModelChoice, Project, SketchWork

FORMAT = "workbench-project"
VERSION = 1
SUFFIX = ".wbproj"
MANIFEST = "manifest.json"
MAX_ASSET_BYTES = 16 * 1024 * 1024        # drawings and melodies are kilobytes; refuse absurd members
MAX_ARRAY_SIDE = 4096


class ProjectError(WorkbenchError):
    """The file cannot be opened as a project at all (not a zip, no manifest, newer version)."""


@dataclass
class OpenedProject:
    project: Project
    problems: list[str] = field(default_factory=list)    # what could not be restored, one line each
    autosave_of: str | None = None                       # a recovery file: the project file it autosaved


# ---- writing -----------------------------------------------------------------------
def project_bytes(project: Project, autosave_of: str | None = None) -> bytes:
    """The whole project file in memory (the autosave writes these bytes atomically)."""
    assets: dict[str, bytes] = {}
    manifest = _manifest_and_assets(project, assets)
    if autosave_of is not None:
        manifest["autosave_of"] = autosave_of
    buffer = io.BytesIO()
    # PNG, npy and MIDI assets are small or already compressed: store them, deflate only the manifest
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        # compact: the C encoder (indent would use the pure-Python one, 4x slower on note lists)
        archive.writestr(MANIFEST, json.dumps(manifest, separators=(",", ":")), compress_type=zipfile.ZIP_DEFLATED)
        for name, data in assets.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _manifest_and_assets(project: Project, assets: dict) -> dict:
    return {
        "format": FORMAT, "version": VERSION, "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "panel": project.panel,
        "sketch": _sketch_manifest(project.sketch, assets),
        "melody": _melody_manifest(project.melody, assets),
        "playground": {"model": project.playground_model.to_json() if project.playground_model else None},
    }


def save_project(project: Project, path: str | os.PathLike) -> Path:
    """Write the project file atomically: a crash mid-save leaves the previous file intact."""
    path = Path(path)
    atomic_write_bytes(path, project_bytes(project))
    return path


def _drawing(assets: dict, stem: str, name: str, array: np.ndarray) -> dict:
    array = np.asarray(array, np.float32)
    assets[stem + ".png"] = _png(array)
    exact = io.BytesIO()
    np.save(exact, array, allow_pickle=False)
    assets[stem + ".npy"] = exact.getvalue()
    return {"name": name, "png": stem + ".png", "array": stem + ".npy"}


def _png(array: np.ndarray) -> bytes:
    from PIL import Image
    pixels = np.round((1.0 - np.clip(np.nan_to_num(array), 0.0, 1.0)) * 255.0).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(out, format="PNG", compress_level=1)
    return out.getvalue()


def _support_drawing(assets: dict, index: int, name: str, array: np.ndarray, page) -> dict:
    """A support drawing's entry; with `page`, also the canvas drawing it was made from."""
    entry = _drawing(assets, f"sketch/support/{index:03d}", name, array)
    if page is not None:
        entry["page"] = _drawing(assets, f"sketch/support/{index:03d}-page", name, page)
    return entry


def _sketch_manifest(work: SketchWork, assets: dict) -> dict:
    return {
        "support": [_support_drawing(assets, i, name, a, page)
                    for i, ((name, a), page) in enumerate(zip(work.support, work.pages()))],
        "canvas": _drawing(assets, "sketch/canvas", "canvas", work.canvas) if work.canvas is not None else None,
        "results": {"mode": work.results_mode, "caption": work.results_caption,
                    "items": [_drawing(assets, f"sketch/results/{i:03d}", name, a)
                              for i, (name, a) in enumerate(work.results)]},
        "settings": dict(work.settings),
        "models": {mode: choice.to_json() for mode, choice in work.models.items()},
    }


def _melody(assets: dict, stem: str, melody: Melody) -> dict:
    assets[stem + ".mid"] = _midi(melody)
    return {"name": melody.name, "midi": stem + ".mid", "tempo": melody.tempo,
            "beats_per_bar": melody.beats_per_bar, "beat_unit": melody.beat_unit, "key": melody.key,
            "mode": melody.mode, "notes": [[n.onset, n.duration, n.pitch, n.velocity] for n in melody.notes]}


def _midi(melody: Melody) -> bytes:
    """The melody as the .mid the Melody Studio exports (the same writer), as bytes."""
    from workbench.domains.melody.midi_io import midi_bytes
    return midi_bytes(melody)


def _melody_manifest(work: MelodyWork, assets: dict) -> dict:
    return {
        "support": [_melody(assets, f"melody/support/{i:03d}", m) for i, m in enumerate(work.support)],
        "clip": _melody(assets, "melody/clip", work.clip) if work.clip is not None else None,
        "results": {"caption": work.results_caption,
                    "items": [_melody(assets, f"melody/results/{i:03d}", m)
                              for i, m in enumerate(work.results)]},
        "settings": dict(work.settings),
        "model": work.model.to_json() if work.model else None,
    }


# ---- reading -----------------------------------------------------------------------
def open_project(path: str | os.PathLike) -> OpenedProject:
    """Read a project file; ProjectError when it is not one, problems for the parts that are missing."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProjectError(f"{path.name}: cannot read the project ({exc.strerror or exc})") from exc
    return read_project_bytes(data, path.name)


def read_project_bytes(data: bytes, label: str = "project") -> OpenedProject:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ProjectError(f"{label}: not a workbench project, or the file is truncated or corrupt ({exc})") from exc
    with archive:
        manifest = _manifest(archive, label)
        reader = _Reader(archive, label)
        sketch = _read_sketch(manifest.get("sketch"), reader)
        melody = _read_melody(manifest.get("melody"), reader)
        playground = manifest.get("playground") if isinstance(manifest.get("playground"), dict) else {}
        project = Project(panel=str(manifest.get("panel") or ""), sketch=sketch, melody=melody,
                          playground_model=ModelChoice.from_json(playground.get("model")))
    source = manifest.get("autosave_of")
    return OpenedProject(project, reader.problems, source if isinstance(source, str) else None)


def _manifest(archive: zipfile.ZipFile, label: str) -> dict:
    try:
        text = archive.read(MANIFEST)
    except KeyError:
        raise ProjectError(f"{label}: not a workbench project (it has no {MANIFEST})") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ProjectError(f"{label}: the project file is corrupt ({exc})") from exc
    try:
        manifest = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProjectError(f"{label}: the project's {MANIFEST} is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ProjectError(f"{label}: not a workbench project (no '{FORMAT}' format tag)")
    version = manifest.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise ProjectError(f"{label}: made by a newer workbench (project format {version}; this version "
                           f"reads up to {VERSION}). Update the workbench to open it.")
    return manifest


class _Reader:
    """Reads assets; each one that is missing or broken becomes one line in `problems`."""

    def __init__(self, archive: zipfile.ZipFile, label: str):
        self.archive = archive
        self.label = label
        self.problems: list[str] = []

    def member(self, name) -> bytes | None:
        if not isinstance(name, str):
            return None
        try:
            if self.archive.getinfo(name).file_size > MAX_ASSET_BYTES:
                self.problems.append(f"{name}: larger than {MAX_ASSET_BYTES // 2**20} MB, not read")
                return None
            return self.archive.read(name)
        except KeyError:
            self.problems.append(f"{name} is missing from the project")
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            self.problems.append(f"{name} is corrupt ({exc})")
        return None

    def drawing(self, entry, what: str) -> tuple[str, np.ndarray] | None:
        if not isinstance(entry, dict):
            self.problems.append(f"{what}: malformed entry in the manifest")
            return None
        name = str(entry.get("name") or what)
        data = self.member(entry.get("array"))
        if data is None:
            return None
        try:
            array = np.load(io.BytesIO(data), allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            self.problems.append(f"{entry.get('array')} ({what} '{name}') is corrupt ({exc})")
            return None
        if array.ndim != 2 or not 0 < max(array.shape) <= MAX_ARRAY_SIDE or array.dtype.kind != "f":
            self.problems.append(f"{entry.get('array')} ({what} '{name}') is not a drawing (shape {array.shape})")
            return None
        return name, np.asarray(array, np.float32)

    def melody(self, entry, what: str) -> Melody | None:
        try:
            notes = tuple(Note(*(int(v) for v in n)) for n in entry["notes"])
            key = entry.get("key")
            return Melody(notes=notes, tempo=float(entry.get("tempo", 120.0)),
                          beats_per_bar=int(entry.get("beats_per_bar", 4)), beat_unit=int(entry.get("beat_unit", 4)),
                          key=int(key) if key is not None else None, mode=entry.get("mode"),
                          name=str(entry.get("name") or ""))
        except (KeyError, TypeError, ValueError) as exc:
            name = entry.get("name") if isinstance(entry, dict) else None
            self.problems.append(f"{what} '{name or '?'}' could not be read ({exc})")
            return None


def _section(manifest, key: str) -> dict:
    value = manifest.get(key) if isinstance(manifest, dict) else None
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _read_sketch(section, reader: _Reader) -> SketchWork:
    section = section if isinstance(section, dict) else {}
    results = _section(section, "results")
    canvas = reader.drawing(section["canvas"], "canvas") if section.get("canvas") else None
    models = {mode: choice for mode, raw in _section(section, "models").items()
              if (choice := ModelChoice.from_json(raw)) is not None}
    support, pages = [], []
    for entry in _list(section.get("support")):
        if (drawing := reader.drawing(entry, "support drawing")):
            page = reader.drawing(entry["page"], "support drawing's canvas") if entry.get("page") else None
            support.append(drawing)
            pages.append(page[1] if page else None)
    return SketchWork(
        support=support, support_pages=pages,
        canvas=canvas[1] if canvas else None,
        results=[d for e in _list(results.get("items")) if (d := reader.drawing(e, "result"))],
        results_mode=str(results.get("mode") or "vary"), results_caption=str(results.get("caption") or ""),
        settings=_section(section, "settings"), models=models)


def _read_melody(section, reader: _Reader) -> MelodyWork:
    section = section if isinstance(section, dict) else {}
    results = _section(section, "results")
    clip = reader.melody(section["clip"], "piano-roll clip") if section.get("clip") else None
    return MelodyWork(
        support=[m for e in _list(section.get("support")) if (m := reader.melody(e, "support melody"))],
        clip=clip,
        results=[m for e in _list(results.get("items")) if (m := reader.melody(e, "result"))],
        results_caption=str(results.get("caption") or ""),
        settings=_section(section, "settings"), model=ModelChoice.from_json(section.get("model")))
