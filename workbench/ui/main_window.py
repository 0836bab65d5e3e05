"""The main window: thin. It hosts panels, menus, the status bar and the log, nothing else."""

from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox, QToolBar, QWidget

from workbench.ui.about import show_about
from workbench.ui.checkpoint_info import CHECKPOINT_FILTER, checkpoint_domain
from workbench.ui.context import AppContext
from workbench.ui.errors import describe_error
from workbench.ui.icons import app_icon
from workbench.ui.jobs import JobRunner, freeze_start_up_objects
from workbench.ui.log_dock import LogDock
from workbench.ui.model_picker import ModelPicker
from workbench.ui.panel_host import PanelHost
from workbench.ui.panels import panel_specs
from workbench.ui.project_controller import ProjectController
from workbench.ui.status_bar import WorkbenchStatusBar


def detect_device(*, progress, cancelled) -> str:
    """Runs on a worker thread: loads torch (off the GUI thread) and names the default device."""
    from workbench.meta.device import device_label, resolve_device

    return device_label(resolve_device("auto"))


class MainWindow(QMainWindow):
    """Hosts the panels. Panels may offer `menu_actions()`, `close_request()`, `is_busy()`, `shutdown()`."""

    closed = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.device = "detecting…"
        self.setObjectName("main-window")
        self.setWindowTitle("Workbench")
        self.setWindowIcon(app_icon())
        self.resize(1280, 820)

        self.host = PanelHost(context, panel_specs(), self)
        self.setCentralWidget(self.host)
        self.status = WorkbenchStatusBar(context, self)
        self.setStatusBar(self.status)
        self.log_dock = LogDock(context.notifier, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.log_dock)
        self.log_dock.hide()

        self._build_menus()
        self.project = ProjectController(self, context)    # File > New/Open/Save, title, autosave, recovery
        self.project.install(self.file_menu, self.open_action)
        self.host.currentChanged.connect(lambda _index: self._show_panel_models())
        self.host.panel_built.connect(self._watch_models)
        self.host.panel_built.connect(self._on_panel_built)
        self._device_job = JobRunner(self, name="device")
        self._device_job.finished.connect(self._on_device)
        self._device_job.errored.connect(self._on_device_error)
        self._restore_layout()

    # -- start-up ---------------------------------------------------------
    def start_background_setup(self) -> None:
        """Call once the window is shown: build the first panel, then load torch off the GUI thread."""
        key = self.host.current_key()
        if key:
            self.host.ensure_built(key)
        self._device_job.submit(detect_device)

    @Slot(object)
    def _on_device(self, label: object) -> None:
        freeze_start_up_objects()   # torch has loaded: its objects live as long as the app
        self.device = str(label)
        self.status.set_device(self.device)

    @Slot(str)
    def _on_device_error(self, message: str) -> None:
        self.device = "unknown"
        self.status.set_device(self.device)
        self.context.notifier.warning(f"Could not detect the compute device: {message}")

    # -- menus --------------------------------------------------------------
    def _action(self, text: str, slot, shortcut=None, parent=None) -> QAction:
        action = QAction(text, parent or self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = self.file_menu = bar.addMenu("&File")
        # Ctrl+O opens a project; a checkpoint opens from here or from a studio's model list
        self.open_action = self._action("Open &Checkpoint…", self.open_checkpoint)
        file_menu.addAction(self.open_action)
        self.recent_menu = QMenu("Recent Chec&kpoints", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addAction(self.quit_action)

        self.panel_menus_anchor = bar.addMenu("&View")
        view_menu = self.panel_menus_anchor
        for number, spec in enumerate(self.host.specs, start=1):
            action = self._action(spec.title, lambda _=False, key=spec.key: self.host.show_panel(key),
                                  f"Ctrl+{number}" if number < 10 else None)
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.log_dock.toggleViewAction())
        self.log_dock.toggleViewAction().setShortcut(QKeySequence("Ctrl+L"))
        full = self._action("&Full Screen", self._toggle_full_screen, QKeySequence.StandardKey.FullScreen)
        view_menu.addAction(full)

        help_menu = bar.addMenu("&Help")
        about = self._action("&About Workbench", lambda: show_about(self, self.device))
        about.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(about)
        self.help_menu = help_menu

        self.toolbar = QToolBar("Main", self)
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addAction(self.open_action)
        self.addToolBar(self.toolbar)

    @Slot(str, QWidget)
    def _on_panel_built(self, key: str, panel: QWidget) -> None:
        actions = getattr(panel, "menu_actions", None)
        if actions is None:
            return
        title = next(spec.title for spec in self.host.specs if spec.key == key)
        menu = QMenu(f"&{title}", self)
        self.menuBar().insertMenu(self.help_menu.menuAction(), menu)
        self.toolbar.addSeparator()
        taken = {a.shortcut().toString() for a in self.actions() if not a.shortcut().isEmpty()}
        taken |= {a.shortcut().toString() for a in (self.open_action, self.quit_action)}
        for action in actions():
            if action is None:
                menu.addSeparator()
                continue
            menu.addAction(action)
            key = action.shortcut().toString()
            if action.shortcutContext() == Qt.ShortcutContext.WidgetWithChildrenShortcut:
                panel.addAction(action)  # the panel scoped it: it fires only while the panel has focus
            elif key and key in taken:
                # Another panel already owns this key window-wide: here it works while this panel has focus.
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                panel.addAction(action)
            else:
                self.addAction(action)  # the shortcut works whichever panel is shown
                taken.add(key)
            if action.property("toolbar"):
                self.toolbar.addAction(action)

    def _watch_models(self, _key: str, panel: QWidget) -> None:
        for picker in panel.findChildren(ModelPicker):
            picker.changed.connect(lambda _entry: self._show_panel_models())
        self._show_panel_models()

    def _show_panel_models(self) -> None:
        """The status bar names the model of the studio on screen, never another domain's."""
        panel = self.host.panels.get(self.host.current_key() or "")
        pickers = panel.findChildren(ModelPicker) if panel is not None else []
        self.status.show_models([picker.label() for picker in pickers] or None)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.context.recent_checkpoints()
        for path in recent:
            self.recent_menu.addAction(os.path.basename(path), lambda p=path: self.load_checkpoint(p))
        if not recent:
            self.recent_menu.addAction("(none)").setEnabled(False)

    def _toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    # -- checkpoints --------------------------------------------------------
    def open_checkpoint(self) -> None:
        start = self.context.settings.value("paths/checkpoints", "", type=str)
        path, _ = QFileDialog.getOpenFileName(self, "Open Checkpoint", start, CHECKPOINT_FILTER)
        if path:
            self.context.settings.setValue("paths/checkpoints", os.path.dirname(path))
            self.load_checkpoint(path)

    def load_checkpoint(self, path: str) -> bool:
        """Make a checkpoint current for its domain (read from its JSON, without loading torch)."""
        try:
            domain = checkpoint_domain(path)
        except Exception as exc:  # noqa: BLE001 - reported, the app keeps running
            self.context.notifier.error(describe_error(exc))
            return False
        self.context.set_checkpoint(domain, path)
        self.context.notifier.info(f"Loaded {os.path.basename(path)} as the {domain} checkpoint")
        self._offer_to_studios(path)
        return True

    def _offer_to_studios(self, path: str) -> None:
        """A checkpoint opened here joins the model library (validated) and is offered to the studios
        that can use it; none of them switches to it on its own."""
        from workbench.ui.model_picker import import_checkpoint
        from workbench.ui.training.model_offer import offer_model
        if self.context.model_library().id_for_path(path) is None:
            entry = import_checkpoint(self.context, path)
            path = str(entry.path) if entry is not None else ""
        if path:
            self.model_offer = offer_model(self, self.context, path)

    # -- layout and shutdown -----------------------------------------------
    def _restore_layout(self) -> None:
        settings = self.context.settings
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        key = settings.value("window/panel", "", type=str)
        if key in self.host.keys():
            self.host.setCurrentIndex(self.host.keys().index(key))

    def _save_layout(self) -> None:
        settings = self.context.settings
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/panel", self.host.current_key() or "")
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.project.maybe_save():                  # Save / Discard / Cancel
            event.ignore()
            return
        for key, panel in self.host.panels.items():
            request = getattr(panel, "close_request", None)
            if request is not None:
                if not request():
                    event.ignore()
                    return
            elif getattr(panel, "is_busy", lambda: False)():
                title = next(spec.title for spec in self.host.specs if spec.key == key)
                answer = QMessageBox.question(self, "Quit Workbench", f"{title} is still working. Quit anyway?")
                if answer != QMessageBox.StandardButton.Yes:
                    event.ignore()
                    return
        self._save_layout()
        self.project.close_cleanly()
        self.shutdown()
        event.accept()
        self.closed.emit()

    def shutdown(self) -> None:
        """Stop every panel's background work and join the threads."""
        for panel in self.host.panels.values():
            stop = getattr(panel, "shutdown", None)
            if stop is not None:
                stop()
        self._device_job.shutdown(timeout_ms=30_000)  # importing torch cannot be interrupted
