"""The command line: ``voicecoach analyse | record | tag | objective | models install``.

Thin: it parses arguments, calls the core and prints. User errors are one line on stderr and
a non-zero exit status (2: bad input, 3: model, 4: microphone), never a traceback.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from .paths import data_home

__all__ = ["main"]

EXIT_INPUT, EXIT_MODEL, EXIT_MIC = 2, 3, 4


class _UserError(Exception):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def _run_analysis(source, *, model, as_json: bool, label: str) -> None:
    from .analysis import analyse
    from .report import render_text

    a = analyse(source, model=model)
    if as_json:
        print(json.dumps(a.to_dict(), ensure_ascii=False))
    else:
        print(render_text(a, label=label))


def _cmd_analyse(args) -> None:
    _run_analysis(args.path, model=args.model, as_json=args.json, label=str(args.path))


def _cmd_record(args) -> None:
    from .audio import SR
    from .samples import to_wav_bytes

    if not 1 <= args.seconds <= 600:
        raise _UserError(f"--seconds {args.seconds} is out of range; record between 1 and 600 seconds", EXIT_INPUT)
    try:
        import sounddevice as sd
    except OSError as exc:  # libportaudio missing
        raise _UserError(f"cannot use the microphone ({exc}); install libportaudio2 (`make run` does)", EXIT_MIC) from None
    out = Path(args.out) if args.out else data_home() / "recordings" / time.strftime("take-%Y%m%d-%H%M%S.wav")
    try:
        print(f"Recording {args.seconds:g} s — state your ask, then wait in silence…", file=sys.stderr)
        y = sd.rec(int(args.seconds * SR), samplerate=SR, channels=1, dtype="float32")
        sd.wait()
    except sd.PortAudioError as exc:
        raise _UserError(
            f"no microphone could be opened ({exc}); plug one in or choose an input device in your "
            "system settings, or analyse a file with `voicecoach analyse PATH`", EXIT_MIC) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(to_wav_bytes(y[:, 0]))  # saved before analysis: a failed analysis loses nothing
    print(f"Saved {out}", file=sys.stderr)
    _run_analysis(out, model=args.model, as_json=args.json, label=str(out))


def _read_lines(items) -> list[str]:
    if items:
        return [s for s in items if s.strip()]
    return [line.strip() for line in sys.stdin if line.strip()]


def _cmd_tag(args) -> None:
    from .wording import tag_sentences

    texts = _read_lines(args.sentences)
    if not texts:
        raise _UserError("no sentences given; pass them as arguments or one per line on stdin", EXIT_INPUT)
    for t in tag_sentences(texts):
        print(json.dumps(t.to_dict(), ensure_ascii=False))


def _cmd_objective(args) -> None:
    from .wording import check_specificity

    text = " ".join(args.text).strip() or sys.stdin.read().strip()
    if not text:
        raise _UserError("no objective given; write what your manager should say or do", EXIT_INPUT)
    spec = check_specificity(text)
    if args.json:
        print(json.dumps({"text": text, **spec.to_dict()}, ensure_ascii=False))
        return
    if spec.is_specific:
        print(f"Specific: action “{spec.action}”, object “{spec.object}”, time “{spec.time}”.")
    else:
        gaps = ", ".join(spec.missing) or "a concrete action"
        vague = f" “{'”, “'.join(spec.vague_terms)}” says what you want to feel, not what they will do." if spec.vague_terms else ""
        print(f"Vague: missing {gaps}.{vague} Name an action, an object and a time, e.g. “enrol me on the "
              "leadership course before the March intake”.")


def _cmd_models(args) -> None:
    from .models import install

    path = install(args.name)
    print(f"Whisper {args.name} is ready in {path}; select it with --model {args.name} or VOICECOACH_MODEL={args.name}")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="voicecoach", description="Rehearse your ask out loud; everything stays on this machine.")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("analyse", aliases=["analyze"], help="analyse a recorded take (WAV, FLAC, OGG, MP3, WebM)")
    a.add_argument("path")
    a.add_argument("--json", action="store_true", help="print the JSON contract instead of a report")
    a.add_argument("--model", help="tiny.en (default), base, or a CTranslate2 Whisper folder")
    a.set_defaults(func=_cmd_analyse)

    r = sub.add_parser("record", help="record from the microphone, save the take, analyse it")
    r.add_argument("--seconds", type=float, default=30.0)
    r.add_argument("--out", help="where to save the WAV (default: the voicecoach data folder)")
    r.add_argument("--json", action="store_true")
    r.add_argument("--model")
    r.set_defaults(func=_cmd_record)

    t = sub.add_parser("tag", help="tag sentences Push / Pull / Move Away (arguments or stdin lines)")
    t.add_argument("sentences", nargs="*")
    t.set_defaults(func=_cmd_tag)

    o = sub.add_parser("objective", help="check that your influence objective is specific")
    o.add_argument("text", nargs="*")
    o.add_argument("--json", action="store_true")
    o.set_defaults(func=_cmd_objective)

    m = sub.add_parser("models", help="assemble an optional model locally")
    msub = m.add_subparsers(dest="action", required=True)
    mi = msub.add_parser("install", help="assemble Whisper base into models/")
    mi.add_argument("name", choices=["base"])
    mi.set_defaults(func=_cmd_models)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    from .audio import AudioError
    from .transcribe import ModelError

    try:
        args.func(args)
    except _UserError as exc:
        print(f"voicecoach: {exc}", file=sys.stderr)
        return exc.code
    except AudioError as exc:
        print(f"voicecoach: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except ModelError as exc:
        print(f"voicecoach: {exc}", file=sys.stderr)
        return EXIT_MODEL
    except KeyboardInterrupt:
        print("voicecoach: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
