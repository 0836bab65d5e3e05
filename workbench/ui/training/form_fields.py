"""What the training form knows about its fields and the algorithms (names and help only: no torch).

What each domain asks for (its fields, its built-in data) the domain describes
itself: workbench.domains.registry.training_form(domain).
"""

from __future__ import annotations

ALGORITHM_TITLES = {
    "maml": "MAML (second order)", "fomaml": "First-order MAML", "metasgd": "Meta-SGD", "anil": "ANIL",
    "reptile": "Reptile", "protonet": "Prototypical Networks", "pretrain": "Pretrain (baseline)",
}
DEVICES = ("auto", "cpu", "cuda", "mps")
BUILT_IN = "Built-in"
# One line per form field: what it does, with the paper's term.
FIELD_TIPS = {
    "domain": "What the model meta-learns: sine regression, few-shot classification, sketches or melodies",
    "preset": "Start from one of the domain's training presets (the settings a shipped model was made with)",
    "folder": "Training data: empty for the built-in data, or a folder with one subfolder per class or style",
    "init_from": "A checkpoint of the same domain and model whose weights the run begins from (e.g. meta-training "
                 "from a pretrained network, as the shipped sketch and melody models are made); empty: random weights",
    "algo": "The meta-learning algorithm: MAML, first-order MAML, Meta-SGD, ANIL, Reptile, Prototypical "
            "Networks, or joint pretraining (the baseline)",
    "inner_lr": "α, the inner-loop step size of task adaptation (Meta-SGD: the start of its learned rates)",
    "inner_steps": "Inner-loop gradient steps on each task's support set during meta-training",
    "eval_steps": "Inner-loop steps at test time (evaluation and the studios); 'same as training' uses Inner steps",
    "first_order": "First-order approximation (FOMAML): skip second derivatives through the inner loop; "
                   "faster, less memory",
    "meta_batch": "Meta-batch size: tasks averaged in each outer-loop update",
    "outer_lr": "β, the outer-loop (meta-update) learning rate of the Adam optimizer",
    "iterations": "Outer-loop updates (meta-iterations) to run",
    "val_every": "Meta-validation on held-out tasks every N iterations (0: never)",
    "way": "N of N-way: classes per task (classification only)",
    "shot": "K of K-shot: examples per class, or support items per task, to adapt on",
    "device": "Where training runs: auto picks CUDA, then Apple MPS, then the CPU",
    "seed": "Random seed of initialisation and task sampling: the same seed repeats the run",
}
# Fields an algorithm does not read: ProtoNet has no inner loop, so no inner rate, steps or first-order choice.
UNUSED_BY_ALGORITHM = {
    "protonet": {"inner_lr", "inner_steps", "eval_steps", "first_order"},
    "reptile": {"first_order"},  # Reptile is first order by construction
    "fomaml": {"first_order"},
    "pretrain": {"first_order"},  # joint training, no inner loop to differentiate through
}
SETTINGS_KEY = "training/last"

