"""Live rehearsal: time from "stop" to the complete result, next to the batch analysis of the
same audio, and whether the two agree.

Takes of about 30 s and 60 s are built from career-conversation sentences (espeak-ng, each
synthesised once; none of them a request but the one) joined by seeded pauses of 0.3-1.5 s, with
the request followed by a 3 s wait, the answer-inviting question, a closing sentence and 1 s of silence before the stop
(a third take stops 0.1 s after its last word: its last utterance is transcribed after the stop).
Seeded noise at -60 dBFS is added so that the silences are not digital zeros, and the samples are
rounded to 16 bits, as a microphone (and the saved take) gives them.

Each take is fed to :class:`voicecoach.live.LiveSession` in 50 ms blocks at real-time speed
(each block handed over when its last sample would have been captured); the time from
``stop()`` to its result is measured. The batch path is :func:`voicecoach.analysis.analyse` on
the same samples, in the same process (model loaded once: the app's path). Both are the median
of ``--runs`` runs. "same" compares the live result with the batch one: the words (text), the
pause after the request (within 0.1 s), the sentence tags, and the whole JSON contract
("identical"). The live wait counter's largest value and the delay from the end of the request's
speech until the request was recognised are printed too.

Other processes on the machine inflate every time here; the load average is printed at the
start and the end. Usage: bench_live.py [--runs 3] [--quick]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from voicecoach.analysis import analyse  # noqa: E402
from voicecoach.speech.audio import SR, Audio  # noqa: E402
from voicecoach.live import LiveSession  # noqa: E402

BLOCK_S = 0.05
WAIT_S = 3.0
LEAD = "Thanks for making time for this, I wanted to talk about my next step."
REASONS = ["I have really enjoyed leading the data migration this year.",
           "We shipped the new billing system two weeks early and under budget.",
           "Three people on my team were promoted after I coached them.",
           "Leading the team has taught me a lot about planning and feedback.",
           "The course covers hiring, feedback and planning, which is where I need practice.",
           "Our director asked me to mentor the new graduates in the autumn.",
           "Over the last six months I have been running the platform team.",
           "The migration finished without a single outage."]
REQUEST = "Please enrol me on the leadership course before the March intake."
PULL = "What do you think?"
CLOSE = "I can share a plan for covering my work by Friday."


def build(target_s: float, *, seed: int, tail_s: float) -> np.ndarray:
    """Lead, reasons until about ``target_s``, the request, a 3 s wait, the question, the close."""
    from synth import Speech, build_take  # test support: espeak-ng

    cache: dict[str, np.ndarray] = {}

    def say(text: str) -> np.ndarray:  # the request always at 150 wpm, the rest at 150-170
        if text not in cache:
            wpm = 150 if text == REQUEST else 150 + 10 * (len(cache) % 3)
            cache[text] = build_take([Speech(text, wpm=wpm)], lead_s=0.0)[0]
        return cache[text]

    rng = np.random.default_rng(seed)
    gap = lambda: np.zeros(int(rng.uniform(0.3, 1.5) * SR), np.float32)  # noqa: E731
    end = [say(REQUEST), np.zeros(int(WAIT_S * SR), np.float32), say(PULL), gap(), say(CLOSE),
           np.zeros(int(tail_s * SR), np.float32)]
    end_s = sum(len(x) for x in end) / SR
    chunks, n = [np.zeros(SR // 4, np.float32), say(LEAD), gap()], 0
    for text in rng.permutation(REASONS * 3):
        if (sum(len(x) for x in chunks) + len(say(text))) / SR + end_s > target_s:
            break
        chunks += [say(text), gap()]
    y = np.concatenate(chunks + end)
    y = y + np.random.default_rng(seed + 1).normal(0, 0.001, len(y))
    return (np.clip(np.rint(y * 32768), -32768, 32767) / 32768).astype(np.float32)  # as a 16-bit microphone gives it


def live_run(y: np.ndarray) -> dict:
    """Feed ``y`` at real-time speed, then stop; the stop's latency and what was seen live."""
    session = LiveSession()
    n = int(BLOCK_S * SR)
    max_wait, recognised_after = 0.0, None
    t0 = time.perf_counter()
    for i in range(0, len(y), n):
        time.sleep(max(0.0, t0 + min(i + n, len(y)) / SR - time.perf_counter()))
        session.feed(y[i: i + n])
        snap = session.snapshot()
        if snap.wait_s is not None:
            max_wait = max(max_wait, snap.wait_s)
            if recognised_after is None:
                recognised_after = snap.wait_s
    t = time.perf_counter()
    result = session.stop()
    return {"stop_s": time.perf_counter() - t, "result": result, "max_wait_s": max_wait,
            "recognised_after_s": recognised_after}


