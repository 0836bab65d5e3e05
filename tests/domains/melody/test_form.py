"""The phrase plan, the tune-shape measures and the Markov baseline."""

import numpy as np
import pytest

from workbench.domains.melody import api, form, markov, shape, theory, vocab
from workbench.domains.melody.notes import TICKS_PER_BEAT, Melody, Note

EIGHTH = TICKS_PER_BEAT // 2


@pytest.fixture(scope="module")
def support(tiny_tunes):
    return [t.melody for t in tiny_tunes[:4]]


def test_the_phrase_plan_gives_every_melody_the_shape_of_a_tune(tiny_checkpoint, support):
    tonic = theory.estimate_key(support)[0]
    out = api.generate(support, n=6, bars=8, seed=2, checkpoint=tiny_checkpoint)
    for melody in out:
        bar = melody.ticks_per_bar
        assert melody.length_ticks == 8 * bar
        held = shape.phrase_end_holds(melody, 8)
        assert held[-1]                                                # the piece ends on a held note
        assert shape.final_downbeat_tonic(melody, tonic, 8)            # the last bar starts on the tonic
        if held[0]:
            assert not [n for n in melody.notes if n.onset < 4 * bar < n.end]   # nothing across a held end
        question = [(n.onset, n.pitch, n.duration) for n in melody.notes if n.onset < 2 * bar and n.end <= 2 * bar]
        answer = [(n.onset - 4 * bar, n.pitch, n.duration) for n in melody.notes if 4 * bar <= n.onset < 6 * bar]
        assert answer[:len(question)] == question                    # the answer opens like the question


def test_without_the_plan_only_the_end_is_kept(tiny_checkpoint, support):
    from workbench.domains.melody import generation

    learner = generation.load_learner(tiny_checkpoint)
    x, _used = generation.support_tensor(support, learner.problem)
    params = learner.adapt((x,)).params
    out = generation.sample(learner, params, support, n=4, bars=3, seed=1, form_plan=False)
    assert all(m.length_ticks <= 3 * m.ticks_per_bar for m in out)


def test_plan_rules_leave_no_short_gap_before_a_phrase_end():
    plan = form.PhrasePlan(begin=0, end=128, bar=16, beat=4)
    rules = plan.rules([16 * 3 + 8], [[]])       # half a bar before the first phrase end
    allowed = np.flatnonzero(rules.durations[0]) + 1
    assert set(allowed) == {1, 2, 3, 4, 8}            # leaves 7, 6, 5, 4 or nothing before the end
    rules = plan.rules([16 * 4 - 4], [[]])           # the last beat: one note fills it
    assert list(np.flatnonzero(rules.durations[0]) + 1) == [4] and rules.note[0]
    rules = plan.rules([16 * 7], [[]])               # the last bar's downbeat: the tonic
    assert rules.tonic[0] and rules.note[0]
    assert form.beat_sixteenths(6, 8) == 6 and form.beat_sixteenths(4, 4) == 4 and form.beat_sixteenths(3, 8) == 2


def test_inner_phrase_ends_are_held_at_the_support_s_rate():
    runs = PhrasePlanCase(hold_share=0.0)
    assert runs.last_beat_durations(phrase=1) != [4]             # a reel-like support runs through bar 4
    assert runs.last_beat_durations(phrase=2) == [4]             # but the piece still ends on a held note
    assert PhrasePlanCase(hold_share=1.0).last_beat_durations(phrase=1) == [4]
    draws = [form.PhrasePlan(0, 128, 16, 4, hold_share=0.3, seed=s)._holds(0, 64) for s in range(200)]
    assert 0.2 < np.mean(draws) < 0.4
    held, run = line([60] * 8, [4 * TICKS_PER_BEAT] * 8), line([60] * 64, [EIGHTH] * 64)   # 8 bars each
    assert form.hold_share([held]) == 0.75 and form.hold_share([run]) == 0.25   # add-one smoothed


