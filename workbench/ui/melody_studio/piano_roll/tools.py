"""The roll's editing tools."""

from __future__ import annotations

from enum import Enum


class Tool(str, Enum):
    DRAW = "draw"
    SELECT = "select"
    ERASE = "erase"
