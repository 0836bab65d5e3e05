"""Typed reads of QSettings, one rule for every panel.

A stored value comes back as the type of its default. QSettings hands back
strings from an INI file ("8", "true") and typed values from the registry or
a plist, and a hand-edited or older settings file may hold anything, so a
value that cannot be read as that type gives the default: never an exception
while a panel starts.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T", bool, int, float, str)

_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


def read_value(settings, key: str, default: T) -> T:
    """settings[key] as type(default), or default when it is missing or unreadable."""
    raw = settings.value(key, None)
    if raw is None:
        return default
    kind = type(default)
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        return True if text in _TRUE else False if text in _FALSE else default
    try:
        value = kind(raw)
    except (TypeError, ValueError, OverflowError):
        return default
    if kind is float and value != value:  # NaN: no widget can show it
        return default
    return value
