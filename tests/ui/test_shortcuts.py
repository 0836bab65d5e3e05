"""Keyboard shortcuts across the whole window: none is ambiguous, studio menus show theirs."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QShortcut
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

from workbench.ui.context import AppContext
from workbench.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    win = MainWindow(AppContext())
    qtbot.addWidget(win)
    for key in win.host.keys():
        win.host.ensure_built(key)
    yield win
    win.shutdown()


def _scopes(obj, window) -> list[QWidget]:
    """The widgets within which a shortcut fires (Qt's rules for the common contexts)."""
    if isinstance(obj, QShortcut):
        return [obj.parent()]
    context, scopes = obj.shortcutContext(), []
    for owner in obj.associatedObjects():
        if isinstance(owner, (QMenu, QMenuBar)):
            if context in (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut):
                scopes.append(window)  # a menu-bar entry fires anywhere in its window
        elif isinstance(owner, QWidget):
            scopes.append(owner.window() if context != Qt.ShortcutContext.WidgetWithChildrenShortcut else owner)
    return scopes


def _overlap(a: list[QWidget], b: list[QWidget]) -> bool:
    return any(x is y or x.isAncestorOf(y) or y.isAncestorOf(x) for x in a for y in b)


def test_no_two_shortcuts_can_fire_on_the_same_key(window):
    """Two shortcuts with one key whose scopes nest make Qt report "Ambiguous shortcut
    overload" and run neither (Ctrl+Shift+R was both Sketch > Complete and Training > Resume From)."""
    entries = []
    for obj in window.findChildren(QAction) + window.findChildren(QShortcut):
        keys = obj.shortcuts() if isinstance(obj, QAction) else obj.keys()
        scopes = _scopes(obj, window)
        for key in keys:
            if not key.isEmpty() and scopes:
                entries.append((key.toString(), obj, scopes))
    assert any(key == "Ctrl+Shift+R" for key, _, _ in entries)  # the check sees the studio's shortcuts
    clashes = [(key, _name(a), _name(b)) for (key, a, sa), (key2, b, sb) in itertools.combinations(entries, 2)
               if key == key2 and a is not b and _overlap(sa, sb)]
    assert clashes == []


def _name(obj) -> str:
    return obj.text() if isinstance(obj, QAction) else f"QShortcut on {type(obj.parent()).__name__}"


def _menu(window, title: str) -> dict[str, str]:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == title)
    return {a.text(): a.shortcut().toString() for a in menu.actions() if not a.isSeparator()}


def test_studio_menus_show_their_shortcuts(window):
    melody = _menu(window, "&Melody Studio")
    assert melody["Generate"] == "Ctrl+G" and melody["Play / Stop Clip"] == "Space"
    sketch = _menu(window, "&Sketch Studio")
    assert sketch["Vary"] == "Ctrl+R" and sketch["Complete"] == "Ctrl+Shift+R" and sketch["Invent"] == "Ctrl+I"
    assert _menu(window, "&Training")["Resume From…"] != "Ctrl+Shift+R"


def test_complete_shortcut_runs_complete_in_the_sketch_studio(qtbot, window, monkeypatch):
    window.show()
    panel = window.host.show_panel("sketch")
    calls = []
    monkeypatch.setattr(type(panel), "start_complete", lambda self: calls.append("complete"))
    monkeypatch.setattr(type(panel), "start_vary", lambda self: calls.append("vary"))
    monkeypatch.setattr(type(window.host.panels["training"]), "resume_from_checkpoint",
                        lambda self: calls.append("resume"))
    panel.canvas.setFocus()
    qtbot.waitUntil(panel.canvas.hasFocus)
    qtbot.keyClick(panel.canvas, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(panel.canvas, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert calls == ["complete", "vary"]
