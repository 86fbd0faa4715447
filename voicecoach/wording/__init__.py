"""Wording: Push / Pull / Move Away per sentence, the request and its specificity, fillers, hedges.

Transparent rules (tables in :mod:`voicecoach.wording.rules`) find cues; a small classifier that
ships with the package (:mod:`voicecoach.wording.model`, numpy only, loaded once) reads the words
and the rules' verdict and settles what the rules miss. Every tag carries the words that decided
it (``cues``), a one-line ``reason`` for the UI and its ``source`` (rule or model). Pure
functions over plain data; the only I/O is loading the model's weights. The tags and behaviours
are defined in :mod:`voicecoach.wording.vocabulary`. Re-exported here: fillers and hedges
(:mod:`voicecoach.wording.markers`), specificity (:mod:`voicecoach.wording.specificity`), the rules' verdict
(:mod:`voicecoach.wording.stages`).

How a sentence is tagged
------------------------
:func:`tag_sentence` runs these steps in order; each step is a function of its own.

1. ``stages.normalise``: straight quotes, single spaces, lower case. An empty sentence
   stops here: neutral, no cue.
2. ``stages.rule_verdict`` (``verdict_of`` on the normalised text): the stages of
   ``rules.STAGES`` are tried in order (``stage_verdict``); the first that answers
   decides, as a :class:`RuleVerdict`.

   a. A pattern stage (``pattern_stage``): the first of its patterns that matches gives the
      behaviour and the cue. Its request flag is then adjusted (``adjust_request``), in order:
      a proposal that needs the manager's yes is a request (``proposal_asks``); an offer whose
      condition the manager grants is a request (``incentive_asks``); contracting ("what I want
      out of this meeting…") is not (``is_contracting``).
   b. ``MODAL_YOU`` (``modal_you_stage``): "could you <verb>…" is a request, or involving when
      the verb asks for talk ("could you say more…").
   c. ``ANY_QUESTION`` (``any_question_stage``): a question no earlier stage recognised is
      involving; the later stages are for statements.
   d. No stage answered: ``fallback_verdict`` (a question is involving, anything else neutral;
      ``cued`` is False).

3. The model predicts from the words and the verdict (``model.WordingModel.predict``).
4. :func:`combine` settles verdict and prediction into a :class:`Decision`, with the thresholds
   of :class:`WordingSettings`: a rule's cue stands unless the model is sure of another tag.
5. ``_reason`` writes the one-line reason (the rule's cue or the model's words), and
   :func:`check_specificity` checks the ask when the sentence is a request.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

from ..types import ABBREVIATIONS
from . import model as _model
from . import rules as _r
from .markers import Marker, find_fillers, find_hedges, per_100_words
from .specificity import Specificity, check_specificity
from .vocabulary import BEHAVIOURS, TAGS, tag_of
from .model import Prediction, WordingModel, WordingModelError
from .stages import RuleVerdict, is_question, normalise, rule_verdict, verdict_of

__all__ = [
    "TAGS", "BEHAVIOURS", "VAGUE_REQUEST_EXAMPLES",
    "WordingSettings", "RuleVerdict", "Decision", "Specificity", "SentenceTag", "Marker", "Balance",
    "WordingModelError",
    "normalise", "rule_verdict", "combine", "tag_sentence", "tag_sentences", "split_text",
    "check_specificity", "main_request", "objective_overlap",
    "find_fillers", "find_hedges", "per_100_words", "balance",
]

VAGUE_REQUEST_EXAMPLES = _r.VAGUE_REQUEST_EXAMPLES


@dataclass(frozen=True)
class WordingSettings:
    """Where the rules and the shipped model meet: the two thresholds of :func:`combine`.

    Both were chosen on out-of-author predictions over the training sets (each set scored by a
    model trained on the other sets only): ``python scripts/train_wording.py --check-only --tune``
    prints tag accuracy and request F1 for a grid of both. 0.6 beat 0 (the model always decides)
    and 1 (a rule's cue always stands).

    Attributes
    ----------
    model_overrules_p : float
        The model overrules a rule's cue only when it gives its own, different tag at least this
        probability; below it the rule's cue stands. Above 1: the model never overrules a cue.
    model_request_p : float
        The model's request probability at or above which a Push sentence counts as a request
        even when no request pattern matched (the patterns are precise but miss many phrasings).
    """

    model_overrules_p: float = 0.6
    model_request_p: float = 0.35

    def __post_init__(self):
        if not self.model_overrules_p >= 0:
            raise ValueError(f"model_overrules_p={self.model_overrules_p}: use a probability >= 0 (above 1: never)")
        if not 0 <= self.model_request_p <= 1:
            raise ValueError(f"model_request_p={self.model_request_p}: use a probability in 0..1")


@dataclass(frozen=True)
class Decision:
    """The settled verdict on one sentence (:func:`combine`); ``source`` is "rule" or "model"."""

    behaviour: str | None
    is_request: bool
    cues: tuple[str, ...]
    source: str

    @property
    def tag(self) -> str:
        return tag_of(self.behaviour)


@dataclass(frozen=True)
class SentenceTag:
    """The wording verdict for one sentence (see ``rules.REASONS`` for behaviours)."""

    text: str
    tag: str
    behaviour: str | None
    is_request: bool
    cues: tuple[str, ...]
    reason: str
    specificity: Specificity | None
    source: str = "rule"  # "rule" (a pattern's cue decided) or "model" (the shipped classifier)

    def to_dict(self) -> dict:
        return {
            "text": self.text, "tag": self.tag, "behaviour": self.behaviour,
            "is_request": self.is_request, "cues": list(self.cues), "reason": self.reason,
            "source": self.source,
            "specificity": self.specificity.to_dict() if self.specificity else None,
        }


@dataclass(frozen=True)
class Balance:
    """Share of sentence time per tag (sum 1, or all 0 with no time) and Push<->Pull switches.

    ``push_only`` / ``pull_only`` are set when the other side got less than ``min_share`` of the
    time (default 0: none at all) while this side got some.
    """

    push_share: float
    pull_share: float
    move_away_share: float
    neutral_share: float
    switches: int
    push_only: bool = False
    pull_only: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


# ---- steps 3-5: the model, the decision, the reason ----------------------------------------

_DEFAULTS = WordingSettings()
_EMPTY = Decision(None, False, (), "rule")


def combine(verdict: RuleVerdict, prediction: Prediction, *,
            overrule_p: float = _DEFAULTS.model_overrules_p,
            request_p: float = _DEFAULTS.model_request_p) -> Decision:
    """Settle the rules' verdict with the model's prediction (the shipped decision).

    A rule's cue stands when the model gives the same tag, or gives its own tag less than
    ``overrule_p``; the sentence is then a request when the rules say so or, for Push, when the
    model's request probability reaches ``request_p``. Otherwise (no cue, or the model is sure of
    another tag) the model decides, with its strongest words as cues, and the sentence is a
    request only when the model says Push and the rules read a request or ``request_p`` is reached.
    Defaults: :class:`WordingSettings`.
    """
    rule_tag, model_tag = verdict.tag, tag_of(prediction.behaviour)
    if verdict.cued and (model_tag == rule_tag or prediction.tag_p[model_tag] < overrule_p):
        req = verdict.is_request or (rule_tag == "push" and prediction.request_p >= request_p)
        return Decision(verdict.behaviour, req, verdict.cues, "rule")
    req = model_tag == "push" and (verdict.is_request or prediction.request_p >= request_p)
    return Decision(prediction.behaviour, req, prediction.cues, "model")


def _decide(text: str, n: str, model: WordingModel, settings: WordingSettings) -> Decision:
    """Steps 2-4 for a non-empty normalised sentence ``n`` (``text`` as written, for the model)."""
    verdict = verdict_of(n)
    return combine(verdict, model.predict(text, verdict),
                   overrule_p=settings.model_overrules_p, request_p=settings.model_request_p)


def _reason(d: Decision, n: str) -> str:
    """The one-line reason: the behaviour's explanation, then the rule's cue or the model's words."""
    reason = _r.REASONS[d.behaviour]
    if d.is_request and is_question(n):
        reason = reason.replace("a request,", "a request even though it is phrased as a question,")
    if d.cues and d.source == "rule":
        reason = f"{reason} Cue: \u201c{d.cues[0]}\u201d."
    elif d.cues:
        reason = f"{reason} No fixed phrase matched; the wording model read it from " + \
            " and ".join(f"\u201c{c}\u201d" for c in d.cues) + "."
    return reason


