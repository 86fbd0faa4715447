#!/usr/bin/env python3
"""Long-form transcription check: whole multi-sentence takes (20-90 s), several systems, same audio.

Audio, built in memory in each run (the fixture clips are read in place, never copied):
  real    the clips of ``MANIFEST.tsv`` that have a transcript, each cut to its speech by energy
          (see ``trim``), 7 per take in seeded orders, joined by gaps drawn from GAPS_S filled
          with Gaussian noise at -70 dBFS (a quiet room, not digital zero). Reference: the clips'
          transcripts in order. Speech edges are energy-defined (about +-0.05 s), not exact.
  ask     espeak-ng career asks: lead-in, reasons, a request, a wait of 2-4 s, a Pull question;
          each sentence spoken apart, joined by silences of known length; -70 dBFS noise added.
  filler  espeak-ng sentences with "um"/"uh" in the text (espeak-ng reads the word: a synthetic
          filler, not a real hesitation) and sentences with none.

Systems: each ``voicecoach_configs()`` entry through ``analyse()`` (scored on its words list),
plain faster-whisper with its defaults, and the whole-window prompt configuration voicecoach
used before, reproduced here with faster-whisper so it stays comparable.

Measures: WER (total S+D+I / reference words, ``normalise()``d, per kind and overall); units
dropped (a clip or sentence with more than half of its reference words deleted in the jiwer
alignment); gaps found (voicecoach: each inserted gap >= 0.3 s needs a reported pause with start
and end within 0.15 s; gaps next to a clip edge that is not known are not scored); fillers kept
on the filler takes; wall time per system (models loaded and warmed first, not timed).

    python scripts/eval_longform.py [--quick] [--max-wer 0.08] [--real-takes 16] [--seed N] [-v]

Exit status: 0; 1 when the default voicecoach configuration's WER exceeds ``--max-wer``;
2 when the fixtures, espeak-ng/sox or the model are missing.
"""
from __future__ import annotations

import argparse
import dataclasses
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import jiwer
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]  # tests/synth.py: espeak-ng takes of known truth

from scripts.eval_wer import FILLERS, count_fillers, normalise, read_clips  # noqa: E402
from voicecoach.speech import audio, transcribe as vc_transcribe  # noqa: E402
from voicecoach.analysis import Settings, analyse  # noqa: E402
from synth import SR, Silence, Speech, build_take, speak  # noqa: E402

GAPS_S = (0.3, 0.5, 0.8, 1.2, 2.0, 3.0)  # between the clips of a real take
SENTENCE_GAPS_S = (0.15, 0.3, 0.5, 0.8, 1.2)  # between espeak sentences (0.15: run on, not scored)
NOISE_DBFS, MIN_GAP_S, TOL_S, CLIPS_PER_TAKE = -70.0, 0.3, 0.15, 7
BEFORE_PROMPT = "Um, uh, so, I mean, like, er."
#: voice, words per minute, text; " | " marks the 2-4 s wait after the request (asks)
ASKS = (
    ("en-us", 150, "Thanks for making time for this today. Over the last year I have led the data migration for "
     "the billing team. We moved four systems without a single outage. I also mentored two new engineers through "
     "their first releases. I want to grow into a role where I lead people and not just projects. Please enrol me "
     "on the leadership course before the March intake. | What would you need to see from me to support that?"),
    ("en-gb", 140, "I would like to talk about my next step here. Since January I have run the customer "
     "onboarding project on my own. The time to bring on a new client dropped from six weeks to three. Two of our "
     "largest accounts renewed early because of it. I am asking you to put me forward for the senior analyst role "
     "in the spring review. | How do you see my readiness for that?"),
    ("en-us", 170, "I have a request about my training budget. Our team is moving to new cloud security tools "
     "next quarter. Nobody on the team has formal training in them yet. A certified course would let me review the "
     "designs myself. It runs over three days in May. I could share what I learn with the whole team afterwards. "
     "Could you approve the course fee from this year's budget? | What concerns would you have about the timing?"),
    ("en-gb", 160, "Thank you for the feedback in my review last month. You said I should build more visibility "
     "with senior leaders. Leading the quarterly product demo would put my work in front of them. I have already "
     "prepared the first two sessions. Please let me present the product demo at the June board meeting. | Is "
     "there anything that would stop that from happening?"),
)
FILLER_TAKES = (  # 10 fillers in all
    ("en-us", 150, "Um, I wanted to talk about my role. I have been leading the weekly planning meeting. So, uh, the "
     "team has been asking me for advice. I think, um, I am ready for more responsibility. Could you consider me "
     "for the team lead position?"),
    ("en-gb", 150, "Uh, thanks for seeing me. I finished the audit two weeks early. It was, um, harder than I "
     "expected. Um, I would like to, uh, take on the next audit as the lead. Would you support that?"),
    ("en-us", 160, "So, um, about the conference in October. I would like to give a talk there. Uh, I have the "
     "abstract ready. The deadline is, um, next Friday. Can you sign off my travel? Thank you."),
)


