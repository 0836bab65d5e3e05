"""Turn an exception from background work into one sentence a user can act on."""

from __future__ import annotations

import sys


def describe_error(exc: BaseException) -> str:
    """A message for the notification sink; never a traceback (those go to the log)."""
    errors = sys.modules.get("workbench.meta.errors")
    if errors is not None and isinstance(exc, errors.NonFiniteLossError):
        return f"Training stopped: the loss became NaN or infinite ({exc}). Try a lower learning rate."
    if errors is not None and isinstance(exc, errors.WorkbenchError):
        return str(exc)
    name = type(exc).__name__
    text = str(exc).strip()
    if name == "OutOfMemoryError" or "out of memory" in text.lower():
        return "The device ran out of memory. Lower the meta-batch, the inner steps or the task chunk size."
    if isinstance(exc, MemoryError):
        return "The computer ran out of memory. Lower the meta-batch or the inner steps."
    if isinstance(exc, FileNotFoundError):
        return f"File not found: {exc.filename or text}"
    if isinstance(exc, PermissionError):
        return f"Permission denied: {exc.filename or text}"
    if "CUDA" in text and ("not available" in text or "no kernel image" in text or "driver" in text.lower()):
        return f"The GPU cannot be used ({text}). Choose the CPU device."
    first_line = text.splitlines()[0] if text else ""
    return f"Unexpected error ({name}): {first_line}" if first_line else f"Unexpected error ({name})"
