"""`workbench bench adapt`: milliseconds from support set to results, per domain and case.

Each domain measures its own cases (workbench.domains.<name>.latency) through
the same facade functions the studios call, on the shipped checkpoints.
"""

from __future__ import annotations

import importlib

DOMAINS = ("sketch", "melody")
# Targets from the issues (2-core CPU): sketch cases <= 150 ms (aim 50), melody <= 300 ms.
TARGET_MS = {"sketch": 150.0, "melody": 300.0}


def register(subparsers) -> None:
    p = subparsers.add_parser("adapt", help="adaptation + generation latency of the shipped models")
    p.add_argument("--domains", default=",".join(DOMAINS), help="comma-separated: sketch, melody")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    import torch

    from workbench.commands.output import emit
    from workbench.meta.device import device_label

    results = []
    for domain in args.domains.split(","):
        module = importlib.import_module(f"workbench.domains.{domain}.latency")
        for record in module.measure_adapt_latency():
            record.setdefault("domain", domain)
            record.setdefault("target_ms", TARGET_MS.get(domain))
            results.append(record)
    emit("bench adapt", results, device=device_label(torch.device("cpu")), as_json=args.json)
    return 0
