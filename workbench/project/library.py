"""The model library: per domain, the shipped defaults (read-only) and the user's own runs.

A model's id is "shipped:<stem>" or "user:<stem>", where <stem> names the
checkpoint in the shipped resources or in the user's models folder (the
training panel saves its runs there). Names the user gives live in a small
JSON catalogue beside that folder; a checkpoint file is never edited to rename
it. Everything about a checkpoint is read through workbench.meta.checkpoint
(its JSON metadata, no torch); importing validates the weights through the
domain registry, so a file the studios cannot use is never added.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from workbench.meta.atomic_file import atomic_write_bytes
from workbench.meta.checkpoint import checkpoint_paths, read_checkpoint_meta
from workbench.meta.errors import CheckpointError, WorkbenchError

SHIPPED = "shipped:"
USER = "user:"
CATALOGUE = "models.json"
SUFFIX = ".safetensors"
# The shipped model each studio starts with, per (domain, mode); the other shipped files are baselines.
DEFAULT_STEMS = {("sketch", "ink"): "sketch-ink", ("melody", None): "melody", ("sinusoid", None): "sinusoid"}
STUDIO_NAMES = {"sketch": "Sketch Studio", "melody": "Melody Studio", "sinusoid": "Sinusoid Playground"}


@dataclass(frozen=True)
class ModelEntry:
    id: str
    name: str
    path: Path                  # the checkpoint as the facades take it (the .safetensors file)
    domain: str
    mode: str | None            # the sketch mode ("vary", "complete", "classify"); None for other domains
    algorithm: str
    iteration: int
    iterations_planned: int
    saved_at: str
    evaluation: str             # a one-line evaluation summary when the checkpoint carries one, else ""

    @property
    def shipped(self) -> bool:
        return self.id.startswith(SHIPPED)

    @property
    def stopped_early(self) -> bool:
        return 0 < self.iteration < self.iterations_planned

    def describe(self) -> str:
        """One line for lists and tooltips: algorithm, iterations, early stop, date, evaluation."""
        parts = [self.algorithm or "?", f"{self.iteration} iterations"]
        if self.stopped_early:
            parts[-1] = f"stopped early at {self.iteration} of {self.iterations_planned} iterations"
        if self.saved_at:
            parts.append(self.saved_at[:16].replace("T", " "))
        if self.evaluation:
            parts.append(self.evaluation)
        return " · ".join(["shipped, read-only" if self.shipped else "your model", *parts])


def shipped_folder() -> Path:
    from workbench.resources_path import resource_path
    return resource_path("checkpoints")


class ModelLibrary:
    """`user_folder` holds the user's checkpoints; the catalogue of names sits beside it."""

    def __init__(self, user_folder: str | Path, shipped: str | Path | None = None):
        self.user_folder = Path(user_folder)
        self.shipped_folder = Path(shipped) if shipped is not None else shipped_folder()
        self.catalogue_path = self.user_folder.parent / CATALOGUE

    # ---- listing -------------------------------------------------------------------
    def entries(self, domain: str | None = None, mode: str | None = None) -> list[ModelEntry]:
        """Shipped models first (the default first of all), then the user's, newest first."""
        catalogue = self._catalogue()
        shipped = [e for e in self._scan(self.shipped_folder, SHIPPED, catalogue) if _matches(e, domain, mode)]
        shipped.sort(key=lambda e: (e.id != self.default_id(e.domain, e.mode), e.name))
        user = [e for e in self._scan(self.user_folder, USER, catalogue) if _matches(e, domain, mode)]
        user.sort(key=lambda e: e.saved_at, reverse=True)
        return shipped + user

    def get(self, model_id: str) -> ModelEntry | None:
        path = self.path_of(model_id)
        if path is None or not path.exists():
            return None
        return self._entry(path, model_id, self._catalogue())

    def default_id(self, domain: str, mode: str | None = None) -> str:
        return SHIPPED + DEFAULT_STEMS.get((domain, mode), domain)

    def default(self, domain: str, mode: str | None = None) -> ModelEntry | None:
        return self.get(self.default_id(domain, mode))

    def path_of(self, model_id: str) -> Path | None:
        for prefix, folder in ((SHIPPED, self.shipped_folder), (USER, self.user_folder)):
            if model_id.startswith(prefix):
                stem = model_id[len(prefix):]
                if stem and "/" not in stem and "\\" not in stem and stem not in (".", ".."):
                    return folder / (stem + SUFFIX)
        return None

    def id_for_path(self, path: str | Path) -> str | None:
        """The library id of a checkpoint file that is in the library, else None."""
        weights = checkpoint_paths(path)[0].resolve()
        for prefix, folder in ((USER, self.user_folder), (SHIPPED, self.shipped_folder)):
            if weights.parent == folder.resolve():
                return prefix + weights.name[:-len(SUFFIX)]
        return None

    # ---- changing ------------------------------------------------------------------
    def rename(self, model_id: str, name: str) -> None:
        name = " ".join(name.split())
        if model_id.startswith(SHIPPED):
            raise WorkbenchError("shipped models are read-only; train or import a model to name your own")
        if not name:
            raise WorkbenchError("a model needs a name")
        catalogue = self._catalogue()
        catalogue["names"][model_id] = name
        self._write(catalogue)

    def set_evaluation(self, model_id: str, summary: str) -> None:
        """Remember a run's evaluation summary (e.g. its last meta-validation) for the lists."""
        catalogue = self._catalogue()
        catalogue["evaluations"][model_id] = " ".join(summary.split())
        self._write(catalogue)

    def delete(self, model_id: str) -> None:
        if model_id.startswith(SHIPPED):
            raise WorkbenchError("shipped models are read-only and cannot be deleted")
        path = self.path_of(model_id)
        if path is None:
            raise WorkbenchError(f"{model_id}: not a model of the library")
        for file in checkpoint_paths(path):
            file.unlink(missing_ok=True)
        catalogue = self._catalogue()
        if any(part.pop(model_id, None) is not None for part in catalogue.values()):
            self._write(catalogue)

    def add_run(self, path: str | Path, name: str | None = None) -> ModelEntry:
        """Register a checkpoint saved in the user folder (a training run) and return its entry."""
        model_id = self.id_for_path(path)
        if model_id is None or not model_id.startswith(USER):
            raise WorkbenchError(f"{path}: not in the model library's folder {self.user_folder}")
        if name:
            self.rename(model_id, name)
        entry = self.get(model_id)
        if entry is None:
            raise CheckpointError(f"{path}: the checkpoint was not found")
        return entry

    def import_checkpoint(self, path: str | Path, name: str | None = None) -> ModelEntry:
        """Validate a checkpoint file (its metadata, then its weights against the domain's model) and
        copy it into the library. Raises WorkbenchError with a message naming the file; nothing is added."""
        from workbench.domains.registry import load_learner
        from workbench.meta.checkpoint import load_checkpoint, save_checkpoint

        weights, _ = checkpoint_paths(path)
        if not weights.exists():
            raise CheckpointError(f"{weights.name}: no such checkpoint file")
        read_checkpoint_meta(weights)                   # format tag and version, without torch
        try:
            load_learner(weights)                       # the weights fit the model they claim to be
        except WorkbenchError:
            raise
        except Exception as exc:                        # noqa: BLE001 - any failure means "not usable"
            raise CheckpointError(f"{weights.name}: not a usable workbench checkpoint ({exc})") from exc
        data = load_checkpoint(weights)
        stem = self._free_stem(_safe_stem(weights.name[:-len(SUFFIX)] if weights.name.endswith(SUFFIX)
                                          else weights.stem))
        self.user_folder.mkdir(parents=True, exist_ok=True)
        save_checkpoint(self.user_folder / stem, data.meta, data.tensors)
        return self.add_run(self.user_folder / (stem + SUFFIX), name or f"{stem} (imported)")

    # ---- internals -----------------------------------------------------------------
    def _scan(self, folder: Path, prefix: str, catalogue: dict) -> list[ModelEntry]:
        if not folder.is_dir():
            return []
        found = []
        for weights in sorted(folder.glob("*" + SUFFIX)):
            entry = self._entry(weights, prefix + weights.name[:-len(SUFFIX)], catalogue)
            if entry is not None:
                found.append(entry)
        return found

    @staticmethod
    def _entry(weights: Path, model_id: str, catalogue: dict) -> ModelEntry | None:
        try:
            meta = read_checkpoint_meta(weights)
        except CheckpointError:
            return None                                 # a half-written or foreign file is not offered
        config = meta.get("config") if isinstance(meta.get("config"), dict) else {}
        problem = meta.get("problem") if isinstance(meta.get("problem"), dict) else {}
        stem = model_id.partition(":")[2]
        shipped_name = f"{stem.replace('-', ' ').replace('.', ' ').capitalize()} (shipped)"
        default_name = shipped_name if model_id.startswith(SHIPPED) else stem
        return ModelEntry(
            id=model_id, name=str(catalogue["names"].get(model_id) or default_name), path=weights,
            domain=str(meta.get("domain") or ""), mode=problem.get("mode") if isinstance(problem.get("mode"), str) else None,
            algorithm=str(config.get("algo") or ""), iteration=_int(meta.get("iteration")),
            iterations_planned=_int(config.get("iterations")), saved_at=str(meta.get("saved_at") or ""),
            evaluation=catalogue["evaluations"].get(model_id) or _evaluation(meta))

    def _catalogue(self) -> dict[str, dict[str, str]]:
        """{"names": {id: name}, "evaluations": {id: summary}}; a missing or broken file is empty."""
        try:
            data = json.loads(self.catalogue_path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            data = {}
        data = data if isinstance(data, dict) else {}
        return {part: {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)}
                if isinstance(found := data.get(part), dict) else {} for part in ("names", "evaluations")}

    def _write(self, catalogue: dict) -> None:
        atomic_write_bytes(self.catalogue_path, json.dumps(catalogue, indent=1).encode())

    def _free_stem(self, stem: str) -> str:
        candidate, number = stem, 1
        while (self.user_folder / (candidate + SUFFIX)).exists():
            number += 1
            candidate = f"{stem}-{number}"
        return candidate


def _matches(entry: ModelEntry, domain: str | None, mode: str | None) -> bool:
    return (domain is None or entry.domain == domain) and (mode is None or entry.mode == mode)


def _int(value) -> int:
    return value if isinstance(value, int) else 0


def _safe_stem(stem: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "model"


def _evaluation(meta: dict) -> str:
    """A checkpoint may carry its last meta-validation ("validation": {"loss": .., "accuracy": ..})."""
    found = meta.get("evaluation") or meta.get("validation")
    if not isinstance(found, dict):
        return ""
    parts = [f"{key} {value:.3g}" for key, value in found.items() if isinstance(value, (int, float))]
    return "validation " + ", ".join(parts) if parts else ""


def user_models_folder(data_dir: str | os.PathLike) -> Path:
    """Where the user's models live under the app's data folder (the training panel saves runs here)."""
    return Path(data_dir) / "runs"
