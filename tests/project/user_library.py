"""A model library holding one of the tests' checkpoints as a user's own run."""

from __future__ import annotations

import shutil

from workbench.meta.checkpoint import checkpoint_paths
from workbench.project.document import ModelChoice
from workbench.project.library import ModelLibrary


def library_with(checkpoint, folder) -> tuple[ModelLibrary, ModelChoice]:
    """A library whose user folder holds a copy of the checkpoint (a model the user trained)."""
    library = ModelLibrary(folder / "runs")
    library.user_folder.mkdir(parents=True)
    for source in checkpoint_paths(checkpoint):
        if source.exists():
            shutil.copyfile(source, library.user_folder / source.name.replace(source.stem, "mine", 1))
    entry = library.add_run(library.user_folder / "mine.safetensors", "my model")
    return library, ModelChoice(entry.id, entry.name)
