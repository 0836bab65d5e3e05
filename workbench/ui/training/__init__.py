"""The training panel: form, live plots, the worker that drives the engine."""
