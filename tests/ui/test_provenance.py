"""Every result names the model and the seed that made it: captions, PNG text chunks, MIDI text events."""

from __future__ import annotations

import mido
import numpy as np
from PIL import Image

from workbench.domains.melody.midi_io import write_midi
from workbench.domains.melody.notes import Melody, Note
from workbench.ui.context import AppContext
from workbench.ui.sketch_studio.gallery import Gallery


def test_exported_files_carry_the_model_and_seed(qtbot, tmp_path):
    context = AppContext()
    gallery = Gallery(context.notifier)
    qtbot.addWidget(gallery)
    gallery.made_by = {"Model": "Sketch ink (shipped)", "Seed": "7"}
    gallery.show_variations([np.zeros((28, 28), np.float32)], "1 variation · seed 7 · model Sketch ink (shipped)")
    written = gallery.export_to(tmp_path)
    sheet = gallery.save_contact_sheet(tmp_path / "sheet.png")
    vectors = [p for p in written if p.suffix == ".svg"]
    assert len(vectors) == 2 and all("Model: Sketch ink (shipped)" in v.read_text(encoding="utf-8") for v in vectors)
    for path in [*(p for p in written if p.suffix == ".png"), sheet]:
        text = Image.open(path).text
        assert text["Model"] == "Sketch ink (shipped)" and text["Seed"] == "7" and "seed 7" in text["Description"]


def test_a_result_melody_writes_its_model_and_seed_as_a_midi_text_event(tmp_path):
    melody = Melody(notes=(Note(0, 12, 60),), name="variation-01-seed3", meta={"text": "my jigs · seed 3"})
    write_midi(melody, tmp_path / "v.mid")
    events = [m for track in mido.MidiFile(tmp_path / "v.mid").tracks for m in track if m.is_meta]
    assert any(m.type == "text" and m.text == "my jigs · seed 3" for m in events)
    assert any(m.type == "track_name" and m.name == "variation-01-seed3" for m in events)
