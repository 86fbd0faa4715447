"""Evaluate voicecoach.wording on the labelled set (data/wording_labelled.tsv).

Prints, for the ``dev`` split (tuned on) and the ``heldout`` split (written before the rules and
never used for tuning): tag accuracy, per-tag recall and precision, the confusion matrix,
behaviour accuracy, request precision/recall/F1, and the time to tag 1,000 sentences.
Exits 1 when heldout tag accuracy or request F1 is below 0.90.

Usage: python scripts/eval_wording.py [--errors]   (--errors lists dev mistakes only)
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
THRESHOLD = 0.90


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
    ap.add_argument("--errors", action="store_true", help="list dev-split mistakes (never heldout)")
    args = ap.parse_args(argv)
    rows = load_rows()
    reports = {}
    for split in ("dev", "heldout"):
        reports[split] = evaluate([r for r in rows if r.split == split])
        print(format_report(split, reports[split]), end="\n\n")
    if args.errors:
        print("== dev mistakes (true -> predicted)")
        for r, p in reports["dev"].errors:
            print(f"  {r.tag}/{r.behaviour}/{int(r.is_request)} -> {p.tag}/{p.behaviour}/{int(p.is_request)}"
                  f"  {r.text}  [cue: {', '.join(p.cues)}]")
        print()
    print(f"timing: {ms_per_1000(rows):.1f} ms to tag 1,000 sentences")
    held = reports["heldout"]
    ok = held.tag_accuracy >= THRESHOLD and held.request_f1 >= THRESHOLD
    print(f"heldout gate (tag accuracy and request F1 >= {THRESHOLD:.2f}): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
