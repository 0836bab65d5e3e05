"""How responsive the Sketch Studio is: `python -m workbench.devtools.sketch_studio_bench [--json]`.

Measures, offscreen, with the shipped checkpoints (or --vary/--complete files):
canvas latency per pointer move on a long stroke, undo re-render time, and the
time from pressing Vary/Complete to a filled gallery, cold (torch not yet loaded)
and warm, plus the longest stall of a 10 ms GUI timer while those jobs run.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time


def _percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _canvas(app, panel) -> list[dict]:
    canvas = panel.canvas
    points = [(128 + 100 * math.cos(t / 40), 128 + 100 * math.sin(t / 25)) for t in range(600)]
    canvas._begin(canvas.image_to_widget(*points[0]), 1.0, False)
    moves = []
    for x, y in points[1:]:
        start = time.perf_counter()
        canvas._extend(canvas.image_to_widget(x, y), 1.0)
        moves.append((time.perf_counter() - start) * 1000)
    canvas._finish(canvas.image_to_widget(*points[-1]))
    for _ in range(49):
        canvas._begin(canvas.image_to_widget(40, 40), 1.0, False)
        for x in range(40, 216, 4):
            canvas._extend(canvas.image_to_widget(x, 200), 1.0)
        canvas._finish(canvas.image_to_widget(216, 200))
    start = time.perf_counter()
    canvas.undo_stack.undo()
    undo_ms = (time.perf_counter() - start) * 1000
    return [{"measure": "canvas_move_ms", "points": len(moves), "mean": round(statistics.mean(moves), 3),
             "p99": round(_percentile(moves, 0.99), 3), "max": round(max(moves), 3)},
            {"measure": "canvas_undo_ms", "strokes": 50, "value": round(undo_ms, 2)}]


def _press(app, panel, start_fn) -> tuple[float, float]:
    """Seconds from the press to a filled gallery, and the longest GUI-timer gap (ms) meanwhile."""
    from PySide6.QtCore import QTimer
    ticks = [time.perf_counter()]
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    done = []
    panel.runner.finished.connect(done.append)        # after the panel's own slot filled the gallery
    start = time.perf_counter()
    start_fn()
    while not done:
        app.processEvents()
        time.sleep(0.001)
        if time.perf_counter() - start > 300:
            raise TimeoutError("the job did not finish in 300 s")
    took = time.perf_counter() - start
    panel.runner.finished.disconnect(done.append)
    timer.stop()
    gaps = [(b - a) * 1000 for a, b in zip(ticks, ticks[1:])] or [0.0]
    return took, max(gaps)


def run(args) -> list[dict]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])
    import tempfile
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from workbench.ui.context import AppContext
    from workbench.ui.sketch_studio.panel import SketchStudioPanel
    context = AppContext()
    panel = SketchStudioPanel(context)
    panel._warm_requested = True                       # measure the cold press, not the warm-up
    panel.resize(1280, 800)
    panel.show()
    try:
        return _measure(app, panel, context, args)
    finally:
        panel.shutdown()


def _measure(app, panel, context, args) -> list[dict]:
    from workbench.domains.sketch.api import to_model_array
    results = _canvas(app, panel)
    ink = panel.canvas.to_array()
    for _ in range(4):
        panel.strip.add_image(to_model_array(ink), "example")
    for selector, path in ((panel.vary_checkpoint, args.vary), (panel.complete_checkpoint, args.complete)):
        if path and not selector.load(path):
            raise SystemExit(f"cannot use checkpoint {path}")
    panel.variations.setValue(16)
    for mode, fn in (("vary", panel.start_vary), ("complete", panel.start_complete)):
        cold, cold_gap = _press(app, panel, fn)
        warm = [_press(app, panel, fn) for _ in range(args.repeats)]
        results.append({"measure": f"{mode}_press_to_gallery_ms", "variations": 16 if mode == "vary" else None,
                        "first": round(cold * 1000, 1), "warm_median": round(statistics.median(
                            t for t, _ in warm) * 1000, 1), "gui_max_stall_ms": round(max(
                                [cold_gap] + [g for _, g in warm]), 1)})
    errors = [n.message for n in context.notifier.history() if n.level == "error"]
    if errors:
        raise SystemExit("; ".join(errors))
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.devtools.sketch_studio_bench", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--vary", help="vary checkpoint (default: shipped)")
    parser.add_argument("--complete", help="complete checkpoint (default: shipped)")
    args = parser.parse_args(argv)
    results = run(args)
    from workbench.commands.output import emit
    emit("bench sketch-studio", results, device="cpu", as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