def tag_sentence(text: str, *, model: WordingModel | None = None,
                 settings: WordingSettings = _DEFAULTS) -> SentenceTag:
    """Tag one sentence as push, pull, move_away or neutral, with behaviour and cues.

    Transparent rules look for cues (``rules.STAGES``); the small shipped classifier
    (:mod:`voicecoach.wording.model`) reads the words and the rules' verdict and decides. When
    both agree, the rule's cue is shown as the reason. See "How a sentence is tagged" above.

    Parameters
    ----------
    text : str
        One sentence as transcribed (punctuation optional; a missing final "?" is tolerated).
    model : WordingModel, optional, keyword-only
        Another trained model (for evaluation); default the shipped one.
    settings : WordingSettings, keyword-only
        Where the model may overrule the rules; default ``WordingSettings()``.

    Returns
    -------
    SentenceTag
        ``specificity`` is set when ``is_request`` is True; ``source`` says whether a rule or the
        model decided.

    Raises
    ------
    TypeError
        ``text`` is not a str.
    WordingModelError
        The shipped model file is missing, unreadable or stale.
    """
    if not isinstance(text, str):
        raise TypeError(f"tag_sentence expects a str, got {type(text).__name__}; pass the sentence text")
    n = normalise(text)
    d = _decide(text, n, model or _model.load(), settings) if n else _EMPTY
    spec = check_specificity(text) if d.is_request else None
    return SentenceTag(text=text, tag=d.tag, behaviour=d.behaviour, is_request=d.is_request,
                       cues=d.cues, reason=_reason(d, n), specificity=spec, source=d.source)


