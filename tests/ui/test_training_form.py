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


def test_start_from_names_a_checkpoint_and_a_second_stage_preset_asks_for_one(form, tmp_path):
    form.domain.setCurrentText("sketch")
    form.set_presets("sketch", {"ink-finish": {"start_from": "ink", "problem": {"mode": "ink"},
                                               "config": {"algo": "anil"}},
                                "ink": {"problem": {"mode": "ink"}, "config": {"algo": "anil"}}}, apply_first=True)
    assert form.preset.currentText() == "ink"                    # the first preset that runs as it is
    assert form.validate() and form.start_path() is None and form.init_from.placeholderText() == "random weights"
    form.apply_preset("ink-finish")
    assert not form.validate()
    assert "continues a run of the ink preset" in form.errors["init_from"].text()
    form.init_from.setText(str(tmp_path / "missing.safetensors"))
    assert not form.validate() and "no checkpoint" in form.errors["init_from"].text()
    (tmp_path / "first.safetensors").write_bytes(b"")
    form.init_from.setText(str(tmp_path / "first"))              # the name without its suffix, as the CLI takes it
    assert form.validate() and form.start_path() == str(tmp_path / "first")
    assert form.state()["init_from"] == str(tmp_path / "first")
    form.apply_preset("ink")                                      # a preset that starts from random weights
    assert form.start_path() is None and form.validate()


def test_every_preset_sets_the_fields_the_form_shows(form):
    """Else the form's own value is used, and a run started from the form trains another model than
    the same preset on the command line (the sketch presets once got 10 shots instead of 5)."""
    from workbench.domains.registry import DOMAINS, presets, training_form

    for domain in DOMAINS:
        fields = training_form(domain)
        for name, preset in presets(domain).items():
            problem = preset.get("problem", {})
            for field_name in ("shot", "way"):
                if fields.applies(field_name, problem):
                    assert fields.fields[field_name] in problem, (domain, name, field_name)
