"""What a take's numbers mean, in plain words: the headline verdicts with their targets, the
transcript sentence by sentence (tag, behaviour, why, the request, fillers and hedges), the
request against the influence objective, and where each tip's moment is in the take.

Pure: reads a :class:`voicecoach.result.TakeResult` and returns small frozen dataclasses of
plain text for the studio to lay out. A headline's colour is the verdict the coach computed
once (``TakeResult.verdicts``, :mod:`voicecoach.coaching.coach`): "attention" exactly when that check was
missed, so the headline and the tips never disagree; targets are quoted from
:class:`voicecoach.coaching.coach.CoachSettings`. Texts follow ``../shared/GUIDE.md``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Sequence

from ..coaching.coach import CoachSettings
from ..format import END_DROP_NAME, end_drop_help, fmt_balance, fmt_db, fmt_time
from ..result import Feedback, TakeResult
from ..speech.delivery import PAUSE_IN_PACE_MAX_S
from ..wording.specificity import HeardAsk, Specificity, ask_words, hear_ask, misheard, typed_words
from ..types import Word
from ..wording import Marker

__all__ = [
    "TAG_NAMES", "TAG_COLOURS", "BEHAVIOUR_TEXT", "STAGE_TEXT", "SEVERITY_TEXT", "PLAY_LEAD_S", "PLAY_SPAN_S",
    "TIP_TITLES", "PART_LABELS", "MATCH_TEXT", "Headline", "Token", "SentenceView", "PartComparison",
    "ObjectiveComparison", "Tip",
    "headline", "transcript", "word_marks", "request_verdict", "compare_objective", "compare_take", "request_words",
    "misheard_line", "tips", "play_window",
]

TAG_NAMES = {"push": "Push", "pull": "Pull", "move_away": "Move Away", "neutral": "neutral"}
#: Each tag's colour, the same on the pages and in the exported report.
TAG_COLOURS = {"push": "#d95f02", "pull": "#1b9e77", "move_away": "#7570b3", "neutral": "#8a8a8a"}

#: Each behaviour in plain words (what the sentence is doing); None: a neutral sentence.
BEHAVIOUR_TEXT = {
    "proposing": "putting forward an idea", "reasoning": "giving a reason",
    "stating_expectations": "stating an expectation", "evaluating": "judging how something went",
    "incentives": "offering something in return", "involving": "inviting their view",
    "listening": "reflecting back what you heard", "disclosing": "sharing your own doubts or feelings",
    "common_ground": "naming common ground", "shared_vision": "picturing a future together",
    "disengaging": "pausing on purpose", "avoiding": "steering away from a topic",
    None: "neither Push nor Pull",
}

#: What the page says while each stage of :data:`voicecoach.analysis.STAGES` runs.
STAGE_TEXT = {
    "decoding": "Reading the recording", "voice activity": "Finding where you speak and where you pause",
    "transcription": "Writing down your words", "pitch and loudness": "Measuring loudness and pitch",
    "delivery": "Measuring pace, pauses and sentence ends", "wording": "Reading your words: Push, Pull, Move Away",
    "coaching": "Choosing the tips", "done": "Done",
}

SEVERITY_TEXT = {"high": "Most important", "medium": "Worth working on", "low": "A detail"}

#: Each coaching tip (:data:`voicecoach.coaching.coach.CODES`) in a few words: what to do next time.
TIP_TITLES = {
    "no_request": "Say what you want: an action and a time",
    "vague_request": "Make your request specific",
    "short_wait": "Hold the silence after your request",
    "long_ask": "Reach your request sooner",
    "end_drop": "Keep your strength to the last word",
    "uptalk": "Let your pitch come down at the end",
    "pace_fast": "Slow down",
    "pace_slow": "Keep the lead-in moving",
    "hedges": "Say it plainly, without hedges",
    "fillers": "Pause instead of using fillers",
    "monotone": "Let your voice move",
    "push_only": "Add some Pull: ask for their view",
    "pull_only": "Add some Push: say what you want",
}

PLAY_LEAD_S = 1.0  # a tip's moment is played from this many seconds before it starts
PLAY_SPAN_S = 4.0  # a moment with a start and no end is played for this long
PLAY_TAIL_S = 0.5  # and one with an end, this long past it


# ---- the headline ------------------------------------------------------------------------

@dataclass(frozen=True)
class Headline:
    """One headline number: its value with unit, a plain verdict, and what it means."""

    key: str  # pace | end_drop | wait | balance
    label: str
    value: str
    verdict: str
    status: str  # good | attention | unknown
    help: str  # unit, sign convention and target


def headline(t: TakeResult, *, settings: CoachSettings | None = None) -> tuple[Headline, ...]:
    """The four headline numbers: speaking pace, the end drop (of the weakest sentence end), the
    wait after the request, and the Push / Pull / Move Away shares. Each colour is the verdict
    the coach computed (``t.verdicts``): "attention" exactly when that check was missed, "unknown"
    when it could not be judged; ``settings`` only words the targets."""
    s = settings or CoachSettings()
    return (_pace(t, s), _end_drop(t, s), _wait(t, s), _balance(t, s))


def _status(*verdicts) -> str:
    """attention: a check missed; good: all met; unknown: one not judged (or not in the result)."""
    if any(v is not None and v.met is False for v in verdicts):
        return "attention"
    return "good" if all(v is not None and v.met is True for v in verdicts) else "unknown"


def _pace(t: TakeResult, s: CoachSettings) -> Headline:
    wpm, band = t.pace.speaking_wpm, f"{s.pace_min_wpm:.0f}–{s.pace_max_wpm:.0f} wpm"
    help_ = (f"Words per minute while you were speaking (wpm). Each pause counts up to {PAUSE_IN_PACE_MAX_S:g} s, so pausing "
             "between sentences slows it, while holding the wait after your request does not lower it. "
             f"Target: a calm {band}.")
    if wpm is None:
        return Headline("pace", "Speaking pace", "–", "too little speech to time", "unknown", help_)
    fast, slow = t.verdict("pace_fast"), t.verdict("pace_slow")
    status = _status(fast, slow)
    if fast is not None and fast.met is False:
        verdict = f"fast: above {s.pace_max_wpm:.0f}"
    elif slow is not None and slow.met is False:
        verdict = f"slow: below {s.pace_min_wpm:.0f}"
    elif status == "good":
        verdict = f"calm: within {band}"
    else:
        verdict = "not judged: see the warnings"
    return Headline("pace", "Speaking pace", f"{wpm:.0f} wpm", verdict, status, help_)


def _end_drop(t: TakeResult, s: CoachSettings) -> Headline:
    v = t.verdict("end_drop")
    measured = [x for x in t.sentences if x.end_drop_db is not None]
    faded = [x for x in measured if x.end_drop_db >= s.end_drop_db]
    help_ = (end_drop_help(s.end_drop_db) + " In decibels (dB), for your weakest sentence end (the sentence "
             f"whose last word fades most); a sentence fades when its last word is {s.end_drop_db:g} dB or more "
             "quieter than the rest of it. Keep your strength to the final word.")
    if v is None or v.value is None:
        return Headline("end_drop", END_DROP_NAME, "–", "not measured", "unknown", help_)
    x = t.end_drop_sentence
    mine = t.request is not None and x is not None and x.index == t.request.sentence_index
    if v.met is False:
        verdict = ("your request fades" if mine  # short: the pill under the number shows ~25 characters
                   else f"{len(faded)} of {len(measured)} fade (≥ {s.end_drop_db:g} dB)")
    else:
        verdict = f"strong: all under {s.end_drop_db:g} dB"
    return Headline("end_drop", END_DROP_NAME, fmt_db(v.value), verdict, _status(v), help_)


def _wait(t: TakeResult, s: CoachSettings) -> Headline:
    r, target = t.request, f"{s.wait_target_s:g} s"
    help_ = ("Seconds of silence from the end of your request to whatever you said next, or to the end "
             f"of the recording. Target: at least {target}. State your expectation, then stop and let "
             "your manager answer.")
    label = "Wait after the request"
    if r is None:
        return Headline("wait", label, "–", "no request found", "unknown", help_)
    value = f"{r.pause_after_s:.1f} s"
    v = t.verdict("short_wait")
    short = v is not None and v.met is False
    if r.carried_on:
        verdict = "went straight on"
    elif r.still_waiting:  # the recording ended in the silence
        verdict = "held (still waiting at the end)" if not short else "still waiting when you stopped"
    elif short:
        verdict = f"short of the {target} target"
    else:
        verdict = f"held: at least {target}"
    status = _status(v)
    if status == "unknown" and not short:
        verdict = "not judged: see the warnings" if not t.words_trusted else verdict
    return Headline("wait", label, value, verdict, status, help_)


def _balance(t: TakeResult, s: CoachSettings) -> Headline:
    b = t.balance
    value = fmt_balance(b.push_share, b.pull_share, b.move_away_share)
    help_ = ("Share of your sentence time spent in Push (proposing, reasoning, stating what you expect), "
             "Pull (questions, listening, common ground) and Move Away (a deliberate pause); neutral "
             f"sentences make up the rest. All Push or all Pull over {s.balance_min_sentences} or more "
             "sentences is flagged: move between them. With fewer Push or Pull sentences than that, it is not "
             "judged.")
    push, pull = t.verdict("push_only"), t.verdict("pull_only")
    status = _status(push, pull)
    if push is not None and push.met is False:
        verdict = "all Push: add some Pull"
    elif pull is not None and pull.met is False:
        verdict = "all Pull: say what you want"
    elif status == "good":
        n = b.switches
        verdict = f"Push and Pull, {n} switch{'es' if n != 1 else ''}"
    elif not t.words_trusted:
        verdict = "not judged: see the warnings"
    elif b.push_share or b.pull_share:
        verdict = f"only {'Push' if b.push_share else 'Pull'}, too few to judge"  # fewer than the sentences it needs
    else:
        verdict = "no Push or Pull sentence"
    return Headline("balance", "Push / Pull / Move Away", value, verdict, status, help_)


# ---- the transcript ----------------------------------------------------------------------

@dataclass(frozen=True)
class Token:
    """One word as transcribed; ``mark`` is "filler", "hedge" or None."""

    text: str
    start_s: float
    mark: str | None


@dataclass(frozen=True)
class SentenceView:
    """One sentence of the transcript with its tag, behaviour, reason and words."""

    index: int
    start_s: float
    end_s: float
    tag: str  # push | pull | move_away | neutral
    tag_name: str  # Push | Pull | Move Away | neutral
    behaviour: str  # in plain words
    reason: str
    tokens: tuple[Token, ...]
    is_request: bool
    is_main_request: bool
    request_verdict: str | None  # the request's specificity, in words


def word_marks(words: Sequence[Word], *, fillers: Sequence[Marker] = (), hedges: Sequence[Marker] = (),
               tolerance_s: float = 0.02) -> tuple[str | None, ...]:
    """For each word, "filler", "hedge" or None: each marker is matched to the word that starts
    at its start time (within ``tolerance_s``) and covers as many words as its text has."""
    marks: list[str | None] = [None] * len(words)
    starts = [w.start_s for w in words]
    for kind, markers in (("hedge", hedges), ("filler", fillers)):
        for m in markers:
            i = min(range(len(words)), key=lambda k: abs(starts[k] - m.start_s), default=None)
            if i is None or abs(starts[i] - m.start_s) > tolerance_s:
                continue
            for k in range(i, min(i + len(m.text.split()), len(words))):
                marks[k] = kind
    return tuple(marks)


def misheard_line(stretches: Sequence[str]) -> str:
    """“We may have misheard ‘March end tape’: …” for words heard with low confidence."""
    quoted = " or ".join(f"‘{x}’" for x in stretches[:3])
    return f"We may have misheard {quoted}: if that is not what you said, say it again, clearly."


def request_verdict(heard: HeardAsk | None) -> str | None:
    """The specificity of a request in words, its parts quoted as heard; when the verdict would
    rest on words heard with low confidence, that we may have misheard them instead."""
    if heard is None:
        return None
    spec = heard.spec
    if heard.rests_on_guess(_PARTS if spec.is_specific else spec.missing):
        return misheard_line(heard.misheard or misheard(heard.words))
    if spec.is_specific:
        return "specific: " + " · ".join(p.text for p in heard.parts if p.text)
    if spec.vague_terms and ("action" in spec.missing or "object" in spec.missing):
        return f"vague: it asks for “{spec.vague_terms[0]}” rather than something your manager can do"
    return "not specific yet: missing " + " and ".join(_PART_NAMES[k] for k in spec.missing)


def request_words(t: TakeResult, index: int | None = None) -> tuple[Word, ...]:
    """The words the request in sentence ``index`` rests on (default: the take's request; none
    without one): :func:`voicecoach.wording.specificity.ask_words`, as the coach reads them."""
    if index is None:
        if t.request is None:
            return ()
        index = t.request.sentence_index
    s = t.sentences[index]
    return ask_words(t.words, s.first_word, s.last_word)


def transcript(t: TakeResult, *, objective: str = "") -> tuple[SentenceView, ...]:
    """The take sentence by sentence, fillers and hedges marked on their words."""
    marks = word_marks(t.words, fillers=t.fillers, hedges=t.hedges)
    main = t.request.sentence_index if t.request else None
    return tuple(SentenceView(
        index=s.index, start_s=s.start_s, end_s=s.end_s, tag=s.tag, tag_name=TAG_NAMES[s.tag],
        behaviour=BEHAVIOUR_TEXT.get(s.behaviour, (s.behaviour or "").replace("_", " ")), reason=s.reason,
        tokens=tuple(Token(w.text.strip(), w.start_s, marks[k])
                     for k, w in enumerate(t.words[s.first_word: s.last_word + 1], start=s.first_word)),
        is_request=s.is_request, is_main_request=s.index == main,
        request_verdict=request_verdict(hear_ask(request_words(t, s.index)).confirmed_by(objective))
        if s.is_request else None,
    ) for s in t.sentences)


# ---- the request against the objective ---------------------------------------------------

_PART_NAMES = {"action": "a concrete action", "object": "what exactly", "time": "a time"}
_PARTS = ("action", "object", "time")
#: A part's row name and a verdict's words in the planned-against-asked table.
PART_LABELS = {"action": "action", "object": "what", "time": "when"}
MATCH_TEXT = {"same": "✓ same", "different": "changed", "left out": "left out", "added": "added",
              "neither": "–", "uncertain": "may have misheard"}
_FILLER_WORDS = frozenset("a an the my me your our to on for of in at by".split())


@dataclass(frozen=True)
class PartComparison:
    """One row of the table: the part as planned and as asked, each the words written or heard
    (never a word that was not said), and whether they match."""

    part: str  # action | object | time
    planned: str | None
    asked: str | None
    verdict: str  # same | different | left out | added | neither | uncertain (heard with low confidence)


@dataclass(frozen=True)
class ObjectiveComparison:
    """The take's request set against the influence objective."""

    planned: Specificity
    asked: Specificity | None  # None: no request in the take
    parts: tuple[PartComparison, ...]
    summary: str  # 'You planned: “…”. You asked: “…”.' (the two texts in full)
    advice: str  # what to change, or that it matched, or that we may have misheard
    misheard: tuple[str, ...] = ()  # what we may have misheard ("March end tape"): no verdict rests on it


