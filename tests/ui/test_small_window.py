"""At 1024x640 the window keeps that size and every panel stays usable: no cut buttons or labels,
and the piano roll shows a phrase, not a bar and a half."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel

from workbench.domains.melody.notes import TICKS_PER_BEAT, Melody, Note
from workbench.ui.context import AppContext
from workbench.ui.elided_label import ElidedLabel
from workbench.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    win = MainWindow(AppContext())
    qtbot.addWidget(win)
    win.resize(1024, 640)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.shutdown()


def cut_widgets(panel) -> list[str]:
    """Buttons and labels narrower than their text needs (an ElidedLabel gives way on purpose)."""
    cut = []
    for widget in panel.findChildren(QAbstractButton) + panel.findChildren(QLabel):
        gives_way = isinstance(widget, ElidedLabel) or (isinstance(widget, QLabel) and widget.wordWrap())
        if gives_way or not widget.isVisibleTo(panel):
            continue
        if widget.width() < widget.minimumSizeHint().width():
            cut.append(f"{type(widget).__name__} {widget.text()!r} {widget.width()} < {widget.minimumSizeHint().width()}")
    return cut


@pytest.mark.parametrize("key", ["training", "playground", "sketch", "melody"])
def test_every_panel_fits_1024x640_without_cut_text(qtbot, window, key):
    panel = window.host.show_panel(key)
    qtbot.wait(50)
    assert window.size().width() == 1024 and window.size().height() == 640, window.minimumSizeHint()
    assert cut_widgets(panel) == []


def test_the_roll_opens_a_tune_with_four_bars_in_view(qtbot, window):
    panel = window.host.show_panel("melody")
    qtbot.wait(50)
    beat = TICKS_PER_BEAT
    tune = Melody(notes=tuple(Note(i * beat, beat, 60 + i % 7) for i in range(32)))  # 8 bars of 4/4
    panel.open_in_roll(tune)
    view = panel.editor.view
    shown_ticks = view.geometry.tick(view.viewport().width())
    assert shown_ticks >= 4 * tune.ticks_per_bar
