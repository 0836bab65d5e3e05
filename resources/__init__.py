"""Shipped data: default checkpoints, sample support sets, icons (read with importlib.resources)."""