def compare(live, batch) -> dict:
    lr, br = live.request, batch.request
    pause_ok = (lr is None and br is None) or (
        lr is not None and br is not None and abs(lr.pause_after_s - br.pause_after_s) <= 0.1)
    live_d, batch_d = live.to_dict(), batch.to_dict()
    return {"words": [w.text for w in live.words] == [w.text for w in batch.words],
            "pause": pause_ok, "pauses_s": (lr and lr.pause_after_s, br and br.pause_after_s),
            "tags": [s.tag for s in live.sentences] == [s.tag for s in batch.sentences],
            "identical": live_d == batch_d}


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="runs of each path per take (median reported)")
    ap.add_argument("--quick", action="store_true", help="only the 30 s take")
    args = ap.parse_args()
    print(f"bench_live: {os.cpu_count()} cores; {BLOCK_S * 1000:.0f} ms blocks fed at real-time speed; "
          f"median of {args.runs} runs; {load()}", flush=True)
    if os.getloadavg()[0] > 0.5:
        print("WARNING: other processes are using the CPU; times will be inflated and erratic")
    takes = {"30 s, stop 1 s after the last word": build(30, seed=30, tail_s=1.0)}
    if not args.quick:
        takes["60 s, stop 1 s after the last word"] = build(60, seed=60, tail_s=1.0)
    takes["30 s, stop 0.1 s after the last word"] = build(30, seed=30, tail_s=0.1)
    warm = build(12, seed=1, tail_s=0.5)
    analyse(Audio(warm))  # loads the model, warms both paths up
    warm_up = LiveSession()
    warm_up.feed(warm)
    warm_up.stop()
    print(f"{'take':<38} {'length':>6}  {'batch analyse()':>15}  {'live: stop→result':>17}  "
          f"{'at stop':>7}  words  pause after request   tags  identical  live wait max  request seen")
    head = None
    for name, y in takes.items():
        batch_runs, live_runs = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            batch = analyse(Audio(y))
            batch_runs.append(time.perf_counter() - t)
            live_runs.append(live_run(y))
        med = statistics.median(r["stop_s"] for r in live_runs)
        last = live_runs[-1]
        c = [compare(r["result"], batch) for r in live_runs]
        ok = lambda key: "same" if all(x[key] for x in c) else f"{sum(x[key] for x in c)}/{len(c)}"  # noqa: E731
        lp, bp = c[-1]["pauses_s"]
        t = last["result"].timings_s
        print(f"{name:<38} {len(y) / SR:>5.1f}s  {statistics.median(batch_runs):>14.2f}s  {med:>16.2f}s  "
              f"{t['transcribed_at_stop']}/{t['utterances']:<5}  {ok('words'):<5}  "
              f"{lp:.2f} vs {bp:.2f} s {ok('pause'):<5}  {ok('tags'):<4}  {ok('identical'):<9}  "
              f"{last['max_wait_s']:>11.2f} s  {last['recognised_after_s'] or float('nan'):.2f} s after", flush=True)
        print(f"{'':<38} runs: batch {', '.join(f'{x:.2f}' for x in batch_runs)} s; "
              "live stop " + ", ".join(f"{r['stop_s']:.2f}" for r in live_runs) + " s")
        head = head or (name, med)
    verdict = "met" if head[1] <= 1.0 else "NOT met"
    print(f"target ≤ 1 s from stop to result on the 30 s take: {verdict} ({head[1]:.2f} s, median); {load()}")


if __name__ == "__main__":
    main()
