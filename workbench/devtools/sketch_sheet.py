"""A sheet of typical Vary outputs for docs/sketch.md: support drawings, other real drawings of the
class, then samples at the default strength and drawn from a blank canvas (strength 1).

    python -m workbench.devtools.sketch_sheet --out docs/sketch-vary.png
        [--data ../shared/datasets/omniglot/images_background_small2.zip] [--classes 0 1 2 4 6 7] [--seed 0]

One row per class: built-in test-split glyph classes, then (with --data) as many classes of that set.
White paper, black ink, 2x with the smooth upscaling of exports. numpy, torch and PIL only.
"""

from __future__ import annotations

import argparse

import numpy as np

SUPPORT, REAL, SAMPLES = 5, 3, 6


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--data", default=None, help="a class-per-folder set (folder or zip) for more rows")
    parser.add_argument("--classes", type=int, nargs="+", default=[0, 1, 2, 4, 6, 7])
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from workbench.domains.drawings.sources import GlyphSource, make_source
    from workbench.domains.sketch import api, generate

    learner = generate.load_learner("ink", args.checkpoint)
    size, seed = learner.problem.size, learner.problem.options["seed"]
    sources = [GlyphSource(size=size, seed=seed)]
    if args.data:
        sources.append(make_source(args.data, size=size, whole=True))
    rows = []
    for source in sources:
        for index in args.classes:
            drawings = source.images("test", index, list(range(SUPPORT + REAL)))
            support = list(drawings[:SUPPORT])
            near = generate.vary(support, n=SAMPLES, seed=args.seed, learner=learner)
            blank = generate.vary(support, n=SAMPLES, seed=args.seed, learner=learner, strength=1.0)
            rows.append([*support, None, *drawings[SUPPORT:], None, *near, None, *blank])
    sheet = _tile(rows, size)
    api.save_png(sheet, args.out, scale=2)
    print(f"wrote {args.out}: {len(rows)} rows of {SUPPORT} support | {REAL} real | {SAMPLES} at strength "
          f"{generate.VARY_STRENGTH} | {SAMPLES} at strength 1")
    return 0


def _tile(rows, size: int, pad: int = 2, gap: int = 12) -> np.ndarray:
    """Ink arrays laid out in rows (None = a gap with a line down it)."""
    width = max(sum(gap if c is None else size + pad for c in row) for row in rows) + pad
    sheet = np.zeros((len(rows) * (size + pad) + pad, width), np.float32)
    for r, row in enumerate(rows):
        x, y = pad, pad + r * (size + pad)
        for cell in row:
            if cell is None:
                sheet[y:y + size, x + gap // 2 - 1:x + gap // 2 + 1] = 1.0   # a line between the groups
                x += gap
                continue
            sheet[y:y + size, x:x + size] = np.clip(cell, 0.0, 1.0)
            x += size + pad
    return sheet


if __name__ == "__main__":
    raise SystemExit(main())
