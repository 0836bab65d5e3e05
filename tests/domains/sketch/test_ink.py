"""InkNet, its tasks and masked decoding, with tiny untrained networks."""

from __future__ import annotations

import torch

from workbench.domains.registry import build_problem
from workbench.domains.sketch.decode import decode
from workbench.domains.sketch.inknet import InkNet
from workbench.meta.state import make_forward


def _problem(**options):
    return build_problem("sketch", {"mode": "ink", "size": 32, "width": 8, "train_classes": 20, **options})


def test_inknet_gives_a_logit_per_pixel_and_reads_the_support():
    torch.manual_seed(0)
    net = InkNet(size=32, width=8)
    torch.nn.init.normal_(net.film.weight, std=0.5)     # FiLM starts at identity; make it matter
    canvas = torch.zeros(3, 32 * 32)
    a = net(torch.rand(2, 32 * 32), torch.ones(2), canvas, canvas)
    b = net(torch.rand(2, 32 * 32), torch.ones(2), canvas, canvas)
    assert a.shape == (3, 32 * 32) and torch.isfinite(a).all()
    assert (a - b).abs().max() > 1e-5                   # another support, another prediction


def test_ink_tasks_mask_binary_drawings_and_weight_one_to_k_supports():
    problem = _problem(complete_share=0.5)
    tasks = problem.sample_tasks(6, torch.Generator().manual_seed(0), "train")
    drawings, weight, same_drawings, same_weight, known = tasks.support
    context, context_weight, query, query_weight, query_known = tasks.query
    assert torch.equal(same_drawings, drawings) and torch.equal(same_weight, weight) and (query_weight == 1).all()
    assert drawings.shape == (6, 5, 1024) and weight.shape == (6, 5) and known.shape == (6, 5, 1024)
    assert query.shape == (6, 3, 1024) and query_known.shape == (6, 3, 1024)
    assert set(drawings.unique().tolist()) <= {0.0, 1.0} and set(query.unique().tolist()) <= {0.0, 1.0}
    assert (weight[:, 0] == 1).all() and (weight.sum(1) <= 5).all()
    assert torch.equal(context, drawings) and torch.equal(context_weight, weight)
    # a Complete task: one partial drawing as support, its ink known on the whole query drawing
    completing = [i for i in range(6) if weight[i].sum() == 1 and drawings[i, 0].sum() < query[i, 0].sum()]
    assert completing
    i = completing[0]
    assert ((drawings[i, 0] > 0) <= (query_known[i, 0] > 0)).all()
    held_out = problem.sample_tasks(2, torch.Generator().manual_seed(0), "test")
    assert held_out.support[1].shape == (2, 5)


def test_supported_complete_tasks_keep_the_class_drawings_as_support():
    problem = _problem(complete_share=1.0, supported_complete=1.0)
    plain = _problem(complete_share=1.0)
    tasks = problem.sample_tasks(4, torch.Generator().manual_seed(0), "train")
    drawings, weight, *_ = tasks.support
    _context, _weight, query, _query_weight, query_known = tasks.query
    alone = plain.sample_tasks(4, torch.Generator().manual_seed(0), "train").support
    assert (alone[1].sum(1) == 1).all()                     # without: the partial alone is the support
    for i in range(4):
        real = int(weight[i].sum())
        assert (drawings[i, :real].sum(1) > 0).all()         # whole drawings of the class, not a partial
        assert torch.equal(query[i, 0], query[i, 1])          # every query is the one whole drawing
        assert 0 < query_known[i, 0].mean() < 1


def test_started_complete_tasks_show_an_examples_pixels_and_score_the_truth():
    """As the app runs Complete with examples: part of the canvas known from an example (another
    drawing of the class), the unknown pixels still scored against the drawing being completed."""
    plain = _problem(complete_share=1.0, supported_complete=1.0)
    started = _problem(complete_share=1.0, supported_complete=1.0, started_complete=1.0)
    before = plain.sample_tasks(4, torch.Generator().manual_seed(0), "train")
    after = started.sample_tasks(4, torch.Generator().manual_seed(0), "train")
    drawings, weight, *_ = after.support
    truth, truth_known = before.query[2], before.query[4]
    query, known = after.query[2], after.query[4]
    assert torch.equal(before.support[0], drawings)
    changed = query != truth
    assert changed.any()                                          # the example differs from the truth somewhere
    assert (known[changed] == 1).all() and (known >= truth_known).all()
    assert torch.equal(query[known == 0], truth[known == 0])       # what is scored is the truth
    for i in range(4):
        for q in range(query.shape[1]):
            shown = (known[i, q] > truth_known[i, q]) | changed[i, q]
            assert any(torch.equal(query[i, q][shown], drawings[i, k][shown]) for k in range(int(weight[i].sum())))


