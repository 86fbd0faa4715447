"""Turn a take's measurements into a few prioritised tips, each tied to its moment in the take.

Coaching is a table of small checks (:data:`CHECKS`): one function per check holding its rule,
its threshold (a :class:`CoachSettings` field) and its messages, returning one
:class:`voicecoach.coaching.verdict.Verdict` (met, missed, or not judged). The verdicts are computed once
(:func:`coached`) and kept in the result; the tips are the missed verdicts ranked by severity,
and every page reads the verdicts rather than deciding again. The table's order is the rank
within a severity; adding a check means adding a function and a row. The texts follow the coaching
model in ``../shared/GUIDE.md``, in our own words.
"""
from __future__ import annotations

from dataclasses import dataclass, replace as _replace
from typing import Callable

from ..format import fmt_time, quote
from ..result import Feedback, TakeResult
from ..speech.delivery import PAUSE_IN_PACE_MAX_S
from ..wording.specificity import ask_words, hear_ask, misheard
from .verdict import Verdict

__all__ = ["CoachSettings", "Feedback", "Verdict", "coach", "check", "coached", "tips_of",
           "hedges_in_request", "SEVERITIES", "CHECKS", "CODES", "WORD_TIPS"]

SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class CoachSettings:
    """Every coaching threshold (defaults documented in the README)."""

    pace_min_wpm: float = 100.0  # speaking pace slower than this: pace_slow
    pace_max_wpm: float = 160.0  # speaking pace faster than this: pace_fast
    end_drop_db: float = 9.5  # final word(s) this much quieter than the sentence body: end_drop
    uptalk_st: float = 2.0  # pitch rise over the final word of a statement or request: uptalk
    monotone_st: float = 4.0  # pitch range (5th-95th percentile) below this: monotone
    wait_target_s: float = 2.0  # silence to hold after the request: shorter is short_wait
    fillers_per_100: float = 3.0  # fillers per 100 words at or above this: fillers
    hedges_per_100: float = 3.0  # hedges per 100 words at or above this (or one in the request)
    long_ask_words: int = 90  # more words than this up to the end of the request: long_ask
    balance_min_sentences: int = 3  # push_only / pull_only need this many Push or Pull sentences
    min_timed_words: int = 8  # the fastest sentence named by pace_fast has at least this many words
    max_items: int = 5


Check = Callable[[TakeResult, CoachSettings], Verdict]


# ---- what you want: the request, its specificity, the wait after it ----------------------

def no_request(t: TakeResult, s: CoachSettings) -> Verdict:
    """No request in the take. Not judged when words were heard with low confidence
    (:func:`voicecoach.wording.specificity.misheard`): the request may be among them."""
    target = "a sentence that asks for something"
    if t.request is not None:
        return Verdict("no_request", True, t.request.text, target, "", t.request.start_s, t.request.end_s,
                       f"You asked: {quote(t.request.text)}.", "high")
    if misheard(t.words):
        return Verdict("no_request", None, None, target, explanation="No request heard, but some words may have "
                       "been misheard: the request may be among them.", severity="high")
    return Verdict("no_request", False, None, target, explanation=(
        "No sentence asked your manager to do something. Say the action you want, with a time: "
        "for example “Please enrol me on the leadership course before the March intake.”"), severity="high")


def vague_request(t: TakeResult, s: CoachSettings) -> Verdict:
    """The request is not specific: it lacks a concrete action, its object or a time. Not judged
    when a part it names rests on words heard with low confidence
    (:meth:`voicecoach.wording.specificity.HeardAsk.rests_on_guess`): the page says we may have misheard."""
    r = t.request
    spec = r.specificity if r else None
    target = "an action, what exactly, and a time"
    if r is None or spec is None:
        return Verdict("vague_request", None, None, target, explanation="No request to judge.", severity="high")
    if spec.is_specific:
        return Verdict("vague_request", True, "specific", target, "", r.start_s, r.end_s,
                       "A specific request: action, object and time.", "high")
    x = t.sentences[r.sentence_index]
    if hear_ask(ask_words(t.words, x.first_word, x.last_word)).rests_on_guess(spec.missing):
        return Verdict("vague_request", None, "may have misheard", target, "", r.start_s, r.end_s,
                       "Part of the request may have been misheard: not judged.", "high")
    what = (f"asks for “{spec.vague_terms[0]}”" if spec.vague_terms
            else "is missing " + " and ".join({"action": "a concrete action", "object": "what exactly",
                                               "time": "a time"}[k] for k in spec.missing))
    value = ("vague" if spec.vague_terms and not spec.missing else
             "missing " + " and ".join(_MISSING.get(k, k) for k in spec.missing) if spec.missing else "vague")
    return Verdict("vague_request", False, value, target, "", r.start_s, r.end_s,
                   f"Your request {quote(r.text)} {what}. Say what agreement looks like: enrol me on a named "
                   "course, email me the invitation to the conference, give me a slot to present at the next "
                   "leadership meeting — and by when.", "high")


