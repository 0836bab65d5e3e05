"""Class-per-folder image sets, in a folder or a zip: one class per leaf folder.

Omniglot's layout (alphabet/character/drawing.png) gives one class per
character; a flat set (class/drawing.png) works the same way. No torch.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from workbench.meta.errors import DataError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff")


@dataclass
class ClassEntry:
    name: str
    files: list[str]
    archive: Path | None = None
    _zip: zipfile.ZipFile | None = field(default=None, repr=False)

    def read(self, i: int) -> tuple[str, bytes]:
        """(display name, file bytes) of drawing i."""
        name = self.files[i]
        if self.archive is None:
            try:
                return name, Path(name).read_bytes()
            except OSError as exc:
                raise DataError(f"{name}: cannot read ({exc})") from None
        if self._zip is None:
            self._zip = zipfile.ZipFile(self.archive)
        return f"{self.archive}:{name}", self._zip.read(name)


def list_classes(path: str | Path) -> list[ClassEntry]:
    """Every leaf folder with at least one image, sorted by name."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such folder or zip file")
    groups: dict[str, list[str]] = {}
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise DataError(f"{path}: not a folder or a zip file")
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith("/") or not member.lower().endswith(IMAGE_SUFFIXES):
                    continue
                parent = str(PurePosixPath(member).parent)
                groups.setdefault(parent, []).append(member)
        shared = None
        entries = []
        for parent in sorted(groups):
            entry = ClassEntry(name=parent, files=sorted(groups[parent]), archive=path)
            if shared is None:
                shared = zipfile.ZipFile(path)
            entry._zip = shared
            entries.append(entry)
        return entries
    for file in sorted(path.rglob("*")):
        if file.is_file() and file.suffix.lower() in IMAGE_SUFFIXES:
            groups.setdefault(str(file.parent), []).append(str(file))
    return [ClassEntry(name=str(Path(parent).relative_to(path)), files=sorted(files)) for parent, files in sorted(groups.items())]


def classes_also_in(classes: list[ClassEntry], other: list[ClassEntry]) -> set[str]:
    """Names of `classes` with a drawing whose file is byte for byte a drawing of `other`: the
    classes an evaluation must leave out when `other` trained the model (Omniglot's small1 and
    small2 share their Greek and Latin characters, file for file)."""
    def digests(entry: ClassEntry) -> set[str]:
        return {hashlib.sha1(entry.read(i)[1]).hexdigest() for i in range(len(entry.files))}

    seen = set().union(*(digests(entry) for entry in other))
    return {entry.name for entry in classes if digests(entry) & seen}
