"""The training form: every setting of a run, validated as the user types, errors next to the field.

Validation uses the engine's own `MetaConfig.validate()` (no torch needed), so
the form and the CLI accept and reject the same values.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.domains.registry import DOMAINS, missing_start, training_form
from workbench.meta.config import ALGORITHMS, MetaConfig
from workbench.meta.errors import ConfigError
from workbench.ui.training.form_fields import (
    ALGORITHM_TITLES,
    BUILT_IN,
    DEVICES,
    FIELD_TIPS,
    SETTINGS_KEY,
    UNUSED_BY_ALGORITHM,
)


def _with_button(field: QLineEdit, button: QPushButton) -> QWidget:
    row = QWidget()
    box = QHBoxLayout(row)
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(field, 1)
    box.addWidget(button)
    return row


def _spin(low: int, high: int, value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setAccelerated(True)
    return box


class TrainingForm(QWidget):
    changed = Signal()  # any field changed (after validation ran)
    # Another domain is shown: load its presets; apply the first one (True) unless values were restored (False).
    domain_changed = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("training-form")
        defaults = MetaConfig()
        self.domain = QComboBox()
        self.domain.addItems(list(DOMAINS))
        self.preset = QComboBox()
        self.preset.setToolTip("Start from one of the domain's training presets")
        self.preset.setPlaceholderText("custom")
        self.presets: dict[str, dict] = {}
        # Preset settings the form has no field for (e.g. a sketch mode, gradient clipping): passed through.
        self.extra_problem: dict = {}
        self.extra_config: dict = {}
        self.dataset = QLineEdit()
        self.dataset.setPlaceholderText(BUILT_IN)
        self.browse = QPushButton("Folder…")
        self.browse.clicked.connect(self._choose_folder)
        self.init_from = QLineEdit()
        self.init_from.setPlaceholderText("random weights")
        self.browse_init = QPushButton("Checkpoint…")
        self.browse_init.clicked.connect(self._choose_init)
        self.algo = QComboBox()
        for name in ALGORITHMS:
            self.algo.addItem(ALGORITHM_TITLES.get(name, name), name)
        self.inner_lr = QLineEdit("0.01")
        self.inner_steps = _spin(0, 1000, defaults.inner_steps)
        self.eval_steps = _spin(0, 1000, 10)
        self.eval_steps.setSpecialValueText("same as training")
        self.first_order = QCheckBox("drop second-order terms")
        self.meta_batch = _spin(1, 65536, defaults.meta_batch)
        self.outer_lr = QLineEdit("0.001")
        self.iterations = _spin(1, 100_000_000, 2000)
        self.val_every = _spin(0, 1_000_000, 100)
        self.val_every.setSpecialValueText("never")
        self.way = _spin(2, 1000, 5)
        self.shot = _spin(1, 1000, 10)
        self.device = QComboBox()
        self.device.addItems(DEVICES)
        self.seed = _spin(0, 2**31 - 1, 0)
        self.widgets = {
            "domain": self.domain, "preset": self.preset, "folder": self.dataset, "init_from": self.init_from,
            "algo": self.algo,
            "inner_lr": self.inner_lr,
            "inner_steps": self.inner_steps, "eval_steps": self.eval_steps, "first_order": self.first_order,
            "meta_batch": self.meta_batch, "outer_lr": self.outer_lr, "iterations": self.iterations,
            "val_every": self.val_every, "way": self.way, "shot": self.shot, "device": self.device, "seed": self.seed,
        }
        self._restoring = False
        self._engine_errors: dict[str, str] = {}
        self.errors: dict[str, QLabel] = {}
        self._rows: dict[str, QWidget] = {}
        self._build_layout()
        self.general_error = QLabel()
        self.general_error.setObjectName("form-error")
        self.general_error.setWordWrap(True)
        self.general_error.setStyleSheet("color: #c62828;")
        self.general_error.hide()
        self.layout().addRow(self.general_error)
        for name, widget in self.widgets.items():
            widget.setObjectName(f"field-{name}")
            for signal in ("textChanged", "valueChanged", "currentIndexChanged", "toggled"):
                if hasattr(widget, signal):
                    getattr(widget, signal).connect(self._on_edit)
                    break
        self.domain.currentIndexChanged.connect(self._on_domain_changed)
        self.preset.activated.connect(self._on_preset_chosen)
        self.algo.currentIndexChanged.connect(self._update_enabled)
        self.domain.currentIndexChanged.connect(self._update_enabled)
        self._update_enabled()
        self.validate()

    def _build_layout(self) -> None:
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        labels = [("domain", "Domain", self.domain), ("preset", "Preset", self.preset),
                  ("folder", "Dataset", _with_button(self.dataset, self.browse)),
                  ("init_from", "Start from", _with_button(self.init_from, self.browse_init)),
                  ("algo", "Algorithm", self.algo), ("inner_lr", "Inner learning rate", self.inner_lr),
                  ("inner_steps", "Inner steps", self.inner_steps), ("eval_steps", "Test-time steps", self.eval_steps),
                  ("first_order", "First order", self.first_order), ("meta_batch", "Meta-batch", self.meta_batch),
                  ("outer_lr", "Outer learning rate", self.outer_lr), ("iterations", "Iterations", self.iterations),
                  ("val_every", "Validate every", self.val_every), ("way", "Way (classes)", self.way),
                  ("shot", "Shot (examples)", self.shot), ("device", "Device", self.device),
                  ("seed", "Seed", self.seed)]
        for name, title, widget in labels:
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(1)
            box.addWidget(widget)
            error = QLabel()
            error.setObjectName(f"error-{name}")
            error.setWordWrap(True)
            error.setStyleSheet("color: #c62828; font-size: 9pt;")
            error.hide()
            box.addWidget(error)
            self.errors[name] = error
            self._rows[name] = cell
            form.addRow(title, cell)
            widget.setToolTip(FIELD_TIPS[name])
            form.labelForField(cell).setToolTip(FIELD_TIPS[name])
        for name, button in (("folder", self.browse), ("init_from", self.browse_init)):
            self.widgets[name].setToolTip(FIELD_TIPS[name])
            button.setToolTip(FIELD_TIPS[name])

    # -- values ---------------------------------------------------------------
    def current_domain(self) -> str:
        return self.domain.currentText()

    def domain_form(self):
        """The current domain's own description of its fields (workbench.domains.training_form)."""
        return training_form(self.current_domain())

    def uses(self, field_name: str) -> bool:
        return field_name in self.domain_form().fields

    def applies(self, field_name: str) -> bool:
        """Whether the run reads this field: the domain has the option and the algorithm uses it."""
        if field_name in UNUSED_BY_ALGORITHM.get(self.algo.currentData(), ()):
            return False
        if field_name in ("way", "folder", "shot"):
            return self.domain_form().applies(field_name, self.extra_problem)
        return True

    def option_name(self, field_name: str) -> str:
        """The problem option a form field sets in the current domain (e.g. folder -> "data")."""
        return self.domain_form().fields.get(field_name, field_name)

    def field_for(self, setting: str) -> str:
        """The form field showing an engine setting or problem option (for errors from the engine)."""
        return self.domain_form().field_for(setting) or (setting if setting in self.errors else "")

    def _float(self, name: str, problems: dict[str, str]) -> float | None:
        text = self.widgets[name].text().strip()
        try:
            value = float(text)
        except ValueError:
            problems[name] = f"enter a number such as 0.001 (got {text!r})" if text else "enter a number"
            return None
        if not math.isfinite(value):
            problems[name] = "must be a finite number"
            return None
        return value

    def _collect(self) -> tuple[dict, dict, dict[str, str]]:
        problems: dict[str, str] = {}
        config = {
            **self.extra_config,
            "algo": self.algo.currentData(),
            "inner_lr": self._float("inner_lr", problems),
            "inner_steps": self.inner_steps.value(),
            "eval_steps": self.eval_steps.value(),
            "first_order": self.first_order.isChecked(),
            "meta_batch": self.meta_batch.value(),
            "outer_lr": self._float("outer_lr", problems),
            "iterations": self.iterations.value(),
            "val_every": self.val_every.value(),
            "device": self.device.currentText(),
            "seed": self.seed.value(),
        }
        problem = dict(self.extra_problem)
        problem[self.option_name("shot")] = self.shot.value()
        if self.applies("way"):
            problem[self.option_name("way")] = self.way.value()
        folder = self.dataset.text().strip()
        if folder and self.uses("folder"):
            problem[self.option_name("folder")] = folder
        start = self._start_problem()
        if start:
            problems["init_from"] = start
        if not problems:
            try:
                MetaConfig.from_dict(config).validate()
            except ConfigError as exc:
                problems[exc.setting if exc.setting in self.errors else ""] = exc.detail
        return problem, config, problems

    def _start_problem(self) -> str:
        """Why the Start from field cannot be used ("" when it can): a path with no file, or empty
        where the chosen preset continues another preset's run (its second stage)."""
        path = self.start_path()
        if path is None:
            name = self.preset.currentText()
            return missing_start(name, self.presets.get(name, {}), path)
        if not (Path(path).is_file() or Path(path + ".safetensors").is_file()):
            return "no checkpoint file at this path"
        return ""

    def start_path(self) -> str | None:
        """The checkpoint a new run begins from (Start from), or None for random weights."""
        return self.init_from.text().strip() or None

    def validate(self) -> bool:
        """Show each problem next to its field; True when the run can start."""
        _, _, problems = self._collect()
        self.show_errors(problems)
        return not problems

    def show_errors(self, problems: dict[str, str]) -> None:
        # Errors the engine reported for the last run stay visible until the user edits the form.
        problems = {**self._engine_errors, **problems}
        for name, label in self.errors.items():
            message = problems.get(name)
            label.setText(message or "")
            label.setVisible(bool(message))
        general = problems.get("")
        self.general_error.setText(general or "")
        self.general_error.setVisible(bool(general))

    def show_error(self, setting: str, message: str) -> None:
        """Show an error the engine raised (e.g. from the domain) next to its field, until the next edit."""
        self._engine_errors = {self.field_for(setting): message}
        self.show_errors({})

    def values(self) -> tuple[str, dict, dict] | None:
        """(domain, problem options, config dict), or None with the errors shown."""
        problem, config, problems = self._collect()
        self.show_errors(problems)
        if problems:
            return None
        return self.current_domain(), problem, config

    # -- settings ---------------------------------------------------------------
    def state(self) -> dict:
        return {
            "domain": self.current_domain(), "preset": self.preset.currentText(),
            "extra_problem": json.dumps(self.extra_problem), "extra_config": json.dumps(self.extra_config),
            "folder": self.dataset.text(), "init_from": self.init_from.text(), "algo": self.algo.currentData(),
            "inner_lr": self.inner_lr.text(), "inner_steps": self.inner_steps.value(),
            "eval_steps": self.eval_steps.value(), "first_order": self.first_order.isChecked(),
            "meta_batch": self.meta_batch.value(), "outer_lr": self.outer_lr.text(),
            "iterations": self.iterations.value(), "val_every": self.val_every.value(), "way": self.way.value(),
            "shot": self.shot.value(), "device": self.device.currentText(), "seed": self.seed.value(),
        }

    def set_state(self, state: dict) -> None:
        """Fill the form from a state dict (settings, or a checkpoint's config); unknown keys are ignored."""
        self._restoring = True
        try:
            for extra in ("extra_problem", "extra_config"):
                if extra in state:
                    value = state[extra]
                    try:
                        value = json.loads(value) if isinstance(value, str) else dict(value or {})
                    except (ValueError, TypeError):
                        value = {}
                    setattr(self, extra, value if isinstance(value, dict) else {})
            for name, value in state.items():
                widget = self.widgets.get(name)
                if widget is None or value is None:
                    continue
                if widget is self.preset:
                    if not value:
                        self.preset.setCurrentIndex(-1)
                        continue
                    if self.preset.findText(str(value)) < 0:
                        self.preset.addItem(str(value))
                    self.preset.setCurrentIndex(self.preset.findText(str(value)))
                elif isinstance(widget, QComboBox):
                    index = widget.findData(value) if widget is self.algo else widget.findText(str(value))
                    if index >= 0:
                        widget.setCurrentIndex(index)
                elif isinstance(widget, QLineEdit):
                    widget.setText(str(value))
                elif isinstance(widget, QCheckBox):
                    widget.setChecked(str(value).lower() in ("1", "true", "yes"))
                elif isinstance(widget, QSpinBox):
                    try:
                        widget.setValue(int(value))
                    except (TypeError, ValueError):
                        pass
        finally:
            self._restoring = False
        self._update_enabled()
        self.validate()

    def save_settings(self, settings: QSettings) -> None:
        settings.beginGroup(SETTINGS_KEY)
        for name, value in self.state().items():
            settings.setValue(name, value)
        settings.endGroup()

    def load_settings(self, settings: QSettings) -> None:
        settings.beginGroup(SETTINGS_KEY)
        state = {name: settings.value(name) for name in settings.childKeys()}
        settings.endGroup()
        if state:
            self.set_state(state)

    # -- reactions --------------------------------------------------------------
    def _on_edit(self, *_args) -> None:
        self._engine_errors = {}
        self.validate()
        self.changed.emit()

    def _on_domain_changed(self, *_args) -> None:
        self.presets = {}
        self.preset.clear()
        if self._restoring:  # restoring saved values: keep them, not a preset's
            self.domain_changed.emit(self.current_domain(), False)
            return
        self.extra_problem, self.extra_config = {}, {}
        self.domain_changed.emit(self.current_domain(), True)

    def set_presets(self, domain: str, presets: dict[str, dict], apply_first: bool) -> None:
        """Offer the domain's presets (loaded off the GUI thread); optionally apply the first one."""
        if domain != self.current_domain():
            return
        current = self.preset.currentText()
        self.presets = dict(presets)
        self.preset.clear()
        self.preset.addItems(list(self.presets))
        for index, preset in enumerate(self.presets.values()):
            self.preset.setItemData(index, preset.get("help", ""), Qt.ItemDataRole.ToolTipRole)
        if apply_first and self.presets:  # the first that runs as it is (not a second stage)
            names = [name for name, preset in self.presets.items() if not preset.get("start_from")]
            self.apply_preset((names or list(self.presets))[0])
        else:  # keep showing the preset the values came from, or none if they were edited by hand
            self.preset.setCurrentIndex(self.preset.findText(current) if current else -1)

    def apply_preset(self, name: str) -> None:
        preset = self.presets.get(name)
        if preset is not None:
            if not preset.get("start_from"):  # the preset's run begins from random weights
                self.init_from.clear()
            self.apply_settings(preset.get("config", {}), preset.get("problem", {}), preset=name)

    def apply_settings(self, config: dict, problem: dict, domain: str | None = None, preset: str = "") -> None:
        """Show a run's settings (a preset's, or a checkpoint's): fields get their values, the rest is kept
        in extra_config / extra_problem and passed through to the run unchanged."""
        config, problem = dict(config), dict(problem)
        if domain:
            self.set_state({"domain": domain})
        state = {k: config.pop(k) for k in list(config) if k in self.widgets}
        for field_name in ("shot", "way", "folder"):
            option = self.option_name(field_name)
            if option in problem and self.uses(field_name):
                state[field_name] = problem.pop(option)
        state.setdefault("first_order", False)
        state["preset"] = preset
        self.set_state(state)
        self.extra_problem, self.extra_config = problem, config
        self._update_enabled()  # a preset's sketch mode decides whether Way applies
        self.validate()
        self.changed.emit()

    def _on_preset_chosen(self, index: int) -> None:
        self.apply_preset(self.preset.itemText(index))

    def _update_enabled(self, *_args) -> None:
        self.dataset.setPlaceholderText(self.domain_form().built_in or BUILT_IN)
        for name in ("way", "shot", "folder", "inner_lr", "inner_steps", "eval_steps", "first_order"):
            self._rows[name].setEnabled(self.applies(name))
        self.browse.setEnabled(self.applies("folder"))

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Dataset folder", self.dataset.text())
        if folder:
            self.dataset.setText(folder)

    def _choose_init(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Start From Checkpoint", self.init_from.text(),
                                              "Checkpoints (*.safetensors)")
        if path:
            self.init_from.setText(path)

    def set_running(self, running: bool) -> None:
        for widget in self._rows.values():
            widget.setEnabled(not running)
        self.browse.setEnabled(not running and self.applies("folder"))
        if not running:
            self._update_enabled()
