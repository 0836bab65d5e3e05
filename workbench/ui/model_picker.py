"""ModelPicker: the explicit model choice of a studio (and the Playground).

It lists the domain's models from the library (workbench.project.library),
starts on the shipped default, and changes only when the user picks another
one, opens a project, or answers "Use in …" after training: never because a
training run saved a checkpoint somewhere. The same widget serves every studio.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QHBoxLayout, QMenu, QToolButton, QWidget

from workbench.project.document import ModelChoice
from workbench.project.library import ModelEntry
from workbench.ui.checkpoint_info import CHECKPOINT_FILTER
from workbench.ui.errors import describe_error


def entry_label(entry: ModelEntry) -> str:
    return f"{entry.name} (stopped early)" if entry.stopped_early else entry.name


class ModelPicker(QWidget):
    """`studio` names the picker for "Use in …" requests: "sketch/vary", "sketch/complete", "melody", "sinusoid"."""

    changed = Signal(object)                  # the ModelEntry now chosen

    def __init__(self, context, domain: str, mode: str | None = None, parent=None):
        super().__init__(parent)
        self.context = context
        self.domain = domain
        self.mode = mode
        self.studio = f"{domain}/{mode}" if mode else domain
        self._entries: list[ModelEntry] = []
        self._current: ModelEntry | None = None
        self.combo = QComboBox()
        self.combo.setObjectName("model-picker")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(18)
        self.more = QToolButton(text="…")
        self.more.setToolTip("Import a checkpoint file, or rename, delete and reveal your models")
        self.more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more)
        menu.addAction("Import Checkpoint…", self.choose_import)
        menu.addAction("Manage Models…", self.manage)
        self.more.setMenu(menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.more)
        self.refresh()
        default = context.model_library().default_id(domain, mode)
        if not self.select(default) and self._entries:
            self._set_current(self._entries[0])
        self.combo.activated.connect(self._on_activated)
        context.library_changed.connect(self._on_library_changed)
        context.use_model_requested.connect(self._on_use_requested)

    # ---- what the studio reads -----------------------------------------------------
    def entry(self) -> ModelEntry | None:
        return self._current

    def path(self) -> str | None:
        """The checkpoint for the domain facade (None only when the library is empty)."""
        return str(self._current.path) if self._current else None

    def label(self) -> str:
        return self._current.name if self._current else "no model"

    def choice(self) -> ModelChoice | None:
        return ModelChoice(self._current.id, self._current.name) if self._current else None

    def select(self, model_id: str) -> bool:
        """Choose a model by library id; False (and no change) when the library has no such model."""
        for index, entry in enumerate(self._entries):
            if entry.id == model_id:
                self.combo.setCurrentIndex(index)
                self._set_current(entry)
                return True
        return False

    def select_default(self) -> None:
        self.select(self.context.model_library().default_id(self.domain, self.mode))

    # ---- list ------------------------------------------------------------------------
    def refresh(self) -> None:
        self._entries = self.context.model_library().entries(self.domain, self.mode)
        self.combo.blockSignals(True)
        self.combo.clear()
        for entry in self._entries:
            self.combo.addItem(entry_label(entry), entry.id)
            self.combo.setItemData(self.combo.count() - 1, f"{entry.name}\n{entry.describe()}",
                                   Qt.ItemDataRole.ToolTipRole)
        self.combo.blockSignals(False)
        current = self._current.id if self._current else None
        if current and not self.select(current):
            self.select_default()                      # the chosen model was deleted
        elif current is None:
            self.combo.setCurrentIndex(-1)

    def _set_current(self, entry: ModelEntry) -> None:
        self.combo.setToolTip(f"{entry.name}\n{entry.describe()}")
        changed = self._current is None or self._current.id != entry.id or self._current.name != entry.name
        self._current = entry
        if changed:
            self.changed.emit(entry)

    def _on_activated(self, index: int) -> None:
        if 0 <= index < len(self._entries):
            self._set_current(self._entries[index])

    def _on_library_changed(self, domain: str) -> None:
        if domain == self.domain:
            self.refresh()

    def _on_use_requested(self, studio: str, model_id: str) -> None:
        if studio == self.studio:
            self.refresh()
            if self.select(model_id):
                self.context.notifier.info(f"{self.label()} is now the model of the {studio_title(studio)}.")

    # ---- import and manage -------------------------------------------------------------
    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a Checkpoint", "", CHECKPOINT_FILTER)
        if path:
            self.import_file(path)

    def load(self, path: str) -> bool:
        """Use a checkpoint file: refused with a warning naming it when it is not a model of this
        picker's domain and mode; else imported into the library (validated) and chosen."""
        from workbench.meta.checkpoint import read_checkpoint_meta
        model_id = self.context.model_library().id_for_path(path)
        if model_id is not None:                           # already in the library
            self.refresh()
            return self.select(model_id)
        try:
            meta = read_checkpoint_meta(path)
        except Exception as exc:  # noqa: BLE001 - a message, never a traceback
            self.context.notifier.warning(f"Not used: {describe_error(exc)}")
            return False
        mode = (meta.get("problem") or {}).get("mode") if isinstance(meta.get("problem"), dict) else None
        if meta.get("domain") != self.domain or (self.mode and mode != self.mode):
            found = f"{meta.get('domain')} {mode!r}" if mode else str(meta.get("domain"))
            wanted = f"{self.domain} {self.mode!r}" if self.mode else self.domain
            self.context.notifier.warning(f"{path}: a {found} checkpoint; this needs a {wanted} one")
            return False
        return self.import_file(path)

    def import_file(self, path: str) -> bool:
        """Validate and copy a checkpoint into the library; a bad file gets a message and is not added."""
        entry = import_checkpoint(self.context, path, self.domain, self.mode)
        if entry is None:
            return False
        self.select(entry.id)
        return True

    def manage(self) -> None:
        from workbench.ui.model_library_dialog import ModelLibraryDialog
        ModelLibraryDialog(self.context, self.domain, self.mode, self).exec()