def short_wait(t: TakeResult, s: CoachSettings) -> Verdict:
    r = t.request
    target = f"at least {s.wait_target_s:g} s"
    if r is None:
        return Verdict("short_wait", None, None, target, "s", explanation="No request, so no wait after it.",
                       severity="high")
    at = (r.speech_end_s, round(r.speech_end_s + r.pause_after_s, 3))
    if r.pause_after_s >= s.wait_target_s:
        return Verdict("short_wait", True, r.pause_after_s, target, "s", *at,
                       f"You waited {r.pause_after_s:.1f} s after asking.", "high")
    if r.still_waiting and any(c.code == "truncated" for c in t.warnings):
        # the file was cut off there, not the recording: the caution says so
        return Verdict("short_wait", None, r.pause_after_s, target, "s", *at,
                       "The file was cut off during the wait: not judged.", "high")
    if r.still_waiting:
        msg = (f"The recording stopped {r.pause_after_s:.1f} s after your request. Keep recording and hold "
               f"the silence for at least {s.wait_target_s:.0f} s: the wait is part of the ask.")
    elif r.carried_on:
        msg = ("You went straight on after your request, with no pause at all. State your expectation, then "
               f"stop: hold the silence for at least {s.wait_target_s:.0f} s so your manager has room to answer.")
    else:
        msg = (f"After your request you spoke again within {r.pause_after_s:.1f} s. State your expectation, "
               f"then stop: hold the silence for at least {s.wait_target_s:.0f} s so your manager has room "
               "to answer.")
    return Verdict("short_wait", False, r.pause_after_s, target, "s", *at, msg, "high")


def long_ask(t: TakeResult, s: CoachSettings) -> Verdict:
    r = t.request
    target = f"at most {s.long_ask_words} words up to the request"
    if r is None:
        return Verdict("long_ask", None, None, target, "words", explanation="No request to reach.", severity="low")
    if r.words_to_request <= s.long_ask_words:
        return Verdict("long_ask", True, r.words_to_request, target, "words", 0.0, r.end_s,
                       f"You reached your request within {r.words_to_request} words.", "low")
    return Verdict("long_ask", False, r.words_to_request, target, "words", 0.0, r.end_s,
                   f"It took {r.words_to_request} words to reach your request. Keep the lead-in short: the "
                   "proposal, one or two reasons that matter to your manager, then the ask.", "low")


# ---- music: strength to the end, intonation, pace, variety -------------------------------

def end_drop(t: TakeResult, s: CoachSettings) -> Verdict:
    """The weakest sentence end (:attr:`TakeResult.end_drop_sentence`) against ``end_drop_db``:
    its value is the take's end drop everywhere (headline, Takes, Compare)."""
    target = f"below {s.end_drop_db:g} dB in every sentence"
    x = t.end_drop_sentence
    if x is None:
        return Verdict("end_drop", None, None, target, "dB", explanation="No sentence end could be measured.")
    if x.end_drop_db < s.end_drop_db:
        return Verdict("end_drop", True, x.end_drop_db, target, "dB", x.start_s, x.end_s,
                       f"Strong sentence ends: all under {s.end_drop_db:g} dB.")
    dropped = [y for y in t.sentences if y.end_drop_db is not None and y.end_drop_db >= s.end_drop_db]
    more = f" ({len(dropped)} sentences do this)" if len(dropped) > 1 else ""
    return Verdict("end_drop", False, x.end_drop_db, target, "dB", x.start_s, x.end_s,
                   f"Your voice fades at the end of {quote(x.text)}: the last word is {x.end_drop_db:.0f} dB "
                   f"quieter than the rest of the sentence{more}. Keep your strength to the final word.")


