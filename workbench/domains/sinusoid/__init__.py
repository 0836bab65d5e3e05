"""Sinusoid regression, the MAML paper's toy: proves the engine, drives the playground."""

from workbench.domains.training_form import DomainForm

# What the training form asks for this domain (no torch: the form is built before torch loads).
TRAINING_FORM = DomainForm(fields={"shot": "shot"}, built_in="built-in: random sine waves (no dataset)")