def import_checkpoint(context, path: str, domain: str | None = None, mode: str | None = None) -> ModelEntry | None:
    """Import through the library (validated there); reports through the notifier. None when refused."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        entry = context.model_library().import_checkpoint(path)
    except Exception as exc:  # noqa: BLE001 - any failure is a message, never a traceback
        context.notifier.error(f"Not imported: {describe_error(exc)}")
        return None
    finally:
        QApplication.restoreOverrideCursor()
    if (domain and entry.domain != domain) or (mode and entry.mode != mode):
        context.notifier.warning(f"Imported {entry.name}: a {entry.domain} {entry.mode or ''} model, so it is "
                                 f"listed there, not here.")
    else:
        context.notifier.info(f"Imported {entry.name} into the model library.")
    context.library_changed.emit(entry.domain)
    return entry


STUDIO_TITLES = {"sketch/vary": "Sketch Studio (Vary)", "sketch/complete": "Sketch Studio (Complete)",
                 "melody": "Melody Studio", "sinusoid": "Sinusoid Playground"}


def studio_title(studio: str) -> str:
    return STUDIO_TITLES.get(studio, studio)


# Checkpoint modes whose pickers are named for the studio action, not the mode.
STUDIOS_OF_MODE = {("sketch", "ink"): ["sketch/vary", "sketch/complete"]}


# The pickers a model can serve, by the model's (domain, mode): one sketch network serves both actions.
STUDIOS = {("sketch", "ink"): ["sketch/vary", "sketch/complete"], ("sketch", "vary"): ["sketch/vary"],
           ("sketch", "complete"): ["sketch/complete"], ("melody", None): ["melody"], ("sinusoid", None): ["sinusoid"]}


def studios_for(domain: str, mode: str | None) -> list[str]:
    """The pickers a model of this domain and mode can be used in."""
    return list(STUDIOS.get((domain, mode), []))
