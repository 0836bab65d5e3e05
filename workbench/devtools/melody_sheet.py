"""A sheet of piano rolls for docs/melody.md: support strains of held-out tunes beside what the
model writes from them, one row per style.

    QT_QPA_PLATFORM=offscreen python -m workbench.devtools.melody_sheet --data DIR --out sheet.png
        [--styles jig "other 4-4" "air"] [--checkpoint C] [--seed 0]

DIR is a folder of styles (e.g. Aird's Airs, `workbench melody corpus --collections airds
--export-styles DIR`); each row is 4 support strains of one style, then 4 generated 8-bar melodies.
"""

from __future__ import annotations

import argparse
import sys

SUPPORT, RESULTS = 4, 4


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--styles", nargs="+", default=["jig", "other 4-4", "air"])
    parser.add_argument("--checkpoint")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)

    import torch
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPixmap

    from workbench.domains.melody import api, generation
    from workbench.domains.melody.evaluation import metre_template, segment_melody
    from workbench.domains.melody.problem import MelodyProblem
    from workbench.ui.melody_studio.piano_roll.thumbnail import render_thumbnail

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    learner = generation.load_learner(args.checkpoint or api.default_checkpoint())
    problem = MelodyProblem(**{**learner.problem.options, "data": args.data, "task": "style"})
    problem.holdout_all = True
    data = problem.split("test")
    size, label_w, gap = QSize(220, 90), 150, 8
    rows = [s for s in args.styles if s in data.styles]
    sheet = QPixmap(label_w + (SUPPORT + RESULTS) * (size.width() + gap) + gap, 40 + len(rows) * (size.height() + gap))
    sheet.fill(QColor(24, 26, 30))
    painter = QPainter(sheet)
    painter.setPen(QColor(220, 220, 225))
    painter.setFont(QFont("DejaVu Sans", 11))
    painter.drawText(label_w + gap, 24, f"support: one 8-bar strain of {SUPPORT} held-out tunes")
    painter.drawText(label_w + gap + SUPPORT * (size.width() + gap), 24, f"generated: {RESULTS} of 8")
    for row, style in enumerate(rows):
        y = 40 + row * (size.height() + gap)
        members = data.styles[style][:SUPPORT]
        segments = [data.segments[data.tune_segments[t][0]] for t in members]
        template = metre_template(torch.from_numpy(segments[0]))
        support = [segment_melody(torch.from_numpy(s), template) for s in segments]
        made = api.generate(support, n=RESULTS, bars=8, seed=args.seed, checkpoint=learner.checkpoint_path)
        metre = f"{template.beats_per_bar}/{template.beat_unit}"
        painter.drawText(8, y + 20, style)
        painter.drawText(8, y + 40, metre)
        for col, melody in enumerate(support + made):
            x = label_w + gap + col * (size.width() + gap)
            painter.drawPixmap(x, y, render_thumbnail(melody, size))
    painter.end()
    sheet.save(args.out)
    app.quit()
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
