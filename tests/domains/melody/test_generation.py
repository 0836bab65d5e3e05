import pytest
import torch

from workbench.domains.melody import api, generation, latency, theory, vocab
from workbench.domains.melody.notes import TICKS_PER_BEAT, Melody, Note
from workbench.meta.errors import CheckpointError, ConfigError, DataError

EIGHTH = TICKS_PER_BEAT // 2


@pytest.fixture(scope="module")
def support(tiny_tunes):
    return [t.melody for t in tiny_tunes[:4]]


def test_shapes_bars_and_key(tiny_checkpoint, support):
    out = api.generate(support, n=5, bars=4, seed=3, checkpoint=tiny_checkpoint)
    assert len(out) == 5
    allowed = theory.allowed_pitch_classes(support)
    metre = theory.common_metre(support)
    for melody in out:
        assert isinstance(melody, Melody) and melody.notes
        assert (melody.beats_per_bar, melody.beat_unit) == metre
        assert melody.length_ticks <= 4 * melody.ticks_per_bar
        assert {n.pitch % 12 for n in melody.notes} <= allowed


def test_same_seed_same_melodies_other_seed_differs(tiny_checkpoint, support):
    a = api.generate(support, n=3, bars=4, seed=7, checkpoint=tiny_checkpoint)
    b = api.generate(support, n=3, bars=4, seed=7, checkpoint=tiny_checkpoint)
    c = api.generate(support, n=3, bars=4, seed=8, checkpoint=tiny_checkpoint)
    assert a == b
    assert a != c


def test_continuation_keeps_the_given_notes(tiny_checkpoint, support):
    start = Melody(notes=tuple(Note(i * EIGHTH, EIGHTH, 62 + i % 5) for i in range(16)), tempo=100)  # 2 bars
    out = api.generate(support, n=2, bars=2, seed=1, continue_from=start, checkpoint=tiny_checkpoint)
    for melody in out:
        assert melody.notes[:16] == start.notes
        assert melody.length_ticks <= 4 * start.ticks_per_bar
        assert len(melody.notes) > 16


def test_generation_is_seeded_and_top_p_narrows_the_pitches(tiny_checkpoint, support):
    def pitches(**options):
        made = api.generate(support, n=2, bars=4, checkpoint=tiny_checkpoint, **options)
        return made, [n.pitch for m in made for n in m.notes]

    narrow, narrow_pitches = pitches(top_p=0.01, seed=1)
    assert narrow == pitches(top_p=0.01, seed=1)[0]               # the same seed, the same melodies
    wide, wide_pitches = pitches(top_p=1.0, seed=1)
    assert narrow != wide                                           # top-p changes what is drawn
    assert len(set(narrow_pitches)) <= len(set(wide_pitches))      # the narrow nucleus keeps to likelier pitches


def test_a_bar_rocking_between_two_pitches_is_pushed_to_a_third():
    logits = torch.zeros(2, vocab.N_PITCH_TOKENS)
    history = [[(0, 40, 1), (2, 42, 1), (4, 40, 1)],        # A B A in this bar: A and B lose
               [(0, 40, 1), (2, 42, 1), (4, 45, 1)]]        # three pitches: left alone
    generation._discourage_rocking(logits, [6, 6], history, bar=16)
    assert logits[0, 40] == logits[0, 42] == -generation.ROCKING_PENALTY and logits[0].sum() == 2 * logits[0, 40]
    assert logits[1].abs().sum() == 0
    history = [[(0, 40, 1), (2, 42, 1), (4, 40, 1)]]        # the same notes, but a new bar has begun
    fresh = torch.zeros(1, vocab.N_PITCH_TOKENS)
    generation._discourage_rocking(fresh, [16], history, bar=16)
    assert fresh.abs().sum() == 0


def test_progress_and_cancel(tiny_checkpoint, support):
    seen = []
    api.generate(support, n=1, bars=1, steps=2, checkpoint=tiny_checkpoint, progress=lambda d, t, m: seen.append((d, t)))
    assert seen == [(0, 2), (1, 2), (2, 2)]
    assert api.generate(support, n=1, bars=1, checkpoint=tiny_checkpoint, cancelled=lambda: True) == []


def test_bad_requests(tiny_checkpoint, support, tmp_path):
    with pytest.raises(ConfigError, match="^n:"):
        api.generate(support, n=0, checkpoint=tiny_checkpoint)
    with pytest.raises(ConfigError, match="temperature"):
        api.generate(support, temperature=0, checkpoint=tiny_checkpoint)
    with pytest.raises(DataError, match="support"):
        api.generate([Melody()], checkpoint=tiny_checkpoint)
    with pytest.raises(CheckpointError, match="missing.safetensors"):
        api.generate(support, checkpoint=tmp_path / "missing.safetensors")