def compare_objective(objective: str, request_text: str | None, *,
                      words: Sequence[Word] | None = None) -> ObjectiveComparison | None:
    """Compare the objective and the request part by part (action, object, time); None when the
    objective is blank.

    ``words`` are the request's words as heard, with Whisper's probabilities (default: the
    text, taken as certain). Each cell quotes the words that carry the part; a part that rests
    on words heard with low confidence (:func:`voicecoach.wording.specificity.hear_ask`) is "uncertain",
    never "same" or "changed", and the advice says we may have misheard it.
    """
    if not objective or not objective.strip():
        return None
    plan = hear_ask(typed_words(objective))
    if request_text is None:
        return ObjectiveComparison(plan.spec, None, (), f"You planned: {_quoted(objective)}. This take has no "
                                   "request.", "Say the request out loud, then wait.")
    heard = hear_ask(typed_words(request_text) if words is None else words).confirmed_by(objective)
    planned, asked = plan.spec, heard.spec
    parts = tuple(PartComparison(
        p, plan.part(p).text, heard.part(p).text,
        "uncertain" if heard.part(p).uncertain else _compare(getattr(planned, p), getattr(asked, p)))
        for p in _PARTS)
    summary_ = f"You planned: {_quoted(objective)}. You asked: {_quoted(request_text)}."
    gaps = [f"{_PART_NAMES[c.part]} ({c.planned})" for c in parts if c.verdict == "left out"]
    changed = [_PART_NAMES[c.part] for c in parts if c.verdict == "different"]
    unsure = heard.misheard if heard.uncertain_parts else ()
    advice = " ".join(x for x in (
        misheard_line(unsure) if unsure else "",
        ("You left out " + " and ".join(gaps) + ".") if gaps else "",
        ("You changed " + " and ".join(changed) + ": was that on purpose?") if changed else "") if x)
    return ObjectiveComparison(planned, asked, parts, summary_, advice or "Your request matches what you planned.",
                               unsure)


