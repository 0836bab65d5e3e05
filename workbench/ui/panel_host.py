"""A tab widget that builds each panel the first time it is shown."""

from __future__ import annotations

import logging

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from workbench.ui.context import AppContext
from workbench.ui.errors import describe_error
from workbench.ui.panels import PanelSpec

log = logging.getLogger(__name__)


class PanelHost(QTabWidget):
    """Tabs for the available panels; a panel's module is imported and built lazily."""

    panel_built = Signal(str, QWidget)  # key, panel

    def __init__(self, context: AppContext, specs: list[PanelSpec], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("panel-host")
        self.setDocumentMode(True)
        self.context = context
        self.specs = list(specs)
        self.panels: dict[str, QWidget] = {}
        self._slots: dict[str, QWidget] = {}
        for spec in self.specs:
            slot = QWidget(self)
            slot.setObjectName(f"panel-slot-{spec.key}")
            layout = QVBoxLayout(slot)
            layout.setContentsMargins(0, 0, 0, 0)
            self._slots[spec.key] = slot
            self.addTab(slot, spec.title)
        self.currentChanged.connect(self._on_current_changed)

    def keys(self) -> list[str]:
        return [spec.key for spec in self.specs]

    def show_panel(self, key: str) -> QWidget | None:
        """Switch to a panel (building it if needed) and return it."""
        if key not in self._slots:
            return None
        self.setCurrentWidget(self._slots[key])
        return self.ensure_built(key)

    def current_key(self) -> str | None:
        index = self.currentIndex()
        return self.specs[index].key if 0 <= index < len(self.specs) else None

    def ensure_built(self, key: str) -> QWidget | None:
        if key in self.panels:
            return self.panels[key]
        spec = next((s for s in self.specs if s.key == key), None)
        if spec is None:
            return None
        try:
            panel = spec.load()(self.context, parent=self._slots[key])
        except Exception as exc:  # noqa: BLE001 - a broken panel must not take the window down
            log.exception("building panel %s failed", key)
            self.context.notifier.error(f"The {spec.title} panel could not be opened: {describe_error(exc)}")
            return None
        self._slots[key].layout().addWidget(panel)
        self.panels[key] = panel
        self.panel_built.emit(key, panel)
        return panel

    @Slot(int)
    def _on_current_changed(self, index: int) -> None:
        if 0 <= index < len(self.specs):
            self.ensure_built(self.specs[index].key)
