"""What the training form knows about domains and algorithms (names only: no torch, no domain imports)."""

from __future__ import annotations

import importlib.util

from workbench.domains.registry import DOMAINS

ALGORITHM_TITLES = {
    "maml": "MAML (second order)", "fomaml": "First-order MAML", "metasgd": "Meta-SGD", "anil": "ANIL",
    "reptile": "Reptile", "protonet": "Prototypical Networks", "pretrain": "Pretrain (baseline)",
}
DEVICES = ("auto", "cpu", "cuda", "mps")
BUILT_IN = "Built-in"
# Form field -> the problem option it sets, per domain (each domain's problem.build reads its own names).
DOMAIN_FIELDS = {
    "sinusoid": {"shot": "shot"},
    "omniglot": {"way": "way", "shot": "shot", "folder": "data"},
    "sketch": {"way": "way", "shot": "shots", "folder": "data"},
    "melody": {"shot": "shot", "folder": "data"},
}
NEEDS_FOLDER = {"omniglot"}  # domains without built-in data
SETTINGS_KEY = "training/last"


def available_domains() -> list[str]:
    found = []
    for name in DOMAINS:
        try:
            if importlib.util.find_spec(f"workbench.domains.{name}.problem") is not None:
                found.append(name)
        except ModuleNotFoundError:
            continue
    return found
