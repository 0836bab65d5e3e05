"""Sketch Studio: draw or drop a few examples, adapt the sketch model, export the results."""