def compare_take(objective: str, t: TakeResult) -> ObjectiveComparison | None:
    """:func:`compare_objective` for a take: its request on the words as heard; without a
    request, whether we may have misheard one (the coach then gives no "no request" tip)."""
    if t.request is not None:
        return compare_objective(objective, t.request.text, words=request_words(t))
    c = compare_objective(objective, None)
    unsure = misheard(t.words)
    if c is None or not unsure:
        return c
    return replace(c, advice=misheard_line(unsure) + " Then say your request and wait.", misheard=unsure)


def _quoted(text: str) -> str:
    return "“" + " ".join(text.split()).rstrip(".") + "”"


def _content(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in _FILLER_WORDS}


def _compare(planned: str | None, asked: str | None) -> str:
    if planned is None and asked is None:
        return "neither"
    if asked is None:
        return "left out"
    if planned is None:
        return "added"
    a, b = _content(planned), _content(asked)
    return "same" if a == b or (a and b and (a <= b or b <= a)) else "different"


# ---- the tips and their moments ----------------------------------------------------------

@dataclass(frozen=True)
class Tip:
    """One tip, with the stretch of the take to play for it (whole seconds: the player's unit)."""

    code: str
    severity: str
    severity_text: str
    at: str  # "0:03" or "whole take"
    message: str
    play_start_s: int
    play_end_s: int | None  # None: to the end of the take


def play_window(f: Feedback, *, duration_s: float | None = None) -> tuple[int, int | None]:
    """Where to play a tip's moment: from :data:`PLAY_LEAD_S` before it starts to a little after
    it ends (whole seconds); a whole-take tip plays from the start."""
    if f.start_s is None:
        return 0, None
    start = max(0, math.floor(f.start_s - PLAY_LEAD_S))
    end = math.ceil((f.end_s + PLAY_TAIL_S) if f.end_s is not None else f.start_s + PLAY_SPAN_S)
    if duration_s is not None and end >= duration_s:
        return start, None
    return start, max(end, start + 1)


def tips(t: TakeResult) -> tuple[Tip, ...]:
    """The take's tips, most important first (the coach's order)."""
    return tuple(Tip(f.code, f.severity, SEVERITY_TEXT[f.severity],
                     "whole take" if f.start_s is None else fmt_time(f.start_s), f.message,
                     *play_window(f, duration_s=t.duration_s)) for f in t.feedback)

