"""Let a studio panel finish its background job while the Qt event loop keeps running."""

from __future__ import annotations

import time


def wait_until(app, condition, limit_s: float = 300.0) -> float:
    """Process events until condition() is true (or limit_s passes); returns the seconds waited."""
    started = time.monotonic()
    while not condition() and time.monotonic() - started < limit_s:
        app.processEvents()
        time.sleep(0.01)
    return time.monotonic() - started


def wait_until_idle(app, panel, limit_s: float = 300.0) -> float:
    """Process events until panel.is_busy() is false (or limit_s passes); returns the seconds waited."""
    return wait_until(app, lambda: not panel.is_busy(), limit_s)
