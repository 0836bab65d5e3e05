"""`workbench melody generate` and `workbench melody render`: the melody studio, headless."""

from __future__ import annotations

import sys
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("melody", help="generate melodies from a few examples; render MIDI to WAV")
    sub = p.add_subparsers(dest="melody_command", metavar="ACTION")
    sub.required = True

    g = sub.add_parser(
        "generate",
        help="adapt to support melodies and write new ones as MIDI (and WAV)",
        description="Adapt the melody model to a few support melodies, then write N new melodies in their "
                    "style to DIR as melody-01.mid, ... (with --wav also .wav).",
    )
    g.add_argument("--support", nargs="+", required=True, metavar="MIDI", help="3-5 MIDI files in one style")
    g.add_argument("-n", type=int, default=8, help="how many melodies (default 8)")
    g.add_argument("--bars", type=int, default=8, help="length in bars (default 8)")
    g.add_argument("--temperature", type=float, default=1.0, help="sampling temperature, 0-5 (default 1.0)")
    g.add_argument("--top-p", type=float, default=0.9, dest="top_p",
                   help="nucleus sampling mass of the pitches (default 0.9; durations use the whole distribution)")
    g.add_argument("--continue", dest="continue_from", metavar="MIDI", help="continue this melody by --bars bars")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--steps", type=int, help="adaptation steps (default: the checkpoint's)")
    g.add_argument("--any-key", action="store_true", help="do not keep pitches in the support's key")
    g.add_argument("--free-form", action="store_true", help="no phrase plan (held phrase ends, answering "
                                                            "phrases, tonic cadence): the model alone decides")
    g.add_argument("--checkpoint", help="melody checkpoint (default: the shipped one)")
    g.add_argument("--wav", action="store_true", help="also render each melody to WAV")
    g.add_argument("--out", required=True, metavar="DIR", help="folder for the results")
    g.add_argument("--json", action="store_true", help="print one JSON document")
    g.set_defaults(func=run_generate)

    c = sub.add_parser(
        "corpus",
        help="build (once) and describe the built-in folk-tune corpus",
        description="Parse music21's bundled folk collections into the cache (with a progress bar) and "
                    "print how many tunes each style has. Essen is licensed for non-commercial use only.",
    )
    c.add_argument("--collections", nargs="+", default=["oneills", "ryans"], help="oneills ryans [essen] [airds]")
    c.add_argument("--write-rhythms", metavar="JSON", dest="write_rhythms",
                   help="write the training split's common bar rhythms per metre (the shipped "
                        "resources/melody/bar-rhythms.json)")
    c.add_argument("--export-styles", metavar="DIR", dest="export_styles",
                   help="also write the tunes as MIDI files, one subfolder per style (for `eval melody --data`)")
    c.add_argument("--rebuild", action="store_true", help="parse again even if the cache exists")
    c.add_argument("--limit-files", type=int, dest="limit_files", help="only the first N files per collection")
    c.add_argument("--json", action="store_true", help="print one JSON document")
    c.set_defaults(func=run_corpus)

    r = sub.add_parser("render", help="render a MIDI melody to WAV with the built-in synthesizer")
    r.add_argument("midi", help="MIDI file")
    r.add_argument("--out", required=True, help="WAV file to write")
    r.add_argument("--sample-rate", type=int, default=44100, dest="sample_rate")
    r.add_argument("--json", action="store_true", help="print one JSON document")
    r.set_defaults(func=run_render)


def _check_counts(args, **ranges: tuple[int, int]) -> None:
    """Each named number, when given, lies in its range (a huge one would allocate or run for ever)."""
    from workbench.meta.errors import ConfigError

    for name, (low, high) in ranges.items():
        value = getattr(args, name, None)
        if value is not None and not low <= value <= high:
            raise ConfigError(name, f"must be from {low} to {high}, got {value}")


def _warn(lines) -> None:
    for line in lines:
        print(f"warning: {line}", file=sys.stderr)


def run_generate(args) -> int:
    import time

    from workbench.commands.output import emit, prepare_output_folder, write_atomically
    from workbench.domains.melody import api
    from workbench.meta.errors import DataError
    from workbench.meta.limits import MAX_COUNT, MAX_STEPS

    _check_counts(args, n=(1, MAX_COUNT), bars=(1, 1000), steps=(0, MAX_STEPS))
    melodies, errors = [], []
    for path in args.support:
        try:
            melody, report = api.read_midi(path)
        except DataError as exc:
            errors.append(str(exc))
            continue
        _warn(f"{Path(path).name}: {line}" for line in report)
        melodies.append(melody)
    _warn(errors)
    if not melodies:
        raise DataError("none of the support files could be read: " + "; ".join(errors))
    continue_from = None
    if args.continue_from:
        continue_from, report = api.read_midi(args.continue_from)
        _warn(f"{Path(args.continue_from).name}: {line}" for line in report)
    out = prepare_output_folder(args.out)  # before the work, so a bad folder costs nothing
    started = time.perf_counter()
    results = api.generate(
        melodies, n=args.n, bars=args.bars, temperature=args.temperature, top_p=args.top_p, seed=args.seed,
        continue_from=continue_from, keep_key=not args.any_key, form_plan=not args.free_form, steps=args.steps,
        checkpoint=args.checkpoint or None, progress=_report_support_use,
    )
    seconds = time.perf_counter() - started
    rows = []
    for i, melody in enumerate(results, 1):
        path = out / f"melody-{i:02d}.mid"
        write_atomically(path, lambda tmp, m=melody: api.write_midi(m, tmp))
        row = {"file": str(path), "notes": len(melody.notes), "bars": melody.bars,
               "key": _key_name(melody), "seconds_to_generate_all": round(seconds, 3)}
        if args.wav:
            wav = path.with_suffix(".wav")
            write_atomically(wav, lambda tmp, m=melody: api.write_wav(m, tmp))
            row["wav"] = str(wav)
        rows.append(row)
    emit("melody generate", rows, device="cpu", as_json=args.json,
         extra={"support": [str(p) for p in args.support], "skipped": errors})
    return 0


def _report_support_use(done: int, _total: int, message: str) -> None:
    if done == 0 and message:
        print(f"note: {message}", file=sys.stderr)


def run_render(args) -> int:
    import numpy as np

    from workbench.commands.output import emit, prepare_output_file, write_atomically
    from workbench.domains.melody import api

    _check_counts(args, sample_rate=(8000, 192_000))
    out = prepare_output_file(args.out)  # a device, folder or FIFO is refused before any work
    melody, report = api.read_midi(args.midi)
    _warn(report)
    audio = api.render_audio(melody, args.sample_rate)
    write_atomically(out, lambda tmp: api.write_wav(melody, tmp, args.sample_rate))
    emit("melody render", [{
        "file": str(args.out), "seconds": round(len(audio) / args.sample_rate, 3), "notes": len(melody.notes),
        "peak": round(float(np.abs(audio).max()) if len(audio) else 0.0, 4), "sample_rate": args.sample_rate,
    }], device="cpu", as_json=args.json)
    return 0


def run_corpus(args) -> int:
    from collections import Counter

    from workbench.commands.output import emit
    from workbench.domains.melody import corpus

    collections = tuple(args.collections)
    if any(c in corpus.NONCOMMERCIAL for c in collections):
        print(f"note: {corpus.ESSEN_LICENCE}", file=sys.stderr)
    tunes = corpus.load_builtin(collections, limit_files=args.limit_files, progress=corpus.text_progress,
                                rebuild=args.rebuild)
    counts = Counter((t.source, t.style) for t in tunes)
    rows = [{"collection": source, "style": style, "tunes": n} for (source, style), n in sorted(counts.items())]
    if args.write_rhythms:
        from workbench.domains.melody import rhythm

        training = [t for i, t in enumerate(tunes) if corpus.split_of(t.title, i) == "train"]
        table = rhythm.build_table(training)   # the training split only: evaluation tunes stay unseen
        rhythm.write_table(table, args.write_rhythms)
        rows += [{"metre": key, "style": style, "bar_rhythms": len(patterns), "file": args.write_rhythms}
                 for key, styles in table.items() for style, patterns in styles.items()]
    if args.export_styles:
        written = corpus.export_style_folders(tunes, args.export_styles, progress=corpus.text_progress)
        rows += [{"exported_style": style, "tunes": n, "folder": str(Path(args.export_styles) / style)}
                 for style, n in written.items()]
    emit("melody corpus", rows, device="cpu", as_json=args.json,
         extra={"cache": str(corpus.cache_dir()), "tunes": len(tunes)})
    return 0


def _key_name(melody) -> str:
    from workbench.domains.melody.midi_io import describe_key

    return describe_key(melody.key, melody.mode)
