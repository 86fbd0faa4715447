"""The checks of a rehearsed conversation, one per code, in one table (:data:`CHECKS`).

Each check judges one of the user's turns (a :class:`voicecoach.result.TakeResult`, the turn
analysed as a take) and returns a :class:`voicecoach.coaching.verdict.Verdict`, the same form as the
take's own checks. Which checks a moment runs is said by its script
(:mod:`voicecoach.rehearsal.rehearse`, ``checks = [...]`` of each step), never decided here. The wording
detectors the checks rest on are :mod:`voicecoach.wording.moves` (open question, summary, defensive
reply, named pause, incentive, follow-up with a time, contracting), each on one sentence's text.
The texts follow the coaching model (``../shared/GUIDE.md``), in our own words.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .coach import CoachSettings
from ..speech.delivery import count_words
from ..result import TakeResult
from .verdict import Verdict

__all__ = ["CheckSettings", "Check", "CHECKS", "CODES", "judge"]


@dataclass(frozen=True)
class CheckSettings:
    """Every threshold of the conversation's checks.

    Attributes
    ----------
    wait_target_s : float
        Silence to hold after the request (s); the coach's own target by default.
    close_max_words : int
        At most this many words in the closing turn: summarise, evaluate, follow up, then stop.
    """

    wait_target_s: float = CoachSettings.wait_target_s
    close_max_words: int = 60


@dataclass(frozen=True)
class Check:
    """One check: its code, the moments it belongs to, its target in words, how much a miss
    matters, and the function that judges a turn."""

    code: str
    moments: tuple[str, ...]
    target: str
    severity: str
    judge: Callable[[TakeResult, CheckSettings], Verdict]


def _moves():
    from ..wording import moves  # the wording developer's detectors (pure functions on one sentence)

    return moves


def _found(t: TakeResult, *names: str) -> list[tuple[str, str]]:
    """(detector name, sentence text) for every sentence of ``t`` that a detector of ``names`` finds."""
    m = _moves()
    return [(n, s.text) for s in t.sentences for n in names if getattr(m, n)(s.text)]


def _q(text: str) -> str:
    return f"“{text.strip()}”"


def _contracting(t: TakeResult, s: CheckSettings) -> Verdict:
    hits = _found(t, "contracting")
    if hits:
        return _v("contracting", True, hits[0][1], f"You agreed how to work together: {_q(hits[0][1])}")
    return _v("contracting", False, None,
              "You went straight in. Agree the meeting first: how long you both have, what each of you wants "
              "to focus on (“what would you like to cover?”), or how you will record what you agree.")


def _curious(t: TakeResult, s: CheckSettings) -> Verdict:
    hits = _found(t, "open_question", "summary", "named_pause")
    if hits:
        how = {"open_question": "an open question", "summary": "a summary of what you heard",
               "named_pause": "a named pause"}[hits[0][0]]
        return _v("curious_under_feedback", True, hits[0][1], f"You met the feedback with {how}: {_q(hits[0][1])}")
    return _v("curious_under_feedback", False, None,
              "You did not explore the feedback. Ask an open question (“What did you notice?”) or say back what "
              "you heard (“It sounds like…”) before you answer it.")


def _not_defensive(t: TakeResult, s: CheckSettings) -> Verdict:
    m = _moves()
    hits = [x.text for x in t.sentences if m.defensive(x.text) and not m.named_pause(x.text)]
    if hits:
        return _v("not_defensive", False, hits[0],
                  f"{_q(hits[0])} defends rather than explores. If you feel defensive, say so and take a breath "
                  "(“I notice I'm getting defensive; give me a moment”), then ask what they saw.")
    return _v("not_defensive", True, None, "You heard the feedback without arguing with it.")


def _specific_request(t: TakeResult, s: CheckSettings) -> Verdict:
    r = t.request
    if r is None:
        return _v("specific_request", False, None,
                  "No request was heard. Say the action you want from your manager, what exactly, and by when.")
    spec = r.specificity
    if spec is not None and spec.is_specific:
        return _v("specific_request", True, r.text, f"A specific ask: {_q(r.text)}", start_s=r.start_s, end_s=r.end_s)
    names = {"action": "a concrete action", "object": "what exactly", "time": "a time"}
    gaps = " and ".join(names[k] for k in (spec.missing if spec else ())) or "a concrete action"
    vague = f" (“{spec.vague_terms[0]}” is vague)" if spec and spec.vague_terms else ""
    return _v("specific_request", False, r.text, f"Your ask {_q(r.text)} is missing {gaps}{vague}. Say what agreement "
              "looks like and by when.", start_s=r.start_s, end_s=r.end_s)


def _wait_held(t: TakeResult, s: CheckSettings) -> Verdict:
    r = t.request
    target = s.wait_target_s
    if r is None:
        return _v("wait_held", None, None, "No request was heard, so there was no wait to hold.", wait=target)
    wait = round(r.pause_after_s, 2)
    end = round(r.speech_end_s + r.pause_after_s, 3)
    if wait >= target:
        how = "and were still waiting when the turn ended" if r.still_waiting else "before speaking again"
        return _v("wait_held", True, wait, f"You held {wait:.1f} s of silence after your request {how}.",
                  start_s=r.speech_end_s, end_s=end, wait=target)
    if r.still_waiting:
        msg = f"The turn ended {wait:.1f} s after your request; hold the silence for at least {target:g} s."
    elif r.carried_on:
        msg = f"You went straight on after your request. Stop, and let at least {target:g} s of silence do the work."
    else:
        msg = (f"You spoke into the silence {wait:.1f} s after your request. Hold at least {target:g} s: "
               "the answer is your manager's to give.")
    return _v("wait_held", False, wait, msg, start_s=r.speech_end_s, end_s=end, wait=target)


def _incentive_or_pull(t: TakeResult, s: CheckSettings) -> Verdict:
    hits = _found(t, "incentive", "open_question", "summary")
    if hits:
        n, text = hits[0]
        how = ("offered something of value to them" if n == "incentive"
               else "explored their concern" if n == "open_question" else "showed you heard their concern")
        return _v("incentive_or_pull_after_pushback", True, text, f"You {how}: {_q(text)}")
    return _v("incentive_or_pull_after_pushback", False, None,
              "Pushing harder does not move a no. Offer something they value (“If you approve it, I'll…”) or ask "
              "about their concern (“What would make this work for you?”).")


def _said(code: str, move: str, met: str, missed: str):
    """A check met by a sentence of the turn that the ``move`` detector finds (quoted after ``met``)."""
    def check(t: TakeResult, s: CheckSettings) -> Verdict:
        hits = _found(t, move)
        if hits:
            return _v(code, True, hits[0][1], f"{met} {_q(hits[0][1])}")
        return _v(code, False, None, missed)
    check.__name__ = check.__qualname__ = f"_{code}"
    return check


_summarised = _said("summarised", "summary", "You summarised the outcome:",
                    "Close by summarising what you agreed (“So we have agreed that…”), so you both leave with the same "
                    "picture.")
_follow_up = _said("follow_up_with_time", "follow_up_with_time", "A follow-up with a time:",
                   "Name the next step and when (“I'll send you the details by Friday”).")


def _closed_briefly(t: TakeResult, s: CheckSettings) -> Verdict:
    n = count_words(t.words)
    if n <= s.close_max_words:
        return _v("closed_briefly", True, float(n), f"You closed in {n} words and stopped.", unit="words",
                  words=s.close_max_words)
    return _v("closed_briefly", False, float(n),
              f"Your close ran to {n} words. Summarise, evaluate, name the follow-up, then stop: talking on dilutes "
              "what you agreed.", unit="words", words=s.close_max_words)


def _v(code: str, met: bool | None, value, explanation: str, *, start_s=None, end_s=None, unit: str = "",
       wait: float | None = None, words: int | None = None) -> Verdict:
    c = _BY_CODE[code]
    if code == "wait_held":
        unit = "s"
    return Verdict(code=code, met=met, value=value, target=c.target.format(wait=wait, words=words), unit=unit,
                   start_s=start_s, end_s=end_s, explanation=explanation, severity=c.severity)


#: Every check of a conversation, defined once: code, moments, target, severity, function.
CHECKS: tuple[Check, ...] = (
    Check("contracting", ("opening",), "agree time, focus or how to record", "medium", _contracting),
    Check("curious_under_feedback", ("feedback",), "an open question, a summary or a named pause", "high", _curious),
    Check("not_defensive", ("feedback",), "no defensive reply", "high", _not_defensive),
    Check("specific_request", ("ask",), "an action, what exactly and a time", "high", _specific_request),
    Check("wait_held", ("ask",), "at least {wait:g} s of silence after the request", "high", _wait_held),
    Check("incentive_or_pull_after_pushback", ("pushback",), "an incentive, or a question about their concern",
          "high", _incentive_or_pull),
    Check("summarised", ("close",), "a summary of the outcome", "medium", _summarised),
    Check("follow_up_with_time", ("close",), "a follow-up action with a time", "medium", _follow_up),
    Check("closed_briefly", ("close",), "at most {words} words, then stop", "low", _closed_briefly),
)
_BY_CODE = {c.code: c for c in CHECKS}
CODES: tuple[str, ...] = tuple(_BY_CODE)


def judge(take: TakeResult, codes, *, settings: CheckSettings | None = None) -> tuple[Verdict, ...]:
    """The verdicts of the checks ``codes`` (in that order) on one turn."""
    s = settings or CheckSettings()
    unknown = [c for c in codes if c not in _BY_CODE]
    if unknown:
        raise ValueError(f"unknown check code(s) {unknown}; use some of {list(CODES)}")
    return tuple(_BY_CODE[c].judge(take, s) for c in codes)
