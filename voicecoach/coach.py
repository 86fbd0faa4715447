"""Turn measurements into a few prioritised tips, each tied to its moment in the take.

Thresholds are :class:`CoachSettings` fields; their defaults are documented in the README.
The texts follow the coaching model in ``../shared/GUIDE.md``, in our own words.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

__all__ = ["CoachSettings", "Feedback", "coach", "SEVERITIES", "CODES", "fmt_time"]

SEVERITIES = ("high", "medium", "low")
#: Every code the coach can raise, in the order it ranks them within one severity.
CODES = (
    "no_request", "vague_request", "short_wait", "end_drop", "uptalk", "pace_fast", "pace_slow",
    "hedges", "fillers", "monotone", "long_ask", "push_only", "pull_only",
)


@dataclass(frozen=True)
class CoachSettings:
    pace_min_wpm: float = 100.0  # slower than this over the take: pace_slow
    pace_max_wpm: float = 160.0  # faster than this over the take: pace_fast
    end_drop_db: float = 9.5  # final word(s) this much quieter than the sentence body: end_drop
    uptalk_st: float = 2.0  # pitch rise over the final word of a statement or request: uptalk
    monotone_st: float = 4.0  # pitch range (5th-95th percentile) below this: monotone
    wait_target_s: float = 2.0  # silence to hold after the request: shorter is short_wait
    fillers_per_100: float = 3.0  # fillers per 100 words at or above this: fillers
    hedges_per_100: float = 3.0  # hedges per 100 words at or above this (or one in the request)
    long_ask_words: int = 90  # more words than this before the request ends: long_ask
    balance_min_sentences: int = 3  # push_only / pull_only need this many tagged sentences
    max_items: int = 5


@dataclass(frozen=True)
class Feedback:
    code: str
    severity: str  # high | medium | low
    message: str
    start_s: float | None
    end_s: float | None

    def to_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "message": self.message,
                "start": self.start_s, "end": self.end_s}


def fmt_time(t: float | None) -> str:
    if t is None:
        return "?"
    m, s = divmod(int(round(t)), 60)
    return f"{m}:{s:02d}"


def _quote(text: str, n: int = 8) -> str:
    words = text.split()
    return "“" + ("…" if len(words) > n else "") + " ".join(words[-n:]) + "”"


def coach(m, *, settings: CoachSettings | None = None) -> list[Feedback]:
    """Prioritised feedback for one analysed take.

    Parameters
    ----------
    m : Measurements
        The take's measurements (see ``voicecoach.analysis.Measurements``): ``delivery``,
        ``tags``, ``request``, ``request_pause``, ``fillers``, ``hedges``, ``balance``.
    """
    s = settings or CoachSettings()
    d = m.delivery
    items: list[Feedback] = []
    add = items.append
    sents = d.sentences
    req = m.request_index

    # What you want: the request, its specificity, and the wait after it.
    if req is None:
        add(Feedback("no_request", "high",
            "No sentence asked your manager to do something. Say the action you want, with a time: "
            "for example “Please enrol me on the leadership course before the March intake.”",
            None, None))
    else:
        rs, spec = sents[req], m.tags[req].specificity
        if spec is not None and not spec.is_specific:
            what = (f"asks for “{spec.vague_terms[0]}”" if spec.vague_terms
                    else "is missing " + " and ".join({"action": "a concrete action", "object": "what exactly",
                                                       "time": "a time"}[k] for k in spec.missing))
            add(Feedback("vague_request", "high",
                f"Your request {_quote(rs.text)} {what}. Say what agreement looks like: enrol me on a "
                "named course, email me the invitation to the conference, give me a slot to present at "
                "the next leadership meeting — and by when.", rs.start_s, rs.end_s))
        p = m.request_pause
        if p is not None and p.pause_after_s < s.wait_target_s:
            if p.still_waiting:
                msg = (f"The recording stopped {p.pause_after_s:.1f} s after your request. Keep recording "
                       f"and hold the silence for at least {s.wait_target_s:.0f} s: the wait is part of the ask.")
            else:
                msg = (f"After your request you spoke again within {p.pause_after_s:.1f} s. State your "
                       f"expectation, then stop: hold the silence for at least {s.wait_target_s:.0f} s so "
                       "your manager has room to answer.")
            add(Feedback("short_wait", "high", msg, p.speech_end_s, round(p.speech_end_s + p.pause_after_s, 3)))
        if rs.last_word + 1 > s.long_ask_words:
            add(Feedback("long_ask", "low",
                f"It took {rs.last_word + 1} words to reach your request. Keep the lead-in short: the "
                "proposal, one or two reasons that matter to your manager, then the ask.", 0.0, rs.end_s))

    # Music: strength to the end, intonation, pace, variety.
    dropped = [x for x in sents if x.end_drop_db is not None and x.end_drop_db >= s.end_drop_db]
    if dropped:
        x = max(dropped, key=lambda x: x.end_drop_db)
        more = f" ({len(dropped)} sentences do this)" if len(dropped) > 1 else ""
        add(Feedback("end_drop", "medium",
            f"Your voice fades at the end of {_quote(x.text)}: the last word is {x.end_drop_db:.0f} dB "
            f"quieter than the rest of the sentence{more}. Keep your strength to the final word.",
            x.start_s, x.end_s))
    rising = [x for x in sents if x.end_pitch_st is not None and x.end_pitch_st >= s.uptalk_st
              and m.tags[x.index].tag != "pull"]
    if rising:
        x = max(rising, key=lambda x: x.end_pitch_st)
        add(Feedback("uptalk", "medium",
            f"Your pitch rises {x.end_pitch_st:.1f} semitones on the last word of {_quote(x.text)}. A rise "
            "makes a statement or a request sound unsure; let the pitch come down at the end.",
            x.start_s, x.end_s))
    timed = [x for x in sents if x.wpm is not None and x.n_words >= 4]
    if d.wpm is not None and d.wpm > s.pace_max_wpm:
        x = max(timed, key=lambda x: x.wpm) if timed else None
        add(Feedback("pace_fast", "medium",
            f"You spoke at {d.wpm:.0f} words a minute; a calm conversational pace is about "
            f"{s.pace_min_wpm:.0f}–{s.pace_max_wpm:.0f}. Slow down, above all in the sentence that carries "
            "your request." + (f" Fastest: {_quote(x.text)} at {x.wpm:.0f}." if x else ""),
            x.start_s if x else None, x.end_s if x else None))
    elif d.wpm is not None and d.wpm < s.pace_min_wpm:
        add(Feedback("pace_slow", "low",
            f"You spoke at {d.wpm:.0f} words a minute, slower than about {s.pace_min_wpm:.0f}. Slow is good "
            "for the ask itself, but keep the lead-in moving so it does not drag.", None, None))
    n = max(d.n_words, 1)
    req_hedges = [h for h in m.hedges if req is not None and sents[req].first_word <= h.word_index <= sents[req].last_word]
    if m.hedges and (100 * len(m.hedges) / n >= s.hedges_per_100 or req_hedges):
        h = (req_hedges or list(m.hedges))[0]
        where = f", one inside your request at {fmt_time(h.start_s)}" if req_hedges else ""
        add(Feedback("hedges", "medium" if req_hedges else "low",
            f"{len(m.hedges)} hedge{'s' if len(m.hedges) > 1 else ''} ({_list(m.hedges)}){where}. "
            "Hedging softens the ask; say it plainly and let it stand.", h.start_s, None))
    if m.fillers and 100 * len(m.fillers) / n >= s.fillers_per_100:
        add(Feedback("fillers", "low",
            f"{len(m.fillers)} filler{'s' if len(m.fillers) > 1 else ''} ({_list(m.fillers)}), "
            f"{100 * len(m.fillers) / n:.0f} per 100 words, the first at {fmt_time(m.fillers[0].start_s)}. "
            "A short silence sounds more confident than a filler.", m.fillers[0].start_s, None))
    if d.pitch_range_st is not None and d.pitch_range_st < s.monotone_st:
        add(Feedback("monotone", "low",
            f"Your pitch stayed within {d.pitch_range_st:.1f} semitones; it can sound flat. Let your voice "
            "move, and lean on the words that matter: the action and the date.", None, None))

    # Words: Push and Pull.
    tagged = [t.tag for t in m.tags if t.tag in ("push", "pull")]
    if len(tagged) >= s.balance_min_sentences and set(tagged) == {"push"}:
        add(Feedback("push_only", "low",
            "Every sentence was Push (proposing, reasoning, stating expectations). Mix in some Pull: ask an "
            "open question about your manager's view, or name what you both want.", None, None))
    elif len(tagged) >= s.balance_min_sentences and set(tagged) == {"pull"}:
        add(Feedback("pull_only", "medium",
            "Every sentence was Pull: you asked and listened but did not say what you want. Add a clear "
            "proposal and state your expectation.", None, None))

    items.sort(key=lambda f: (SEVERITIES.index(f.severity), CODES.index(f.code)))
    return items[: s.max_items]


def _list(markers, n: int = 3) -> str:
    seen: list[str] = []
    for mk in markers:
        if mk.text.lower() not in seen:
            seen.append(mk.text.lower())
    return ", ".join(f"“{t}”" for t in seen[:n])
