"""Projects and the model library: plain data, no Qt and no torch.

`document` holds what a project is, `archive` writes and reads the project file
(one zip: a JSON manifest plus PNG / MIDI assets), `recovery` the autosave file
the app and the crash benchmark share, `library` the per-domain model catalogue.
"""
