"""Files a user gives at once (dropped, pasted, chosen in a dialog, listed on a
command line): folders expand to the matching files inside them, and one drop
reads at most MAX_FILES_PER_DROP. No torch, no Qt: both studios and the
commands go through the domain facades, which use this."""

from __future__ import annotations

from pathlib import Path

# A support set is a handful of examples; a dropped dataset folder (thousands of files)
# would freeze the window while decoding and bury the strip, so one drop reads at most this many.
MAX_FILES_PER_DROP = 64


def expand_paths(paths, suffixes: tuple[str, ...]) -> tuple[list[Path], list[str]]:
    """(files, notes for the user). Files given directly are kept (and tried, so a wrong
    one is reported by name); a folder gives its files with one of `suffixes`
    (recursive, sorted, hidden files skipped), or a note when it has none."""
    files: list[Path] = []
    notes: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.suffix.lower() in suffixes and not p.name.startswith("."))
            if not found:
                notes.append(f"{path.name}: the folder holds no {'/'.join(suffixes[:3])} files")
            files.extend(found)
        else:
            files.append(path)
    if len(files) > MAX_FILES_PER_DROP:
        notes.append(f"{len(files)} files given; only the first {MAX_FILES_PER_DROP} were read "
                     "(a support set is a few examples of one kind)")
        files = files[:MAX_FILES_PER_DROP]
    return files, notes
