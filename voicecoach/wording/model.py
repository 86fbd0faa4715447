"""A small classifier that ships with the package: behaviour and request from word and letter n-grams.

Logistic regression trained by ``scripts/train_wording.py`` on the labelled sets in ``data/``
(labelled by ``data/LABELLING.md``). The weights live in ``voicecoach/wording/model.npz``
(float16, a few hundred kB); inference is a sum of weight rows in numpy, no network and no
model hub. :mod:`voicecoach.wording` combines it with the transparent rules: it decides the
sentences no rule recognises, and overrules a rule's cue only when it is sure of another tag
(see ``wording.combine``). A missing, unreadable or stale weights file raises
:class:`WordingModelError` with a one-line message saying how to fix it.
"""
from __future__ import annotations

import math
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import rules as _rules
from .vocabulary import TAGS, tag_of
from .stages import RuleVerdict

__all__ = ["MODEL_PATH", "FEATURE_VERSION", "WordingModelError", "features", "Prediction", "WordingModel", "load"]

MODEL_PATH = Path(__file__).with_name("model.npz")
FEATURE_VERSION = 2  # bump when features() changes; the file records the version it was trained with

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|\?")


def tokens(text: str) -> list[str]:
    """Lower-case word tokens; a question mark is a token of its own."""
    return _TOKEN_RE.findall(text.translate(_rules.QUOTES).lower())


_SUBJECTS = {"i", "i'm", "i've", "i'd", "i'll", "you", "you're", "you've", "you'd", "you'll", "we", "we're",
             "we've", "we'd", "we'll", "it", "it's", "that", "that's", "this", "there", "there's", "the", "my",
             "our", "your", "let's", "let", "so", "and", "but", "if", "what", "how", "can", "could", "would"}
_EMOTION_RE = re.compile(r"\b" + _rules.EMOTION + r"\b")
_EVAL_RE = re.compile(r"\b" + _rules.EVAL_ADJ + r"\b")
_NUMBER_RE = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
                        r"thirty|forty|fifty|hundred|thousand|half|percent|per cent|grand)\b")


def features(text: str, rule: RuleVerdict | None = None) -> list[str]:
    """The sparse binary features of a sentence (each weighs ``1/sqrt(len)`` in the model).

    Word unigrams (``w=``), word bigrams with sentence boundaries (``b=``), the first two words
    (``f=``), five-letter prefixes as a cheap stem (``p=``), letter 3- to 5-grams inside words
    (``c=``), a few shape features (``s=``: question, length, first-word subject, emotion and
    judgement words, a time, a number) and, when given, what the rules said (``r=``: behaviour,
    whether a cue matched, whether they read a request). ``rule`` is
    ``wording.rule_verdict(text)``; its ``cues`` are not used.
    """
    if rule is not None and not isinstance(rule, RuleVerdict):
        raise TypeError(f"rule must be a RuleVerdict (wording.rule_verdict(text)), got {type(rule).__name__}")
    toks = tokens(text)
    feats: set[str] = set()
    low = " ".join(toks)
    words = [t for t in toks if t != "?"]
    feats.add("s=question" if "?" in toks else "s=statement")
    feats.add(f"s=len{min(len(words) // 4, 6)}")
    feats.add("s=first:" + next((t for t in words if t in _SUBJECTS), "other"))
    if _EMOTION_RE.search(low):
        feats.add("s=emotion")
    if _EVAL_RE.search(low):
        feats.add("s=judgement")
    if _rules.TIME_RE.search(low):
        feats.add("s=time")
    if _NUMBER_RE.search(low):
        feats.add("s=number")
    if rule is not None:
        feats.add(f"r={rule.behaviour or 'none'}:{'cue' if rule.cued else 'fallback'}")
        feats.add(f"r=request:{int(rule.is_request)}")
    padded = ["<s>", *toks, "</s>"]
    feats.update("w=" + t for t in toks)
    feats.update(f"b={a}_{b}" for a, b in zip(padded, padded[1:]))
    feats.add("f=" + "_".join(toks[:2]))
    feats.update("p=" + t[:5] for t in toks if len(t) > 5)
    for t in toks:
        w = f" {t} "
        for k in (3, 4, 5):
            feats.update("c=" + w[i:i + k] for i in range(len(w) - k + 1))
    return sorted(feats)


