"""The Complete tab's choice of the example to start from: the one that fits the strokes best,
the second best, and so on (generate.complete's `start`, shown from 1)."""

from __future__ import annotations

import re

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QSpinBox


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def fit_rank_text(rank: int) -> str:
    """How a fit rank (1 = the best) reads: 'best fit', '2nd best fit'."""
    return "best fit" if rank == 1 else f"{ordinal(rank)} best fit"


class FitRankSpin(QSpinBox):
    """1 = the example that fits the strokes best, 2 = the next, ...; shown as 'best fit',
    '2nd best fit'; typed as a number."""

    def __init__(self):
        super().__init__(minimum=1, maximum=99, value=1)

    def textFromValue(self, value: int) -> str:
        return fit_rank_text(value)

    def valueFromText(self, text: str) -> int:
        found = re.search(r"\d+", text)
        return int(found.group()) if found else 1

    def validate(self, text: str, pos: int):
        if text.strip() == fit_rank_text(1):
            return QValidator.State.Acceptable, text, pos
        number = re.search(r"\d+", text)
        if number is None:
            return QValidator.State.Intermediate, text, pos
        inside = self.minimum() <= int(number.group()) <= self.maximum()
        return (QValidator.State.Acceptable if inside else QValidator.State.Invalid), text, pos