def test_fine_support_reads_the_support_pixel_by_pixel():
    torch.manual_seed(0)
    net = InkNet(size=32, width=8, fine_support=True)
    assert "fine.weight" in dict(net.named_parameters())
    assert "fine.weight" not in dict(InkNet(size=32, width=8).named_parameters())
    support = torch.zeros(1, 32, 32)
    support[0, 10:20, 15] = 1.0
    moved = torch.roll(support, 1, dims=2)
    canvas = torch.zeros(1, 32 * 32)
    a = net(support.reshape(1, -1), torch.ones(1), canvas, canvas).reshape(32, 32)
    b = net(moved.reshape(1, -1), torch.ones(1), canvas, canvas).reshape(32, 32)
    assert (a - b)[10:20, 14:18].abs().max() > 1e-4


def test_a_bound_channels_last_copy_with_the_condition_computed_once_gives_the_same_logits():
    """generate.draw decodes with Learner.bound and InkNet.condition once for all steps."""
    from workbench.meta.config import MetaConfig
    from workbench.meta.learner import Learner

    torch.manual_seed(0)
    problem = _problem(fine_support=True)
    learner = Learner(problem, MetaConfig(algo="anil"))
    params = {k: v + 0.01 * torch.randn_like(v) for k, v in learner.params.items()}   # not the model's own
    drawings, weight = torch.rand(3, 32 * 32), torch.tensor([1.0, 1.0, 0.0])
    ink, known = (torch.rand(2, 32 * 32) > 0.5).float(), (torch.rand(2, 32 * 32) > 0.5).float()
    net = learner.bound(params).to(memory_format=torch.channels_last)
    with torch.no_grad():
        fast = net.logits(net.condition(drawings, weight), ink, known)
    assert torch.allclose(fast, learner.forward(params, drawings, weight, ink, known), atol=1e-5)
    assert all(p.requires_grad for p in learner.model.parameters())   # the learner's own model untouched


def test_ink_loss_is_finite_and_vmap_matches_loop():
    problem = _problem()
    torch.manual_seed(0)
    model = problem.build_model()
    forward = make_forward(model)
    params = dict(model.named_parameters())
    tasks = problem.sample_tasks(2, torch.Generator().manual_seed(3), "train")

    def task_grad(batch):
        return torch.func.grad(lambda p: problem.loss(forward, p, batch))(params)

    for part in ("support", "query"):
        batches = getattr(tasks, part)
        looped = [task_grad(getattr(tasks.task(i), part)) for i in range(2)]
        mapped = torch.func.vmap(task_grad)(batches)
        for key in ("film.weight", "code", "refine.weight"):
            torch.testing.assert_close(mapped[key], torch.stack([g[key] for g in looped]), rtol=1e-4, atol=1e-5)


def test_decode_commits_every_pixel_to_ink_or_paper_and_keeps_the_known_ones():
    generator = torch.Generator().manual_seed(0)
    target = torch.zeros(2, 64)
    target[:, 10:20] = 1.0

    def predict(ink, known):              # a "model" that knows the answer, with some doubt
        return (target * 2 - 1) * 2.0

    known = torch.zeros(2, 64)
    known[1, :5] = 1.0
    ink = torch.zeros(2, 64)
    ink[1, 0] = 1.0                        # a known ink pixel the target does not have
    frames = decode(predict, ink, known, steps=6, generator=generator, temperature=1.0)
    assert len(frames) == 6
    final = frames[-1]
    assert set(final.unique().tolist()) <= {0.0, 1.0}
    assert final[1, 0] == 1.0 and (final[1, 1:5] == 0).all()
    unknown_left = [int(((f > 0) & (f < 1)).sum()) for f in frames]
    assert unknown_left == sorted(unknown_left, reverse=True) and unknown_left[-1] == 0
    greedy = decode(predict, torch.zeros(2, 64), torch.zeros(2, 64), steps=4, generator=generator, temperature=0.0)
    assert torch.equal(greedy[-1], target)
