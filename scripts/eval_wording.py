"""Evaluate voicecoach.wording on the labelled sets.

Two sets:

* ``data/wording_labelled.tsv`` (written by the rules' author): the ``dev`` split (tuned on) and
  the ``heldout`` split (written before the rules and never used for tuning).
* ``data/wording_independent.tsv`` (160 rows written by a second person, blind to the rules).
  Its even data rows (0, 2, 4, ... counting data rows only) are ``tune`` and may be read and tuned
  on; its odd data rows are ``blind``: never read, printed or tuned on, only scored here.

For each split it prints tag accuracy, behaviour accuracy, request precision/recall/F1, per-tag
recall and precision and the confusion matrix, then the time to tag 1,000 sentences.

Gate (exit status 1 when it fails): heldout tag accuracy and request F1 >= 0.90 (the issue's
target) AND blind tag accuracy >= BLIND_FLOOR["tag_accuracy"] and blind request F1 >=
BLIND_FLOOR["request_f1"] (see the note at BLIND_FLOOR).

Usage: python scripts/eval_wording.py [--errors] [--skip-blind]
  --errors      lists dev and tune mistakes (never heldout or blind ones)
  --skip-blind  do not score the blind half (for tuning runs); the gate then reports SKIPPED, exit 2
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voicecoach.wording import TAGS, tag_sentence, tag_sentences  # noqa: E402

DATA = ROOT / "data" / "wording_labelled.tsv"
INDEPENDENT = ROOT / "data" / "wording_independent.tsv"
THRESHOLD = 0.90  # the target: tag accuracy and request F1 on sentences not tuned on
# Gate on the blind half of the independent set. The target is THRESHOLD; a value below it is a
# documented floor (what the honest, once-only blind run reached, rounded down to 0.05), not the
# target, and must not be lowered to make a later run pass.
# Blind run (once, 2026-11-25, after tuning on dev + tune only): tag accuracy 0.750, request
# P/R/F1 0.909/0.714/0.800, i.e. BELOW the 0.90 target (before this round: 0.725 and ~0.77).
# The floors below are those numbers rounded down to 0.05; they guard against regressions and
# do not mean the target is met.
BLIND_FLOOR = {"tag_accuracy": 0.75, "request_f1": 0.80}


@dataclass(frozen=True)
class Row:
    split: str
    tag: str
    behaviour: str | None
    is_request: bool
    text: str


@dataclass(frozen=True)
class Report:
    n: int
    tag_accuracy: float
    behaviour_accuracy: float
    request_precision: float
    request_recall: float
    request_f1: float
    confusion: dict  # confusion[true_tag][predicted_tag] -> count
    errors: tuple  # (Row, SentenceTag) pairs


def load_rows(path: Path = DATA) -> list[Row]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    rows = []
    for rec in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        rows.append(Row(split=rec["split"], tag=rec["tag"], behaviour=rec["behaviour"] or None,
                        is_request=rec["is_request"] == "1", text=rec["text"]))
    return rows


def load_independent(path: Path = INDEPENDENT) -> list[Row]:
    """The independent set, split by data-row parity: even rows ``tune``, odd rows ``blind``."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    rows = []
    for i, rec in enumerate(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)):
        rows.append(Row(split="tune" if i % 2 == 0 else "blind", tag=rec["tag"],
                        behaviour=rec["behaviour"] or None, is_request=rec["is_request"] == "1",
                        text=rec["text"]))
    return rows


