#!/usr/bin/env python3
"""Word error rate of the Whisper configurations on the real clips that have a transcript.

Reads ``MANIFEST.tsv`` in the fixtures folder (clips are read in place, never copied), transcribes
every clip whose ``reference_transcript`` is not "none" with each configuration, normalises both
sides (case, punctuation, numbers, British/American spelling, titles, fillers) and prints a
per-clip table, the overall WER (total errors / total reference words) and how much the filler
prompt changes it. A second table checks the prompt's purpose: espeak-ng utterances with known
"um"/"uh" counts, and how many fillers each configuration writes.

    python scripts/eval_wer.py [--model tiny.en --model base] [--max-wer 0.05] [--fixtures DIR]

Exit status: 0, 1 when the first configuration (the default one) exceeds ``--max-wer``,
2 when the fixtures or a requested model are missing.
"""
from __future__ import annotations

import argparse
import csv
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import jiwer

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from voicecoach.speech import audio  # noqa: E402
from voicecoach.analysis import Settings, analyse  # noqa: E402
from voicecoach.speech.audio import Audio  # noqa: E402
from voicecoach.speech.transcribe import FILLER_PROMPT, ModelError, TranscribeSettings, resolve_model  # noqa: E402

FILLERS = {"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "mm"}
_UK_US = {
    "neighbour": "neighbor", "colour": "color", "favour": "favor", "honour": "honor",
    "labour": "labor", "behaviour": "behavior", "humour": "humor", "harbour": "harbor",
    "centre": "center", "theatre": "theater", "metre": "meter", "grey": "gray",
    "programme": "program", "travelled": "traveled", "travelling": "traveling",
    "cancelled": "canceled", "jewellery": "jewelry", "defence": "defense", "offence": "offense",
    "realise": "realize", "realised": "realized", "organise": "organize", "recognise": "recognize",
    "apologise": "apologize", "analyse": "analyze", "amongst": "among", "whilst": "while",
}
_ABBREV = {
    "mr": "mister", "mrs": "missus", "ms": "miss", "dr": "doctor", "etc": "et cetera",
    "ok": "okay", "st": "saint", "vs": "versus", "&": "and", "%": "percent",
}
_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen " \
        "fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
#: synthetic utterances for the filler check; the last one has none (false positives)
FILLER_UTTERANCES = (
    "Um, I would like to talk about my promotion.",
    "So, uh, I was hoping you could support my application.",
    "I think, um, the project went well, uh, overall.",
    "Uh, could we, um, discuss my salary next week?",
    "I am asking you to put me forward for the senior role.",
)


@dataclass(frozen=True)
class Config:
    label: str
    model: str
    initial_prompt: str | None
    beam_size: int = 1


def _say_number(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        return _ONES[n // 100] + " hundred" + ("" if n % 100 == 0 else " " + _say_number(n % 100))
    if 1100 <= n < 2000 and n % 100:  # years: 1961 -> nineteen sixty one
        return _say_number(n // 100) + " " + _say_number(n % 100)
    if n < 1_000_000:
        rest = n % 1000
        return _say_number(n // 1000) + " thousand" + ("" if rest == 0 else " " + _say_number(rest))
    return " ".join(_ONES[int(d)] for d in str(n))


def normalise(text: str) -> str:
    """Lower case, words only, numbers spelled out, American spelling, no fillers."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,000 -> 1000
    text = re.sub(r"[&%]", lambda m: f" {_ABBREV[m.group()]} ", text)
    text = re.sub(r"[^\w\s']|_", " ", text)  # punctuation and hyphens become spaces
    text = re.sub(r"(?<!\w)'|'(?!\w)", " ", text)  # quotes, keeping don't / 'em -> em
    words = []
    for w in text.replace("'", "").split():
        if w.isdigit():
            words.extend(_say_number(int(w)).split())
            continue
        w = _ABBREV.get(w, w)
        w = _UK_US.get(w) or (_UK_US[w[:-1]] + "s" if w[:-1] in _UK_US and w.endswith("s") else w)
        if w not in FILLERS:
            words.extend(w.split())
    return " ".join(words)


def count_fillers(text: str) -> int:
    return sum(w in FILLERS for w in re.sub(r"[^\w\s]", " ", text.lower()).split())


def read_clips(fixtures: Path) -> list[tuple[Path, str]]:
    manifest = fixtures / "MANIFEST.tsv"
    if not manifest.exists():
        raise FileNotFoundError(f"{manifest} not found; pass --fixtures DIR (the speech fixtures folder)")
    with open(manifest, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [(fixtures / r["file"], r["reference_transcript"]) for r in rows
            if r["reference_transcript"].strip().lower() != "none"]


def configs_for(models: list[str], *, implicit: bool, prompt: str = FILLER_PROMPT) -> list[Config]:
    """The first model with the prompt (the gate), without it and with beam 5; then the others."""
    first, *others = models
    out = [
        Config(f"{first} (default)", first, prompt),
        Config(f"{first} no prompt", first, None),
        Config(f"{first} beam 5", first, prompt, beam_size=5),
    ]
    for m in others:
        try:
            resolve_model(m)
        except ModelError as exc:
            if implicit:
                print(f"note: skipping {m}: {exc}")
                continue
            raise
        out.append(Config(m, m, prompt))
    return out


def run(cfg: Config, y) -> str:
    """The words voicecoach counts for this clip (the whole analysis, as the app runs it)."""
    settings = Settings(transcribe=TranscribeSettings(initial_prompt=cfg.initial_prompt, beam_size=cfg.beam_size))
    return analyse(Audio(y), model=cfg.model, settings=settings).transcript


def wer_table(clips, configs) -> list[dict]:
    """Per-config totals; prints one row per clip (errors/words per configuration)."""
    totals = [dict(errors=0, words=0, fillers=0, seconds=0.0) for _ in configs]
    width = max(len(c.label) for c in configs)
    print(f"{'clip':<42} {'words':>5}  " + "  ".join(f"{c.label:>{width}}" for c in configs))
    for path, ref in clips:
        y = audio.load(path).y
        ref_n = normalise(ref)
        cells = []
        for cfg, tot in zip(configs, totals):
            t0 = time.perf_counter()
            hyp = run(cfg, y)
            tot["seconds"] += time.perf_counter() - t0
            out = jiwer.process_words(ref_n, normalise(hyp) or "<empty>")
            errors = out.substitutions + out.deletions + out.insertions
            tot["errors"] += errors
            tot["words"] += len(ref_n.split())
            tot["fillers"] += count_fillers(hyp)
            cells.append(f"{errors:>3} {errors / len(ref_n.split()):6.1%}")
            if errors and cfg is configs[0]:
                tot.setdefault("diffs", []).append((path.name, ref_n, normalise(hyp)))
        print(f"{path.name[:42]:<42} {len(ref_n.split()):>5}  " + "  ".join(f"{c:>{width}}" for c in cells))
    print(f"{'OVERALL (errors / reference words)':<42} {totals[0]['words']:>5}  " + "  ".join(
        f"{t['errors']:>3} {t['errors'] / t['words']:6.2%}".rjust(width) for t in totals))
    print(f"{'fillers written on read speech':<42} {'':>5}  " + "  ".join(
        f"{t['fillers']:>{width}}" for t in totals))
    print(f"{'transcription time, s (first includes loading)':<48}  " + "  ".join(
        f"{t['seconds']:>{width}.1f}" for t in totals))
    return totals


def filler_check(configs, *, verbose: bool = False) -> None:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        print("\nfiller check skipped: espeak-ng not found (apt-get install espeak-ng)")
        return
    said = [count_fillers(u) for u in FILLER_UTTERANCES]
    print(f"\nfillers kept on {len(said)} espeak-ng utterances ({sum(said)} fillers said, "
          "last utterance has none):")
    counts = {c.label: [] for c in configs}
    with tempfile.TemporaryDirectory() as tmp:
        for i, text in enumerate(FILLER_UTTERANCES):
            wav = Path(tmp) / f"u{i}.wav"
            subprocess.run([espeak, "-s", "150", "-w", str(wav), text], check=True)
            y = audio.load(wav).y
            for cfg in configs:
                hyp = run(cfg, y)
                counts[cfg.label].append(count_fillers(hyp))
                if verbose:
                    print(f"  [{cfg.label}] {hyp}")
    print(f"  {'configuration':<24} {'per utterance (said ' + ' '.join(map(str, said)) + ')':<32} kept")
    for label, got in counts.items():
        print(f"  {label:<24} {' '.join(map(str, got)):<32} {sum(got)}/{sum(said)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append", help="model name or folder; repeat to compare "
                        "(default: tiny.en, plus base when assembled). The first one is the gate.")
    parser.add_argument("--max-wer", type=float, default=None, help="fail (exit 1) above this overall WER, e.g. 0.05")
    parser.add_argument("--fixtures", type=Path, default=REPO.parent / "shared" / "fixtures" / "speech",
                        help="folder holding MANIFEST.tsv (default: ../shared/fixtures/speech)")
    parser.add_argument("--prompt", default=FILLER_PROMPT, help="try another initial prompt "
                        f"instead of voicecoach's FILLER_PROMPT ({FILLER_PROMPT!r})")
    parser.add_argument("--no-fillers", action="store_true", help="skip the espeak-ng filler check")
    parser.add_argument("-v", "--verbose", action="store_true", help="show the normalised texts with errors")
    args = parser.parse_args(argv)
    try:
        clips = read_clips(args.fixtures)
        configs = configs_for(args.model or ["tiny.en", "base"], implicit=args.model is None, prompt=args.prompt)
        resolve_model(configs[0].model)
        print(f"{len(clips)} clips with a reference transcript in {args.fixtures}; prompt {args.prompt!r}\n")
        totals = wer_table(clips, configs)
    except (ModelError, FileNotFoundError, audio.AudioError) as exc:  # one line, no traceback
        print(f"eval_wer: {exc}", file=sys.stderr)
        return 2
    if args.verbose:
        for name, ref, hyp in totals[0].get("diffs", []):
            print(f"\n{name}\n  ref: {ref}\n  hyp: {hyp}")
    wer = [t["errors"] / t["words"] for t in totals]
    delta = wer[0] - wer[1]
    verdict = "hurts" if delta > 0 else "does not hurt"
    print(f"\nfiller prompt {verdict} accuracy: WER {wer[0]:.2%} with it vs {wer[1]:.2%} without "
          f"({delta * 100:+.2f} points, {totals[0]['errors'] - totals[1]['errors']:+d} errors)")
    if not args.no_fillers:
        filler_check(configs, verbose=args.verbose)
    if args.max_wer is not None and wer[0] > args.max_wer:
        print(f"\nFAIL: {configs[0].label} WER {wer[0]:.2%} exceeds --max-wer {args.max_wer:.2%}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