@dataclass(frozen=True)
class Prediction:
    """What the model says of one sentence.

    Attributes
    ----------
    behaviour : str or None
        The most likely behaviour; ``None`` means neutral.
    behaviour_p : float
        Its probability (0..1).
    tag_p : dict
        Probability of each tag (push, pull, move_away, neutral), summed over behaviours.
    request_p : float
        Probability that the sentence asks the manager to do something.
    cues : tuple of str
        The words in the sentence that pushed hardest towards ``behaviour`` (worked out when
        asked for: most sentences are explained by a rule's cue instead).
    """

    behaviour: str | None
    behaviour_p: float
    tag_p: dict
    request_p: float
    _cue_source: tuple = field(default=(), repr=False, compare=False)  # (model, features, class index)

    @property
    def cues(self) -> tuple[str, ...]:
        if not self._cue_source:
            return ()
        model, feats, best = self._cue_source
        return model._cues(feats, best)


class WordingModelError(RuntimeError):
    """The wording model's weights file is missing, unreadable or stale (one-line message)."""


_REINSTALL = "reinstall voicecoach: `make run` or `pip install -e .`"


class WordingModel:
    """Weights and vocabulary loaded from ``model.npz`` (default :data:`MODEL_PATH`).

    Raises :class:`WordingModelError` when the file is missing, unreadable (truncated or
    corrupt) or was trained with other features.
    """

    def __init__(self, path: Path | None = None):
        path = MODEL_PATH if path is None else Path(path)
        try:
            with np.load(path, allow_pickle=False) as z:
                self.classes = [str(c) for c in z["classes"]]
                self.vocab = {str(f): i for i, f in enumerate(z["vocab"])}
                self.weights = z["weights"].astype(np.float32)
                self.bias = z["bias"].astype(np.float32)
                self.request_weights = z["request_weights"].astype(np.float32)
                self.request_bias = float(z["request_bias"])
                version = int(z["feature_version"])
        except FileNotFoundError:
            raise WordingModelError(f"the wording model {path} is missing; {_REINSTALL}") from None
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as e:
            raise WordingModelError(f"the wording model {path} cannot be read ({type(e).__name__}: it is "
                                    f"truncated or corrupt); {_REINSTALL}") from None
        if version != FEATURE_VERSION:
            raise WordingModelError(f"the wording model {path} was trained with features v{version}, this code "
                                    f"uses v{FEATURE_VERSION}; run `python scripts/train_wording.py`")
        self._tag_of = [tag_of(c) for c in self.classes]

    def predict(self, text: str, rule: RuleVerdict | None = None) -> Prediction:
        """Predict from the words, and from the rules' verdict (see :func:`features`)."""
        feats = features(text, rule)
        idx = [self.vocab[f] for f in feats if f in self.vocab]
        scale = 1.0 / math.sqrt(max(len(feats), 1))
        logits = self.weights[idx].sum(axis=0) * scale + self.bias
        p = np.exp(logits - logits.max())
        p /= p.sum()
        best = int(p.argmax())
        tag_p = {t: 0.0 for t in TAGS}
        for c, pc in zip(self._tag_of, p):
            tag_p[c] += float(pc)
        r = float(self.request_weights[idx].sum() * scale + self.request_bias)
        request_p = 1.0 / (1.0 + math.exp(-r))
        behaviour = self.classes[best]
        return Prediction(behaviour=None if behaviour == "none" else behaviour, behaviour_p=float(p[best]),
                          tag_p=tag_p, request_p=request_p, _cue_source=(self, feats, best))

    def _cues(self, feats: list[str], best: int) -> tuple[str, ...]:
        """Up to two words or word pairs of the sentence that pushed hardest towards class ``best``."""
        scored = []
        for f in feats:
            if not f.startswith(("w=", "b=")) or f not in self.vocab:
                continue
            words = f[2:].split("_") if f.startswith("b=") else [f[2:]]
            if any(w in ("<s>", "</s>", "?") for w in words) or all(w in _STOPWORDS for w in words):
                continue
            row = self.weights[self.vocab[f]]
            lift = float(row[best] - (row.sum() - row[best]) / (len(row) - 1))
            if lift > 0:
                scored.append((lift, " ".join(words)))
        out: list[str] = []
        for _, phrase in sorted(scored, reverse=True):
            if not any(phrase in o or o in phrase for o in out):
                out.append(phrase)
            if len(out) == 2:
                break
        return tuple(out)


_STOPWORDS = frozenset(
    "a an the and or but so to of in on at for with from by as is are was were be been being it its "
    "it's this that these those there their they them i me my you your we our us he she his her "
    "do does did have has had will would can could should may might just really very um uh like "
    "if then than also too not no yes yeah okay ok well right".split())


@lru_cache(maxsize=1)
def load() -> WordingModel:
    """The shipped model (:data:`MODEL_PATH`), loaded once per process.

    Raises :class:`WordingModelError` (not cached: the next call tries again) when the file is
    missing, unreadable or stale.
    """
    return WordingModel(MODEL_PATH)