class PhrasePlanCase:
    def __init__(self, hold_share: float):
        self.plan = form.PhrasePlan(begin=0, end=128, bar=16, beat=4, hold_share=hold_share)

    def last_beat_durations(self, phrase: int) -> list[int]:
        rules = self.plan.rules([16 * 4 * phrase - 4], [[]])
        return list(np.flatnonzero(rules.durations[0]) + 1)


def line(pitches, durations=None, beats=4):
    durations = durations or [EIGHTH] * len(pitches)
    onsets = np.concatenate([[0], np.cumsum(durations)[:-1]])
    return Melody(notes=tuple(Note(int(o), int(d), p) for o, d, p in zip(onsets, durations, pitches)),
                  beats_per_bar=beats)


def test_shape_measures():
    bar = [62, 64, 66, 67, 69, 67, 66, 64]                      # one 4/4 bar of eighths
    tune = line(bar * 3 + [62] * 4 + bar * 3, [EIGHTH] * 24 + [TICKS_PER_BEAT] * 4 + [EIGHTH] * 24)
    assert shape.notes_per_bar(tune) == pytest.approx(52 / 7)
    assert shape.eighth_share(tune) == pytest.approx(48 / 52)
    assert shape.self_repetition(tune) > 0.8                     # the same bar six times
    assert shape.phrase_end_holds(tune, 4) == [True]             # bar 4 ends on a quarter note
    assert shape.final_downbeat_tonic(tune, tonic=2, bars=7)      # bar 7 starts on D
    assert not shape.final_downbeat_tonic(tune, tonic=7, bars=7)
    hits, total = shape.copy_rate([tune], [line(bar)])
    assert 0 < hits < total
    assert shape.bar_rhythms(line(bar))[0] == tuple(range(0, 4 * TICKS_PER_BEAT, EIGHTH))


def segment(pitches):
    events = np.zeros((len(pitches), vocab.EVENT_FIELDS), np.int64)
    events[:, vocab.PITCH] = [vocab.pitch_token(p) for p in pitches]
    events[:, vocab.DURATION] = 1
    events[:, vocab.VALID] = 1
    return events


def test_markov_chain_learns_from_the_support_and_backs_off_to_the_corpus():
    corpus = [segment([60, 62, 64, 65, 67] * 4), segment([67, 65, 64, 62, 60] * 4)]
    chain = markov.MarkovBaseline(corpus, alpha=1.0, beta=1.0)
    query = [segment([70, 72, 70, 72, 70, 72])]
    seen, n = chain.nll([segment([70, 72] * 8)], query)
    unseen, m = chain.nll([segment([60, 62, 64] * 4)], query)
    assert n == m == 6 and seen < unseen
    # probabilities over every next event sum to one
    s = markov.Counts([markov.tokens(segment([60, 62, 64]))])
    total = 0.0
    for x in range(markov.VOCAB):
        nll, _ = chain.with_smoothing(1.0, 1.0).nll([segment([60, 62, 64])], [_single(x)])
        total += np.exp(-nll)
    assert total == pytest.approx(1.0, rel=1e-6) and s.total == 3


def _single(token):
    events = np.zeros((1, vocab.EVENT_FIELDS), np.int64)
    events[0, vocab.PITCH], events[0, vocab.DURATION] = divmod(token, vocab.N_DURATIONS)
    events[0, vocab.VALID] = 1
    return events


def test_a_rhythm_set_keeps_a_bar_on_a_known_rhythm():
    from workbench.domains.melody import rhythm

    guide = rhythm.RhythmSet([(0, 2, 4, 6, 8, 10, 12, 14), (0, 4, 8, 12), (0, 6, 8, 14)], bar=16)
    allowed = np.flatnonzero(guide.durations((), 0)) + 1
    assert set(allowed) == {2, 4, 6}                        # the next onset must continue a known rhythm
    assert list(np.flatnonzero(guide.durations((0, 4, 8), 12)) + 1) == [4]   # the bar closes on a rhythm
    assert list(np.flatnonzero(guide.durations((0, 2, 4, 6, 8, 10, 12), 14)) + 1) == [2]   # no tie over the bar
    assert guide.durations((0, 1), 3) is None               # already off every rhythm: no constraint
    cadence = guide.durations((0, 6, 8), 14, cadence=True)   # a phrase end needs room for a held note
    assert cadence is None and guide.durations((0, 4, 8), 12, cadence=True) is not None