def gate(heldout: Report, blind: Report | None) -> tuple[bool, list[str]]:
    """Return (passed, lines describing each check). ``blind=None`` means not scored: fails."""
    checks = [("heldout tag accuracy", heldout.tag_accuracy, THRESHOLD),
              ("heldout request F1", heldout.request_f1, THRESHOLD)]
    if blind is not None:
        checks += [("blind tag accuracy", blind.tag_accuracy, BLIND_FLOOR["tag_accuracy"]),
                   ("blind request F1", blind.request_f1, BLIND_FLOOR["request_f1"])]
    lines = [f"  {name:<22} {value:.3f} >= {need:.2f}"
             + ("" if need >= THRESHOLD else f" (documented floor; target {THRESHOLD:.2f})")
             + f"  {'ok' if value >= need else 'BELOW'}" for name, value, need in checks]
    return blind is not None and all(v >= n for _, v, n in checks), lines


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def evaluate(rows: list[Row]) -> Report:
    preds = tag_sentences(r.text for r in rows)
    confusion = {t: {p: 0 for p in TAGS} for t in TAGS}
    tp = fp = fn = 0
    for r, p in zip(rows, preds):
        confusion[r.tag][p.tag] += 1
        tp += r.is_request and p.is_request
        fp += (not r.is_request) and p.is_request
        fn += r.is_request and not p.is_request
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    errors = tuple((r, p) for r, p in zip(rows, preds)
                   if (r.tag, r.behaviour, r.is_request) != (p.tag, p.behaviour, p.is_request))
    return Report(
        n=len(rows),
        tag_accuracy=_ratio(sum(r.tag == p.tag for r, p in zip(rows, preds)), len(rows)),
        behaviour_accuracy=_ratio(sum(r.behaviour == p.behaviour for r, p in zip(rows, preds)), len(rows)),
        request_precision=precision, request_recall=recall,
        request_f1=_ratio(2 * precision * recall, precision + recall) if precision + recall else 0.0,
        confusion=confusion, errors=errors,
    )


def ms_per_1000(rows: list[Row], repeats: int = 5) -> float:
    texts = [rows[i % len(rows)].text for i in range(1000)]
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for t in texts:
            tag_sentence(t)
        best = min(best, time.perf_counter() - t0)
    return best * 1000.0


def format_report(name: str, rep: Report) -> str:
    out = [f"== {name}: {rep.n} sentences",
           f"tag accuracy        {rep.tag_accuracy:.3f}",
           f"behaviour accuracy  {rep.behaviour_accuracy:.3f}",
           f"request P/R/F1      {rep.request_precision:.3f} / {rep.request_recall:.3f} / {rep.request_f1:.3f}",
           "per tag             n   recall  precision"]
    for t in TAGS:
        n = sum(rep.confusion[t].values())
        col = sum(rep.confusion[x][t] for x in TAGS)
        out.append(f"  {t:<16} {n:4d}   {_ratio(rep.confusion[t][t], n):.3f}   {_ratio(rep.confusion[t][t], col):.3f}")
    out.append("confusion (rows = true, columns = predicted)")
    out.append(" " * 12 + "".join(f"{p:>11}" for p in TAGS))
    for t in TAGS:
        out.append(f"  {t:<10}" + "".join(f"{rep.confusion[t][p]:>11d}" for p in TAGS))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="list dev and tune mistakes (never heldout/blind)")
    ap.add_argument("--skip-blind", action="store_true", help="do not score the blind half (tuning runs)")
    args = ap.parse_args(argv)
    rows = load_rows() + load_independent()
    names = {"dev": "labelled dev (tuned on)", "heldout": "labelled heldout (not tuned on)",
             "tune": "independent tune: even rows (tuned on)", "blind": "independent blind: odd rows (never seen)"}
    reports = {}
    for split in ("dev", "heldout", "tune", "blind"):
        if split == "blind" and args.skip_blind:
            continue
        reports[split] = evaluate([r for r in rows if r.split == split])
        print(format_report(f"{split} - {names[split]}", reports[split]), end="\n\n")
    if args.errors:
        for split in ("dev", "tune"):  # never the heldout or blind rows
            print(f"== {split} mistakes (true -> predicted)")
            for r, p in reports[split].errors:
                print(f"  {r.tag}/{r.behaviour}/{int(r.is_request)} -> {p.tag}/{p.behaviour}/{int(p.is_request)}"
                      f"  {r.text}  [cue: {', '.join(p.cues)}]")
            print()
    print(f"timing: {ms_per_1000([r for r in rows if r.split != 'blind']):.1f} ms to tag 1,000 sentences")
    ok, lines = gate(reports["heldout"], reports.get("blind"))
    print("gate (heldout >= target; blind half >= BLIND_FLOOR):")
    print("\n".join(lines))
    if "blind" not in reports:
        print("gate: SKIPPED (--skip-blind)")
        return 2
    print(f"gate: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
