"""The training form reads well for a student: tooltips, fields that apply, honest dataset text."""

from __future__ import annotations

import pytest

from workbench.ui.training.form import TrainingForm


@pytest.fixture
def form(qtbot):
    widget = TrainingForm()
    qtbot.addWidget(widget)
    return widget


def test_every_field_and_its_label_say_what_they_do(form):
    layout = form.layout()
    for name, cell in form._rows.items():
        assert form.widgets[name].toolTip(), name
        assert layout.labelForField(cell).toolTip() == form.widgets[name].toolTip(), name
    assert "α" in form.inner_lr.toolTip() and "β" in form.outer_lr.toolTip()
    assert "FOMAML" in form.first_order.toolTip() and "Meta-batch" in form.meta_batch.toolTip()
    assert "N-way" in form.way.toolTip() and "K-shot" in form.shot.toolTip()


def test_fields_that_do_not_apply_are_disabled(form):
    form.domain.setCurrentText("sketch")
    form.apply_settings({"algo": "maml"}, {"mode": "vary"})
    assert not form._rows["way"].isEnabled()
    _, problem, _ = form.values()
    assert "way" not in problem
    form.apply_settings({"algo": "protonet"}, {"mode": "classify"})
    assert form._rows["way"].isEnabled()
    for name in ("inner_lr", "inner_steps", "eval_steps", "first_order"):  # no inner loop in ProtoNet
        assert not form._rows[name].isEnabled(), name
    form.domain.setCurrentText("sinusoid")
    form.algo.setCurrentIndex(form.algo.findData("maml"))
    assert not form._rows["way"].isEnabled() and not form._rows["folder"].isEnabled()
    assert form._rows["inner_lr"].isEnabled() and form._rows["first_order"].isEnabled()


def test_the_dataset_field_says_what_an_empty_one_trains_on(form):
    form.domain.setCurrentText("omniglot")
    assert "built-in procedural glyphs" in form.dataset.placeholderText()
    assert "required" not in form.dataset.placeholderText()
    form.domain.setCurrentText("melody")
    assert "folk-tune" in form.dataset.placeholderText()
