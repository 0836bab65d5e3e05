"""The Training panel: the form, the run controls, progress and the live plots.

Training runs in a TrainingSession (a QThread driving the engine's generator);
this panel only reacts to its queued signals.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.checkpoint_info import open_checkpoint_meta
from workbench.ui.context import AppContext
from workbench.ui.errors import describe_error
from workbench.ui.jobs import JobRunner
from workbench.ui.training.actions import TrainingActions
from workbench.ui.training.checkpoint_files import (
    ask_checkpoint_path,
    ask_save_on_close,
    new_autosave_path,
    save_trainer,
)
from workbench.ui.training.follow import RunFollower
from workbench.ui.training.form import TrainingForm
from workbench.ui.training.history import copy_history, read_history
from workbench.ui.training.metrics import MetricsStore
from workbench.ui.training.plots_view import PlotsView
from workbench.ui.training.progress import ProgressView
from workbench.ui.training.session import TrainingSession
from workbench.ui.training.worker import TrainingJob


def load_presets(domain: str, *, progress, cancelled) -> tuple[str, dict]:
    from workbench.domains.registry import presets

    return domain, presets(domain)


class TrainingPanel(QWidget):
    run_ended = Signal(str)  # "finished" | "stopped" | "failed"

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("training-panel")
        self.context = context
        self.notifier = context.notifier
        self.session = TrainingSession(self)
        self.follower = RunFollower(self)
        self.preset_jobs = JobRunner(self, name="training-presets")
        self.save_jobs = JobRunner(self, name="training-save")
        self.store = MetricsStore()
        self.form = TrainingForm()
        self.plots = PlotsView(self.store, self)
        self.progress = ProgressView(self)
        self.actions = TrainingActions(self)
        self.run_domain: str | None = None
        self.autosave_path: str | None = None
        self.last_error: str | None = None
        self.last_outcome: str | None = None
        self.last_saved: str | None = None          # the run's latest checkpoint, offered when it ends
        self.model_offer = None                     # the "Use in …" message of the last run
        self._save_on_close = False
        self._build_layout()
        self._connect()
        self.form.load_settings(context.settings)
        self._apply_plot_settings()
        if not self.preset_jobs.busy:  # (restoring another domain already asked for its presets)
            self._load_presets(self.form.current_domain(), apply_first=False)
        self.update_controls()

    # -- layout -------------------------------------------------------------
    def _button(self, action) -> QToolButton:
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return button

    def _build_layout(self) -> None:
        a = self.actions
        self.start_button = self._button(a.start)
        self.pause_button = self._button(a.pause)
        self.stop_button = self._button(a.stop)
        self.save_button = self._button(a.save)
        self.load_button = self._button(a.load)
        self.resume_button = self._button(a.resume_checkpoint)
        buttons = QGridLayout()
        for column, button in enumerate((self.start_button, self.pause_button, self.stop_button)):
            buttons.addWidget(button, 0, column)
        for column, button in enumerate((self.save_button, self.load_button, self.resume_button)):
            buttons.addWidget(button, 1, column)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 6, 6)
        left_layout.addWidget(scroll, 1)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.progress)
        left.setMinimumWidth(330)

        export_row = QHBoxLayout()
        export_row.addStretch(1)
        export_row.addWidget(self._button(a.export_png))
        export_row.addWidget(self._button(a.export_csv))
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 6, 6, 6)
        self.remote_banner = QLabel(self)
        self.remote_banner.setObjectName("remote-banner")
        self.remote_banner.setStyleSheet("QLabel { background: palette(highlight); color: palette(highlighted-text);"
                                         " padding: 4px 8px; border-radius: 3px; }")
        self.remote_banner.hide()
        right_layout.addWidget(self.remote_banner)
        right_layout.addWidget(self.plots, 1)
        right_layout.addLayout(export_row)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("training-splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([360, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    def _connect(self) -> None:
        s = self.session
        s.metrics.connect(self._on_metrics)
        s.status.connect(self._on_status)
        s.checkpoint_saved.connect(self._on_checkpoint_saved)
        s.failed.connect(self._on_failed)
        s.preparing.connect(self.progress.show_preparation)  # a first melody corpus parse, with Stop
        s.ended.connect(self._on_ended)
        self.follower.records.connect(self._on_followed)
        self.follower.problem.connect(self.notifier.warning)
        self.follower.restarted.connect(self._clear_plots)
        self.form.changed.connect(self.update_controls)
        self.form.domain_changed.connect(self._load_presets)
        self.preset_jobs.finished.connect(self._on_presets)
        self.preset_jobs.errored.connect(lambda m: self.notifier.warning(f"Could not load the presets: {m}"))
        self.save_jobs.finished.connect(self._on_checkpoint_saved)
        self.save_jobs.errored.connect(self.notifier.error)
        self.plots.smoothing.valueChanged.connect(lambda v: self.context.settings.setValue("training/smoothing", v))
        self.plots.log_y.toggled.connect(lambda on: self.context.settings.setValue("training/log_y", on))

    def _apply_plot_settings(self) -> None:
        settings = self.context.settings
        self.plots.smoothing.setValue(settings.value("training/smoothing", self.plots.smoothing.value(), type=int))
        self.plots.log_y.setChecked(settings.value("training/log_y", False, type=bool))

    def menu_actions(self) -> list:
        return self.actions.menu()

    # -- state ------------------------------------------------------------------
    def is_busy(self) -> bool:
        return self.session.running

    def update_controls(self) -> None:
        running = self.session.running
        following = self.follower.following
        self.actions.update(running=running, paused=self.session.paused, form_ok=self.form.validate(),
                            can_save=running or self.session.trainer is not None, have_data=len(self.store) > 0,
                            following=following)
        self.form.set_running(running or following)

    def _load_presets(self, domain: str, apply_first: bool) -> None:
        if domain:
            self._apply_first_preset = apply_first
            self.preset_jobs.submit(load_presets, domain)

    @Slot(object)
    def _on_presets(self, result) -> None:
        domain, presets = result
        self.form.set_presets(domain, presets, apply_first=self._apply_first_preset)

    # -- run control ------------------------------------------------------------
    def start(self) -> bool:
        if self.session.running:
            return False
        values = self.form.values()
        if values is None:
            self.notifier.warning("Fix the settings marked in red before starting.")
            return False
        domain, problem, config = values
        self.form.save_settings(self.context.settings)
        autosave = new_autosave_path(self.context.runs_dir(), domain, config.get("algo", "run"), self.autosave_path)
        job = TrainingJob(domain, problem, config, autosave=autosave, init_from=self.form.start_path())
        return self._start(job, config["iterations"], 0, config.get("algo"))

    def _start(self, job: TrainingJob, total: int, done: int, algo: str | None) -> bool:
        self.run_domain = job.domain
        self.autosave_path = job.autosave
        self.last_error = None
        self.last_outcome = None
        self.last_saved = None
        self.store.clear()
        self.plots.clear()
        self.plots.show_rates(algo == "metasgd")
        self.progress.start(done, total)
        self.progress.set_state("Starting (loading the engine)…")
        self.session.start(job)
        self.plots.set_live(True)
        self.update_controls()
        return True

    def toggle_pause(self) -> None:
        if not self.session.running:
            return
        if self.session.paused:
            self.session.resume()
            self.progress.reset_rate()
            self.progress.set_state("Training")
        else:
            self.session.pause()
            self.progress.set_state("Pausing…")
        self.update_controls()

    def stop(self) -> None:
        if self.session.running:
            self.session.stop(save=True)
            self.progress.set_state("Stopping…")

    def save_checkpoint(self, path: str | None = None) -> None:
        """Save now: during a run between two iterations, afterwards from the finished trainer."""
        if not (self.session.running or self.session.trainer is not None):
            return
        path = path or ask_checkpoint_path(self, self.context, save=True)
        if not path:
            return
        if not (self.session.running and self.session.request_checkpoint(path)):
            self.save_jobs.submit(save_trainer, self.session.latest_trainer, path)

    def _read_checkpoint(self, path: str | None, title: str | None = None) -> tuple[str | None, dict | None]:
        """(path, metadata) of the given checkpoint or one the user picks; (path, None) if
        none was picked or it cannot be read (the error goes to the notifier)."""
        extra = {"title": title} if title else {}
        path = path or ask_checkpoint_path(self, self.context, save=False, **extra)
        if not path:
            return path, None
        try:
            return path, open_checkpoint_meta(path)
        except Exception as exc:  # noqa: BLE001
            self.notifier.error(describe_error(exc))
            return path, None

    def load_checkpoint(self, path: str | None = None) -> bool:
        """Make a checkpoint current for its domain and show its settings in the form."""
        path, info = self._read_checkpoint(path)
        if info is None:
            return False
        self.form.apply_settings(info.get("config", {}), info.get("problem", {}), domain=info.get("domain"))
        self.context.set_checkpoint(info["domain"], path)
        self._show_history(path, info)
        iteration = info.get("iteration", "?")
        self.notifier.info(f"Loaded {os.path.basename(path)} ({info['domain']}, iteration {iteration})")
        self.update_controls()
        return True

    def _show_history(self, path: str, info: dict) -> None:
        """The loaded checkpoint's run replaces the last run's plots and status."""
        if self.session.running:
            return  # the live run keeps its plots
        records = read_history(path)
        self.store.clear()
        self.plots.clear()
        self.plots.show_rates(info.get("config", {}).get("algo") == "metasgd")
        if records:
            self.store.add(records)
        self.plots.refresh(force=True)
        iteration = int(info.get("iteration", 0) or 0)
        total = int(info.get("config", {}).get("iterations", 0) or 0)
        self.progress.show_loaded(os.path.basename(path), iteration, total, bool(records))
        self.update_controls()

    def resume_from_checkpoint(self, path: str | None = None) -> bool:
        """Continue a saved run exactly; a finished run continues for the form's number of iterations."""
        if self.session.running:
            return False
        path, info = self._read_checkpoint(path, title="Resume Training From Checkpoint")
        if info is None:
            return False
        config = dict(info.get("config", {}))
        done = int(info.get("iteration", 0))
        total = int(config.get("iterations", 0))
        if done >= total:
            total = done + self.form.iterations.value()
        self.form.apply_settings(info.get("config", {}), info.get("problem", {}), domain=info.get("domain"))
        job = TrainingJob(info["domain"], dict(info.get("problem", {})), config,
                          autosave=new_autosave_path(self.context.runs_dir(), info["domain"], config.get("algo", "run"),
                                                   self.autosave_path), resume_from=path,
                          config_changes={"iterations": total})
        self.notifier.info(f"Resuming {os.path.basename(path)} at iteration {done} of {total}")
        return self._start(job, total, done, config.get("algo"))

    # -- following a remote run (read-only) ------------------------------------------
    def toggle_follow(self) -> None:
        if self.follower.following:
            self.stop_following()
        else:
            self.follow_run()

    def follow_run(self, path: str | None = None) -> bool:
        """Plot the metric stream a `workbench train --jsonl-file PATH` run appends to, live and read-only."""
        if self.session.running:
            self.notifier.warning("Stop the local run before following another one.")
            return False
        path = path or QFileDialog.getOpenFileName(self, "Follow a Run", "", "Metric stream (*.jsonl);;All files (*)")[0]
        if not path:
            return False
        self._clear_plots()
        self.progress.start(0, 1)
        self.progress.set_state("Remote run: waiting for records…")
        self.remote_banner.setText(f"Remote run (read-only): {os.path.basename(path)}")
        self.remote_banner.setToolTip(path)
        self.remote_banner.show()
        self.follower.start(path)
        self.plots.set_live(True)
        self.update_controls()
        return True

    def stop_following(self) -> None:
        if not self.follower.following:
            return
        self.follower.stop()
        self.plots.set_live(False)
        self.remote_banner.hide()
        self.progress.set_state("Stopped following")
        self.update_controls()

    def _clear_plots(self) -> None:
        self.store.clear()
        self.plots.clear()

    @Slot(list)
    def _on_followed(self, batch: list) -> None:
        for start in (i for i, r in enumerate(batch) if r.kind == "status" and r.state == "started"):
            iterations = self.store.iterations["iteration"].view()
            if len(iterations) and batch[start].iteration < iterations[-1]:  # a new run appended to the file
                self._on_metrics(batch[:start])
                self._clear_plots()
                batch = batch[start:]
                break
        self._on_metrics(batch)  # the same plots as a local run
        for record in batch:
            if record.kind == "status" and record.state == "started":
                self.plots.show_rates(record.message.startswith("metasgd"))
                self.remote_banner.setText(f"{self.remote_banner.text().split(' — ')[0]} — {record.message}")
            if record.kind == "status" and record.state != "info":
                self.progress.set_state(f"Remote run: {record.state}")
            elif record.kind == "checkpoint":
                self.progress.set_state(f"Remote run: checkpoint at iteration {record.iteration}")

    # -- export -------------------------------------------------------------------
    def export_png(self, path: str | None = None) -> bool:
        path = path or QFileDialog.getSaveFileName(self, "Export Plots", "training.png", "PNG image (*.png)")[0]
        if not path:
            return False
        ok = self.plots.save_png(path)
        (self.notifier.info if ok else self.notifier.error)(
            f"Exported the plots to {path}" if ok else f"Could not write {path}")
        return ok

    def export_csv(self, path: str | None = None) -> bool:
        path = path or QFileDialog.getSaveFileName(self, "Export Metrics", "metrics.csv", "CSV (*.csv)")[0]
        if not path:
            return False
        try:
            rows = self.store.write_csv(path)
        except OSError as exc:
            self.notifier.error(f"Could not write {path}: {exc.strerror or exc}")
            return False
        self.notifier.info(f"Exported {rows} metric rows to {path}")
        return True

    # -- session signals (GUI thread) ---------------------------------------------
    @Slot(list)
    def _on_metrics(self, batch: list) -> None:
        first = len(self.store) == 0
        self.store.add(batch)
        if first and len(self.store):
            self.update_controls()  # metrics can be exported from now on
        last = next((r for r in reversed(batch) if r.kind == "iteration"), None)
        if last is not None:
            self.progress.update_progress(last.iteration, last.iterations_total, last.tasks_per_s)
            if not self.session.paused:
                self.progress.set_state("Training")

    @Slot(str, str)
    def _on_status(self, state: str, message: str) -> None:
        if state == "paused":
            self.progress.set_state("Paused")
        elif state == "resumed":
            self.progress.set_state("Training")
        elif state == "started":
            self.progress.set_state("Training")
            self.notifier.info(f"Training started: {message}")
        elif state == "info" and message:
            self.notifier.info(message)
        elif state == "save_failed":  # the run goes on; the user can pick a place that works
            # The remedy first: a status bar shows the start of a long message.
            self.notifier.warning(f"Checkpoint not saved; Save Checkpoint… (Ctrl+Alt+S) saves the run elsewhere. {message}")

    @Slot(str)
    def _on_checkpoint_saved(self, path: str) -> None:
        domain = self.run_domain or self.form.current_domain()
        self.context.set_checkpoint(domain, path)
        if self.autosave_path:
            copy_history(self.autosave_path, path)  # Load Checkpoint shows this run's plots
        self.notifier.info(f"Checkpoint saved: {path}")
        self.last_saved = path
        self.context.library_changed.emit(domain)     # listed in the pickers; none of them switches to it
        self.update_controls()

    @Slot(str, str)
    def _on_failed(self, message: str, setting: str) -> None:
        self.last_error = message
        self.notifier.error(message)
        if setting:
            self.form.show_error(setting, message)

    @Slot()
    def _on_ended(self) -> None:
        self.plots.set_live(False)
        iteration = self.progress.iteration
        if self.last_error:
            outcome, text = "failed", f"Failed at iteration {iteration}"
        elif iteration >= self.progress.total:
            outcome, text = "finished", f"Finished {iteration} iterations"
        else:
            outcome, text = "stopped", f"Stopped at iteration {iteration}"
        self.last_outcome = outcome
        self.progress.finish(text)
        if outcome != "failed":
            self.notifier.info(f"Training {outcome} at iteration {iteration}")
        self.update_controls()
        if outcome != "failed" and self.last_saved and not getattr(self, "_closing", False):
            from workbench.ui.training.model_offer import offer_model, validation_summary
            self.model_offer = offer_model(self, self.context, self.last_saved, validation_summary(self.store))
        self.run_ended.emit(outcome)

    # -- closing --------------------------------------------------------------------
    def close_request(self) -> bool:
        """Called before the window closes: ask whether to save a running run. False = keep open."""
        if not self.session.running:
            return True
        answer = ask_save_on_close(self)
        if answer == "cancel":
            return False
        self._save_on_close = answer == "save"
        return True

    def shutdown(self) -> None:
        """Stop the run (saving it if the user asked), join every thread."""
        self.follower.stop()
        self.form.save_settings(self.context.settings)
        self.plots.set_live(False)
        self._closing = True                          # the run saved on close is in the library; no offer now
        self.session.shutdown(save=self._save_on_close)
        QCoreApplication.sendPostedEvents(self.session)  # deliver the last records and the saved checkpoint
        self.preset_jobs.shutdown()
        self.save_jobs.shutdown()
