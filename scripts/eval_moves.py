"""Evaluate the conversation-move detectors of ``voicecoach.moves`` on the labelled sets.

Sets (labelled by ``data/LABELLING.md``, "Conversation moves"; columns ``text`` and ``moves``, the
detectors that should fire, comma-separated):

=====  =======================  ===============================================================
name   file                     how it is used
=====  =======================  ===============================================================
tune   data/moves_tune.tsv      office/software voice; the detectors were developed on it
blind  data/moves_blind.tsv     ward/warehouse/retail voice, spoken; written and committed before
                                any tuning; only scored, never printed row by row. The gate.
=====  =======================  ===============================================================

For each detector on each set: accuracy (over every sentence of the set), precision, recall,
and the number of positives. Gate (exit status 1 when it fails): on the blind set, every
detector's accuracy >= 0.90 (the issue's target), and its precision and recall >= 0.70 (a
detector that never fired would still score about 0.92 accuracy, so the floor keeps it honest).
The aim set before the blind set was first scored, precision and recall >= 0.80, is printed too
("aim"); it is not the exit status, because the one miss (contracting recall) can only be fixed by
tuning on the blind set itself.

Usage: python scripts/eval_moves.py [--errors] [--skip-blind]
  --errors      list the mistakes on the tune set (never the blind set's)
  --skip-blind  do not score the blind set (tuning runs); exit 2
"""
from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voicecoach import moves  # noqa: E402

DATA = ROOT / "data"
FILES = {"tune": DATA / "moves_tune.tsv", "blind": DATA / "moves_blind.tsv"}
ACCURACY_TARGET = 0.90  # issue 17: >= 90% accuracy on sentences nobody tuned on
PR_FLOOR = 0.70  # gate: precision and recall, so a silent detector cannot pass on accuracy
PR_AIM = 0.80  # reported, not gated (see the module docstring)
NAMES = tuple(moves.DETECTORS)


@dataclass(frozen=True)
class Row:
    text: str
    moves: frozenset


@dataclass(frozen=True)
class Score:
    n: int
    positives: int
    accuracy: float
    precision: float
    recall: float
    errors: tuple  # (text, expected, predicted)


def load(name: str) -> list[Row]:
    """Rows of one set; ValueError naming the line for a move outside ``moves.DETECTORS``."""
    path = FILES[name]
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    rows = []
    for i, rec in enumerate(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
        labels = frozenset(m.strip() for m in (rec["moves"] or "").split(",") if m.strip())
        unknown = labels - set(NAMES)
        if unknown:
            raise ValueError(f"{path.name} data row {i}: unknown moves {sorted(unknown)}")
        rows.append(Row(rec["text"].strip(), labels))
    return rows


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def score(rows: list[Row]) -> dict[str, Score]:
    detectors = {name: getattr(moves, name) for name in NAMES}
    out = {}
    for name, fn in detectors.items():
        tp = fp = fn_ = tn = 0
        errors = []
        for r in rows:
            want, got = name in r.moves, bool(fn(r.text))
            tp += want and got
            fp += got and not want
            fn_ += want and not got
            tn += not want and not got
            if want != got:
                errors.append((r.text, want, got))
        out[name] = Score(len(rows), tp + fn_, _ratio(tp + tn, len(rows)), _ratio(tp, tp + fp),
                          _ratio(tp, tp + fn_), tuple(errors))
    return out


def format_scores(title: str, scores: dict[str, Score]) -> str:
    n = next(iter(scores.values())).n
    out = [f"== {title}: {n} sentences",
           f"  {'detector':<22}{'pos':>5}{'accuracy':>10}{'precision':>11}{'recall':>8}"]
    for name, s in scores.items():
        out.append(f"  {name:<22}{s.positives:>5}{s.accuracy:>10.3f}{s.precision:>11.3f}{s.recall:>8.3f}")
    return "\n".join(out)


def gate(scores: dict[str, Score]) -> tuple[bool, list[str]]:
    """(passed, one line per detector): accuracy >= ACCURACY_TARGET, precision and recall >=
    PR_FLOOR; each line also says whether precision and recall reach PR_AIM."""
    lines, ok = [], True
    for name, s in scores.items():
        good = s.accuracy >= ACCURACY_TARGET and s.precision >= PR_FLOOR and s.recall >= PR_FLOOR
        aim = s.precision >= PR_AIM and s.recall >= PR_AIM
        ok &= good
        lines.append(f"  {name:<22} accuracy {s.accuracy:.3f} >= {ACCURACY_TARGET:.2f}, precision {s.precision:.3f} "
                     f"and recall {s.recall:.3f} >= {PR_FLOOR:.2f}  {'ok' if good else 'BELOW'}"
                     f"  (aim {PR_AIM:.2f}: {'met' if aim else 'not met'})")
    return ok, lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="list the tune set's mistakes (never the blind set's)")
    ap.add_argument("--skip-blind", action="store_true", help="do not score the blind set")
    args = ap.parse_args(argv)
    tune = score(load("tune"))
    print(format_scores("moves tune set (developed on)", tune), end="\n\n")
    if args.errors:
        for name, s in tune.items():
            for text, want, got in s.errors:
                print(f"  {name}: expected {int(want)} got {int(got)}  {text}  [why: {moves.why(text)}]")
        print()
    if args.skip_blind:
        print("gate: SKIPPED")
        return 2
    blind = score(load("blind"))
    print(format_scores("moves blind set (never tuned on; the gate)", blind), end="\n\n")
    ok, lines = gate(blind)
    print(f"gate (blind set: accuracy >= {ACCURACY_TARGET:.2f}, precision and recall >= {PR_FLOOR:.2f}):")
    print("\n".join(lines))
    print(f"gate: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
