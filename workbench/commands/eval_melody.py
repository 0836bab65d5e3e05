"""`workbench eval melody`: NLL of held-out tunes of a style after adapting to K tunes of it, beside
every baseline (unadapted, primed, pretrained, fine-tuned, Markov), and the shape of the melodies
it writes. workbench.commands.eval calls register()."""

from __future__ import annotations


def register(eval_subparsers) -> None:
    p = eval_subparsers.add_parser(
        "melody",
        help="few-shot melody modelling: adapted vs unadapted, primed, pretrained, fine-tuned and Markov",
        description="Negative log-likelihood per note of held-out tunes of a style after adapting to K=1,3,5 "
                    "tunes of it, for the meta-learned model adapted, unadapted and primed with the support, "
                    "the same network pretrained jointly (unadapted, primed, and fine-tuned with a rate chosen "
                    "on validation tasks) and a second-order Markov chain of the support backed off to corpus "
                    "counts; then the shape of 8 generated 8-bar melodies per task beside the support.",
    )
    p.add_argument("--data", metavar="DIR", help="one subfolder of MIDI files per style "
                                                 "(default: held-out tunes of the built-in corpus)")
    p.add_argument("--checkpoint", help="meta-learned melody checkpoint (default: the shipped one)")
    p.add_argument("--pretrained", help="pretrained baseline checkpoint (default: the shipped "
                                        "melody.pretrained.safetensors; 'none' to skip)")
    p.add_argument("--tasks", type=int, default=40, help="held-out tasks per task kind (default 40)")
    p.add_argument("--shots", type=int, nargs="+", default=[1, 3, 5], help="support sizes K (default 1 3 5)")
    p.add_argument("--no-samples", action="store_true", help="skip generating and measuring melodies")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=run)


def run(args) -> int:
    import time

    from workbench.commands.output import emit
    from workbench.domains.melody import api, evaluation
    from workbench.meta.errors import ConfigError

    if any(k < 1 for k in args.shots):
        raise ConfigError("shots", "support sizes must be at least 1")
    if args.tasks < 1:
        raise ConfigError("tasks", "must be at least 1")
    checkpoint = args.checkpoint or api.default_checkpoint()
    pretrained = args.pretrained
    if pretrained is None:
        shipped = api.default_checkpoint().with_name("melody.pretrained.safetensors")
        pretrained = shipped if shipped.exists() else None
    elif pretrained == "none":
        pretrained = None
    started = time.perf_counter()
    notes: list[str] = []
    records = evaluation.evaluate(
        checkpoint, pretrained, data=args.data, shots=tuple(args.shots), tasks=args.tasks,
        seed=args.seed, samples=not args.no_samples, notes=notes,
    )
    emit("eval melody", records, device="cpu", as_json=args.json,
         extra={"checkpoint": str(checkpoint), "pretrained": str(pretrained) if pretrained else None,
                "seconds": round(time.perf_counter() - started, 1), "notes": notes})
    return 0
