"""Composition root of the desktop app: `workbench` with no arguments runs `main`.

Start-up order matters: Qt and the window come first, torch loads afterwards on
a worker thread, so the window appears quickly (see `workbench bench ui`).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time

APP_ID = "org.workbench.Workbench"
SMOKE_ITERATIONS = 12
SMOKE_TIMEOUT_S = 240


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="workbench", description="Open the Workbench desktop app.")
    parser.add_argument("--smoke", action="store_true",
                        help="open the window offscreen, train a few iterations, close, exit 0 if all went well")
    parser.add_argument("--reset-settings", action="store_true", help="forget the remembered layout and settings")
    parser.add_argument("--report-startup", action="store_true", help=argparse.SUPPRESS)  # for `workbench bench ui`
    parser.add_argument("--quit-after-shown", action="store_true", help=argparse.SUPPRESS)
    # `workbench bench recovery`: edit and autosave until killed; or recover and report
    parser.add_argument("--crash-drill", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--recovery-report", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _isolate_for_smoke() -> str:
    """Smoke runs never touch the user's settings or data: both go to a temporary folder."""
    folder = tempfile.mkdtemp(prefix="workbench-smoke-")
    os.environ.setdefault("WORKBENCH_SETTINGS_DIR", os.path.join(folder, "settings"))
    os.environ.setdefault("WORKBENCH_DATA_DIR", os.path.join(folder, "data"))
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return folder


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    args = parse_args(sys.argv[1:] if argv is None else list(argv))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    smoke_folder = _isolate_for_smoke() if args.smoke else None
    try:
        return _run(args, started)
    finally:
        if smoke_folder:
            shutil.rmtree(smoke_folder, ignore_errors=True)


def _run(args: argparse.Namespace, started: float) -> int:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from workbench import __version__
    from workbench.ui.context import APPLICATION, ORGANIZATION, AppContext
    from workbench.ui.icons import app_icon
    from workbench.ui.jobs import collect_garbage_on_gui_thread, prefer_gui_thread
    from workbench.ui.platform import quiet_offscreen_noise

    prefer_gui_thread()
    quiet_offscreen_noise()

    settings_dir = os.environ.get("WORKBENCH_SETTINGS_DIR")
    if settings_dir:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Workbench")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    collect_garbage_on_gui_thread(app)

    context = AppContext()
    if args.reset_settings:
        context.settings.clear()
    _route_uncaught_exceptions(context)

    from workbench.ui.main_window import MainWindow

    window = MainWindow(context)
    window.show()

    def on_shown() -> None:
        if args.report_startup:
            torch_loaded = int("torch" in sys.modules)  # must be 0: torch loads after the window is up
            print(f"window-shown-after-s {time.monotonic() - started:.4f} torch-loaded {torch_loaded}", flush=True)
        if args.crash_drill or args.recovery_report:
            from workbench.ui import crash_drill

            (crash_drill.start_drill if args.crash_drill else crash_drill.report_recovery)(window)
            return
        window.start_background_setup()
        if not (args.smoke or args.quit_after_shown):
            window.project.offer_recovery()         # the last session was killed: offer its autosave
        if args.report_startup:
            print(f"first-panel-ready-after-s {time.monotonic() - started:.4f}", flush=True)
        if args.quit_after_shown:
            window.close()
            return
        if args.smoke:
            SmokeRun(window, app).start()

    QTimer.singleShot(0, on_shown)
    code = app.exec()
    return code if not args.smoke else SmokeRun.exit_code


class SmokeRun:
    """Drives the real window: train a few iterations through the Start button, then close."""

    exit_code = 1

    def __init__(self, window, app):
        self.window = window
        self.app = app
        self.errors: list[str] = []
        window.context.notifier.posted.connect(self._on_posted)

    def _on_posted(self, level: str, message: str) -> None:
        if level == "error":
            self.errors.append(message)
            print(f"smoke: error: {message}", file=sys.stderr, flush=True)

    def start(self) -> None:
        from PySide6.QtCore import QTimer

        panel = self.window.host.show_panel("training")
        if panel is None:
            self._finish("the training panel could not be built")
            return
        self.panel = panel
        panel.form.set_state({"domain": "sinusoid", "algo": "maml", "iterations": SMOKE_ITERATIONS,
                              "meta_batch": 5, "val_every": 5, "inner_steps": 1, "device": "cpu"})
        panel.form.extra_config = {"batching": "loop"}  # skip the batching measurement: a smoke run is short
        panel.run_ended.connect(self._on_ended)
        QTimer.singleShot(SMOKE_TIMEOUT_S * 1000, lambda: self._finish("timed out"))
        panel.start_button.click()

    def _on_ended(self, outcome: str) -> None:
        points = len(self.panel.store)
        problem = None
        if outcome != "finished":
            problem = f"training {outcome}"
        elif points < SMOKE_ITERATIONS:
            problem = f"only {points} of {SMOKE_ITERATIONS} iterations reached the plots"
        self._finish(problem)

    def _finish(self, problem: str | None) -> None:
        if problem is None and self.errors:
            problem = self.errors[0]
        SmokeRun.exit_code = 0 if problem is None else 1
        print(f"smoke: {'ok' if problem is None else 'FAILED: ' + problem}", flush=True)
        self.window.close()
        self.app.quit()


def _route_uncaught_exceptions(context) -> None:
    """An exception escaping a slot reaches the notification sink (and the log), never only stderr."""
    from workbench.ui.errors import describe_error

    log = logging.getLogger("workbench")
    previous = sys.excepthook

    def hook(kind, value, traceback):
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, value, traceback)
            return
        log.error("uncaught exception", exc_info=(kind, value, traceback))
        context.notifier.error(describe_error(value))

    sys.excepthook = hook


if __name__ == "__main__":  # `python -m workbench.app` (what `workbench bench ui` launches)
    sys.exit(main())
