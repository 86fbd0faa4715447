"""Speed and peak memory of voicecoach against plain faster-whisper, on the same audio.

Takes of about 30 s, 60 s, 5 min and 20 min are tiled from ~12 career-conversation sentences
(each synthesised once with espeak-ng) joined by seeded pauses of 0.3-3 s, and written as WAVs
to a temporary folder. Each take goes, one system at a time (never in parallel), through:

  plain  a fresh `python -c` that loads WhisperModel(path) with its defaults (beam 5, no VAD)
         and consumes model.transcribe(wav, word_timestamps=True); wall time of the process
  cold   a fresh `voicecoach analyse WAV --json`; wall time of the process
  warm   one long-lived process per take that loads the model, warms up on a short take, then
         times analysis.analyse(wav): the app's path
On takes up to 60 s each system is timed 3 times (plain, cold: 3 fresh processes) and the
median reported with the runs; longer takes once. Before timing, plain and cold run once,
untimed, on the warm-up take (disk cache warm: "fresh process" means a new process, not a cold
disk). Peak RSS is each child's own, from os.wait4; cpu s is its user+system CPU (warm: of the
timed analyse()). Ratios are taken within this one run.

Other processes on the machine distort everything: CTranslate2 runs 4 OpenMP threads by
default, and on 2 busy cores their spin-waits can make one generate() call 20-80x slower (same
tokens, CPU burnt). The load average is printed at the start and the end; trust a run only when
it started near 0. At the end scripts/eval_longform.py --quick (if present) prints the
long-form word error rate, so that speed is never bought with accuracy unseen.
Usage: bench_speed.py [--quick | --durations 30,60,300,1200] [--no-wer] [--timeout 900]
"""
from __future__ import annotations

import argparse, json, os, subprocess, sys, tempfile, threading, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TIMEOUT_S = 900
SYSTEMS = {"plain": "plain faster-whisper, fresh process", "cold": "voicecoach analyse --json, fresh process",
           "warm": "voicecoach warm (the app's path)"}
LEADS = ["I have really enjoyed leading the data migration this year.",
         "Thanks for making time for this, I wanted to talk about my next step.",
         "Over the last six months I have been running the platform team."]
REASONS = ["We shipped the new billing system two weeks early and under budget.",
           "Three people on my team were promoted after I coached them.",
           "I want to grow as a leader and take on a larger group next year.",
           "The course covers hiring, feedback and planning, which is where I need practice.",
           "Our director asked me to mentor the new graduates in the autumn."]
REQUESTS = ["Please enrol me on the leadership course before the March intake.",
            "Could you approve two days a month for the course until June?"]
PULLS = ["What do you think?", "How does that fit with your plans for the team?"]
PLAIN = ("import sys\nfrom faster_whisper import WhisperModel\n"
         "segments, _ = WhisperModel(sys.argv[1]).transcribe(sys.argv[2], word_timestamps=True)\n"
         "print(sum(len(s.words or ()) for s in list(segments)))")