def test_long_support_is_cut_to_what_the_model_takes(tiny_checkpoint, support):
    long = Melody(notes=tuple(Note(i * EIGHTH, EIGHTH, 60 + i % 7) for i in range(8 * 128)))
    learner = generation.load_learner(tiny_checkpoint)
    x, used = generation.support_tensor([long], learner.problem)
    assert x.shape[0] == used.segments == generation.MAX_SUPPORT_SEGMENTS < used.available
    assert f"{used.segments} of {used.available}" in used.message()
    assert api.generate([long], n=1, bars=2, checkpoint=tiny_checkpoint)


def test_every_support_melody_reaches_the_model(tiny_checkpoint):
    """A long first melody cannot crowd out the others: strains are taken in turn from each."""
    from workbench.domains.melody import vocab

    learner = generation.load_learner(tiny_checkpoint)
    long = Melody(notes=tuple(Note(i * EIGHTH, EIGHTH, 60 + i % 7) for i in range(8 * 64)))
    others = [Melody(notes=tuple(Note(i * EIGHTH, EIGHTH, 70 + k + i % 3) for i in range(32))) for k in range(3)]
    x, used = generation.support_tensor([long] + others, learner.problem)
    assert used.melodies == 4
    first_pitches = {int(vocab.token_pitch(s[0, vocab.PITCH])) for s in x[:4]}
    assert first_pitches == {60, 70, 71, 72}


def test_latency_record(tiny_checkpoint):
    records = latency.measure_adapt_latency(tiny_checkpoint, repeats=1)
    assert records[0]["domain"] == "melody" and records[0]["case"] == latency.CASE
    assert records[0]["ms"] > 0


def test_problem_tasks_and_vmappable_loss(tiny_checkpoint):
    learner = generation.load_learner(tiny_checkpoint)
    problem = learner.problem
    tasks = problem.sample_tasks(3, torch.Generator().manual_seed(0), "train")
    assert tasks.support[0].shape[:2] == (3, problem.options["shot"])
    assert tasks.query[0].shape[:2] == (3, problem.options["query"])
    loop = torch.stack([problem.loss(learner.forward_fn, learner.params, (tasks.support[0][i],)) for i in range(3)])
    mapped = torch.func.vmap(lambda x: problem.loss(learner.forward_fn, learner.params, (x,)))(tasks.support[0])
    assert torch.allclose(loop, mapped, atol=1e-5)
    assert torch.isfinite(loop).all()
    again = problem.sample_tasks(3, torch.Generator().manual_seed(0), "train")
    assert torch.equal(again.support[0], tasks.support[0])


def test_shipped_checkpoint_generates():
    path = api.default_checkpoint()
    if not path.exists():
        pytest.fail(f"the shipped melody checkpoint {path} is missing")
    melody = Melody(notes=tuple(Note(i * EIGHTH, EIGHTH, (62, 64, 66, 67, 69, 71)[i % 6]) for i in range(32)))
    out = api.generate([melody], n=2, bars=2, seed=0)
    assert len(out) == 2 and all(m.notes for m in out)


def test_mixed_tasks_with_variable_support_size(tiny_tunes):
    from workbench.domains.melody import vocab
    from workbench.domains.registry import build_problem

    problem = build_problem("melody", {"collections": ["ryans"], "limit_files": 6, "task": "mixed", "shot": 4,
                                       "shot_min": 1, "query": 2})
    tasks = problem.sample_tasks(32, torch.Generator().manual_seed(1), "train")
    used = (tasks.support[0][..., vocab.VALID].sum(-1) > 0).sum(-1)  # support segments per task
    assert used.min() >= 1 and used.max() <= 4 and len(set(used.tolist())) > 1
    assert (tasks.query[0][..., vocab.VALID].sum(-1) > 0).all()
    with pytest.raises(ConfigError, match="task"):
        build_problem("melody", {"task": "song"})


def test_support_outside_the_model_range_keeps_its_register(tiny_checkpoint):
    for base in (18, 108):
        low = Melody(notes=tuple(Note(i * EIGHTH, EIGHTH, base + (0, 2, 4, 5, 7, 9, 11, 12)[i % 8]) for i in range(32)))
        out = api.generate([low], n=3, bars=2, seed=0, checkpoint=tiny_checkpoint)
        pitches = [n.pitch for m in out for n in m.notes]
        assert base - 6 <= min(pitches) and max(pitches) <= base + 18


def test_presets_are_valid_settings():
    from workbench.domains import registry
    from workbench.domains.melody import vocab
    from workbench.meta.config import MetaConfig

    presets = registry.presets("melody")
    assert {"default", "pretrained", "tiny"} <= set(presets)
    for name, preset in presets.items():
        MetaConfig(**preset["config"]).validate()
        problem = registry.build_problem("melody", preset["problem"])
        assert problem.build_model()(torch.zeros((1, 4, vocab.EVENT_FIELDS), dtype=torch.long)).shape[-1] > 0, name
    shipped = generation.load_learner(api.default_checkpoint()).problem.describe()
    assert {k: shipped[k] for k in presets["default"]["problem"]} == presets["default"]["problem"]
