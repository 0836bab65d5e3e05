"""`workbench bench ui`: how responsive the desktop app is, as numbers.

- start_to_window_shown: a fresh `python -m workbench` process, from spawn to
  the main window shown (target <= 1.5 s; torch must load afterwards);
- gui_timer_lateness_during_training: a 10 ms timer on the GUI thread while
  the Training panel meta-trains at full speed on its QThread, measured after
  the first iteration (targets: p99 <= 10 ms, max <= 50 ms);
- plot_redraw: one frame of the outer-loss plot holding 100k points (append,
  setData, paint), against a 60 Hz frame (16.7 ms).

Runs offscreen unless a display is available.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

STARTUP_TARGET_S = 1.5
LATENESS_TARGET_P99_MS = 10.0
LATENESS_TARGET_MAX_MS = 50.0
FRAME_MS = 1000 / 60
TIMER_MS = 10


def register(subparsers) -> None:
    p = subparsers.add_parser("ui", help="desktop app: start-up time, GUI lateness while training, plot redraw cost")
    p.add_argument("--runs", type=int, default=3, help="start-up measurements (fresh processes)")
    p.add_argument("--seconds", type=float, default=10.0, help="how long to measure timer lateness while training")
    p.add_argument("--points", type=int, default=100_000, help="points in the redraw measurement")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=run)


def run(args) -> int:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = tempfile.mkdtemp(prefix="workbench-bench-ui-")
    os.environ["WORKBENCH_SETTINGS_DIR"] = os.path.join(scratch, "settings")  # never the user's settings
    os.environ["WORKBENCH_DATA_DIR"] = os.path.join(scratch, "data")
    results = [measure_startup(args.runs)]
    app = _application()
    results.append(measure_redraw(app, args.points))
    results.extend(measure_lateness(app, args.seconds))
    from workbench.commands.output import emit
    from workbench.meta.device import device_label, resolve_device

    emit("bench ui", results, device=device_label(resolve_device("cpu")), as_json=args.json,
         extra={"platform": os.environ.get("QT_QPA_PLATFORM", "native"), "cpu_count": os.cpu_count(),
                # other work on the machine delays the GUI thread: read the lateness numbers with this
                "load_average_1min": round(os.getloadavg()[0], 2)})
    return 0


def _application():
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from workbench.ui.jobs import collect_garbage_on_gui_thread, prefer_gui_thread
    from workbench.ui.platform import quiet_offscreen_noise

    quiet_offscreen_noise()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, os.environ["WORKBENCH_SETTINGS_DIR"])
    prefer_gui_thread()  # as the app does
    app = QApplication.instance() or QApplication([sys.argv[0]])
    collect_garbage_on_gui_thread(app)
    return app


# -- start-up ----------------------------------------------------------------------
def measure_startup(runs: int) -> dict:
    """Spawn the app, read the line it prints when the window is shown; the app quits right after."""
    times, inside, torch_loaded, panel_ready = [], [], [], []
    for _ in range(max(1, runs)):
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "workbench.app", "--report-startup", "--quit-after-shown"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=os.environ.copy())
        shown_at = None
        for line in proc.stdout:
            if line.startswith("window-shown-after-s"):
                shown_at = time.monotonic()
                parts = line.split()
                inside.append(float(parts[1]))
                torch_loaded.append(parts[3] == "1" if len(parts) > 3 else None)
            elif line.startswith("first-panel-ready-after-s"):
                panel_ready.append(time.monotonic() - start)
        proc.wait(timeout=60)
        if shown_at is None:
            raise RuntimeError(f"the app exited with {proc.returncode} before showing its window")
        times.append(shown_at - start)
    median = statistics.median(times)
    return {
        "metric": "start_to_window_shown", "unit": "s", "runs": len(times), "median": round(median, 3),
        "max": round(max(times), 3), "in_main_median": round(statistics.median(inside), 3),
        "training_panel_ready_median": round(statistics.median(panel_ready), 3) if panel_ready else None,
        "torch_loaded_before_shown": any(torch_loaded), "target_max": STARTUP_TARGET_S,
        "pass": max(times) <= STARTUP_TARGET_S and not any(torch_loaded),
    }


# -- responsiveness while training -------------------------------------------------------
def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class _LatenessProbe:
    def __init__(self):
        from PySide6.QtCore import Qt, QTimer

        self.samples: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TIMER_MS)
        self.timer.timeout.connect(self._tick)
        self.last = None

    def start(self):
        self.samples.clear()
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self):
        self.timer.stop()

    def _tick(self):
        now = time.perf_counter()
        self.samples.append(max(0.0, (now - self.last) * 1000 - TIMER_MS))
        self.last = now


def _lateness_record(phase: str, samples: list[float], seconds: float, extra: dict) -> dict:
    record = {"metric": "gui_timer_lateness", "phase": phase, "unit": "ms", "timer_ms": TIMER_MS,
              "ticks": len(samples), "seconds": round(seconds, 2)}
    if samples:
        record.update(p50=round(_percentile(samples, 50), 2), p99=round(_percentile(samples, 99), 2),
                      max=round(max(samples), 2))
    record.update(extra)
    return record


def measure_lateness(app, seconds: float) -> list[dict]:
    from workbench.ui.context import AppContext
    from workbench.ui.main_window import MainWindow

    window = MainWindow(AppContext())
    window.resize(1280, 820)
    window.show()
    window.start_background_setup()
    panel = window.host.show_panel("training")
    panel.form.set_state({"domain": "sinusoid", "preset": "", "algo": "maml", "iterations": 10_000_000,
                          "meta_batch": 25, "inner_steps": 1, "eval_steps": 10, "val_every": 100, "device": "cpu",
                          "inner_lr": "0.01", "outer_lr": "0.001", "shot": 10})
    probe = _LatenessProbe()
    _wait(app, lambda: not window._device_job.busy and not panel.preset_jobs.busy, 120)  # torch loaded
    # Baseline: the same probe with the window idle shows what the rest of the machine costs.
    probe.start()
    began = time.monotonic()
    _wait(app, lambda: False, min(3.0, seconds))
    idle = _lateness_record("idle_window_no_training", list(probe.samples), time.monotonic() - began, {})
    probe.start()
    began = time.monotonic()
    panel.start()
    _wait(app, lambda: len(panel.store) >= 1, 300)
    first_phase = _lateness_record("until_first_iteration", list(probe.samples), time.monotonic() - began, {})
    redraws_before = panel.plots.redraws
    probe.start()
    iteration_before, began = panel.progress.iteration, time.monotonic()
    _wait(app, lambda: False, seconds)
    elapsed = time.monotonic() - began
    probe.stop()
    iterations = panel.progress.iteration - iteration_before
    samples = list(probe.samples)
    record = _lateness_record("training_after_first_iteration", samples, elapsed, {
        "train_iterations_per_s": round(iterations / elapsed, 1),
        "train_tasks_per_s": round(iterations * 25 / elapsed, 1),
        "plot_redraws_per_s": round((panel.plots.redraws - redraws_before) / elapsed, 1),
        "target_p99": LATENESS_TARGET_P99_MS, "target_max": LATENESS_TARGET_MAX_MS,
    })
    record["pass"] = (bool(samples) and record["p99"] <= LATENESS_TARGET_P99_MS
                      and record["max"] <= LATENESS_TARGET_MAX_MS)
    panel.close_request = lambda: True  # no dialog: the benchmark discards its run
    window.close()
    return [idle, first_phase, record]


def _wait(app, condition, timeout_s: float) -> None:
    from PySide6.QtCore import QEventLoop

    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        time.sleep(0.001)


# -- plot redraw ---------------------------------------------------------------------------
def measure_redraw(app, points: int, frames: int = 40) -> dict:
    """One live-plot frame as the app does it: append a batch, setData on the outer-loss plot, paint it."""
    import numpy as np

    from workbench.meta.records import IterationRecord
    from workbench.ui.training.metrics import MetricsStore
    from workbench.ui.training.plots_view import PlotsView

    store = MetricsStore()
    rng = np.random.default_rng(0)
    n = points
    loss = np.abs(rng.normal(1.0, 0.3, n)) * np.linspace(3, 0.3, n)
    constant = {"accuracy": np.nan, "tasks_per_s": 50.0, "memory_mb": 300.0, "outer_lr": 1e-3,
                "inner_lr_mean": 0.01, "inner_lr_min": 0.01, "inner_lr_max": 0.01, "elapsed_s": 0.02}
    store.iterations["iteration"].extend(np.arange(1, n + 1))
    store.iterations["outer_loss"].extend(loss)
    store.iterations["query_loss"].extend(loss)
    for name, value in constant.items():
        store.iterations[name].extend(np.full(n, value))
    store.smoothed_loss.extend(loss)
    store.version += 1
    view = PlotsView(store)
    view.resize(1000, 700)
    view.show()
    app.processEvents()
    view.refresh()
    app.processEvents()
    update_ms, paint_ms, total_ms = [], [], []
    next_iteration = n + 1
    for _ in range(frames):
        batch = [IterationRecord(iteration=next_iteration + i, outer_loss=0.3, query_loss=0.3,
                                 support_losses=(0.5, 0.3), accuracy=None, tasks_per_s=50.0, memory_mb=300.0,
                                 outer_lr=1e-3, inner_lr={"mean": 0.01, "min": 0.01, "max": 0.01}, elapsed_s=0.02,
                                 iterations_total=next_iteration + 5)
                 for i in range(5)]
        next_iteration += 5
        start = time.perf_counter()
        store.add(batch)
        view.outer.update(store)
        updated = time.perf_counter()
        view.outer.widget.viewport().repaint()
        done = time.perf_counter()
        update_ms.append((updated - start) * 1000)
        paint_ms.append((done - updated) * 1000)
        total_ms.append((done - start) * 1000)
    view.close()
    median = statistics.median(total_ms)
    return {"metric": "plot_redraw", "plot": "outer_loss", "unit": "ms", "points": len(store), "frames": frames,
            "median": round(median, 2), "p90": round(_percentile(total_ms, 90), 2), "max": round(max(total_ms), 2),
            "update_median": round(statistics.median(update_ms), 2),
            "paint_median": round(statistics.median(paint_ms), 2),
            "frame_budget_60hz": round(FRAME_MS, 1), "pass": median < FRAME_MS / 2}
