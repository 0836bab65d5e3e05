"""Sketches: Vary and Complete drawings from a few examples (and the classifier that judges them)."""

from workbench.domains.training_form import DomainForm

# What the training form asks for this domain (no torch: the form is built before torch loads).
TRAINING_FORM = DomainForm(
    fields={"way": "way", "shot": "shot", "folder": "data"},
    built_in="built-in procedural glyphs (or choose a class-per-folder image set)",
    only_when={"way": {"mode": "classify"}},  # the generative mode has no classes
)
