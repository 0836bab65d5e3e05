"""Vary and Complete through the facade, with tiny checkpoints."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
import torch

from workbench.domains.drawings.glyphs import render_glyphs
from workbench.domains.sketch import api
from workbench.meta.errors import CheckpointError, DataError


@pytest.fixture(scope="module")
def drawings():
    return list(render_glyphs([3], range(5), split="test", size=32)[0])


def test_vary_returns_n_black_and_white_drawings_and_is_seeded(tiny_checkpoints, drawings):
    calls = []
    ink = tiny_checkpoints["ink"]
    out = api.vary(drawings[:3], n=6, steps=4, seed=1, checkpoint=ink,
                   progress=lambda done, total, message: calls.append((done, total)))
    assert len(out) == 6
    assert all(a.shape == (32, 32) and a.dtype == np.float32 for a in out)
    assert set(np.unique(np.stack(out)).tolist()) <= {0.0, 1.0}          # committed ink or paper, no grey
    assert calls == [(i, 4) for i in range(1, 5)]
    again = api.vary(drawings[:3], n=6, steps=4, seed=1, checkpoint=ink)
    np.testing.assert_array_equal(np.stack(out), np.stack(again))
    other = api.vary(drawings[:3], n=6, steps=4, seed=2, checkpoint=ink)
    assert np.abs(np.stack(out) - np.stack(other)).max() > 0


def test_vary_strength_keeps_a_share_of_a_distorted_support_drawing(tiny_checkpoints, drawings):
    import torch

    from workbench.domains.sketch.generate import _starting_canvases

    images = (np.stack(drawings[:2]) > 0.5).astype(np.float32)
    blank_ink, blank_known = _starting_canvases(images, 4, 1.0, torch.Generator().manual_seed(0))
    assert blank_known.sum() == 0 and blank_ink.sum() == 0                  # strength 1: from nothing
    ink, known = _starting_canvases(images, 400, 0.7, torch.Generator().manual_seed(0))
    assert abs(float(known.mean()) - 0.3) < 0.01                           # 1 - strength of the pixels known
    assert float((ink * (1 - known)).sum()) == 0 and float(ink.sum()) > 0    # known ink comes from the support
    ink_out = api.vary(drawings[:2], n=4, seed=1, strength=0.5, checkpoint=tiny_checkpoints["ink"])
    assert set(np.unique(np.stack(ink_out)).tolist()) <= {0.0, 1.0}
    for bad in (0.0, 1.5, -1):
        with pytest.raises(DataError, match="strength"):
            api.vary(drawings[:2], n=1, strength=bad, checkpoint=tiny_checkpoints["ink"])


def test_vary_keeps_the_judges_surest_candidates_that_are_not_copies(tiny_checkpoints, drawings):
    from workbench.domains.sketch.generate import model_input
    from workbench.domains.sketch.scores import _scored, select_variations

    ink = tiny_checkpoints["ink"]
    every = api.vary(drawings[:2], n=8, seed=3, checkpoint=ink, candidates=1)     # the 8 candidates, all kept
    kept = api.vary(drawings[:2], n=4, seed=3, checkpoint=ink, candidates=2)      # the same 8, best 4 kept
    support = [model_input(d, 32, "support", crop=True) for d in drawings[:2]]
    chosen = select_variations(support, every, 4)
    assert chosen == sorted(chosen) and len(set(chosen)) == 4
    np.testing.assert_array_equal(np.stack(kept), np.stack([every[i] for i in chosen]))
    fidelity, distance, novelty = _scored(support, every)
    copies = [i for i in range(8) if novelty[i] <= 0.4]
    others = [i for i in range(8) if i not in copies]
    if len(others) >= 4:
        assert not set(chosen) & set(copies)
    surest = sorted(others, key=lambda i: (-round(float(fidelity[i]), 2), float(distance[i])))[:4]
    assert set(surest) <= set(chosen) or len(others) < 4


def test_equally_sure_variations_are_ranked_by_their_distance_to_the_support(drawings):
    from workbench.domains.sketch import scores

    support = [(d > 0.5).astype(np.float32) for d in drawings[:1]]
    samples = [(d > 0.5).astype(np.float32) for d in render_glyphs([5, 6, 7, 8], [0], split="test", size=32)[:, 0]]
    _fidelity, distance, _novelty = scores._scored(support, samples)
    saturated = (torch.ones(4), distance, [1.0] * 4)         # every sample "1.00": only the distance tells them apart
    with mock.patch.object(scores, "_scored", return_value=saturated):
        assert scores.select_variations(support, samples, 2) == sorted(distance.argsort()[:2].tolist())


def test_choosing_variations_puts_copies_of_the_support_last(drawings):
    from workbench.domains.sketch.scores import select_variations

    support = [(d > 0.5).astype(np.float32) for d in drawings[:1]]
    others = [(d > 0.5).astype(np.float32) for d in render_glyphs([5, 6, 7], [0], split="test", size=32)[:, 0]]
    samples = [support[0].copy()] + others                                  # a copy first, then three others
    assert select_variations(support, samples, 3) == [1, 2, 3]
    assert 0 in select_variations(support, samples, 4)                      # a copy only to make up n
    with pytest.raises(DataError, match="candidate"):
        api.vary(drawings[:1], n=2, candidates=0.5)


def test_invent_joins_two_support_characters_and_redraws_the_seam(tiny_checkpoints, drawings):
    import torch

    from workbench.domains.sketch.generate import chimeras

    others = list(render_glyphs([5, 6], [0], split="test", size=32)[:, 0])
    support = [drawings[0]] + others
    out = api.invent(support, n=5, seed=2, checkpoint=tiny_checkpoints["ink"])
    assert len(out) == 5 and set(np.unique(np.stack(out)).tolist()) <= {0.0, 1.0}
    np.testing.assert_array_equal(np.stack(out), np.stack(api.invent(support, n=5, seed=2,
                                                                       checkpoint=tiny_checkpoints["ink"])))
    images = (np.stack(support) > 0.5).astype(np.float32)
    start, seam, pairs = chimeras(images, 200, torch.Generator().manual_seed(0))
    assert all(a != b for a, b in pairs) and len(set(pairs)) == 6            # every ordered pair of 3 occurs
    assert set(start.unique().tolist()) <= {0.0, 1.0} and float(start.sum()) > 0
    assert 0.1 < float(seam.mean()) < 0.3                      # a band 7 px wide along each cut, 32 px frame
    from workbench.domains.sketch.generate import INVENT_MIN_SHARE, _cuts

    first, second = images[[0] * 50], images[[1] * 50]
    side = _cuts(first, second, torch.Generator().manual_seed(1))
    kept_first = ((first > 0.5) & (side > 0)).sum((1, 2)) / (first > 0.5).sum((1, 2))
    kept_second = ((second > 0.5) & (side <= 0)).sum((1, 2)) / (second > 0.5).sum((1, 2))
    assert (np.minimum(kept_first, kept_second) >= INVENT_MIN_SHARE).mean() > 0.9   # each keeps a fair share
    with pytest.raises(DataError, match="at least two different characters"):
        api.invent(support[:1], checkpoint=tiny_checkpoints["ink"])


def test_invent_keeps_the_candidates_least_like_any_one_support_character(tiny_checkpoints, drawings):
    from workbench.domains.sketch.generate import model_input
    from workbench.domains.sketch.scores import select_inventions

    ink = tiny_checkpoints["ink"]
    support = [drawings[0], *render_glyphs([5, 6], [0], split="test", size=32)[:, 0]]
    every = api.invent(support, n=8, seed=4, checkpoint=ink, candidates=1)      # the 8 candidates
    kept = api.invent(support, n=4, seed=4, checkpoint=ink, candidates=2)       # the same 8, 4 kept
    framed = [model_input(d, 32, "support", crop=True) for d in support]
    chosen = select_inventions(framed, every, 4)
    assert chosen == sorted(chosen) and len(set(chosen)) == 4
    np.testing.assert_array_equal(np.stack(kept), np.stack([every[i] for i in chosen]))
    # a copy of a support character is the first to go
    copies = [(support[0] > 0.5).astype(np.float32)] + [(d > 0.5).astype(np.float32) for d in
                                                        render_glyphs([8, 9, 10], [0], split="test", size=32)[:, 0]]
    assert 0 not in select_inventions(framed, copies, 3)


def test_decoding_takes_more_steps_the_more_of_the_canvas_is_unknown():
    from workbench.domains.sketch.generate import BLANK_DECODE_STEPS, VARY_DECODE_STEPS, decode_steps_for

    steps = [decode_steps_for(s) for s in (0.1, 0.5, 0.6, 0.8, 1.0)]
    assert steps[:2] == [VARY_DECODE_STEPS] * 2 and steps[-1] == BLANK_DECODE_STEPS
    assert steps == sorted(steps) and BLANK_DECODE_STEPS > VARY_DECODE_STEPS


def test_vary_frames_big_drawings_and_refuses_empty_ones(tiny_checkpoints, drawings):
    ink = tiny_checkpoints["ink"]
    canvas = np.zeros((200, 300), dtype=np.float32)
    canvas[50:150, 100:110] = 1.0
    assert len(api.vary([canvas], n=2, steps=1, checkpoint=ink)) == 2
    with pytest.raises(DataError, match="support drawing 2.*empty"):
        api.vary([drawings[0], np.zeros((28, 28))], n=2, checkpoint=ink)
    with pytest.raises(DataError, match="at least one"):
        api.vary([], checkpoint=ink)


def test_vary_cancelled_stops_after_the_first_step(tiny_checkpoints, drawings):
    steps_seen = []
    out = api.vary(drawings, n=4, steps=8, checkpoint=tiny_checkpoints["ink"],
                   progress=lambda d, t, m: steps_seen.append(d), cancelled=lambda: len(steps_seen) >= 1)
    assert out == [] and steps_seen == [1]


def test_complete_returns_the_partial_and_one_picture_per_decoding_step(tiny_checkpoints, drawings):
    partial = (drawings[0] > 0.5).astype(np.float32)
    partial[:, 16:] = 0.0
    if partial.max() < 0.5:
        partial = (drawings[0] > 0.5).astype(np.float32)
    calls = []
    frames = api.complete(partial, steps=5, checkpoint=tiny_checkpoints["ink"],
                          progress=lambda done, total, message: calls.append(done))
    assert len(frames) == 6 and calls == [1, 2, 3, 4, 5]
    assert all(f.shape == (32, 32) and 0.0 <= f.min() and f.max() <= 1.0 for f in frames)
    assert set(np.unique(frames[-1]).tolist()) <= {0.0, 1.0}
    assert all((f >= partial - 1e-6).all() for f in frames)           # the user's strokes are kept
    with pytest.raises(DataError, match="empty"):
        api.complete(np.zeros((32, 32)), checkpoint=tiny_checkpoints["ink"])
    with pytest.raises(DataError, match="at least one"):
        api.complete(partial, steps=0, checkpoint=tiny_checkpoints["ink"])
    styled = api.complete(partial, steps=2, checkpoint=tiny_checkpoints["ink"], examples=drawings[1:3])
    assert len(styled) == 3 and (styled[-1] >= partial - 1e-6).all()
    assert np.array_equal(styled[0], partial)           # step 0 is the user's drawing, not the example
    blank = api.complete(partial, steps=2, checkpoint=tiny_checkpoints["ink"], examples=drawings[1:3], strength=1.0)
    assert (blank[-1] >= partial - 1e-6).all()
    with pytest.raises(DataError, match="strength"):
        api.complete(partial, checkpoint=tiny_checkpoints["ink"], examples=drawings[1:3], strength=0.0)
    with pytest.raises(DataError, match="support drawing 1"):
        api.complete(partial, steps=2, checkpoint=tiny_checkpoints["ink"], examples=[np.zeros((32, 32))])


def test_complete_start_steps_through_the_examples_by_fit(tiny_checkpoints, drawings):
    partial = (drawings[0] > 0.5).astype(np.float32)
    partial[:, 16:] = 0.0
    examples = [drawings[1], drawings[2]]

    def last(start: int) -> np.ndarray:
        return api.complete(partial, steps=2, checkpoint=tiny_checkpoints["ink"], examples=examples, seed=3,
                            strength=0.1, start=start)[-1]

    best, other = last(0), last(1)
    assert not np.array_equal(best, other)              # another example: another drawing
    assert np.array_equal(last(2), best)                # past the last example it starts over


def test_wrong_or_missing_checkpoint(tiny_checkpoints, drawings, tmp_path):
    with pytest.raises(CheckpointError, match="'classify' checkpoint"):
        api.vary(drawings, checkpoint=tiny_checkpoints["classify"])
    with pytest.raises(CheckpointError, match="not found"):
        api.complete(drawings[0], checkpoint=tmp_path / "nothing")


def test_support_images_report_bad_files_and_keep_good_ones(tmp_path, drawings):
    good = api.save_png(drawings[0], tmp_path / "good.png", scale=2)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    images, names, errors = api.load_support_images([good, bad])
    assert len(images) == 1 and names == ["good.png"] and images[0].shape == (api.MODEL_SIZE, api.MODEL_SIZE)
    assert len(errors) == 1 and "bad.png" in errors[0]
    assert np.abs(images[0] - api.to_model_array(drawings[0])).mean() < 0.08


def test_contact_sheet_and_png_round_trip(tmp_path, drawings):
    sheet = api.contact_sheet(drawings, columns=2, gap=2)
    assert sheet.shape == (3 * 32 + 2 * 2, 2 * 32 + 2)
    path = api.save_png(sheet, tmp_path / "sheet.png", scale=2)
    from PIL import Image

    with Image.open(path) as image:
        assert image.size == (sheet.shape[1] * 2, sheet.shape[0] * 2) and image.mode == "L"
    assert api.to_model_array(np.zeros((50, 50))).max() == 0.0


def test_enlarged_pngs_are_smooth_not_blocks(tmp_path):
    from PIL import Image

    square = np.zeros((16, 16), dtype=np.float32)
    square[4:12, 4:12] = 1.0
    diagonal = np.tril(np.ones((16, 16), dtype=np.float32))
    with Image.open(api.save_png(diagonal, tmp_path / "d.png", scale=8)) as image:
        big = np.asarray(image)
    assert big.shape == (128, 128)
    assert len(np.unique(big)) > 4                 # an anti-aliased edge, not two-level 8x8 blocks
    assert big[120, 4] < 10 and big[4, 120] > 245  # still black ink on white paper
    with Image.open(api.save_png(square, tmp_path / "s.png", scale=1)) as image:
        assert np.array_equal(np.asarray(image), np.where(square > 0, 0, 255))


def test_fidelity_is_judged_against_the_built_in_classes_most_like_the_support():
    from workbench.domains.sketch.scores import score_variations

    # a drawing of a built-in training class is its own nearest distractor: the judge cannot tell
    # the support's kind from that class, so the drawing scores about one half, not a sure 1.00
    drawing = render_glyphs([3], [0], seed=0, split="train", size=28)[0, 0]
    fidelity = score_variations([drawing], [drawing])[0]["fidelity"]
    assert 0.4 < fidelity < 0.6


def test_the_judge_and_its_distractors_can_be_prepared_before_the_first_score():
    from workbench.domains.sketch import scores

    scores._distractor_pool.cache_clear()
    api.prepare_scores()
    assert scores._distractor_pool.cache_info().currsize == 1
    drawing = render_glyphs([3], [0], seed=0, split="test", size=28)[0, 0]
    api.score_variations([drawing], [drawing])
    assert scores._distractor_pool.cache_info().hits == 1          # the first score found it ready


def test_complete_starts_from_the_example_with_a_gap_around_the_users_strokes():
    from workbench.domains.sketch.generate import COMPLETE_GAP, _from_example
    from workbench.domains.sketch.observe import near_ink, observed_mask

    size = 32
    partial = torch.zeros(size, size)
    partial[8:24, 10] = 1.0                                        # one stroke drawn by the user
    example = np.zeros((size, size), dtype=np.float32)
    example[8:24, 10:12] = 1.0                                     # covers it, and goes on
    example[8, 10:26] = 1.0
    known = observed_mask(partial).reshape(1, -1)
    ink, known_now = _from_example(example, partial.reshape(1, -1), known, 0.5, torch.Generator().manual_seed(0))
    taken = (known_now - known).reshape(size, size) > 0              # known from the example
    assert taken.any() and not (taken & (near_ink(partial, COMPLETE_GAP) > 0)).any()
    assert (ink.reshape(size, size)[taken] == torch.from_numpy(example)[taken]).all()
    assert (ink.reshape(size, size)[partial > 0] == 1).all()           # the user's strokes stay


def test_added_ink_is_the_completion_outside_the_partial_and_its_band():
    import numpy as np

    from workbench.domains.sketch.api import added_ink

    partial = np.zeros((16, 16), np.float32)
    partial[4, 2:10] = 1.0
    final = partial.copy()
    final[5, 2:10] = 1.0                                   # in the partial's 1-px band: kept as given
    final[10, 2:10] = 1.0                                  # new
    added = added_ink([partial, final])
    assert added[10, 2:10].all() and added.sum() == 8


def test_complete_starts_from_the_example_redrawn_in_the_partials_pen(monkeypatch):
    from workbench.domains.sketch import generate

    size = 64
    partial = np.zeros((size, size), np.float32)
    partial[10:30, 20:22] = 1.0                                    # the user's thin stroke, 2 px
    example = np.zeros((size, size), np.float32)
    example[10:50, 19:25] = 1.0                                    # the same stroke in a 6-px pen, and on
    started = {}

    def from_example(start, ink, known, strength, generator):
        started["example"] = start
        return ink, known
    monkeypatch.setattr(generate, "_from_example", from_example)
    generate.complete(partial, steps=1, examples=[example])
    start = started["example"]
    assert 0 < start[40].sum() <= 3                               # below the partial: the stroke goes on, thin
    assert start[40].sum() < example[40].sum()
