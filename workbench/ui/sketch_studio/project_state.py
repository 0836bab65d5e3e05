"""The Sketch Studio's part of a project: read from the panel, written back into it.

Kept beside the panel, not in it, so the panel stays about drawing and generating.
"""

from __future__ import annotations

import numpy as np

from workbench.project.document import SketchWork

SETTINGS = ("variations", "seed", "temperature", "strength", "vary_steps", "complete_steps", "complete_seed",
            "complete_start")


def collect(panel) -> SketchWork:
    gallery = panel.gallery
    return SketchWork(
        support=list(zip(panel.strip.names(), panel.strip.images())), support_pages=panel.strip.pages(),
        canvas=panel.canvas.to_array() if panel.canvas.has_ink() else None,
        results=gallery.results(), results_mode=gallery.mode or "vary", results_caption=gallery.caption.text(),
        settings={**{name: getattr(panel, name).value() for name in SETTINGS}, "mode": panel.modes.currentIndex()},
        models={mode: choice for mode, picker in pickers(panel).items() if (choice := picker.choice()) is not None})


def restore(panel, work: SketchWork) -> list[str]:
    """Put the project's sketch work into the panel; returns what could not be restored."""
    problems = []
    panel.strip.clear()
    for (name, image), page in zip(work.support, work.pages()):
        panel.strip.add_image(image, name, ink=page)
    if work.canvas is not None:
        panel.canvas.set_array(work.canvas, "Open project")
    elif panel.canvas.has_ink():
        panel.canvas.clear()
    images = [np.asarray(image, np.float32) for _, image in work.results]
    caption = work.results_caption or "No results yet: press Vary or Complete."
    if work.results_mode == "complete":
        panel.gallery.show_steps(images, caption)
    else:  # Vary's "variation N" or Invent's "new character N", as saved
        name = work.results[0][0].rsplit(" ", 1)[0] if work.results else "variation"
        panel.gallery.show_variations(images, caption, name=name)
    for name in SETTINGS:
        if isinstance(work.settings.get(name), (int, float)):
            widget = getattr(panel, name)
            widget.setValue(type(widget.value())(work.settings[name]))
    if isinstance(work.settings.get("mode"), int):
        panel.modes.setCurrentIndex(work.settings["mode"])
    for mode, picker in pickers(panel).items():
        choice = work.models.get(mode)
        if choice is None:
            picker.select_default()
        elif not picker.select(choice.id):
            picker.select_default()
            problems.append(f"the Sketch Studio's {mode} model “{choice.name}” is not in the model library "
                            f"any more; using {picker.label()}")
    return problems


def pickers(panel) -> dict:
    return {"vary": panel.vary_checkpoint, "complete": panel.complete_checkpoint}


def change_signals(panel) -> list:
    """Signals after which the project has unsaved changes."""
    found = [panel.canvas.changed, panel.strip.changed, panel.runner.finished, panel.modes.currentChanged]
    found += [getattr(panel, name).valueChanged for name in SETTINGS]
    found += [picker.changed for picker in pickers(panel).values()]
    return found