def tag_sentences(texts: Iterable[str], *, settings: WordingSettings = _DEFAULTS) -> list[SentenceTag]:
    """Tag each sentence of ``texts`` (see :func:`tag_sentence`)."""
    return [tag_sentence(t, settings=settings) for t in texts]


# ---- sentences from a paragraph -----------------------------------------------------------

# a run of . ? ! (and closing quotes or brackets) followed by a space or the end
_SENTENCE_END_RE = re.compile(r"[.?!]+[\"'\u201d\u2019)\]]*(?=\s|$)")
_INITIAL_RE = re.compile(r"[A-Z]\.")
_OPENERS = "\"'\u201c\u2018(["


def _ends_sentence(clean: str, end: re.Match[str]) -> bool:
    """False for the full stop of an abbreviation (Mr. Dr. e.g. etc.) or an initial ("J.")."""
    if end.group(0) != ".":
        return True
    word = clean[: end.end()].rsplit(" ", 1)[-1].lstrip(_OPENERS)
    return word.lower() not in ABBREVIATIONS and not _INITIAL_RE.fullmatch(word)


def split_text(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping their punctuation.

    A sentence ends at ``.``, ``?`` or ``!`` (a run of them, and any closing quote or bracket)
    followed by a space or the end of the text, except after an abbreviation (Mr. Dr. e.g. etc.:
    ``types.ABBREVIATIONS``, the list the words heard are split by too) or a single initial
    ("J."). Whitespace is normalised to single spaces; text after the last end is a sentence
    too. Empty or blank text gives ``[]``.
    """
    if not isinstance(text, str):
        raise TypeError(f"split_text expects a str, got {type(text).__name__}")
    clean = " ".join(text.split())
    out, start = [], 0
    for end in _SENTENCE_END_RE.finditer(clean):
        if _ends_sentence(clean, end):
            out.append(clean[start:end.end()].strip())
            start = end.end()
    tail = clean[start:].strip()
    return out + [tail] if tail else out


# ---- the main request ------------------------------------------------------------------

def main_request(tags: Sequence[SentenceTag], *, objective: str | None = None) -> int | None:
    """Index of the take's main request, the one the user meant; None if no sentence is a request.

    With a prepared ``objective``, the request that says most of it (:func:`objective_overlap`,
    at least ``OBJECTIVE_MIN_OVERLAP``); otherwise, or when none does, the most specific
    request. Ties go to the first: what follows a request is usually a follow-up ("Could you let
    me know by Friday?"), and the wait that matters is the one after the ask itself.
    """
    requests = [i for i, t in enumerate(tags) if t.is_request]
    if not requests:
        return None

    def specific(i: int) -> tuple:
        spec = tags[i].specificity or check_specificity(tags[i].text)
        return (spec.is_specific, -len(spec.missing))

    if objective and objective.strip():
        overlap = {i: objective_overlap(tags[i].text, objective) for i in requests}
        best = max(overlap.values())
        if best >= OBJECTIVE_MIN_OVERLAP:
            requests = [i for i in requests if overlap[i] == best]
    return max(requests, key=lambda i: (specific(i), -i))


#: A request says the objective when it holds at least this share of the objective's content words.
OBJECTIVE_MIN_OVERLAP = 0.25
_FUNCTION_WORDS = frozenset("""a an the to of on in at for by from with and or but me my you your i we our us it its this
that be is are was were will would could can should may might please like want need have has had do does
did get let make give send put so just really also about as into before after until next manager boss agree
agrees""".split())


def _content_stems(text: str) -> set[str]:
    """The content words of ``text``, cut to their first five letters ("enrol"/"enroll",
    "course"/"courses", "leadership"/"leader" stay apart only past five letters)."""
    return {w[:5] for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _FUNCTION_WORDS and len(w) > 1}


def objective_overlap(text: str, objective: str) -> float:
    """Share of the prepared objective's content words (:func:`_content_stems`) that ``text``
    says: 1.0 when a sentence names everything the objective names, 0.0 when nothing."""
    want = _content_stems(objective)
    return len(want & _content_stems(text)) / len(want) if want else 0.0


# ---- balance ------------------------------------------------------------------------------

def balance(tags: Sequence[SentenceTag], *, durations_s: Sequence[float], min_share: float = 0.0) -> Balance:
    """Share of speaking time in each tag and the number of Push<->Pull switches.

    Parameters
    ----------
    tags : sequence of SentenceTag
    durations_s : sequence of float
        Duration of each sentence in seconds, same length as ``tags``.
    min_share : float, keyword-only
        A side with less than this share (and the other side with some) counts as absent for
        ``push_only`` / ``pull_only``. Default 0.0: flagged only when there is none at all.
    """
    if len(durations_s) != len(tags):
        raise ValueError(f"{len(durations_s)} durations for {len(tags)} sentences; pass one duration per sentence")
    if any(d < 0 for d in durations_s):
        raise ValueError(f"negative duration in durations_s={list(durations_s)}; durations are end_s - start_s >= 0")
    total = float(sum(durations_s))
    share = {t: 0.0 for t in TAGS}
    if total > 0:
        for t, d in zip(tags, durations_s):
            share[t.tag] += d / total
    sides = [t.tag for t in tags if t.tag in ("push", "pull")]
    switches = sum(1 for a, b in zip(sides, sides[1:]) if a != b)
    push, pull = share["push"], share["pull"]
    return Balance(push_share=push, pull_share=pull, move_away_share=share["move_away"],
                   neutral_share=share["neutral"], switches=switches,
                   push_only=push > 0 and pull <= min_share, pull_only=pull > 0 and push <= min_share)