def uptalk(t: TakeResult, s: CoachSettings) -> Verdict:
    """A rise at the end of a complete statement or request (a Pull question may rise, and so
    may a fragment cut by a pause in mid-sentence: the voice rises because the sentence goes on)."""
    target = f"a rise under {s.uptalk_st:g} semitones at the end of statements"
    judged = [x for x in t.sentences if x.end_pitch_st is not None and x.tag != "pull" and x.is_complete]
    if not judged:
        return Verdict("uptalk", None, None, target, "semitones", explanation="No statement's end pitch measured.")
    x = max(judged, key=lambda x: x.end_pitch_st)
    if x.end_pitch_st < s.uptalk_st:
        return Verdict("uptalk", True, x.end_pitch_st, target, "semitones", x.start_s, x.end_s,
                       "Your pitch came down at the end of your statements.")
    return Verdict("uptalk", False, x.end_pitch_st, target, "semitones", x.start_s, x.end_s,
                   f"Your pitch rises {x.end_pitch_st:.1f} semitones on the last word of {quote(x.text)}. A rise "
                   "makes a statement or a request sound unsure; let the pitch come down at the end.")


def pace_fast(t: TakeResult, s: CoachSettings) -> Verdict:
    """Speaking pace (each pause counted up to 1 s, ``delivery.measure_pace``) above
    ``pace_max_wpm``; names the fastest sentence of at least ``min_timed_words`` words."""
    wpm, target = t.pace.speaking_wpm, f"at most {s.pace_max_wpm:.0f} wpm"
    if wpm is None:
        return Verdict("pace_fast", None, None, target, "wpm", explanation="Too little speech to time.")
    if wpm <= s.pace_max_wpm:
        return Verdict("pace_fast", True, wpm, target, "wpm", explanation=f"Not hurried: {wpm:.0f} words a minute.")
    timed = [x for x in t.sentences if x.wpm is not None and x.n_words >= s.min_timed_words]
    x = max(timed, key=lambda x: x.wpm) if timed else None
    where = (" Slow down, above all in the sentence that carries your request." if t.request
             else " Slow down: it gives each point room to land.")
    return Verdict("pace_fast", False, wpm, target, "wpm", x.start_s if x else None, x.end_s if x else None,
                   f"You spoke at {wpm:.0f} words a minute (each pause counted up to {PAUSE_IN_PACE_MAX_S:g} s); "
                   f"a calm conversational pace is about {s.pace_min_wpm:.0f}–{s.pace_max_wpm:.0f}.{where}"
                   + (f" The most hurried sentence: {quote(x.text)}." if x else ""))


def pace_slow(t: TakeResult, s: CoachSettings) -> Verdict:
    wpm, target = t.pace.speaking_wpm, f"at least {s.pace_min_wpm:.0f} wpm"
    if wpm is None:
        return Verdict("pace_slow", None, None, target, "wpm", explanation="Too little speech to time.",
                       severity="low")
    if wpm >= s.pace_min_wpm:
        return Verdict("pace_slow", True, wpm, target, "wpm",
                       explanation=f"Not dragging: {wpm:.0f} words a minute.", severity="low")
    return Verdict("pace_slow", False, wpm, target, "wpm", explanation=(
        f"You spoke at {wpm:.0f} words a minute (each pause counted up to {PAUSE_IN_PACE_MAX_S:g} s), "
        f"slower than about {s.pace_min_wpm:.0f}. Slow is good for the ask itself, but keep the lead-in "
        "moving so it does not drag."), severity="low")


def hedges_in_request(t: TakeResult) -> tuple:
    """The hedges inside the request's sentence (by word index): THE count every page quotes."""
    r = t.request
    if r is None:
        return ()
    rs = t.sentences[r.sentence_index]
    return tuple(h for h in t.hedges if rs.first_word <= h.word_index <= rs.last_word)


