"""The melody corpus: folk tunes from music21's bundled collections, or MIDI folders.

Parsing ABC with music21 runs at about 20-25 tunes per second, so the built-in
corpus is parsed once into a compact cache (numpy .npz, no pickle) in the
user's cache directory and reused afterwards. No torch here.

Collections (music21/corpus/...):
  oneills   O'Neill's Music of Ireland (1850), public domain book
  ryans     Ryan's Mammoth Collection (1883), public domain book
  essen     Essen folksong collection: licensed for NON-COMMERCIAL use only
            (see ESSEN_LICENCE); included only when asked for explicitly.
  airds     Aird's Selection of Scotch, English, Irish and Foreign Airs (1782-1803), public
            domain: never trained on; `workbench melody corpus --collections airds
            --export-styles DIR` writes it as a folder of styles for `eval melody --data`.

A tune's style comes from its ABC rhythm field (R:), else the tune type in its
title ("... Reel"), else its metre (6/8 -> jig, 9/8 -> slip jig, 3/4 -> waltz).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from workbench.domains.melody.notes import TICKS_PER_BEAT, Melody, Note
from workbench.meta.atomic_file import atomic_write_bytes
from workbench.meta.errors import DataError

CORPUS_VERSION = 1
COLLECTIONS = {"oneills": "oneills1850", "ryans": "ryansMammoth", "essen": "essenFolksong", "airds": "airdsAirs"}
DEFAULT_COLLECTIONS = ("oneills", "ryans")
NONCOMMERCIAL = {"essen"}
ESSEN_LICENCE = (
    "The Essen folksong encodings bundled with music21 are distributed with permission for "
    "NON-COMMERCIAL use only (music21/corpus/essenFolksong/license.txt). Do not use models "
    "trained on them commercially."
)
STYLE_WORDS = (
    ("slip jig", "slip jig"), ("slipjig", "slip jig"), ("double jig", "jig"), ("single jig", "jig"),
    ("jig", "jig"), ("reel", "reel"), ("hornpipe", "hornpipe"), ("strathspey", "strathspey"),
    ("clog", "clog"), ("fling", "fling"), ("waltz", "waltz"), ("march", "march"), ("polka", "polka"),
    ("slide", "slide"), ("air", "air"), ("schottische", "schottische"), ("quickstep", "march"),
)
METRE_STYLES = {(6, 8): "jig", (9, 8): "slip jig", (3, 4): "air", (12, 8): "slide"}
Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]


class CorpusBuildCancelled(DataError):
    """The user stopped the corpus build between two files; nothing was cached."""


def cache_dir() -> Path:
    """WORKBENCH_CACHE_DIR if set, else the platform's user cache directory + /workbench."""
    override = os.environ.get("WORKBENCH_CACHE_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
        return base / "workbench" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "workbench"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "workbench"


@dataclass(frozen=True)
class Tune:
    title: str
    style: str
    source: str  # collection name or folder
    melody: Melody


def style_of(rhythm: str, title: str, metre: tuple[int, int]) -> str:
    for text in (rhythm, title):
        lowered = text.lower()
        for word, style in STYLE_WORDS:
            if re.search(rf"\b{word}\b", lowered) or (word in ("slipjig",) and word in lowered):
                return style
    return METRE_STYLES.get(metre, "other")


def _abc_rhythms(path: Path) -> dict[str, str]:
    """X: number -> R: field of an ABC file (music21 does not keep R:)."""
    rhythms: dict[str, str] = {}
    current = None
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("X:"):
            current = line[2:].strip()
        elif line.startswith("R:") and current is not None:
            rhythms[current] = line[2:].strip()
    return rhythms


def _score_to_melody(score, title: str) -> Melody | None:
    """music21 Score -> Melody: top note of chords, ties merged, pickup bar aligned, graces dropped."""
    from music21 import chord, note
    from music21 import key as m21key

    part = score.parts[0] if getattr(score, "parts", None) else score
    measures = list(part.getElementsByClass("Measure"))
    shift = float(measures[0].paddingLeft) if measures else 0.0  # anacrusis: align to the bar
    flat = part.flatten()
    # music21 inserts odd signatures (1/16) for partial section bars: take the first bar's.
    signature = next((m.timeSignature for m in measures if m.timeSignature is not None), None)
    if signature is None:
        found = list(flat.getElementsByClass("TimeSignature"))
        signature = found[0] if found else None
    beats, unit = (signature.numerator, signature.denominator) if signature is not None else (4, 4)
    if beats < 2 or unit not in (2, 4, 8):
        beats, unit = 4, 4
    keys = list(flat.getElementsByClass("KeySignature"))
    key = mode = None
    if keys:
        k = keys[0] if isinstance(keys[0], m21key.Key) else keys[0].asKey()
        key, mode = k.tonic.pitchClass, (k.mode if k.mode in ("major", "minor") else None)
    notes: list[list[int]] = []
    for element in flat.notes:
        if element.duration.isGrace or element.quarterLength <= 0:
            continue
        if isinstance(element, chord.Chord):
            pitch = max(p.midi for p in element.pitches)
        elif isinstance(element, note.Note):
            pitch = element.pitch.midi
        else:
            continue
        onset = round((float(element.offset) + shift) * TICKS_PER_BEAT)
        duration = max(1, round(float(element.quarterLength) * TICKS_PER_BEAT))
        tie = element.tie.type if element.tie is not None else None
        if notes and tie in ("stop", "continue") and notes[-1][2] == pitch and notes[-1][0] + notes[-1][1] == onset:
            notes[-1][1] += duration
            continue
        if notes and onset < notes[-1][0] + notes[-1][1]:
            if onset <= notes[-1][0]:
                continue
            notes[-1][1] = onset - notes[-1][0]
        if 0 <= pitch <= 127:
            notes.append([onset, duration, pitch])
    if len(notes) < 8:
        return None
    return Melody(
        notes=tuple(Note(o, d, p) for o, d, p in notes), tempo=120.0, beats_per_bar=int(beats),
        beat_unit=int(unit), key=key, mode=mode, name=title,
    )


def parse_collection_file(path: Path, collection: str) -> list[Tune]:
    from music21 import converter

    rhythms = _abc_rhythms(path)
    try:
        parsed = converter.parse(str(path))
    except Exception:  # noqa: BLE001 - a bad file in the collection is skipped, not fatal
        return []
    scores = list(parsed.scores) if hasattr(parsed, "scores") else [parsed]
    tunes = []
    for score in scores:
        meta = score.metadata
        title = (meta.title if meta is not None and meta.title else path.stem).strip()
        number = str(meta.number) if meta is not None and meta.number is not None else ""
        try:
            melody = _score_to_melody(score, title)
        except Exception:  # noqa: BLE001 - music21 chokes on a few odd encodings
            melody = None
        if melody is None:
            continue
        style = style_of(rhythms.get(number, ""), title, (melody.beats_per_bar, melody.beat_unit))
        tunes.append(Tune(title, style, collection, melody))
    return tunes


def collection_files(collection: str) -> list[Path]:
    if collection not in COLLECTIONS:
        raise DataError(f"unknown collection {collection!r}; choose from {', '.join(COLLECTIONS)}")
    import music21

    folder = Path(music21.__file__).parent / "corpus" / COLLECTIONS[collection]
    if not folder.is_dir():
        raise DataError(f"music21's corpus folder {folder} is missing (a music21 install without its corpus)")
    return sorted(folder.glob("*.abc"))


def _cache_path(collections: tuple[str, ...], limit_files: int | None) -> Path:
    tag = "-".join(collections) + (f"-first{limit_files}" if limit_files else "")
    return cache_dir() / f"melody-corpus-v{CORPUS_VERSION}-{tag}.npz"


def load_builtin(
    collections: tuple[str, ...] = DEFAULT_COLLECTIONS,
    limit_files: int | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
    cancelled: Cancelled | None = None,
) -> list[Tune]:
    """The built-in corpus, from the cache when it exists, else parsed (slow, once) and cached.

    limit_files keeps only the first N files of each collection (tests use a few). cancelled()
    is polled between files; True raises CorpusBuildCancelled.
    """
    collections = tuple(collections)
    path = _cache_path(collections, limit_files)
    if path.exists() and not rebuild:
        try:
            return read_cache(path)
        except Exception:  # noqa: BLE001 - zip, zlib, numpy or JSON damage: the cache is parsed again
            pass
    files = [(c, f) for c in collections for f in collection_files(c)[:limit_files]]
    tunes: list[Tune] = []
    for i, (collection, file) in enumerate(files):
        _check(cancelled, "building the melody corpus")
        if progress:
            progress(i, len(files), f"parsing {collection}/{file.name}")
        tunes.extend(parse_collection_file(file, collection))
    if progress:
        progress(len(files), len(files), f"parsed {len(tunes)} tunes")
    if not tunes:
        raise DataError(f"no tunes could be parsed from {', '.join(collections)}")
    write_cache(tunes, path)
    return tunes


def write_cache(tunes: list[Tune], path: Path) -> None:
    counts = np.array([len(t.melody.notes) for t in tunes], dtype=np.int64)
    notes = np.array([(n.onset, n.duration, n.pitch) for t in tunes for n in t.melody.notes], dtype=np.int32)
    header = [
        {"title": t.title, "style": t.style, "source": t.source, "beats": t.melody.beats_per_bar,
         "unit": t.melody.beat_unit, "key": t.melody.key, "mode": t.melody.mode, "tempo": t.melody.tempo}
        for t in tunes
    ]
    buffer = io.BytesIO()
    np.savez_compressed(buffer, counts=counts, notes=notes, header=np.array(json.dumps(header)),
                        ticks_per_beat=np.array(TICKS_PER_BEAT))
    # a temporary file of its own: two processes building the cache at once must not write into one file
    atomic_write_bytes(path, buffer.getvalue())


def read_cache(path: Path) -> list[Tune]:
    with np.load(path, allow_pickle=False) as data:
        counts, notes, header = data["counts"], data["notes"], json.loads(str(data["header"]))
        # caches written before the grid became 24 ticks per beat hold 12
        stored = int(data["ticks_per_beat"]) if "ticks_per_beat" in data.files else 12
    if stored != TICKS_PER_BEAT:
        notes = notes.copy()
        notes[:, :2] = notes[:, :2] * TICKS_PER_BEAT // stored
    tunes, start = [], 0
    for count, h in zip(counts.tolist(), header):
        rows = notes[start:start + count].tolist()
        start += count
        melody = Melody(
            notes=tuple(Note(o, d, p) for o, d, p in rows), tempo=h["tempo"], beats_per_bar=h["beats"],
            beat_unit=h["unit"], key=h["key"], mode=h["mode"], name=h["title"],
        )
        tunes.append(Tune(h["title"], h["style"], h["source"], melody))
    return tunes


def _check(cancelled: Cancelled | None, what: str) -> None:
    if cancelled is not None and cancelled():
        raise CorpusBuildCancelled(f"{what} was stopped; it starts again next time")


def load_midi_folder(folder: Path | str, progress: Progress | None = None,
                     cancelled: Cancelled | None = None) -> tuple[list[Tune], list[str]]:
    """A folder with one subfolder of MIDI files per style -> tunes, and one message per skipped file."""
    from workbench.domains.melody.midi_io import read_midi

    root = Path(folder)
    if not root.is_dir():
        raise DataError(f"{root}: not a folder (expected one subfolder of MIDI files per style)")
    styles = sorted(p for p in root.iterdir() if p.is_dir())
    files = [(s.name, f) for s in styles for f in sorted(s.iterdir()) if f.suffix.lower() in (".mid", ".midi")]
    if not files:
        raise DataError(f"{root}: no .mid files in style subfolders (expected {root}/<style>/<tune>.mid)")
    tunes, problems = [], []
    for i, (style, file) in enumerate(files):
        _check(cancelled, f"reading {root}")
        if progress:
            progress(i, len(files), f"reading {style}/{file.name}")
        try:
            melody, _report = read_midi(file)
        except DataError as exc:
            problems.append(str(exc))
            continue
        tunes.append(Tune(melody.name or file.stem, style, str(root), melody))
    if progress:
        progress(len(files), len(files), f"read {len(tunes)} melodies")
    if not tunes:
        raise DataError(f"{root}: none of the {len(files)} MIDI files could be read")
    return tunes, problems


def export_style_folders(tunes: list[Tune], folder: Path | str, min_tunes: int = 8,
                         progress: Progress | None = None) -> dict[str, int]:
    """Write tunes as a folder of styles (`folder/<style>/<nnnn title>.mid`), the layout `--data`
    reads. Tunes whose style is only their metre's default ("other") are grouped by metre; styles
    with fewer than min_tunes tunes are left out. Returns tunes written per style."""
    from workbench.domains.melody.midi_io import write_midi

    def name(tune: Tune) -> str:
        metre = f"{tune.melody.beats_per_bar}-{tune.melody.beat_unit}"
        return f"other {metre}" if tune.style == "other" else tune.style

    groups: dict[str, list[Tune]] = {}
    for tune in tunes:
        groups.setdefault(name(tune), []).append(tune)
    chosen = {style: members for style, members in sorted(groups.items()) if len(members) >= min_tunes}
    total, written = sum(len(m) for m in chosen.values()), 0
    for style, members in chosen.items():
        for i, tune in enumerate(members):
            safe = re.sub(r"[^A-Za-z0-9 ._-]+", "", tune.title)[:40].strip() or "tune"
            write_midi(tune.melody, Path(folder) / style / f"{i:04d} {safe}.mid")
            written += 1
            if progress:
                progress(written, total, f"writing {style}")
    return {style: len(members) for style, members in chosen.items()}


def split_of(title: str, index: int) -> str:
    """Deterministic train/val/test split (80/10/10) from the tune's title and position."""
    digest = hashlib.sha1(f"{title}|{index}".encode()).digest()[0]
    return "test" if digest < 26 else "val" if digest < 52 else "train"


def text_progress(done: int, total: int, message: str) -> None:
    """A progress bar on stderr for the command line."""
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {message[:50]:<50}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
