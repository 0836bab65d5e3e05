"""Copy/paste of notes through the system clipboard (a private MIME type), so
notes can travel between the roll and another workbench window."""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from workbench.domains.melody.notes import Note

MIME_TYPE = "application/x-workbench-notes+json"
_fallback: list[Note] = []  # used when the platform has no clipboard


def put(notes: list[Note]) -> None:
    global _fallback
    _fallback = list(notes)
    data = QMimeData()
    data.setData(MIME_TYPE, json.dumps([[n.onset, n.duration, n.pitch, n.velocity] for n in notes]).encode())
    data.setText(" ".join(f"{n.pitch}@{n.onset}+{n.duration}" for n in notes))
    board = QGuiApplication.clipboard()
    if board is not None:
        board.setMimeData(data)


def get() -> list[Note]:
    board = QGuiApplication.clipboard()
    mime = board.mimeData() if board is not None else None
    if mime is not None and mime.hasFormat(MIME_TYPE):
        try:
            rows = json.loads(bytes(mime.data(MIME_TYPE)).decode())
            return [Note(int(o), int(d), int(p), int(v)) for o, d, p, v in rows]
        except (ValueError, TypeError):
            pass  # foreign or damaged data: fall back to what this process copied
    return list(_fallback)
