"""How the transparent rules read a sentence: normalisation, then the stages of ``rules.STAGES``.

One function per stage, in the order they apply (see "How a sentence is tagged" in
:mod:`voicecoach.wording`, which re-exports :func:`normalise`, :func:`rule_verdict` and
:class:`RuleVerdict`). The patterns themselves are data in :mod:`voicecoach.wording.rules`; this
module only walks them. Every function here is pure and can be called on its own; the stage
functions take the normalised sentence ``n``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from . import rules as _r
from .vocabulary import tag_of

__all__ = [
    "RuleVerdict", "clean_text", "normalise", "is_question", "rule_verdict", "verdict_of",
    "stage_verdict", "pattern_stage", "adjust_request", "proposal_asks", "incentive_asks",
    "is_contracting", "modal_you_stage", "any_question_stage", "question_verdict", "fallback_verdict",
]


@dataclass(frozen=True)
class RuleVerdict:
    """What the transparent rules alone say of one sentence (:func:`rule_verdict`).

    The model reads it too (``model.features``), and ``wording.combine`` settles it with
    the model's prediction.

    Attributes
    ----------
    behaviour : str or None
        The behaviour (see :mod:`voicecoach.wording.vocabulary`); ``None`` means neutral.
    is_request : bool
        Whether the rules read an ask of the manager.
    cues : tuple of str
        The words that decided (a matched pattern, or the question's first word); empty when
        nothing matched and the sentence is no question.
    cued : bool
        True when a stage matched; False when the answer is only the fallback (a question is
        involving, anything else neutral).
    """

    behaviour: str | None
    is_request: bool
    cues: tuple[str, ...]
    cued: bool

    @property
    def tag(self) -> str:
        return tag_of(self.behaviour)


# ---- step 1: normalise --------------------------------------------------------------------

_WS_RE = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """Straight quotes and apostrophes, single spaces, trimmed; case kept (specificity quotes it)."""
    return _WS_RE.sub(" ", text.translate(_r.QUOTES)).strip()


def normalise(text: str) -> str:
    """The form every rule pattern reads: :func:`clean_text`, lower case."""
    return clean_text(text).lower()


def is_question(n: str) -> bool:
    """A final "?", or a question's opening word ("what", "could", …) that is no pseudo-cleft
    ("What I'd like is…")."""
    if n.endswith("?"):
        return True
    return bool(_r.QUESTION_START_RE.match(n)) and not _r.PSEUDO_CLEFT_RE.match(n)


# ---- step 2a: pattern stages and their request adjustments --------------------------------

def proposal_asks(n: str) -> bool:
    """A proposal that needs the manager's yes is the ask: "what if you let me lead…"
    (``PROPOSAL_ASK_RE``), "how about I lead…", "let me run the induction" (``SELF_PROPOSAL_ASK_RE``)."""
    return bool(_r.PROPOSAL_ASK_RE.search(n) or _r.SELF_PROPOSAL_ASK_RE.search(n))


def incentive_asks(n: str) -> bool:
    """An offer whose condition the manager grants is the ask: "if you approve the course,
    I'll…" (``INCENTIVE_ASK_RE``)."""
    return bool(_r.INCENTIVE_ASK_RE.search(n))


def is_contracting(n: str) -> bool:
    """What I want from this meeting ("what I want out of this conversation is clarity") is
    contracting, not the ask (``CONTRACTING_RE``)."""
    return bool(_r.CONTRACTING_RE.search(n))


def adjust_request(behaviour: str | None, is_request: bool, n: str) -> bool:
    """A matched pattern stage's request flag after the three exceptions, in this order:
    :func:`proposal_asks` (proposing becomes a request), :func:`incentive_asks` (incentives
    becomes a request), :func:`is_contracting` (a stating-expectations request is not one)."""
    if behaviour == "proposing" and proposal_asks(n):
        return True
    if behaviour == "incentives" and incentive_asks(n):
        return True
    if behaviour == "stating_expectations" and is_request and is_contracting(n):
        return False
    return is_request


def pattern_stage(n: str, behaviour: str | None, is_request: bool,
                  patterns: Sequence[re.Pattern[str]]) -> RuleVerdict | None:
    """A pattern stage: the first of ``patterns`` that matches decides and its words are the cue;
    the request flag goes through :func:`adjust_request`. None when no pattern matches."""
    for pattern in patterns:
        m = pattern.search(n)
        if m:
            return RuleVerdict(behaviour, adjust_request(behaviour, is_request, n), (m.group(0).strip(" ,"),), True)
    return None


# ---- step 2b, 2c: the two marker stages ----------------------------------------------------

_PULL_GIVE_RE = re.compile(
    r"\b(?:give|show) (?:me|us) (?:some |an? |your |more |a bit of )?"
    r"(?:feedback|example|examples|view|thoughts|sense|detail|details|overview|idea of|steer)\b"
)


def modal_you_stage(n: str) -> RuleVerdict | None:
    """Stage ``MODAL_YOU``: "could/would/will you <verb>…" is a request (stating expectations)
    unless the verb asks for talk ("could you say more…", "would you give me some feedback…"):
    then it is involving. Not for what/how/why/where/which/who questions, which ask for a view."""
    if _r.WH_START_RE.match(n):
        return None
    m = _r.MODAL_YOU_RE.search(n)
    if not m:
        return None
    verb, nxt = m.group(1), m.group(2) or ""
    pull = (verb in _r.PULL_VERBS or _PULL_GIVE_RE.search(n) is not None
            or (verb == "help" and nxt == "me" and "understand" in n)
            or (verb == "think" and nxt == "of"))
    return RuleVerdict("involving" if pull else "stating_expectations", not pull, (m.group(0),), True)


def question_verdict(n: str) -> RuleVerdict:
    """A question is involving; its opening word (or "?") is the cue, and ``cued`` is False."""
    q = _r.QUESTION_START_RE.match(n)
    return RuleVerdict("involving", False, ((q.group(0).strip(" ,") if q else "?"),), False)


def any_question_stage(n: str) -> RuleVerdict | None:
    """Stage ``ANY_QUESTION``: a question no earlier stage recognised invites the manager's view
    (:func:`question_verdict`); the later stages are for statements only."""
    return question_verdict(n) if is_question(n) else None


# ---- step 2d and the walk over STAGES ------------------------------------------------------

def fallback_verdict(n: str) -> RuleVerdict:
    """No stage answered: a question is involving, anything else neutral (``cued`` False)."""
    return question_verdict(n) if is_question(n) else RuleVerdict(None, False, (), False)


_MARKER_STAGES: dict[str, Callable[[str], RuleVerdict | None]] = {
    _r.MODAL_YOU: modal_you_stage,
    _r.ANY_QUESTION: any_question_stage,
}


def stage_verdict(n: str, stage: tuple) -> RuleVerdict | None:
    """One ``(behaviour, is_request, patterns)`` stage of ``rules.STAGES``: its verdict,
    or None when it does not apply. The marker stages run their function, the others
    :func:`pattern_stage`."""
    behaviour, is_request, patterns = stage
    if behaviour == "disengaging" and _r.NOT_A_PAUSE_RE.search(n):
        return None  # time asked for outside the conversation: a request, not a pause
    marker = _MARKER_STAGES.get(behaviour)
    return marker(n) if marker else pattern_stage(n, behaviour, is_request, patterns)


def verdict_of(n: str) -> RuleVerdict:
    """The rules' verdict on a sentence already normalised: the first stage that answers, else
    :func:`fallback_verdict`."""
    for stage in _r.STAGES:
        verdict = stage_verdict(n, stage)
        if verdict is not None:
            return verdict
    return fallback_verdict(n)


def rule_verdict(text: str) -> RuleVerdict:
    """What the transparent rules alone say of a sentence as written (:func:`normalise`, then
    :func:`verdict_of`)."""
    return verdict_of(normalise(text))
