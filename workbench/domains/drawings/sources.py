"""Where sketch and omniglot tasks come from: the built-in glyphs or a class-per-folder image set.

A source answers three questions per split: how many classes (None when
unbounded), how many drawings a class has, and the drawings themselves as
float32 [k, S, S] (ink = 1). Problems sample tasks from a source.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from workbench.domains.drawings.glyphs import GlyphSet
from workbench.meta.errors import DataError

# Class pools of the built-in data per split. Training draws from a fixed pool
# so rendered drawings can be cached; the pool is larger than a short run can
# exhaust, and other seeds give other pools.
GLYPH_POOL = {"train": 4000, "val": 500, "test": 1000}


class GlyphSource:
    name = "glyphs"

    def __init__(self, size: int = 28, seed: int = 0, train_classes: int = GLYPH_POOL["train"], instances: int = 20):
        self.size, self.seed = size, seed
        self.pool = dict(GLYPH_POOL, train=int(train_classes))
        self.per_class = int(instances)
        self._sets = {split: GlyphSet(seed=seed, split=split, size=size) for split in self.pool}

    def num_classes(self, split: str) -> int:
        return self.pool[split]

    def num_instances(self, split: str, index: int) -> int:
        return self.per_class

    def images(self, split: str, index: int, instances) -> np.ndarray:
        return self._sets[split].images(index, instances)


class FolderSource:
    """A class-per-folder image set (Omniglot folders or zips), split by class.

    Uses workbench.domains.drawings.folders for the files, and load_ink for decoding
    so drawings are framed exactly like the built-in glyphs.
    """

    def __init__(self, path: str | Path, size: int = 28, seed: int = 0, fractions=(0.7, 0.1, 0.2), whole: bool = False,
                 unseen_by: str | Path | None = None):
        """unseen_by: a class-per-folder set a model was trained on; classes of this one that share
        a drawing (the same file) with it are left out (`dropped`), so a test is on unseen classes."""
        from workbench.domains.drawings.folders import classes_also_in, list_classes

        self.path = str(path)
        self.size = size
        classes = list_classes(path)
        self.dropped: list[str] = []
        if unseen_by is not None:
            self.dropped = sorted(classes_also_in(classes, list_classes(unseen_by)))
            classes = [c for c in classes if c.name not in set(self.dropped)]
        if len(classes) < 2:
            left = f" after leaving out {len(self.dropped)} also in {unseen_by}" if self.dropped else ""
            raise DataError(f"{path}: found {len(classes)} classes with images{left}; need at least 2 class folders")
        order = np.random.default_rng(seed).permutation(len(classes))
        if whole:  # every split is the whole set (e.g. meta-train on small1, test on small2)
            self._splits = {s: list(range(len(classes))) for s in ("train", "val", "test")}
        else:
            n_train = int(round(fractions[0] * len(classes)))
            n_val = int(round(fractions[1] * len(classes)))
            self._splits = {
                "train": list(order[:n_train]),
                "val": list(order[n_train:n_train + n_val]),
                "test": list(order[n_train + n_val:]),
            }
        self._classes = classes
        self._cache: dict[tuple[int, int], np.ndarray] = {}
        self.skipped: dict[tuple[int, int], str] = {}   # (class, drawing) -> why it could not be used

    def num_classes(self, split: str) -> int:
        return len(self._splits[split])

    def class_name(self, split: str, index: int) -> str:
        return self._classes[self._splits[split][index]].name

    def num_instances(self, split: str, index: int) -> int:
        return len(self._classes[self._splits[split][index]].files)

    def images(self, split: str, index: int, instances) -> np.ndarray:
        return np.stack([self._image(self._splits[split][index], int(i)) for i in instances])

    def page(self, split: str, index: int, instance: int) -> tuple[str, np.ndarray]:
        """(file name, its ink on the whole page at the file's resolution): drawing `instance` of
        class `index` before framing (imageio.load_page; a bad file raises DataError)."""
        from workbench.domains.imageio import load_page

        name, data = self._classes[self._splits[split][index]].read(int(instance))
        return name, load_page(data, name)

    def _image(self, cls: int, i: int) -> np.ndarray:
        """Drawing i of class cls; a file that cannot be decoded is skipped (reported once, on the
        'workbench.data' logger) and the class's next good drawing stands in, as the studios skip
        bad files: one corrupt image among hundreds does not end a training run."""
        entry = self._classes[cls]
        count = len(entry.files)
        for step in range(count):
            key = (cls, (i + step) % count)
            found = self._cache.get(key)
            if found is None and key not in self.skipped:
                found = self._decode(entry, key)
            if found is not None:
                return found
        raise DataError(f"{self.path}: class {entry.name} has no readable image (skipped: "
                        f"{'; '.join(self.skipped[k] for k in self.skipped if k[0] == cls)})")

    def _decode(self, entry, key: tuple[int, int]) -> np.ndarray | None:
        import logging

        from workbench.domains.imageio import load_ink

        try:
            name, data = entry.read(key[1])
            found = load_ink(data, self.size, name=name)
        except DataError as exc:
            self.skipped[key] = str(exc)
            logging.getLogger("workbench.data").warning("skipped %s", exc)
            return None
        self._cache[key] = found
        return found


def unseen_by(trained_on, test_data, keep_seen: bool) -> tuple[str | None, str]:
    """(the set a test on `test_data` leaves the classes of out: the data the model trained on, or
    None; how that overlap was checked), for FolderSource's unseen_by."""
    if keep_seen:
        return None, "not checked (--keep-seen)"
    if trained_on in (None, "", "glyphs"):
        return None, "trained on the built-in glyphs: no file can overlap"
    if not Path(trained_on).exists():
        return None, f"not checked: the training data {trained_on} is not here"
    if Path(trained_on).resolve() == Path(test_data).resolve():
        return None, "not checked: the test data is the training data"
    return str(trained_on), "checked"


def make_source(data: str | None, size: int = 28, seed: int = 0, **options):
    """"glyphs" (or None) = the built-in data; anything else is a folder or zip path."""
    if data in (None, "", "glyphs"):
        return GlyphSource(size=size, seed=seed, **{k: v for k, v in options.items() if k in ("train_classes", "instances")})
    return FolderSource(data, size=size, seed=seed, whole=bool(options.get("whole")), unseen_by=options.get("unseen_by"))
