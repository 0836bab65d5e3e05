"""What the training form shows for a domain, described by the domain itself.

Each domain package (its torch-free `__init__`) defines TRAINING_FORM; the
form is built from it through `registry.training_form(domain)`, so a new domain
brings its own fields and the UI holds no per-domain table.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DomainForm:
    # form field ("way", "shot", "folder") -> the problem option it sets ("folder" -> "data");
    # a field the domain does not list is disabled
    fields: dict[str, str]
    # what a run trains on when the Dataset field is empty
    built_in: str
    # a field read only for some problem options, e.g. {"way": {"mode": "classify"}}
    only_when: dict[str, dict] = field(default_factory=dict)

    def applies(self, field_name: str, problem: dict) -> bool:
        """Whether this domain reads the field, given the run's other problem options."""
        if field_name not in self.fields:
            return False
        wanted = self.only_when.get(field_name, {})
        return all(problem.get(option) == value for option, value in wanted.items())

    def field_for(self, option: str) -> str:
        """The form field that sets a problem option ("" when none does)."""
        return next((name for name, mapped in self.fields.items() if mapped == option), "")
