"""Errors a user can act on. Their message is shown as is (CLI: one line, GUI: notification)."""

from __future__ import annotations


def first_few(items: list[str], shown: int = 5) -> str:
    """The first `shown` of a list a message names ("a; b; c; and 4 more"): long lists stay readable."""
    more = f"; and {len(items) - shown} more" if len(items) > shown else ""
    return "; ".join(items[:shown]) + more


class WorkbenchError(Exception):
    """Base class: the message names the setting, file or path and what was expected."""


class ConfigError(WorkbenchError, ValueError):
    """An invalid setting; `setting` names the field so a form can show it next to it."""

    def __init__(self, setting: str, message: str):
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.detail = message


class DataError(WorkbenchError):
    """A dataset, file or folder that cannot be used."""


class CheckpointError(WorkbenchError):
    """A checkpoint that is missing, corrupt, foreign or from an incompatible version."""


class NonFiniteLossError(WorkbenchError):
    """Training produced NaN or infinity; the parameters were not updated."""


class OutOfMemoryError(WorkbenchError):
    """The device ran out of memory; the message suggests what to lower."""
