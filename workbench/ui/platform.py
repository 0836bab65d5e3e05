"""Qt platform quirks handled in one place."""

from __future__ import annotations

import os
import sys


def quiet_offscreen_noise() -> None:
    """The offscreen platform warns about every window ("does not support propagateSizeHints"):
    drop that one message, pass every other Qt message through to stderr."""
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        return
    from PySide6.QtCore import qInstallMessageHandler

    def handler(mode, context, message):
        if "does not support propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)
