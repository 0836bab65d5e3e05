"""After a training run: the saved model joins the library and is offered, never switched in.

The message says how the run ended (a run stopped early says so), and has one
"Use in …" button per studio that can use the model; nothing changes until
the user presses one.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from workbench.ui.model_picker import studio_title, studios_for


def validation_summary(store) -> str:
    """The run's last meta-validation, for the library's Evaluation column ("" when none ran)."""
    losses = store.validation("loss")
    if not len(losses):
        return ""
    iteration, loss = int(store.validation("iteration")[-1]), float(losses[-1])
    accuracy = store.validation("accuracy")
    text = f"meta-validation at iteration {iteration}: query loss {loss:.3g}"
    if len(accuracy) and accuracy[-1] == accuracy[-1]:       # NaN when the domain has no accuracy
        text += f", accuracy {float(accuracy[-1]):.1%}"
    return text


def offer_model(parent: QWidget, context, path: str, evaluation: str = "") -> QMessageBox | None:
    """Show the offer for a run saved at `path` (non-blocking); None when it is not in the library."""
    library = context.model_library()
    model_id = library.id_for_path(path)
    if model_id and evaluation:
        library.set_evaluation(model_id, evaluation)
    entry = library.get(model_id) if model_id else None
    if entry is None:
        return None
    context.library_changed.emit(entry.domain)
    studios = studios_for(entry.domain, entry.mode)
    ended = (f"stopped early at iteration {entry.iteration} of {entry.iterations_planned}"
             if entry.stopped_early else f"finished {entry.iteration} iterations")
    box = QMessageBox(parent)
    box.setObjectName("model-offer")
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle("Model added to the library")
    box.setText(f"“{entry.name}” ({ended}) is now in the {entry.domain} model library.")
    box.setInformativeText("The studios keep the model they use until you choose this one."
                           if studios else "No studio uses this kind of model; it stays in the library.")
    for studio in studios:
        button = box.addButton(f"Use in {studio_title(studio)}", QMessageBox.ButtonRole.AcceptRole)
        button.clicked.connect(lambda _=False, s=studio: context.use_model_requested.emit(s, entry.id))
    box.addButton("Not Now", QMessageBox.ButtonRole.RejectRole)
    box.setModal(False)
    box.open()
    context.notifier.info(f"Training run saved as “{entry.name}” ({ended}); choose it in a studio's model list "
                          "to use it.")
    return box