def _no_words(code: str, target: str) -> Verdict:
    """A rate per 100 words with no words to count: not judged."""
    return Verdict(code, None, None, target, "per 100 words", explanation="No words to count.", severity="low")


def _few(code: str, found, rate: float, target: str, more: str = "") -> Verdict:
    """Met: few (or no) hedges or fillers, ``found`` (markers) at ``rate`` per 100 words."""
    return Verdict(code, True, rate, target, "per 100 words", severity="low", explanation=(
        f"Few {code}: {len(found)} ({rate:.1f} per 100 words){more}." if found else f"No {code}."))


def hedges(t: TakeResult, s: CoachSettings) -> Verdict:
    """Hedges at ``hedges_per_100`` per 100 words or more, or any hedge inside the request."""
    target = f"under {s.hedges_per_100:g} per 100 words, none in the request"
    rate = t.hedges_per_100
    if rate is None:
        return _no_words("hedges", target)
    inside = hedges_in_request(t)
    if rate < s.hedges_per_100 and not inside:
        return _few("hedges", t.hedges, rate, target, ", none in your request")
    h = (inside or t.hedges)[0]
    n_in = "one" if len(inside) == 1 else str(len(inside))
    where = f", {n_in} inside your request at {fmt_time(h.start_s)}" if inside else ""
    return Verdict("hedges", False, rate, target, "per 100 words", h.start_s, None,
                   f"{len(t.hedges)} hedge{'s' if len(t.hedges) > 1 else ''} ({_list(t.hedges)}){where}. "
                   "Hedging softens the ask; say it plainly and let it stand.", "medium" if inside else "low")


def fillers(t: TakeResult, s: CoachSettings) -> Verdict:
    target = f"under {s.fillers_per_100:g} per 100 words"
    rate = t.fillers_per_100
    if rate is None:
        return _no_words("fillers", target)
    if not t.fillers or rate < s.fillers_per_100:
        return _few("fillers", t.fillers, rate, target)
    return Verdict("fillers", False, rate, target, "per 100 words", t.fillers[0].start_s, None,
                   f"{len(t.fillers)} filler{'s' if len(t.fillers) > 1 else ''} ({_list(t.fillers)}), "
                   f"{rate:.0f} per 100 words, the first at {fmt_time(t.fillers[0].start_s)}. "
                   "A short silence sounds more confident than a filler.", "low")


def monotone(t: TakeResult, s: CoachSettings) -> Verdict:
    target = f"a pitch range of at least {s.monotone_st:g} semitones"
    if t.pitch_range_st is None:
        return Verdict("monotone", None, None, target, "semitones", explanation="Pitch not measured.",
                       severity="low")
    if t.pitch_range_st >= s.monotone_st:
        return Verdict("monotone", True, t.pitch_range_st, target, "semitones",
                       explanation=f"Your voice moved over {t.pitch_range_st:.1f} semitones.", severity="low")
    return Verdict("monotone", False, t.pitch_range_st, target, "semitones", explanation=(
        f"Your pitch stayed within {t.pitch_range_st:.1f} semitones; it can sound flat. Let your voice "
        "move, and lean on the words that matter: the action and the date."), severity="low")


# ---- words: Push and Pull ----------------------------------------------------------------

def _side(t: TakeResult, s: CoachSettings, code: str, this: str, other: str, message: str,
          severity: str) -> Verdict:
    """push_only / pull_only: missed when ``this`` side alone was heard over at least
    ``balance_min_sentences`` Push or Pull sentences; met when the ``other`` side was heard too;
    not judged with only this side in fewer sentences (too few to say), or with neither."""
    b, n = t.balance, _n_push_pull(t)
    target = f"some {other.capitalize()} too"
    alone = getattr(b, f"{this}_only")
    if getattr(b, f"{other}_share") > 0 and not alone:
        return Verdict(code, True, n, target, "sentences",
                       explanation="You used both Push and Pull." if getattr(b, f"{this}_share") > 0
                       else f"Some {other.capitalize()}.", severity=severity)
    if alone and n >= s.balance_min_sentences:
        return Verdict(code, False, n, target, "sentences", explanation=message, severity=severity)
    return Verdict(code, None, n, target, "sentences", explanation=(
        f"Only {this.capitalize()}, in fewer than {s.balance_min_sentences} Push or Pull sentences: too few to judge."
        if alone else "No Push or Pull sentence."), severity=severity)


