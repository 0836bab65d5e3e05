"""Sheets of typical outputs for docs/sketch.md.

Vary: support drawings, other real drawings of the class, then samples at the default strength and
drawn from a blank canvas (strength 1).
Complete (--complete): three examples of the class, the whole drawing, the partial (25 % of its ink),
four steps of the completion in the examples' style, the last step without examples (built-in
glyphs), and the support-fill and bent-fill baselines (the partial plus the example that covers it
best; plus the example bent toward it that fits it best, align.py).
Invent (--invent, needs --data laid out alphabet/character/drawing): one row per alphabet, five of
its characters as the support, three other characters of it, then eight invented ones.

    python -m workbench.devtools.sketch_sheet --out docs/sketch-vary.png
        [--data ../shared/datasets/omniglot/images_background_small2.zip] [--classes 0 1 2 4 6 7] [--seed 0]
    python -m workbench.devtools.sketch_sheet --complete --out docs/sketch-complete.png [--data ...]
    python -m workbench.devtools.sketch_sheet --invent --data ... --out docs/sketch-invent.png

One row per class: built-in test-split glyph classes, then (with --data) as many classes of that set.
White paper, black ink, 2x with the smooth upscaling of exports. numpy, torch and PIL only.
"""

from __future__ import annotations

import argparse

import numpy as np

SUPPORT, REAL, SAMPLES = 5, 3, 6
EXAMPLES, KEPT, SHOWN_STEPS = 3, 0.25, (1, 3, 6, 12)
INVENTED = 8


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--data", default=None, help="a class-per-folder set (folder or zip) for more rows")
    parser.add_argument("--classes", type=int, nargs="+", default=[0, 1, 2, 4, 6, 7])
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--complete", action="store_true", help="a sheet of Complete instead of Vary")
    parser.add_argument("--invent", action="store_true", help="a sheet of Invent (needs --data with alphabets)")
    args = parser.parse_args(argv)
    if args.invent and not args.data:
        parser.error("--invent needs --data: a set laid out alphabet/character/drawing")

    from workbench.domains.drawings.sources import GlyphSource, make_source
    from workbench.domains.sketch import api, generate

    learner = generate.load_learner("ink", args.checkpoint)
    size, seed = learner.problem.size, learner.problem.options["seed"]
    sources = [GlyphSource(size=size, seed=seed)]
    if args.data:
        sources.append(make_source(args.data, size=size, whole=True))
    if args.invent:
        from workbench.domains.sketch.evaluate import _alphabets

        rows = [_invent_row(sources[-1], members, learner, args.seed) for members in _alphabets(sources[-1], "test")
                if len(members) >= SUPPORT + REAL]
    else:
        make_row = _complete_row if args.complete else _vary_row
        rows = [make_row(source, index, learner, args.seed) for source in sources for index in args.classes]
    api.save_png(_tile(rows, size), args.out, scale=2)
    print(f"wrote {args.out}: {len(rows)} rows")
    return 0


def _vary_row(source, index: int, learner, seed: int) -> list:
    from workbench.domains.sketch import generate

    drawings = source.images("test", index, list(range(SUPPORT + REAL)))
    support = list(drawings[:SUPPORT])
    near = generate.vary(support, n=SAMPLES, seed=seed, learner=learner)
    blank = generate.vary(support, n=SAMPLES, seed=seed, learner=learner, strength=1.0)
    return [*support, None, *drawings[SUPPORT:], None, *near, None, *blank]


def _invent_row(source, members: list[int], learner, seed: int) -> list:
    from workbench.domains.sketch import generate

    characters = [source.images("test", index, [0])[0] for index in members[:SUPPORT + REAL]]
    invented = generate.invent(characters[:SUPPORT], n=INVENTED, seed=seed, learner=learner)
    return [*characters[:SUPPORT], None, *characters[SUPPORT:], None, *invented]


def _complete_row(source, index: int, learner, seed: int) -> list:
    import torch

    from workbench.domains.sketch import baselines, generate
    from workbench.domains.sketch.observe import partial_drawings

    drawings = (source.images("test", index, list(range(EXAMPLES + 1))) > 0.5).astype(np.float32)
    examples, whole = drawings[:EXAMPLES], drawings[EXAMPLES]
    generator = torch.Generator().manual_seed(seed * 1000 + index)
    partial = partial_drawings(torch.from_numpy(whole[None]), torch.tensor([KEPT]), generator).numpy()[0]
    partial = (partial > 0.5).astype(np.float32)
    frames = generate.complete(partial, learner=learner, seed=seed, examples=list(examples))
    alone = generate.complete(partial, learner=learner, seed=seed)[-1]
    fills = (baselines.nearest_fill(partial, examples), baselines.bent_fill(partial, examples))
    return [*examples, None, whole, partial, None, *(frames[s] for s in SHOWN_STEPS), None, alone, *fills]


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
