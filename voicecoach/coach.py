"""Turn a take's measurements into a few prioritised tips, each tied to its moment in the take.

Coaching is a table of small checks (:data:`CHECKS`): one function per tip holding its rule,
its threshold (a :class:`CoachSettings` field) and its message. The table's order is the rank
within a severity; adding a tip means adding a function and a row. The texts follow the coaching
model in ``../shared/GUIDE.md``, in our own words.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .delivery import count_words
from .format import fmt_time, quote
from .result import Feedback, TakeResult
from .specificity import ask_words, hear_ask, misheard
from .wording import per_100_words

__all__ = ["CoachSettings", "Feedback", "coach", "SEVERITIES", "CHECKS", "CODES", "WORD_TIPS"]

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


Check = Callable[[TakeResult, CoachSettings], "Feedback | None"]


# ---- what you want: the request, its specificity, the wait after it ----------------------

def no_request(t: TakeResult, s: CoachSettings) -> Feedback | None:
    """No request in the take. Not said when words were heard with low confidence
    (:func:`voicecoach.specificity.misheard`): the request may be among them."""
    if t.request is not None or misheard(t.words):
        return None
    return Feedback("no_request", "high",
                    "No sentence asked your manager to do something. Say the action you want, with a time: "
                    "for example “Please enrol me on the leadership course before the March intake.”",
                    None, None)


def vague_request(t: TakeResult, s: CoachSettings) -> Feedback | None:
    """The request is not specific: it lacks a concrete action, its object or a time. Not said
    when a part it names rests on words heard with low confidence
    (:meth:`voicecoach.specificity.HeardAsk.rests_on_guess`): the page says we may have misheard."""
    r = t.request
    spec = r.specificity if r else None
    if spec is None or spec.is_specific:
        return None
    x = t.sentences[r.sentence_index]
    if hear_ask(ask_words(t.words, x.first_word, x.last_word)).rests_on_guess(spec.missing):
        return None
    what = (f"asks for “{spec.vague_terms[0]}”" if spec.vague_terms
            else "is missing " + " and ".join({"action": "a concrete action", "object": "what exactly",
                                               "time": "a time"}[k] for k in spec.missing))
    return Feedback("vague_request", "high",
                    f"Your request {quote(r.text)} {what}. Say what agreement looks like: enrol me on a named "
                    "course, email me the invitation to the conference, give me a slot to present at the next "
                    "leadership meeting — and by when.", r.start_s, r.end_s)


def short_wait(t: TakeResult, s: CoachSettings) -> Feedback | None:
    r = t.request
    if r is None or r.pause_after_s >= s.wait_target_s:
        return None
    if r.still_waiting and any(c.code == "truncated" for c in t.warnings):
        return None  # the file was cut off there, not the recording: the caution says so
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
    return Feedback("short_wait", "high", msg, r.speech_end_s, round(r.speech_end_s + r.pause_after_s, 3))


def long_ask(t: TakeResult, s: CoachSettings) -> Feedback | None:
    r = t.request
    if r is None or r.words_to_request <= s.long_ask_words:
        return None
    return Feedback("long_ask", "low",
                    f"It took {r.words_to_request} words to reach your request. Keep the lead-in short: the "
                    "proposal, one or two reasons that matter to your manager, then the ask.", 0.0, r.end_s)


# ---- music: strength to the end, intonation, pace, variety -------------------------------

def end_drop(t: TakeResult, s: CoachSettings) -> Feedback | None:
    dropped = [x for x in t.sentences if x.end_drop_db is not None and x.end_drop_db >= s.end_drop_db]
    if not dropped:
        return None
    x = max(dropped, key=lambda x: x.end_drop_db)
    more = f" ({len(dropped)} sentences do this)" if len(dropped) > 1 else ""
    return Feedback("end_drop", "medium",
                    f"Your voice fades at the end of {quote(x.text)}: the last word is {x.end_drop_db:.0f} dB "
                    f"quieter than the rest of the sentence{more}. Keep your strength to the final word.",
                    x.start_s, x.end_s)


def uptalk(t: TakeResult, s: CoachSettings) -> Feedback | None:
    """A rise at the end of a complete statement or request (a Pull question may rise, and so
    may a fragment cut by a pause in mid-sentence: the voice rises because the sentence goes on)."""
    rising = [x for x in t.sentences if x.end_pitch_st is not None and x.end_pitch_st >= s.uptalk_st
              and x.tag != "pull" and x.is_complete]
    if not rising:
        return None
    x = max(rising, key=lambda x: x.end_pitch_st)
    return Feedback("uptalk", "medium",
                    f"Your pitch rises {x.end_pitch_st:.1f} semitones on the last word of {quote(x.text)}. A rise "
                    "makes a statement or a request sound unsure; let the pitch come down at the end.",
                    x.start_s, x.end_s)


def pace_fast(t: TakeResult, s: CoachSettings) -> Feedback | None:
    """Speaking pace (each pause counted up to 1 s, ``delivery.measure_pace``) above
    ``pace_max_wpm``; names the fastest sentence of at least ``min_timed_words`` words."""
    wpm = t.pace.speaking_wpm
    if wpm is None or wpm <= s.pace_max_wpm:
        return None
    timed = [x for x in t.sentences if x.wpm is not None and x.n_words >= s.min_timed_words]
    x = max(timed, key=lambda x: x.wpm) if timed else None
    where = (" Slow down, above all in the sentence that carries your request." if t.request
             else " Slow down: it gives each point room to land.")
    return Feedback("pace_fast", "medium",
                    f"You spoke at {wpm:.0f} words a minute (each pause counted up to 1 s); "
                    f"a calm conversational pace is about {s.pace_min_wpm:.0f}–{s.pace_max_wpm:.0f}.{where}"
                    + (f" The most hurried sentence: {quote(x.text)}." if x else ""),
                    x.start_s if x else None, x.end_s if x else None)


def pace_slow(t: TakeResult, s: CoachSettings) -> Feedback | None:
    wpm = t.pace.speaking_wpm
    if wpm is None or wpm >= s.pace_min_wpm:
        return None
    return Feedback("pace_slow", "low",
                    f"You spoke at {wpm:.0f} words a minute (each pause counted up to 1 s), "
                    f"slower than about {s.pace_min_wpm:.0f}. Slow is good for the ask itself, but keep the lead-in "
                    "moving so it does not drag.", None, None)


def hedges(t: TakeResult, s: CoachSettings) -> Feedback | None:
    """Hedges at ``hedges_per_100`` per 100 words or more, or any hedge inside the request."""
    if not t.hedges:
        return None
    r = t.request
    inside = []
    if r is not None:
        rs = t.sentences[r.sentence_index]
        inside = [h for h in t.hedges if rs.first_word <= h.word_index <= rs.last_word]
    if per_100_words(len(t.hedges), _n_words(t)) < s.hedges_per_100 and not inside:
        return None
    h = (inside or list(t.hedges))[0]
    where = f", one inside your request at {fmt_time(h.start_s)}" if inside else ""
    return Feedback("hedges", "medium" if inside else "low",
                    f"{len(t.hedges)} hedge{'s' if len(t.hedges) > 1 else ''} ({_list(t.hedges)}){where}. "
                    "Hedging softens the ask; say it plainly and let it stand.", h.start_s, None)


def fillers(t: TakeResult, s: CoachSettings) -> Feedback | None:
    rate = per_100_words(len(t.fillers), _n_words(t))
    if not t.fillers or rate < s.fillers_per_100:
        return None
    return Feedback("fillers", "low",
                    f"{len(t.fillers)} filler{'s' if len(t.fillers) > 1 else ''} ({_list(t.fillers)}), "
                    f"{rate:.0f} per 100 words, the first at {fmt_time(t.fillers[0].start_s)}. "
                    "A short silence sounds more confident than a filler.", t.fillers[0].start_s, None)


def monotone(t: TakeResult, s: CoachSettings) -> Feedback | None:
    if t.pitch_range_st is None or t.pitch_range_st >= s.monotone_st:
        return None
    return Feedback("monotone", "low",
                    f"Your pitch stayed within {t.pitch_range_st:.1f} semitones; it can sound flat. Let your voice "
                    "move, and lean on the words that matter: the action and the date.", None, None)


# ---- words: Push and Pull ----------------------------------------------------------------

def push_only(t: TakeResult, s: CoachSettings) -> Feedback | None:
    """No Pull at all (``Balance.push_only``) over at least ``balance_min_sentences`` sentences."""
    if not (t.balance.push_only and _n_push_pull(t) >= s.balance_min_sentences):
        return None
    return Feedback("push_only", "low",
                    "Every sentence was Push (proposing, reasoning, stating expectations). Mix in some Pull: ask an "
                    "open question about your manager's view, or name what you both want.", None, None)


def pull_only(t: TakeResult, s: CoachSettings) -> Feedback | None:
    if not (t.balance.pull_only and _n_push_pull(t) >= s.balance_min_sentences):
        return None
    return Feedback("pull_only", "medium",
                    "Every sentence was Pull: you asked and listened but did not say what you want. Add a clear "
                    "proposal and state your expectation.", None, None)


#: Every tip, in the order it ranks within one severity.
CHECKS: tuple[tuple[str, Check], ...] = (
    ("no_request", no_request), ("vague_request", vague_request), ("short_wait", short_wait),
    ("end_drop", end_drop), ("uptalk", uptalk), ("pace_fast", pace_fast), ("pace_slow", pace_slow),
    ("hedges", hedges), ("fillers", fillers), ("monotone", monotone), ("long_ask", long_ask),
    ("push_only", push_only), ("pull_only", pull_only),
)
CODES = tuple(code for code, _ in CHECKS)
#: Tips that rest on the words (what was said, or how many words): left out when a caution says
#: the words cannot be trusted (``TakeResult.words_trusted``); the caution says why.
WORD_TIPS = frozenset({"no_request", "vague_request", "short_wait", "long_ask", "pace_fast", "pace_slow",
                       "hedges", "fillers", "push_only", "pull_only"})


def coach(take: TakeResult, *, settings: CoachSettings | None = None) -> tuple[Feedback, ...]:
    """The take's tips: every check that fires, high severity first, then in :data:`CHECKS`
    order, at most ``settings.max_items``. When the words cannot be trusted, the tips of
    :data:`WORD_TIPS` are left out."""
    s = settings or CoachSettings()
    skip = frozenset() if take.words_trusted else WORD_TIPS
    items = [f for code, check in CHECKS if code not in skip and (f := check(take, s)) is not None]
    items.sort(key=lambda f: (SEVERITIES.index(f.severity), CODES.index(f.code)))
    return tuple(items[: s.max_items])


def _n_words(t: TakeResult) -> int:
    return count_words(t.words)


def _n_push_pull(t: TakeResult) -> int:
    return sum(1 for x in t.sentences if x.tag in ("push", "pull"))


def _list(markers, n: int = 3) -> str:
    seen: list[str] = []
    for mk in markers:
        if mk.text.lower() not in seen:
            seen.append(mk.text.lower())
    return ", ".join(f"“{t}”" for t in seen[:n])
