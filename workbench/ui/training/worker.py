"""The training worker: a QObject moved to a QThread that drives the engine's generator.

It never touches a widget. Metric records are batched and emitted at most
every FLUSH_INTERVAL_S, so the GUI redraws at a bounded rate however fast
training runs. Commands from the GUI thread (pause, resume, stop, checkpoint)
go to the engine's Controller, which the worker owns from the start.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal, Slot

from workbench.meta.controller import Controller
from workbench.ui.errors import describe_error
from workbench.ui.training.history import HistoryWriter

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 0.05  # at most 20 metric batches per second cross to the GUI thread


@dataclass(frozen=True)
class TrainingJob:
    """What to train: a fresh run (domain, problem options, config dict) or a resume."""

    domain: str
    problem: dict
    config: dict
    autosave: str | None = None  # checkpoint written when the run ends (and periodically if configured)
    resume_from: str | None = None
    init_from: str | None = None  # a fresh run begins from this checkpoint's weights
    config_changes: dict = field(default_factory=dict)  # applied on resume (e.g. more iterations)


class TrainingWorker(QObject):
    metrics = Signal(list)  # a batch of IterationRecord/ValidationRecord (frozen, so safe to share across threads)
    status = Signal(str, str)  # state (started|paused|resumed|stopped|finished|info), message
    checkpoint_saved = Signal(str)  # path of a written checkpoint
    failed = Signal(str, str)  # user message, setting name ("" when the error is not about a setting)
    preparing = Signal(int, int, str)  # done, total, message: the domain loads its data (a first corpus parse)
    done = Signal()  # the generator ended (finished, stopped or failed); the thread may quit

    def __init__(self, job: TrainingJob):
        super().__init__()
        self.job = job
        self.trainer = None  # kept after the run so the panel can save it
        # Created with the worker (torch-free), so Pause, Stop and Save now given
        # while torch is still loading reach the run: the one place that state lives.
        self.controller = Controller()

    # -- commands, called from the GUI thread --------------------------------
    def pause(self) -> None:
        self.controller.pause()

    def resume(self) -> None:
        self.controller.resume()

    def stop(self, save: bool = True) -> None:
        self.controller.stop(save=save)

    def request_checkpoint(self, path: str) -> bool:
        """Queue a "save now"; False once the run has ended (the caller then saves the trainer itself)."""
        return self.controller.request_checkpoint(path)

    # -- the run, on the worker thread ---------------------------------------
    @Slot()
    def run(self) -> None:
        batch: list = []
        last_flush = time.monotonic()
        saved_last = False

        def flush() -> None:
            nonlocal batch, last_flush
            if batch:
                self.metrics.emit(batch)
                batch = []
            last_flush = time.monotonic()

        history = None
        try:
            trainer = self._prepare()
            if trainer is None:
                return
            controller = self.controller
            job = self.job
            if job.autosave:
                history = HistoryWriter(job.autosave, continue_from=job.resume_from)
            for record in trainer.run(controller, out=job.autosave if trainer.config.checkpoint_every else None):
                kind = record.kind
                if history is not None:
                    history.write(record)
                if kind in ("iteration", "validation"):
                    batch.append(record)
                    saved_last = False
                    if time.monotonic() - last_flush >= FLUSH_INTERVAL_S:
                        flush()
                    continue
                flush()
                if kind == "checkpoint":
                    saved_last = record.path == job.autosave
                    self.checkpoint_saved.emit(record.path)
                elif kind == "status":
                    self.status.emit(record.state, record.message)
            flush()
            # A "save now" that arrived after the generator's last check must not be lost;
            # once closed, later requests are refused and saved by the panel instead.
            for path in controller.close():
                self._save(trainer, path)
            save = controller.save_on_stop
            if save and job.autosave and not saved_last and trainer.iteration > self._start_iteration:
                self._save(trainer, job.autosave)
        except BaseException as exc:  # noqa: BLE001 - every failure reaches the notification sink
            flush()
            log.warning("training failed", exc_info=True)
            self.failed.emit(describe_error(exc), str(getattr(exc, "setting", "") or ""))
        finally:
            if history is not None:
                history.close()
            self.done.emit()

    def _save(self, trainer, path: str) -> None:
        """Save; a full disk or a vanished folder is reported and the trained run stays in memory,
        so the panel can still save it elsewhere (Save Checkpoint)."""
        from workbench.meta.errors import CheckpointError

        try:
            self.checkpoint_saved.emit(str(trainer.save(path)))
        except CheckpointError as exc:
            self.status.emit("save_failed", f"{exc}; the trained run is kept")

    def _prepare(self):
        """Build the problem and trainer (imports torch here, off the GUI thread)."""
        from workbench.domains.registry import build_problem
        from workbench.meta.config import MetaConfig
        from workbench.meta.trainer import MetaTrainer

        job = self.job
        if job.autosave:  # a run is not trained only to find at its end that it cannot be saved
            from workbench.meta.checkpoint import check_destination

            check_destination(job.autosave)
        problem = build_problem(job.domain, job.problem)
        if not self._prepare_data(problem):
            return None
        if job.resume_from:
            trainer = MetaTrainer.resume(problem, job.resume_from, **job.config_changes)
        else:
            trainer = MetaTrainer(problem, MetaConfig.from_dict(job.config))
            if job.init_from:
                _start_from(trainer, job.init_from)
        self.trainer = trainer
        self._start_iteration = trainer.iteration
        return None if self.controller.stop_requested else trainer

    def _prepare_data(self, problem) -> bool:
        """Let a domain with slow data (the melody corpus, parsed for minutes the first time) load it
        now, with progress and Stop as the cancel; False when the user stopped it."""
        prepare = getattr(problem, "prepare_data", None)
        if prepare is None:
            return True
        from workbench.meta.errors import WorkbenchError

        stopped = lambda: self.controller.stop_requested  # noqa: E731
        try:
            prepare(progress=self.preparing.emit, cancelled=stopped)
        except WorkbenchError:
            if stopped():
                return False  # cancelled between two files: a stop, not a failure
            raise
        return not stopped()


def _start_from(trainer, path: str) -> None:
    """Begin a fresh run from a checkpoint's weights; a wrong file is the Start from field's error."""
    from workbench.meta.errors import CheckpointError, ConfigError

    try:
        trainer.start_from(path)
    except CheckpointError as exc:
        raise ConfigError("init_from", str(exc)) from exc