def push_only(t: TakeResult, s: CoachSettings) -> Verdict:
    """No Pull at all (``Balance.push_only``) over at least ``balance_min_sentences`` sentences."""
    return _side(t, s, "push_only", "push", "pull",
                 "Every sentence was Push (proposing, reasoning, stating expectations). Mix in some Pull: ask an "
                 "open question about your manager's view, or name what you both want.", "low")


def pull_only(t: TakeResult, s: CoachSettings) -> Verdict:
    return _side(t, s, "pull_only", "pull", "push",
                 "Every sentence was Pull: you asked and listened but did not say what you want. Add a clear "
                 "proposal and state your expectation.", "medium")


#: Every check, in the order its tip ranks within one severity. A new check is one function
#: returning a :class:`~voicecoach.coaching.verdict.Verdict` and one row here.
CHECKS: tuple[tuple[str, Check], ...] = (
    ("no_request", no_request), ("vague_request", vague_request), ("short_wait", short_wait),
    ("end_drop", end_drop), ("uptalk", uptalk), ("pace_fast", pace_fast), ("pace_slow", pace_slow),
    ("hedges", hedges), ("fillers", fillers), ("monotone", monotone), ("long_ask", long_ask),
    ("push_only", push_only), ("pull_only", pull_only),
)
CODES = tuple(code for code, _ in CHECKS)
#: Checks that rest on the words (what was said, or how many words): not judged (met None) when
#: a caution says the words cannot be trusted (``TakeResult.words_trusted``); the caution says why.
WORD_TIPS = frozenset({"no_request", "vague_request", "short_wait", "long_ask", "pace_fast", "pace_slow",
                       "hedges", "fillers", "push_only", "pull_only"})
UNTRUSTED = "Not judged: the words could not be trusted (see the warnings)."


def check(take: TakeResult, *, settings: CoachSettings | None = None) -> tuple[Verdict, ...]:
    """Every check of :data:`CHECKS` on ``take``, in that order: one verdict each. When the words
    cannot be trusted, the checks of :data:`WORD_TIPS` are not judged (met None)."""
    s = settings or CoachSettings()
    out = []
    for code, fn in CHECKS:
        v = fn(take, s)
        if code in WORD_TIPS and not take.words_trusted:
            v = _replace(v, met=None, explanation=UNTRUSTED)
        out.append(v)
    return tuple(out)


def tips_of(verdicts, *, settings: CoachSettings | None = None) -> tuple[Feedback, ...]:
    """The tips: the missed verdicts, high severity first, then in :data:`CHECKS` order, at most
    ``settings.max_items``."""
    s = settings or CoachSettings()
    missed = sorted((v for v in verdicts if v.met is False),
                    key=lambda v: (SEVERITIES.index(v.severity), CODES.index(v.code) if v.code in CODES else 99))
    return tuple(Feedback.of(v) for v in missed[: s.max_items])


def coach(take: TakeResult, *, settings: CoachSettings | None = None) -> tuple[Feedback, ...]:
    """The take's tips (:func:`tips_of` of :func:`check`)."""
    return tips_of(check(take, settings=settings), settings=settings)


def coached(take: TakeResult, *, settings: CoachSettings | None = None) -> TakeResult:
    """``take`` with its verdicts and its tips, computed once."""
    verdicts = check(take, settings=settings)
    return _replace(take, verdicts=verdicts, feedback=tips_of(verdicts, settings=settings))


_MISSING = {"action": "an action", "object": "what exactly", "time": "a time"}


def _n_push_pull(t: TakeResult) -> int:
    return sum(1 for x in t.sentences if x.tag in ("push", "pull"))


def _list(markers, n: int = 3) -> str:
    seen: list[str] = []
    for mk in markers:
        if mk.text.lower() not in seen:
            seen.append(mk.text.lower())
    return ", ".join(f"“{t}”" for t in seen[:n])
