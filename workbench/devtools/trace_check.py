"""How closely the stroke SVG follows the drawing: trace drawings to pen strokes, draw them back
with their pen and compare (chamfer distance, IoU), as JSON (docs/sketch.md quotes it).

    python -m workbench.devtools.trace_check [--data ZIP] [--count 60]

Built-in test glyphs always; with --data also `count` drawings of a class-per-folder set, one
each of randomly chosen classes (seed 0).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time


def _measure(name: str, drawings) -> dict:
    from workbench.domains.sketch import metrics, trace

    chamfers, ious, ms, paths = [], [], [], []
    for drawing in drawings:
        start = time.perf_counter()
        found, width = trace.strokes(drawing)
        ms.append((time.perf_counter() - start) * 1000.0)
        back = trace.render(found, width, drawing.shape[-1])
        chamfers.append(metrics.chamfer(back, drawing))
        ious.append(metrics.iou(back > metrics.INK, drawing > metrics.INK))
        paths.append(len(found))
    return {"data": name, "drawings": len(chamfers), "chamfer_mean": statistics.fmean(chamfers),
            "chamfer_max": max(chamfers), "iou_mean": statistics.fmean(ious), "iou_min": min(ious),
            "ms_median": statistics.median(ms), "paths_median": statistics.median(paths)}


def main(argv=None) -> int:
    import numpy as np

    from workbench.domains.drawings.glyphs import render_glyphs
    from workbench.domains.drawings.sources import make_source

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="a class-per-folder set (folder or zip)")
    parser.add_argument("--count", type=int, default=60)
    args = parser.parse_args(argv)
    results = [_measure("glyphs", render_glyphs(range(args.count), [0], seed=0, split="test", size=64)[:, 0])]
    if args.data:
        source = make_source(args.data, size=64, whole=True)
        classes = np.random.default_rng(0).choice(source.num_classes("test"), min(args.count, source.num_classes("test")),
                                                  replace=False)
        results.append(_measure(args.data, [source.images("test", int(c), [0])[0] for c in classes]))
    print(json.dumps({"command": "trace_check", "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