def label(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 120 else f"{seconds:g} s"


# ---------------------------------------------------------------------------------- the takes
def make_takes(durations: list[int], folder: Path) -> tuple[Path, dict[int, tuple[Path, float, int]]]:
    """WAVs of the warm-up take and of each duration: {duration: (path, seconds, true words)}."""
    import numpy as np
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from synth import SR, Speech, build_take, to_wav_bytes  # test support: espeak-ng takes

    rates = [135, 150, 165, 180]
    cache = {t: build_take([Speech(t, wpm=rates[i % 4])], lead_s=0.0)[0]
             for i, t in enumerate(LEADS + REASONS + REQUESTS + PULLS)}

    def ask(rng) -> list[str]:
        return [rng.choice(LEADS), *rng.choice(REASONS, 2, replace=False), rng.choice(REQUESTS), rng.choice(PULLS)]

    def tile(target_s: float, seed: int) -> tuple[np.ndarray, int]:
        """Whole asks, sentence by sentence, each followed by a pause, until about target_s."""
        rng, chunks, n, words = np.random.default_rng(seed), [np.zeros(SR // 4, np.float32)], SR // 4, 0
        while True:
            for text in ask(rng):
                if n + len(cache[text]) / 2 > target_s * SR:
                    return np.concatenate(chunks), words
                pause = np.zeros(int(rng.uniform(0.3, 3.0) * SR), np.float32)
                chunks += [cache[text], pause]
                n, words = n + len(cache[text]) + len(pause), words + len(text.split())

    def write(name: str, y) -> Path:
        path = folder / name
        path.write_bytes(to_wav_bytes(y))
        return path

    warmup = write("warmup.wav", tile(10, seed=0)[0])
    takes = {}
    for d in durations:
        y, words = tile(d, seed=d)
        takes[d] = (write(f"take_{d}s.wav", y), len(y) / SR, words)
    return warmup, takes


# ------------------------------------------------------------------------------- the children
def run_child(cmd: list[str], folder: Path) -> dict:
    """Run one child alone; its wall time, its own peak RSS (os.wait4) and its output."""
    out, err = folder / "child.out", folder / "child.err"
    with open(out, "wb") as fo, open(err, "wb") as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe, cwd=ROOT)
        timer = threading.Timer(TIMEOUT_S, p.kill)
        timer.start()
        _, status, usage = os.wait4(p.pid, 0)
        timer.cancel()
        wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    res = {"ok": p.returncode == 0, "code": p.returncode, "wall_s": wall, "rss_mb": usage.ru_maxrss / 1024,
           "cpu_s": usage.ru_utime + usage.ru_stime, "stdout": out.read_text(errors="replace")}
    if not res["ok"]:
        why = f"killed after {TIMEOUT_S:g} s" if wall >= TIMEOUT_S else f"exit {p.returncode}"
        tail = err.read_text(errors="replace").strip().splitlines()[-12:]
        print(f"  ! {' '.join(map(str, cmd))[:120]} failed ({why}):\n    " + "\n    ".join(tail), flush=True)
    return res


def measure(system: str, wav: Path, warmup: Path, short: bool, folder: Path) -> dict:
    """Time one system on one take: {'ok', 'seconds', 'cpu_s', 'rss_mb', 'words', 'timings_s'}."""
    if system == "plain":
        from voicecoach.speech.transcribe import resolve_model
        cmd = [sys.executable, "-c", PLAIN, str(resolve_model(None).path), str(wav)]
    elif system == "cold":
        cmd = [str(BIN / "voicecoach"), "analyse", str(wav), "--json"]
    else:
        cmd = [sys.executable, __file__, "--warm-worker", str(wav), str(warmup), str(3 if short else 1)]
    runs = []
    for _ in range(3 if short and system != "warm" else 1):  # fresh processes: median of 3 on short takes
        runs.append(run_child(cmd, folder))
        if not runs[-1]["ok"]:
            break
    r = runs[-1] if not runs[-1]["ok"] else sorted(runs, key=lambda x: x["wall_s"])[len(runs) // 2]
    res = {"ok": r["ok"], "seconds": r["wall_s"], "cpu_s": r["cpu_s"], "rss_mb": max(x["rss_mb"] for x in runs),
           "words": None, "timings_s": {}, "runs_s": [x["wall_s"] for x in runs]}
    try:
        if r["ok"] and system == "plain":
            res["words"] = int(r["stdout"].split()[-1])
        elif r["ok"] and system == "cold":
            res["words"] = len(json.loads(r["stdout"])["words"])
        elif r["ok"]:
            res.update(json.loads(r["stdout"].strip().splitlines()[-1]))
    except (ValueError, KeyError, IndexError) as exc:
        print(f"  ! could not read the output of {system}: {exc}", flush=True)
        res["ok"] = False
    return res


def warm_worker(wav: str, warmup: str, repeats: int) -> None:
    """Child: the app's path. Load once, warm up, time analyse(); one JSON line on stdout."""
    from voicecoach.analysis import analyse
    from voicecoach.speech.transcribe import load_model

    load_model(None)
    analyse(warmup)
    runs = []
    for _ in range(repeats):
        t, cpu = time.perf_counter(), time.process_time()
        a = analyse(wav)
        runs.append((time.perf_counter() - t, time.process_time() - cpu, a.timings_s, len(a.words)))
    wall, cpu, timings, words = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
    print(json.dumps({"seconds": wall, "cpu_s": cpu, "timings_s": timings, "words": words, "runs_s": [r[0] for r in runs]}))


# ------------------------------------------------------------------------------------ reports
def print_take(d: int, dur: float, words: int, res: dict) -> None:
    print(f"\n== take {label(d)} ({dur:.1f} s of audio, {words} words spoken) ==")
    print(f"{'system':42} {'seconds':>8} {'/plain':>7} {'RTF':>7} {'cpu s':>7} {'peak MB':>8} {'words':>6}")
    plain = res["plain"]["seconds"] if res["plain"]["ok"] else None
    for key, name in SYSTEMS.items():
        r = res[key]
        if not r["ok"]:
            print(f"{name:42} {'failed':>8} {'':>7} {'':>7} {'':>7} {r['rss_mb']:8.0f}")
            continue
        ratio = f"{r['seconds'] / plain:7.3f}" if plain else f"{'n/a':>7}"
        spread = "  runs " + "/".join(f"{x:.1f}" for x in r["runs_s"]) if len(r["runs_s"]) > 1 else ""
        print(f"{name:42} {r['seconds']:8.2f} {ratio} {r['seconds'] / dur:7.4f} {r['cpu_s']:7.1f} "
              f"{r['rss_mb']:8.0f} {r['words'] or '':>6}{spread}")
    t = res["warm"].get("timings_s") or {}
    tr = t.get("transcribe")
    if not tr:
        print("warm stage split: n/a (no 'transcribe' timing)")
        return
    print("warm stage split (seconds, share of transcription):")
    stages = {k: v for k, v in t.items() if k != "total"}
    if "total" in t and abs(t["total"] - sum(stages.values())) >= 0.001:
        stages["(unattributed)"] = t["total"] - sum(stages.values())
    for k, v in stages.items():
        print(f"  {k:16} {v:8.3f} s {v / tr:8.1%}")
    print(f"  all stages but transcription = {non_transcription(t):.1%} of transcription")


def non_transcription(t: dict) -> float | None:
    """(total - transcription) / transcription, from analyse()'s timings_s."""
    tr = t.get("transcribe")
    return (t.get("total", sum(t.values())) - tr) / tr if tr else None


def summary(takes: dict, results: dict) -> None:
    print()
    ok = lambda d, s: d in results and results[d][s]["ok"]
    ref = 60 if 60 in results else min(results, key=lambda d: abs(d - 60))
    name = label(ref)
    if ok(ref, "cold") and ok(ref, "plain"):
        v = results[ref]["cold"]["seconds"] / results[ref]["plain"]["seconds"]
        print(f"RATIO cold CLI / plain faster-whisper on {name} take: {v:.2f} (target <= 0.6, aim 0.4)")
    if ok(ref, "warm"):
        v = results[ref]["warm"]["seconds"] / takes[ref][1]
        print(f"RATIO warm analysis / take duration on {name} take: {v:.3f} (target <= 0.05)")
        v = non_transcription(results[ref]["warm"]["timings_s"])
        v = "n/a" if v is None else f"{v:.2f}"
        print(f"RATIO non-transcription stages / transcription (warm, {name}): {v} (target <= 0.15)")
    big = max(results)
    rss = {s: f"{results[big][s]['rss_mb']:.0f} MB" if ok(big, s) else "failed" for s in ("warm", "cold", "plain")}
    print(f"PEAK RSS {label(big)} take: warm {rss['warm']}, cold {rss['cold']}, plain {rss['plain']} (target <= 1024 MB)")
    per_min = [f"{label(d)} {results[d]['warm']['seconds'] / (takes[d][1] / 60):.2f}" if ok(d, "warm")
               else f"{label(d)} failed" for d in sorted(results)]
    print("LINEARITY warm seconds per minute of audio: " + ", ".join(per_min))


def longform_wer() -> None:
    script = ROOT / "scripts" / "eval_longform.py"
    if not script.exists() or "--quick" not in script.read_text(errors="replace"):
        print(f"\nLONGFORM WER: not measured ({script.relative_to(ROOT)} is missing or has no --quick)")
        return
    print(f"\nlong-form word error rate ({script.relative_to(ROOT)} --quick):", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        r = run_child([sys.executable, str(script), "--quick"], Path(tmp))
    lines = [ln for ln in r["stdout"].splitlines() if ln.startswith(("LONGFORM", "sentences dropped"))]
    print("\n".join(lines) if lines else "LONGFORM WER: no LONGFORM lines printed" + ("" if r["ok"] else " (failed)"))
    if r["code"] == 1:
        print("(eval_longform exit 1: the default voicecoach WER is above its --max-wer)")


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def prime_disk_cache(warmup: Path, folder: Path) -> None:
    """One untimed plain and cold run on the warm-up take: no system pays for the first reads
    of the model and the libraries from disk."""
    for system in ("plain", "cold"):
        measure(system, warmup, warmup, False, folder)


def main() -> None:
    global TIMEOUT_S
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--durations", default="30,60,300,1200", help="take lengths in seconds")
    ap.add_argument("--quick", action="store_true", help="only the 30 s and 60 s takes")
    ap.add_argument("--no-wer", action="store_true", help="skip scripts/eval_longform.py")
    ap.add_argument("--timeout", type=float, default=TIMEOUT_S, help="limit per child, seconds")
    ap.add_argument("--warm-worker", nargs=3, metavar=("WAV", "WARMUP", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.warm_worker:
        return warm_worker(args.warm_worker[0], args.warm_worker[1], int(args.warm_worker[2]))
    TIMEOUT_S = args.timeout
    durations = [30, 60] if args.quick else [int(x) for x in args.durations.split(",")]
    t0 = time.perf_counter()
    print(f"bench_speed: takes {', '.join(map(label, durations))}; {os.cpu_count()} cores; "
          f"systems run one at a time; per-child limit {TIMEOUT_S:g} s; {load()}", flush=True)
    if os.getloadavg()[0] > 0.5:
        print("WARNING: other processes are using the CPU; wall and cpu times will be inflated and erratic")
    with tempfile.TemporaryDirectory(prefix="voicecoach-bench-") as tmp:
        folder = Path(tmp)
        warmup, takes = make_takes(durations, folder)
        print(f"takes built in {time.perf_counter() - t0:.1f} s", flush=True)
        prime_disk_cache(warmup, folder)
        results = {}
        for d, (wav, dur, words) in takes.items():
            results[d] = {s: measure(s, wav, warmup, d <= 60, folder) for s in SYSTEMS}
            print_take(d, dur, words, results[d])
        summary(takes, results)
    if not args.no_wer:
        longform_wer()
    print(f"\nbench_speed total run time {time.perf_counter() - t0:.0f} s; {load()}")


if __name__ == "__main__":
    main()