@dataclass
class Take:
    kind: str  # "real", "ask" or "filler"
    name: str
    y: np.ndarray = None
    units: list = field(default_factory=list)  # (reference text, start_s, end_s) per clip or sentence
    gaps: list = field(default_factory=list)  # (start_s, end_s) of the silences put in, edges known
    unscored: int = 0  # gaps next to a clip edge that is not known (see trim)

    @property
    def reference(self) -> str:
        return " ".join(t for t, _, _ in self.units)


@dataclass
class Result:
    text: str  # what is scored
    pauses: list | None = None  # (start_s, end_s); voicecoach only
    transcript_ok: bool = True  # voicecoach: normalised transcript == normalised words joined
    encoder_passes: int | None = None  # voicecoach: Whisper encoder passes over the take


def noise(n: int, rng) -> np.ndarray:
    return (rng.standard_normal(n) * 10 ** (NOISE_DBFS / 20)).astype(np.float32)


def trim(y: np.ndarray) -> tuple[np.ndarray, bool, bool]:
    """The clip cut to its speech, and whether its start and end are known.

    Speech: 10 ms frames above max(peak - 40 dB, floor + 15 dB), floor = 10th percentile of the
    frames; 50 ms kept either side so soft consonants stay. An edge whose level never falls below
    that before the file ends (jfk's crowd noise) is not known.
    """
    f = SR // 100
    n = len(y) // f
    db = 20 * np.log10(np.maximum(np.sqrt(np.mean(y[: n * f].reshape(n, f) ** 2, axis=1)), 1e-9))
    on = np.flatnonzero(db > max(db.max() - 40, np.percentile(db, 10) + 15))
    return y[max(on[0] - 5, 0) * f: min(on[-1] + 6, n) * f], on[0] >= 2, on[-1] < n - 2


