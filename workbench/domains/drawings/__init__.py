"""Drawings shared by the sketch and omniglot domains: the built-in procedural
glyphs and class-per-folder image sets, as task sources. No torch."""