def test_each_bar_aims_at_a_rhythm_of_the_support_drawn_as_often_as_it_is_used():
    from workbench.domains.melody import rhythm

    running = [(0, 4, 8, 12)] * 3 + [(0, 6, 8, 14)]
    guide = rhythm.RhythmGuide(running, [(0, 8)], [(0, 2, 4, 6, 8, 10, 12, 14)], bar=16, seed=1)
    first = [tuple(np.flatnonzero(guide.durations(m, 0, (), 0)) + 1) for m in range(200)]
    assert set(first) == {(4,), (6,)} and 0.6 < first.count((4,)) / 200 < 0.9    # 3 : 1, as in the support
    assert guide.durations(0, 0, (), 0).tolist() == guide.durations(0, 0, (), 0).tolist()   # drawn once a bar
    cadence = guide.durations(0, 16, (), 0, cadence=True)
    assert list(np.flatnonzero(cadence) + 1) == [8]                   # a held phrase end: the support's end bar
    assert list(np.flatnonzero(guide.durations(5, 32, (0, 2), 4)) + 1) == [2]   # off the support's: the style's
    assert guide.durations(5, 32, (0, 1), 3) is None                  # off every rhythm: no constraint


def test_the_support_s_phrase_end_bars_are_told_apart_from_the_running_ones():
    from workbench.domains.melody import rhythm

    bars = [[EIGHTH] * 8] * 3 + [[4 * TICKS_PER_BEAT]]                 # three running bars, then a held one
    durations = [d for b in bars * 2 for d in b]
    melody = line([60] * len(durations), durations)
    running, ends = rhythm.running_and_phrase_end_bars([melody])
    assert running == [(0, 2, 4, 6, 8, 10, 12, 14)] * 6 and ends == [(0,)] * 2


def test_the_support_picks_the_style_its_bar_rhythms_are_most_likely_under():
    from workbench.domains.melody import rhythm

    styles = {"reel": [[90, [0, 2, 4, 6, 8, 10, 12, 14]], [10, [0, 3, 4, 7, 8, 11, 12, 15]]],
              "strathspey": [[5, [0, 2, 4, 6, 8, 10, 12, 14]], [40, [0, 3, 4, 7, 8, 11, 12, 15]], [30, [0, 1, 4, 7]]]}
    snapped = [(0, 3, 4, 7, 8, 11, 12, 15)] * 3 + [(0, 2, 4, 6, 8, 10, 12, 14)]
    assert (0, 1, 4, 7) in rhythm.closest_style(snapped, styles)       # dotted bars: a strathspey
    assert rhythm.closest_style([(0, 2, 4, 6, 8, 10, 12, 14)] * 4, styles) == [
        (0, 2, 4, 6, 8, 10, 12, 14), (0, 3, 4, 7, 8, 11, 12, 15)]         # even eighths: a reel


def test_generated_bars_keep_to_the_support_or_common_rhythms(tiny_checkpoint, support):
    from workbench.domains.melody import rhythm

    out = api.generate(support, n=4, bars=4, seed=5, checkpoint=tiny_checkpoint)
    metre = (out[0].beats_per_bar, out[0].beat_unit)
    known = {p for m in support for p in rhythm.bar_onsets(m)}
    styles = rhythm.load_table().get(rhythm.metre_key(*metre), {})
    known |= {tuple(p) for entries in styles.values() for _, p in entries}
    bars = [p for m in out for p in rhythm.bar_onsets(m)]
    assert sum(p in known for p in bars) >= 0.8 * len(bars)
    assert rhythm.load_table()["6/8"]["jig"]                # the shipped table covers the common styles
