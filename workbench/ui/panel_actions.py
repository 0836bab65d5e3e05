"""Actions a studio panel owns: their shortcuts fire only while the panel has focus.

The main window lists a panel's menu_actions() in its menu; an action made here
keeps its panel scope there, so the menu shows its shortcut without making it
window-wide (where it would clash with another panel's key).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


def panel_action(panel: QWidget, text: str, slot, shortcut: str | None = None, tip: str = "") -> QAction:
    action = QAction(text, panel)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    if tip:
        action.setToolTip(f"{tip} ({action.shortcut().toString()})" if shortcut else tip)
    action.triggered.connect(lambda _checked=False: slot())
    panel.addAction(action)
    return action
