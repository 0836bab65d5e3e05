"""Melodies: variations in the style of a few tunes, from a folk-tune corpus or MIDI folders."""

from workbench.domains.training_form import DomainForm

# What the training form asks for this domain (no torch: the form is built before torch loads).
TRAINING_FORM = DomainForm(
    fields={"shot": "shot", "folder": "data"},
    built_in="built-in folk-tune corpus (or choose a folder of MIDI files, one subfolder per style)",
)
