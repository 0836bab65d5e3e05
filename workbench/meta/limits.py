"""Upper bounds on sizes, checked before anything is allocated.

Step counts bound time (an adaptation of a billion steps never ends), so they
have fixed limits; sizes that cost memory are checked against the memory this
machine has (`memory_budget_bytes`), so a typo like `--shot 100000` gets a
message instead of a kernel kill.
"""

from __future__ import annotations

import os

from workbench.meta.errors import ConfigError

MAX_STEPS = 10_000            # inner / adaptation / sampling steps
MAX_ITERATIONS = 1_000_000_000
MAX_TASKS = 100_000           # meta-batch, validation tasks, vmap chunk
MAX_SEED = 2**63 - 1
MAX_LEARNING_RATE = 1e6       # beyond it an optimizer step overflows float32 (a 1e6 run diverges, flagged)
MAX_COUNT = 100_000           # items a command makes at once (drawings, melodies, bars)
MEMORY_FRACTION = 0.5         # of the machine's memory, what one run may plan to use


def check_at_most(setting: str, value: int, maximum: int, why: str = "") -> None:
    if value > maximum:
        raise ConfigError(setting, f"{value} is more than the limit of {maximum}{'; ' + why if why else ''}")


def machine_memory_bytes() -> int:
    """Physical memory of this machine (a large default where the OS does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 16 * 2**30


def memory_budget_bytes() -> int:
    return int(machine_memory_bytes() * MEMORY_FRACTION)


def check_memory(setting: str, needed_bytes: int, what: str) -> None:
    """ConfigError naming the setting when `what` would need more than the memory budget."""
    budget = memory_budget_bytes()
    if needed_bytes > budget:
        raise ConfigError(setting, f"{what} would need about {_gib(needed_bytes)} of memory; this machine allows "
                                   f"{_gib(budget)} (half of its {_gib(machine_memory_bytes())}); use a smaller value")


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**28 else f"{n / 2**20:.0f} MiB"