def real_takes(clips, n_takes: int, rng) -> list[Take]:
    """Takes of CLIPS_PER_TAKE distinct clips in seeded orders, least-used clips first."""
    cut = [(*trim(audio.load(p).y), ref) for p, ref in clips]
    used, takes = np.zeros(len(cut)), []
    for k in range(n_takes):
        order = rng.permutation(np.lexsort((rng.random(len(cut)), used))[:CLIPS_PER_TAKE])
        used[order] += 1
        take, chunks, t = Take("real", f"real{k + 1}"), [noise(SR // 2, rng)], 0.5
        for j, i in enumerate(order):
            y, start_known, _, ref = cut[i]
            if j:
                g = float(rng.choice(GAPS_S))
                chunks.append(noise(round(g * SR), rng))
                if start_known and cut[order[j - 1]][2]:
                    take.gaps.append((t, t + g))
                else:
                    take.unscored += 1
                t += g
            chunks.append(y)
            take.units.append((ref, t, t + len(y) / SR))
            t += len(y) / SR
        take.y = np.concatenate(chunks + [noise(SR, rng)])
        takes.append(take)
    return takes


def espeak_take(kind: str, name: str, voice: str, wpm: int, text: str, rng) -> Take:
    """Each sentence spoken apart; silences from SENTENCE_GAPS_S, 2-4 s where the text has " | "."""
    parts = []
    for i, chunk in enumerate(text.split(" | ")):
        for j, sentence in enumerate(re.split(r"(?<=[.?!]) ", chunk)):
            if i and not j:
                parts.append(Silence(round(rng.uniform(2, 4), 1)))
            elif j:
                parts.append(Silence(float(rng.choice(SENTENCE_GAPS_S))))
            parts.append(Speech(sentence, wpm=wpm, voice=voice))
    y, truth = build_take(parts + [Silence(1.0)], lead_s=0.5)
    gaps = [g for g in truth.silences if g[1] < truth.duration_s - 1e-6]
    return Take(kind, name, y + noise(len(y), rng), list(truth.parts), gaps)


def build_takes(clips, n_real: int, seed: int) -> list[Take]:
    rng = np.random.default_rng(seed)
    takes = real_takes(clips, n_real, rng)
    for kind, table in (("ask", ASKS), ("filler", FILLER_TAKES)):
        takes += [espeak_take(kind, f"{kind}{k + 1}", *row, rng) for k, row in enumerate(table)]
    return takes


def voicecoach_configs() -> list[tuple[str, Settings]]:
    """("voicecoach", Settings()) and, when ``voicecoach.speech.transcribe.TranscribeSettings`` exists,
    variants of it (a variant equal to the default, or naming a field it lacks, is left out)."""
    base = Settings()
    ts_class = getattr(vc_transcribe, "TranscribeSettings", None)
    if ts_class is None:
        return [("voicecoach", base)]
    ts = getattr(base, "transcribe", None) or ts_class()
    names = {f.name for f in dataclasses.fields(ts_class)}
    variants = [("max_utterance_s", 4), ("max_utterance_s", 15), ("initial_prompt", None),
                ("context_words", 20), ("window_s", 15), ("beam_size", 5), ("stop_at_speech_end", False)]
    return [("voicecoach", base)] + [
        (f"voicecoach {name}={value}", dataclasses.replace(base, transcribe=dataclasses.replace(ts, **{name: value})))
        for name, value in variants if name in names and getattr(ts, name) != value]


def voicecoach_system(settings: Settings):
    def run(y: np.ndarray) -> Result:
        whisper = vc_transcribe.load_model(None)
        before = whisper.encoder_passes
        try:
            a = analyse(audio.Audio(y), settings=settings)
        except audio.AudioError:  # no words at all: an empty transcript
            return Result("", [], encoder_passes=whisper.encoder_passes - before)
        words = " ".join(w.text for w in a.words)
        return Result(words, [(p.start_s, p.end_s) for p in a.pauses],
                      normalise(a.transcript) == normalise(words), whisper.encoder_passes - before)
    return run


def whisper_system(model, **options):
    def run(y: np.ndarray) -> Result:
        segments, _info = model.transcribe(y, word_timestamps=True, **options)
        return Result("".join(s.text for s in segments).strip())
    return run


def systems(quick: bool) -> list[tuple[str, object]]:
    from faster_whisper import WhisperModel

    path = str(vc_transcribe.resolve_model(None).path)
    out = [(label, voicecoach_system(st)) for label, st in voicecoach_configs()[: 1 if quick else None]]
    out.append(("plain faster-whisper", whisper_system(WhisperModel(path))))
    if not quick:
        out.append(("whole-window prompt (before)", whisper_system(
            WhisperModel(path, device="cpu", compute_type="int8"), language="en", beam_size=1,
            initial_prompt=BEFORE_PROMPT, condition_on_previous_text=False, temperature=0.0,
            vad_filter=True, vad_parameters={"min_silence_duration_ms": 500, "speech_pad_ms": 200})))
    return out


def gap_errors(gaps, pauses) -> list[float]:
    """Per gap >= MIN_GAP_S: the larger edge error of the pause overlapping it most (inf: none)."""
    errs = []
    for gs, ge in (g for g in gaps if g[1] - g[0] >= MIN_GAP_S - 1e-9):
        best = max(pauses, key=lambda p: min(p[1], ge) - max(p[0], gs), default=None)
        overlaps = best is not None and min(best[1], ge) > max(best[0], gs)
        errs.append(max(abs(best[0] - gs), abs(best[1] - ge)) if overlaps else np.inf)
    return errs


def score(take: Take, r: Result, seconds: float) -> dict:
    refs = [normalise(t).split() for t, _, _ in take.units]
    out = jiwer.process_words(" ".join(sum(refs, [])), normalise(r.text) or "<empty>")
    deleted = np.zeros(sum(map(len, refs)), bool)
    for c in out.alignments[0]:
        deleted[c.ref_start_idx:c.ref_end_idx] |= c.type == "delete"
    edges = np.cumsum([0] + [len(x) for x in refs])
    return dict(kind=take.kind, errors=out.substitutions + out.deletions + out.insertions, words=len(deleted),
                dropped=[take.units[i][0] for i, (a, b) in enumerate(zip(edges, edges[1:]))
                         if deleted[a:b].sum() * 2 > b - a],
                units=len(refs), fillers=count_fillers(r.text) if take.kind == "filler" else 0,
                gap_errs=None if r.pauses is None else gap_errors(take.gaps, r.pauses),
                mismatch=not r.transcript_ok, seconds=seconds, audio_s=len(take.y) / SR,
                encoder_passes=r.encoder_passes or 0)


def total(scores: list[dict], kinds=("real", "ask", "filler")) -> dict:
    s = [x for x in scores if x["kind"] in kinds]
    errs = [e for x in s for e in (x["gap_errs"] or [])]
    finite = [e for e in errs if np.isfinite(e)]
    return dict(wer=sum(x["errors"] for x in s) / sum(x["words"] for x in s),
                dropped=sum(len(x["dropped"]) for x in s), units=sum(x["units"] for x in s),
                gaps=len(errs), found=sum(e <= TOL_S for e in errs), no_pause=len(errs) - len(finite),
                max_err=max(finite, default=float("nan")), mismatch=sum(x["mismatch"] for x in s),
                fillers=sum(x["fillers"] for x in s), seconds=sum(x["seconds"] for x in s),
                audio_s=sum(x["audio_s"] for x in s), encoder_passes=sum(x["encoder_passes"] for x in s))


def print_tables(takes, scores: dict, said: int, verbose: bool) -> None:
    labels = list(scores)
    keys = [chr(ord("A") + i) for i in range(len(labels))]
    print("systems: " + "; ".join(f"{k} = {lab}" for k, lab in zip(keys, labels)))
    print("\nper take: WER/units dropped")
    print(f"{'take':<8} {'kind':<6} {'dur s':>5} {'words':>5} {'units':>5} {'gaps':>4} "
          + "".join(f"{k:>9}" for k in keys))
    for i, t in enumerate(takes):
        s0 = scores[labels[0]][i]
        n_gaps = sum(g[1] - g[0] >= MIN_GAP_S - 1e-9 for g in t.gaps)
        print(f"{t.name:<8} {t.kind:<6} {len(t.y) / SR:5.1f} {s0['words']:>5} {s0['units']:>5} {n_gaps:>4} " + "".join(
            f"{scores[lab][i]['errors'] / s0['words']:.1%}/{len(scores[lab][i]['dropped'])}".rjust(9) for lab in labels))
    print(f"\n{'system':<32} {'real':>6} {'ask':>6} {'filler':>6} {'ALL':>6} {'dropped':>8} {'fillers':>7} "
          f"{'secs':>6} {'x real':>6}")
    for lab in labels:
        a = total(scores[lab])
        wers = " ".join(f"{total(scores[lab], (k,))['wer']:6.1%}" for k in ("real", "ask", "filler"))
        print(f"{lab:<32} {wers} {a['wer']:6.1%} {a['dropped']:>3}/{a['units']:<4} {a['fillers']:>3}/{said:<3} "
              f"{a['seconds']:6.1f} {a['audio_s'] / a['seconds']:6.1f}")
    print(f"\n{'voicecoach configuration':<32} {'WER':>6} {'dropped':>8} {'gaps found':>10} {'max err':>7} {'secs':>6} "
          f"{'encodes':>7} {'transcript != words':>19}")
    for lab in (lab for lab in labels if scores[lab][0]["gap_errs"] is not None):
        a = total(scores[lab])
        print(f"{lab:<32} {a['wer']:6.1%} {a['dropped']:>3}/{a['units']:<4} {a['found']:>4}/{a['gaps']:<5} "
              f"{a['max_err']:6.2f}s {a['seconds']:6.1f} {a['encoder_passes']:>7} {a['mismatch']:>19}")
    for lab in labels if verbose else ():
        for t, s in zip(takes, scores[lab]):
            print("".join(f"  dropped [{lab}] {t.name}: {u[:80]}\n" for u in s["dropped"]), end="")


def print_summary(takes, scores: dict, said: int) -> None:
    names = {"voicecoach": "voicecoach", "plain faster-whisper": "plain", "whole-window prompt (before)": "before"}
    main3 = [lab for lab in names if lab in scores]
    tot = {lab: total(scores[lab]) for lab in main3}
    real = {lab: total(scores[lab], ("real",)) for lab in main3}
    print("\nLONGFORM real voices WER: " + " | ".join(f"{lab} {real[lab]['wer']:.2%}" for lab in main3))
    print("LONGFORM real+espeak WER: " + " | ".join(f"{lab} {tot[lab]['wer']:.1%}" for lab in main3))
    print("sentences dropped: "
          + " | ".join(f"{names[lab]} {tot[lab]['dropped']}/{tot[lab]['units']}" for lab in main3))
    d = tot["voicecoach"]
    split = [(k, total(scores["voicecoach"], kinds))
             for k, kinds in (("real", ("real",)), ("espeak", ("ask", "filler")))]
    print(f"gaps found (>= {MIN_GAP_S} s, within {TOL_S} s): {d['found']}/{d['gaps']}, max error {d['max_err']:.2f} s"
          + (f", {d['no_pause']} with no pause at all" if d["no_pause"] else "") + " ("
          + ", ".join(f"{k} {v['found']}/{v['gaps']} max {v['max_err']:.2f} s" for k, v in split) + ")")
    print("fillers kept: " + " | ".join(f"{names[lab]} {tot[lab]['fillers']}/{said}" for lab in main3))
    print(f"voicecoach transcript == its words: {len(takes) - d['mismatch']}/{len(takes)} takes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="only the default voicecoach configuration and plain faster-whisper")
    parser.add_argument("--max-wer", type=float, default=None,
                        help="exit 1 when the default voicecoach configuration's WER is above this, e.g. 0.08")
    parser.add_argument("--real-takes", type=int, default=16, help="number of real-voice takes (default 16)")
    parser.add_argument("--seed", type=int, default=20240611, help="seed for clip orders, gaps and noise")
    parser.add_argument("--fixtures", type=Path, default=REPO.parent / "shared" / "fixtures" / "speech",
                        help="folder holding MANIFEST.tsv (default: ../shared/fixtures/speech)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every dropped clip or sentence")
    args = parser.parse_args(argv)
    t_start = time.perf_counter()
    try:
        missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
        if missing:
            raise FileNotFoundError(f"{' and '.join(missing)} not installed (make sysdeps-test installs them)")
        clips = read_clips(args.fixtures)
        if len(clips) < CLIPS_PER_TAKE:
            raise FileNotFoundError(f"{len(clips)} clips with a transcript in {args.fixtures}; need {CLIPS_PER_TAKE}")
        takes = build_takes(clips, args.real_takes, args.seed)
        runners = systems(args.quick)
    except (FileNotFoundError, audio.AudioError, vc_transcribe.ModelError) as exc:
        print(f"eval_longform: {exc}", file=sys.stderr)
        return 2
    n = {k: sum(t.kind == k for t in takes) for k in ("real", "ask", "filler")}
    said = sum(count_fillers(t.reference) for t in takes if t.kind == "filler")
    sizes = [len(t.units) for t in takes if t.kind == "ask"]
    print(f"LONG-FORM EVAL: {len(takes)} takes, {sum(len(t.y) for t in takes) / SR:.0f} s of audio, seed {args.seed}\n"
          f"  real   {n['real']} takes of {CLIPS_PER_TAKE} of the {len(clips)} transcribed fixture clips (cut to their "
          f"speech by energy), gaps of {'/'.join(map(str, GAPS_S))} s filled with Gaussian noise at {NOISE_DBFS:.0f} "
          f"dBFS; {sum(t.unscored for t in takes)} gaps not scored (next to a clip whose sound runs to the "
          "file's edge)\n"
          f"  ask    {n['ask']} espeak-ng career asks of {min(sizes)}-{max(sizes)} sentences, a 2-4 s wait after "
          f"the request, then a Pull question; {NOISE_DBFS:.0f} dBFS noise throughout\n"
          f"  filler {n['filler']} espeak-ng takes with {said} fillers: espeak-ng reading the word \"um\"/\"uh\" "
          "written in the text (synthetic, not a real hesitation)\n"
          f"  WER on normalise()d text ({'/'.join(sorted(FILLERS))} removed); units = clips in real takes, "
          "sentences in espeak takes\n")
    rng = np.random.default_rng(0)
    warm = np.concatenate([noise(SR // 2, rng), speak("This is a warm up."), noise(SR, rng)])
    scores = {}
    for label, run in runners:
        run(warm)  # loads and warms the model: not timed
        scores[label] = []
        for t in takes:
            t0 = time.perf_counter()
            r = run(t.y)
            scores[label].append(score(t, r, time.perf_counter() - t0))
    print_tables(takes, scores, said, args.verbose)
    print_summary(takes, scores, said)
    print(f"run took {time.perf_counter() - t_start:.0f} s")
    wer = total(scores["voicecoach"])["wer"]
    if args.max_wer is not None and wer > args.max_wer:
        print(f"FAIL: voicecoach WER {wer:.2%} exceeds --max-wer {args.max_wer:.2%}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
