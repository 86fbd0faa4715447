"""Evaluate the conversation-move detectors of ``voicecoach.wording.moves`` on the labelled sets.

Sets (labelled by ``data/LABELLING.md``, "Conversation moves"; columns ``text`` and ``moves``, the
detectors that should fire, comma-separated):

=======  =======================  =============================================================
name     file                     how it is used
=======  =======================  =============================================================
tune     data/moves_tune.tsv      office/software, hotel/finance, then law/museum/consultancy
                                  voice; the detectors were developed on it (three rounds)
blind_a  data/moves_blind.tsv     ward/warehouse/retail voice; written and committed before any
                                  tuning; scored before tuning and after round one (all passed
                                  accuracy, contracting recall 0.73), then again at the end
blind_b  data/moves_blind_b.tsv   council/call-centre/school/site voice; written after round one
                                  and scored once then (recall 0.11-1.00: round one had fitted the
                                  first voice); round two's tune sentences were written by the same
                                  hand just after, and it scores 1.000 since: contaminated, reported
blind_c  data/moves_blind_c.tsv   depot/charity/research/GP-reception voice; written after round
                                  two with the detectors frozen, scored once then (accuracy >=
                                  0.94 but recall 0.33-1.00), before round three; reported
blind_d  data/moves_blind_d.tsv   written after round three with the detectors frozen, in yet
                                  another voice; only scored. The gate.
=======  =======================  =============================================================

No set is printed row by row except the tune set (``--errors``).

For each detector on each set: accuracy (over every sentence of the set), precision, recall,
and the number of positives. Accuracy is over every sentence, most of them negatives for any one
detector, so it flatters: a detector that never fired would still score about 0.92. Gate (exit
status 1 when it fails), on the final blind set: every detector's accuracy >= 0.90 (the issue's
target), precision >= 0.75 and recall >= 0.50 (floors fixed before that set was written, so a
silent or trigger-happy detector fails). The aim, precision and recall >= 0.80, is printed beside
each ("aim met / not met"); it is not the exit status.

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

from voicecoach.wording import moves  # noqa: E402

DATA = ROOT / "data"
FILES = {"tune": DATA / "moves_tune.tsv", "blind_a": DATA / "moves_blind.tsv",
         "blind_b": DATA / "moves_blind_b.tsv", "blind_c": DATA / "moves_blind_c.tsv",
         "blind_d": DATA / "moves_blind_d.tsv"}
GATE_SET = "blind_d"
EARLIER_BLIND = ("blind_a", "blind_b", "blind_c")
TITLES = {"blind_a": "first blind set (scored before and after tuning round one)",
          "blind_b": "second blind set (scored once before round two; contaminated by round two)",
          "blind_c": "third blind set (scored once before round three)",
          "blind_d": "final blind set (never tuned on; the gate)"}
ACCURACY_TARGET = 0.90  # issue 17: >= 90% accuracy on sentences nobody tuned on
P_FLOOR = 0.75  # gate: precision floor
R_FLOOR = 0.50  # gate: recall floor, so a silent detector cannot pass on accuracy
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
    """(passed, one line per detector): accuracy >= ACCURACY_TARGET, precision >= P_FLOOR, recall
    >= R_FLOOR; each line also says whether precision and recall reach PR_AIM."""
    lines, ok = [], True
    for name, s in scores.items():
        good = s.accuracy >= ACCURACY_TARGET and s.precision >= P_FLOOR and s.recall >= R_FLOOR
        aim = s.precision >= PR_AIM and s.recall >= PR_AIM
        ok &= good
        lines.append(f"  {name:<20} accuracy {s.accuracy:.3f} >= {ACCURACY_TARGET:.2f}, precision {s.precision:.3f} "
                     f">= {P_FLOOR:.2f}, recall {s.recall:.3f} >= {R_FLOOR:.2f}  {'ok' if good else 'BELOW'}"
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
    for name in EARLIER_BLIND:
        print(format_scores(f"moves {name}: {TITLES[name]}", score(load(name))), end="\n\n")
    blind = score(load(GATE_SET))
    print(format_scores(f"moves {GATE_SET}: {TITLES[GATE_SET]}", blind), end="\n\n")
    ok, lines = gate(blind)
    print(f"gate ({GATE_SET}: accuracy >= {ACCURACY_TARGET:.2f}, precision >= {P_FLOOR:.2f}, recall >= {R_FLOOR:.2f}):")
    print("\n".join(lines))
    print(f"gate: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
