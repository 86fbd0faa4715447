"""Train the small wording classifier that ships in ``voicecoach/wording/model.npz``.

Multinomial logistic regression over ``voicecoach.wording.model.features`` for the behaviour
(12 behaviours + ``none`` for neutral), and a binary one for ``is_request``. It trains on every
labelled set in ``TRAIN_SETS`` and never on ``scripts/eval_wording.py``'s final blind set.

Before saving it prints a cross-author check: for each set, the rules plus a model trained on
the other sets only, scored on that set (tag accuracy and request F1 of the shipped decision,
``wording.combine``).

Usage: python scripts/train_wording.py [--check-only] [--tune]
Needs scikit-learn (in the `test` extra that `make test` installs); the app itself only needs numpy to use the weights.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from voicecoach.wording import WordingSettings, combine, rule_verdict  # noqa: E402
from voicecoach.wording.model import FEATURE_VERSION, MODEL_PATH, features  # noqa: E402
from wording_sets import TRAIN_SETS, digest, load_set  # noqa: E402

C_BEHAVIOUR = 20.0  # inverse regularisation; chosen by the cross-author check below
C_REQUEST = 20.0


def _fit(rows):
    from sklearn.linear_model import LogisticRegression
    from scipy.sparse import csr_matrix

    feats = [features(r.text, rule_verdict(r.text)) for r in rows]
    vocab = sorted({f for fs in feats for f in fs})
    index = {f: i for i, f in enumerate(vocab)}
    data, ind, ptr = [], [], [0]
    for fs in feats:
        ind.extend(index[f] for f in fs)
        data.extend([1.0 / math.sqrt(len(fs))] * len(fs))
        ptr.append(len(ind))
    X = csr_matrix((data, ind, ptr), shape=(len(rows), len(vocab)))
    beh = LogisticRegression(C=C_BEHAVIOUR, max_iter=5000).fit(X, [r.behaviour or "none" for r in rows])
    req = LogisticRegression(C=C_REQUEST, max_iter=5000).fit(X, [int(r.is_request) for r in rows])
    return vocab, beh, req


def _save(vocab, beh, req, path: Path = MODEL_PATH, train_sets=()):
    np.savez_compressed(
        path,
        classes=np.array(list(beh.classes_)),
        vocab=np.array(vocab),
        weights=beh.coef_.T.astype(np.float16),
        bias=beh.intercept_.astype(np.float32),
        request_weights=req.coef_[0].astype(np.float16),
        request_bias=np.float32(req.intercept_[0]),
        feature_version=np.int64(FEATURE_VERSION),
        train_sets=np.array(list(train_sets), dtype=str),
        train_sha256=np.array(digest(train_sets) if train_sets else ""),
    )


def trained_model(rows):
    """Fit on ``rows`` and return a loaded WordingModel (through a temporary file)."""
    import tempfile
    from voicecoach.wording.model import WordingModel

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "m.npz"
        _save(*_fit(rows), p)
        return WordingModel(p)


def scores(held_out, settings: WordingSettings = WordingSettings()) -> tuple[float, float]:
    """Tag accuracy and request F1 of ``wording.combine`` (the shipped decision) over
    ``(row, rules' verdict, model prediction)`` triples; thresholds default to the shipped ones."""
    out = [combine(rule, pred, overrule_p=settings.model_overrules_p, request_p=settings.model_request_p)
           for _, rule, pred in held_out]
    rows = [r for r, _, _ in held_out]
    acc = float(np.mean([o.tag == r.tag for o, r in zip(out, rows)]))
    tp = sum(o.is_request and r.is_request for o, r in zip(out, rows))
    wrong = sum(o.is_request != r.is_request for o, r in zip(out, rows))
    return acc, (2 * tp / (2 * tp + wrong) if tp else 0.0)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check-only", action="store_true", help="print the cross-author check, do not save")
    ap.add_argument("--tune", action="store_true",
                    help="also print how WordingSettings.model_overrules_p and model_request_p score "
                         "on the cross-author predictions (how their defaults were chosen)")
    args = ap.parse_args(argv)
    sets = {name: load_set(name) for name in TRAIN_SETS}
    print("cross-author check (rules + a model trained on the other sets, scored on this one):")
    held_out = []  # (row, rules' verdict, prediction of a model that never saw the row's author)
    for name, rows in sets.items():
        model = trained_model([r for other, rs in sets.items() if other != name for r in rs])
        these = [(r, rule, model.predict(r.text, rule)) for r in rows for rule in (rule_verdict(r.text),)]
        acc, f1 = scores(these)
        print(f"  {name:<14} n={len(rows):>3}  tag accuracy {acc:.3f}  request F1 {f1:.3f}", flush=True)
        held_out += these
    if args.tune:
        print("pooled over all sets: model_overrules_p x model_request_p -> tag accuracy / request F1")
        for over in (0.0, 0.5, 0.6, 0.7, 0.8, 1.01):
            cells = [f"{req_p:.2f}: " + "{:.3f} / {:.3f}".format(*scores(held_out, WordingSettings(over, req_p)))
                     for req_p in (0.3, 0.35, 0.4, 0.5)]
            print(f"  overrule {over:.2f}   " + "   ".join(cells))
    if args.check_only:
        return 0
    everything = [r for rs in sets.values() for r in rs]
    vocab, beh, req = _fit(everything)
    _save(vocab, beh, req, train_sets=TRAIN_SETS)
    print(f"saved {MODEL_PATH.relative_to(ROOT)}: {len(everything)} sentences, {len(vocab)} features, "
          f"{MODEL_PATH.stat().st_size / 1024:.0f} kB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
