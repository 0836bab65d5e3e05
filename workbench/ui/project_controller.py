"""Projects in the window: File > New, Open, Open Recent, Save, Save As; autosave and recovery.

The project file format lives in workbench.project (no Qt); this class moves
state between it and the panels. A panel that has not been built yet keeps
the state of the opened project until it is built, so opening a project never
builds panels the user does not look at, and saving never loses their part.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from workbench.meta.errors import first_few
from workbench.project.archive import SUFFIX, ProjectError, open_project, save_project
from workbench.project.document import Project
from workbench.project.recovery import INTERVAL_S, Autosaver
from workbench.ui.errors import describe_error

FILTER = f"Workbench projects (*{SUFFIX});;All files (*)"
RECENT_KEY = "projects/recent"
RECENT_LIMIT = 10
# panel key -> module with collect(panel), restore(panel, work) -> problems, change_signals(panel)
STATE_MODULES = {"sketch": "workbench.ui.sketch_studio.project_state",
                 "melody": "workbench.ui.melody_studio.project_state"}


class ProjectController(QObject):
    def __init__(self, window, context):
        super().__init__(window)
        self.window = window
        self.host = window.host
        self.context = context
        self.path: str | None = None
        self.modified = False
        self._pending = Project()                       # the opened project's parts for panels not built yet
        self._has_project = False                       # until one is opened, new panels keep their defaults
        self._built_problems: list[str] | None = None
        self._restoring = False
        self.autosaver = Autosaver(context.recovery_dir())
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_S * 1000)
        self.timer.timeout.connect(self.autosave)
        self.timer.start()
        self.host.panel_built.connect(self._on_panel_built)
        for key, panel in self.host.panels.items():
            self._on_panel_built(key, panel)
        self._update_title()

    # ---- menu ----------------------------------------------------------------------
    def install(self, file_menu: QMenu, before: QAction | None) -> None:
        """Put New, Open, Open Recent, Save and Save As at the top of the File menu."""
        def action(text, slot, keys):
            made = QAction(text, self.window)
            made.setShortcut(QKeySequence(keys))
            made.triggered.connect(lambda _=False: slot())
            return made
        self.new_action = action("&New Project", self.new, QKeySequence.StandardKey.New)
        self.open_action = action("&Open Project…", self.open, QKeySequence.StandardKey.Open)
        self.save_action = action("&Save Project", self.save, QKeySequence.StandardKey.Save)
        self.save_as_action = action("Save Project &As…", self.save_as, QKeySequence.StandardKey.SaveAs)
        self.recent_menu = QMenu("Open &Recent Project", self.window)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        for item in (self.new_action, self.open_action):
            file_menu.insertAction(before, item)
        file_menu.insertMenu(before, self.recent_menu)
        for item in (self.save_action, self.save_as_action):
            file_menu.insertAction(before, item)
        file_menu.insertSeparator(before)

    def recent(self) -> list[str]:
        stored = self.context.settings.value(RECENT_KEY, [], type=list) or []
        return [p for p in stored if isinstance(p, str) and os.path.exists(p)]

    def _add_recent(self, path: str) -> None:
        path = os.path.abspath(path)
        self.context.settings.setValue(RECENT_KEY, [path, *[p for p in self.recent() if p != path]][:RECENT_LIMIT])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.recent():
            self.recent_menu.addAction(os.path.basename(path), lambda p=path: self.open(p))
        if not self.recent():
            self.recent_menu.addAction("(none)").setEnabled(False)

    # ---- state ---------------------------------------------------------------------
    def collect(self) -> Project:
        project = Project(panel=self.host.current_key() or "", sketch=self._pending.sketch,
                          melody=self._pending.melody, playground_model=self._pending.playground_model)
        for key, module in STATE_MODULES.items():
            panel = self.host.panels.get(key)
            if panel is not None:
                setattr(project, key, importlib.import_module(module).collect(panel))
        playground = self.host.panels.get("playground")
        if playground is not None:
            project.playground_model = playground.model_picker.choice()
        return project

    def apply(self, project: Project) -> list[str]:
        """Show a project: built panels now, the others when they are built. Returns the problems."""
        self._pending = project
        self._has_project = True
        problems: list[str] = []
        self._restoring = True
        try:
            for key, panel in list(self.host.panels.items()):
                problems += self._restore(key, panel)
        finally:
            self._restoring = False
        if project.panel in self.host.keys():
            self._built_problems = problems              # the panel built now reports with the rest
            try:
                self.host.show_panel(project.panel)
            finally:
                self._built_problems = None
        return problems

    def _restore(self, key: str, panel) -> list[str]:
        if key in STATE_MODULES:
            return importlib.import_module(STATE_MODULES[key]).restore(panel, getattr(self._pending, key))
        if key == "playground":
            choice = self._pending.playground_model
            if choice is None:
                panel.model_picker.select_default()
            elif not panel.model_picker.select(choice.id):
                panel.model_picker.select_default()
                return [f"the Playground's model “{choice.name}” is not in the model library any more; "
                        f"using {panel.model_picker.label()}"]
        return []

    def _on_panel_built(self, key: str, panel) -> None:
        self._restoring = True
        try:
            problems = self._restore(key, panel) if self._has_project else []
        finally:
            self._restoring = False
        if self._built_problems is not None:
            self._built_problems += problems
        for problem in problems if self._built_problems is None else []:
            self.context.notifier.warning(f"{self.display_name()}: {problem}")
        signals = []
        if key in STATE_MODULES:
            signals = importlib.import_module(STATE_MODULES[key]).change_signals(panel)
        elif key == "playground":
            signals = [panel.model_picker.changed]
        for signal in signals:
            signal.connect(self._on_changed)
        runner = getattr(panel, "runner", None)
        if key in STATE_MODULES and runner is not None:
            runner.finished.connect(lambda _result: self.autosave())     # after every generation

    def _on_changed(self, *_args) -> None:
        if not self._restoring and not self.modified:
            self.modified = True
            self._update_title()

    # ---- title ---------------------------------------------------------------------
    def display_name(self) -> str:
        return Path(self.path).stem if self.path else "Untitled"

    def _update_title(self) -> None:
        self.window.setWindowTitle(f"{self.display_name()}[*] — Workbench")
        self.window.setWindowModified(self.modified)

    def _set_clean(self, path: str | None) -> None:
        self.path = path
        self.modified = False
        self._update_title()

    # ---- commands ------------------------------------------------------------------
    def new(self) -> bool:
        if not self.maybe_save():
            return False
        problems = self.apply(Project(panel=self.host.current_key() or ""))
        self._set_clean(None)
        self.autosaver.discard()
        return not problems

    def open(self, path: str | None = None) -> bool:
        if not self.maybe_save():
            return False
        if path is None:
            start = self.context.settings.value("paths/projects", str(Path.home()), type=str)
            path, _ = QFileDialog.getOpenFileName(self.window, "Open Project", start, FILTER)
            if not path:
                return False
        try:
            opened = open_project(path)
        except ProjectError as exc:
            self.context.notifier.error(str(exc))
            return False
        self.context.settings.setValue("paths/projects", os.path.dirname(os.path.abspath(path)))
        problems = opened.problems + self.apply(opened.project)
        self._set_clean(os.path.abspath(path))
        self._add_recent(path)
        self._report(problems, f"Opened {os.path.basename(path)}")
        return True

    def save(self) -> bool:
        return self.save_to(self.path) if self.path else self.save_as()

    def save_as(self) -> bool:
        start = self.path or os.path.join(self.context.settings.value("paths/projects", str(Path.home()), type=str),
                                          f"Untitled{SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save Project As", start, FILTER)
        if not path:
            return False
        return self.save_to(path if path.endswith(SUFFIX) else path + SUFFIX)

    def save_to(self, path: str) -> bool:
        try:
            save_project(self.collect(), path)
        except (OSError, ValueError) as exc:
            self.context.notifier.error(f"Could not save {os.path.basename(path)}: {describe_error(exc)}")
            return False
        self._set_clean(os.path.abspath(path))
        self._add_recent(path)
        self.autosaver.discard()                         # the project file now holds everything
        self.context.notifier.info(f"Saved {path}")
        return True

    def maybe_save(self) -> bool:
        """Ask Save / Discard / Cancel when there are unsaved changes; False = the user cancelled."""
        if not self.modified:
            return True
        answer = self.ask_unsaved()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def ask_unsaved(self) -> str:
        return ask_unsaved_question(self.window, self.display_name())

    # ---- autosave and recovery -----------------------------------------------------------
    def autosave(self) -> bool:
        """Write the recovery file (every 30 s and after each generation) while there are unsaved changes."""
        if not self.modified:
            return False
        try:
            self.autosaver.save(self.collect(), autosave_of=self.path)
        except (OSError, ValueError) as exc:
            self.context.notifier.warning(f"Autosave failed: {describe_error(exc)}")
            return False
        return True

    def offer_recovery(self, ask=None) -> bool:
        """At start-up: a recovery file means the app did not close cleanly; offer to restore it."""
        if not self.autosaver.pending():
            return False
        try:
            opened = self.autosaver.recover()
        except ProjectError as exc:
            self.context.notifier.error(f"The autosaved work could not be recovered: {exc}")
            self.autosaver.discard()
            return False
        source = opened.autosave_of or None
        name = Path(source).stem if source else "Untitled"
        if ask is None:
            buttons = QMessageBox.StandardButton
            answer = QMessageBox.question(
                self.window, "Recover Unsaved Work",
                f"Workbench did not close properly. Recover the autosaved work of “{name}”?",
                buttons.Yes | buttons.Discard, buttons.Yes)
            ask = answer == buttons.Yes
        if not ask:
            self.autosaver.discard()
            return False
        problems = opened.problems + self.apply(opened.project)
        self.path = source if source and os.path.exists(source) else None
        self.modified = True                              # recovered work is not saved in a project file yet
        self._update_title()
        self._report(problems, f"Recovered the autosaved work of “{name}”")
        return True

    def close_cleanly(self) -> None:
        """The window closes after the user saved or discarded: no recovery offer next time."""
        self.timer.stop()
        self.autosaver.discard()

    def _report(self, problems: list[str], done: str) -> None:
        if problems:
            self.context.notifier.warning(f"{done}, except: {first_few(problems)}")
        else:
            self.context.notifier.info(done)


def ask_unsaved_question(parent, name: str) -> str:
    """"save", "discard" or "cancel", as desktop apps ask before closing a changed document."""
    buttons = QMessageBox.StandardButton
    answer = QMessageBox.question(parent, "Unsaved Changes", f"Save the changes to “{name}” before closing it?",
                                  buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save)
    return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")
