"""What an Export button exports, said on the button: the selected results or all of them.

Both studios show new results with none selected (the first is current, for the
preview and Play), so Export after Vary or Generate writes all of them; once the
user selects some, it writes those. The label always carries the count.
"""

from __future__ import annotations


def exports_selection(selected: int, total: int) -> bool:
    """True when Export writes the selection: some but not all results are selected."""
    return 0 < selected < total


def export_label(selected: int, total: int, what: str = "Export") -> str:
    """'Export All (8)…' or 'Export Selected (3)…' ('Export…' when there is nothing yet)."""
    if total == 0:
        return f"{what}…"
    if exports_selection(selected, total):
        return f"{what} Selected ({selected})…"
    return f"{what} All ({total})…"
