"""Every training plot is readable at 1280x820 and keeps a usable size at 1024x640."""

from __future__ import annotations

import pytest

from tests.ui.test_training_plots import iteration
from workbench.meta.records import ValidationRecord

READABLE_HEIGHT, READABLE_WIDTH = 150, 300   # room for a title, tick labels and a curve
USABLE_HEIGHT, USABLE_WIDTH = 100, 200


@pytest.fixture
def panel(ready_training_panel):
    return ready_training_panel


def classification_run_with_learned_rates(panel):
    """What a Meta-SGD classification run shows: accuracy arrives with the first records."""
    panel.store.clear()
    panel.plots.clear()
    panel.plots.show_rates(True)
    panel.store.add([iteration(i, 2.0 / i, accuracy=min(1.0, 0.2 + i / 50)) for i in range(1, 40)])
    panel.store.add([ValidationRecord(iteration=39, loss=0.5, accuracy=0.8, support_losses=(1.0, 0.5), tasks=8)])
    panel.plots.refresh(force=True)


@pytest.mark.parametrize("size, height, width", [((1280, 820), READABLE_HEIGHT, READABLE_WIDTH),
                                                 ((1024, 640), USABLE_HEIGHT, USABLE_WIDTH)])
def test_accuracy_and_rate_plots_get_room(qtbot, panel, size, height, width):
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    classification_run_with_learned_rates(panel)
    plots = panel.plots
    for widget in (plots.outer.widget, plots.outer.accuracy_widget, plots.inner.widget, plots.rates.widget):
        qtbot.waitUntil(widget.isVisible)
        assert widget.height() >= height and widget.width() >= width, (widget.objectName(), widget.size())
