"""The Melody Studio's part of a project: read from the panel, written back into it."""

from __future__ import annotations

from workbench.project.document import MelodyWork

SPINS = ("variations", "bars", "temperature", "seed", "steps")
BOXES = ("continue_clip", "keep_key", "form_plan")


def collect(panel) -> MelodyWork:
    controls = panel.controls
    settings = {name: getattr(controls, name).value() for name in SPINS}
    settings.update({name: getattr(controls, name).isChecked() for name in BOXES})
    clip = panel.editor.melody
    return MelodyWork(support=panel.support.melodies(), clip=clip if clip.notes else None,
                      results=panel.results.melodies(), results_caption=panel.results_caption.text(),
                      settings=settings, model=panel.model_picker.choice())


def restore(panel, work: MelodyWork) -> list[str]:
    problems = []
    panel.support.list.clear()
    for melody in work.support:
        panel.support.add_melody(melody)
    if work.clip is not None:
        panel.open_in_roll(work.clip)
    else:
        panel.new_clip()
    panel.results.set_melodies(work.results)
    panel.results_caption.setText(work.results_caption)
    controls = panel.controls
    for name in SPINS:
        if isinstance(work.settings.get(name), (int, float)):
            widget = getattr(controls, name)
            widget.setValue(type(widget.value())(work.settings[name]))
    for name in BOXES:
        if isinstance(work.settings.get(name), bool):
            getattr(controls, name).setChecked(work.settings[name])
    picker = panel.model_picker
    if work.model is None:
        picker.select_default()
    elif not picker.select(work.model.id):
        picker.select_default()
        problems.append(f"the Melody Studio's model “{work.model.name}” is not in the model library any more; "
                        f"using {picker.label()}")
    return problems


def change_signals(panel) -> list:
    controls = panel.controls
    found = [panel.support.changed, panel.editor.model.changed, panel.runner.finished, panel.model_picker.changed]
    found += [getattr(controls, name).valueChanged for name in SPINS]
    found += [getattr(controls, name).toggled for name in BOXES]
    return found
