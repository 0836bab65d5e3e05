"""Few-shot classification of drawings (Omniglot-format folders or the built-in glyphs)."""

from workbench.domains.training_form import DomainForm

# What the training form asks for this domain (no torch: the form is built before torch loads).
TRAINING_FORM = DomainForm(
    fields={"way": "way", "shot": "shot", "folder": "data"},
    built_in="built-in procedural glyphs (or choose an Omniglot-format folder)",
)
