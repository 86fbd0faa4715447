"""Rehearse: time from the end of your turn to the manager's reply, on this machine.

A whole conversation of the ``course`` scenario is spoken in espeak-ng (five turns of 4-12 s: the
opening, a curious answer to the feedback, the ask followed by 2.5 s of silence, an incentive after
the pushback, a short close). For each turn, from the moment the recording is complete:

1. analysis: :func:`voicecoach.analysis.analyse` of the turn's WAV bytes (the page's path: decode,
   speech, Whisper tiny.en, delivery, wording), with the script's objective;
2. the engine: :meth:`voicecoach.rehearsal.rehearse.Rehearsal.answer` judges the turn and picks the next line;
3. the voice: :func:`voicecoach.rehearsal.manager_voice.render` of that line (Piper joe through onnxruntime),
   with the line cache **cold** (an empty cache folder: rendered now), **warm** (rendered before:
   read from disk), and **prerendered** (the page renders every line the manager may say next
   while you are still speaking, :func:`voicecoach.rehearsal.manager_voice.prerender`; what is left on the
   reply's path is reading the file).

"reply" = analysis + engine + voice: the silence you hear before the manager answers (beyond the
wait you chose to hold). The median over the turns and ``--runs`` runs is the number to read;
the target is 1.5 s. The speech model and the voice are loaded before timing (the page holds them
in memory). Other processes inflate every time; the load average is printed at the start and end.

Usage: bench_rehearse.py [--runs 2]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from voicecoach.rehearsal import manager_voice as mv  # noqa: E402
from voicecoach.analysis import analyse  # noqa: E402
from voicecoach.speech.audio import to_wav_bytes  # noqa: E402
from voicecoach.rehearsal.rehearse import Rehearsal, load_script  # noqa: E402

SCENARIO = "course"
TURNS = [
    ["Thanks for making time. I'd like us to agree on my development plan today.",
     "What would you like to focus on, and do we have half an hour?"],
    ["Thank you for telling me.", "Can you tell me more about what the team needed from those updates?"],
    ["Please book me on the leadership course for the April intake.", 2.5],
    ["I understand. If you approve it, I will cover the planning meetings myself in March.",
     "What would make this work for you?"],
    ["So we agreed you will enrol me on the course this week. This was a useful meeting.",
     "I will send you a summary by Friday."],
]


def turn_wav(parts) -> bytes:
    from synth import Silence, Speech, build_take  # test support: espeak-ng

    seq = []
    for p in parts:
        seq += [Silence(p)] if isinstance(p, float) else [Speech(p, wpm=160), Silence(0.5)]
    y, _ = build_take(seq + [Silence(0.8)], lead_s=0.4)
    return to_wav_bytes(y)


def conversation(wavs: list[bytes], *, cache: Path, prerender: bool) -> list[dict]:
    script = load_script(SCENARIO)
    r = Rehearsal(script)
    first = mv.render(r.current.text, cache_dir=cache)
    audio_s = first.duration_s
    rows = []
    for wav in wavs:
        if r.finished:
            break
        if prerender:  # while the user speaks (not timed): everything the manager may say next
            mv.prerender(mv.upcoming_lines(script, r.current.step), cache_dir=cache)
        t0 = time.perf_counter()
        take = analyse(wav, objective=script.objective)
        t1 = time.perf_counter()
        tr = r.answer(take, manager_audio_s=audio_s)
        t2 = time.perf_counter()
        line = mv.render(tr.next_line.text, cache_dir=cache) if tr.next_line else None
        t3 = time.perf_counter()
        audio_s = line.duration_s if line else None
        rows.append({"moment": tr.line.moment, "analysis": t1 - t0, "engine": t2 - t1, "voice": t3 - t2,
                     "reply": t3 - t0, "cached": line.cached if line else None,
                     "voice_engine": line.engine if line else "-"})
    return rows


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    print(f"bench_rehearse: {os.cpu_count()} cores; scenario {SCENARIO!r}, {len(TURNS)} espeak-ng turns; "
          f"median of {args.runs} runs; {load()}", flush=True)
    if os.getloadavg()[0] > 0.5:
        print("WARNING: other processes are using the CPU; times will be inflated and erratic")
    wavs = [turn_wav(t) for t in TURNS]
    analyse(wavs[0])  # loads the speech model (the page holds it)
    if mv.piper_available():
        print(f"WARNING: the neural voice is unavailable ({mv.piper_available()}); espeak-ng is timed instead")
    mv.render("Loading the voice.", cache_dir=Path(tempfile.mkdtemp()))  # loads the voice model
    results: dict[str, list[dict]] = {"cold": [], "warm": [], "prerendered": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            results["cold"] += conversation(wavs, cache=Path(tmp), prerender=False)
            results["warm"] += conversation(wavs, cache=Path(tmp), prerender=False)
        with tempfile.TemporaryDirectory() as tmp:
            results["prerendered"] += conversation(wavs, cache=Path(tmp), prerender=True)
    print(f"\n{'line cache':<12} {'turns':>5}  {'analysis':>8}  {'engine':>7}  {'voice':>7}  {'reply (median)':>14}  "
          f"{'reply (max)':>11}  within 1.5 s")
    for name, rows in results.items():
        med = lambda k: statistics.median(r[k] for r in rows)  # noqa: E731
        within = sum(r["reply"] <= 1.5 for r in rows)
        print(f"{name:<12} {len(rows):>5}  {med('analysis'):>7.2f}s  {med('engine'):>6.3f}s  {med('voice'):>6.3f}s  "
              f"{med('reply'):>13.2f}s  {max(r['reply'] for r in rows):>10.2f}s  {within}/{len(rows)}")
    print("\nby moment (cold cache, first run): " + "; ".join(
        f"{r['moment']} {r['analysis']:.2f}+{r['voice']:.2f}s" for r in results["cold"][:len(TURNS)]))
    print(load())


if __name__ == "__main__":
    main()
