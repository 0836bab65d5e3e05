"""Workbench: meta-learning for few-shot creative work."""

__version__ = "0.1.0"
