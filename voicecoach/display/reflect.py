"""Looking back: the questions to answer after a practice take or the real meeting, and the
numbers from a take to put beside each question.

Everything here reads a take's result (:class:`voicecoach.result.TakeResult`, e.g.
``Take.result``) and the prepared objective; nothing is measured or judged again: "what worked"
lists the coach's met verdicts (``TakeResult.verdicts``), and the take's warnings come along. :func:`take_facts` gathers the facts
(the request against the objective is :func:`voicecoach.display.explain.compare_objective`, the same
comparison the Practise page shows), :func:`beside` words them, question by question. The answers are saved with
:meth:`voicecoach.store.takes.TakeStore.add_reflection` under the question ids.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..coaching.coach import CoachSettings
from .explain import TIP_TITLES, ObjectiveComparison, compare_objective
from ..format import fmt_balance, fmt_num
from ..coaching.scenarios import PULL_PROMPTS
from ..result import TakeResult
from ..store.takes import Preparation

__all__ = ["Question", "PRACTICE_QUESTIONS", "MEETING_QUESTIONS", "TakeFacts", "take_facts", "beside",
           "meeting_beside", "questions_for", "prepared_questions", "conversation_beside"]


@dataclass(frozen=True)
class Question:
    id: str  # the key of the answer in Reflection.answers
    prompt: str


_STATED = Question("stated", "Did you say clearly what you wanted?")
_QUESTIONS = Question("questions", "Did you ask the questions you meant to ask?")
_TIME = Question("time", "Where did you spend most of your time: Push or Pull?")
_MOVED = Question("moved", "Did you move between Push and Pull, or stay stuck in one?")
_WORKED = Question("worked", "What worked well?")
_DIFFERENTLY = Question("differently", "What would you do differently next time?")

PRACTICE_QUESTIONS: tuple[Question, ...] = (
    _STATED, Question("concise", "Were your proposals short and to the point?"), _QUESTIONS,
    _TIME, _MOVED, _WORKED, _DIFFERENTLY)
MEETING_QUESTIONS: tuple[Question, ...] = (
    Question("objective_met", "Did you meet your influence objective?"),
    Question("relationship", "Is your working relationship with your manager stronger for it?"),
    Question("impact", "What impact did you want to have, and what impact did you have?"),
    _STATED, _QUESTIONS,
    Question("feedback", "Did you share your own feedback: what you valued, and what you struggled with?"),
    _TIME, _MOVED, _WORKED, _DIFFERENTLY)

_PART_NAMES = {"action": "the action", "object": "what you ask for", "time": "the time"}


@dataclass(frozen=True)
class TakeFacts:
    """What one take says about the afterwards questions. None: not measured in this take."""

    request_text: str | None  # None: no request found
    request_missing: tuple[str, ...]  # parts of ("action", "object", "time") the request lacks
    pause_after_s: float | None  # silence held after the request
    still_waiting: bool | None  # the recording ended during that silence
    ask_words: int | None  # words from the start of the take to the end of the request
    push_sentences: int
    push_words_mean: float | None  # words per Push sentence
    push_words_max: int | None
    push_share: float | None  # 0..1 of the speaking time in tagged sentences
    pull_share: float | None
    move_away_share: float | None
    switches: int  # changes between Push and Pull, sentence to sentence
    pull_questions: tuple[str, ...]  # Pull sentences that invite the manager's view (a question, or involving)
    pull_other: tuple[str, ...]  # the other Pull sentences (listening, disclosing, common ground, vision)
    speaking_wpm: float | None
    fillers_per_100: float | None
    hedges_per_100: float | None
    tips: tuple[str, ...]  # the coaching tips in a few words (explain.TIP_TITLES), most important first
    objective: ObjectiveComparison | None  # the request against the objective (explain.compare_objective);
    # None when no objective was prepared
    objective_text: str = ""  # the objective as written (blank: none prepared)
    prepared_questions: tuple[str, ...] = ()  # the questions written on the Prepare page (prepared_questions)
    worked: tuple[str, ...] = ()  # the met verdicts' explanations (WORKED_CODES order): what went well
    warnings: tuple[str, ...] = ()  # the take's cautions: why some numbers may not hold


#: The checks whose met verdict is named under "What worked well?", in this order.
WORKED_CODES = ("vague_request", "short_wait", "pace", "fillers", "hedges", "long_ask", "balance")


def prepared_questions(prep: Preparation | None) -> tuple[str, ...]:
    """The questions the user wrote on the Prepare page (the Pull prompt "Your questions"), one
    per line or per question mark, without list bullets or numbers. An older preparation kept
    only as one Pull text gives its lines (the prompts' headings left out)."""
    if prep is None:
        return ()
    text = prep.notes.get("questions", "")
    if not text.strip():
        headings = {f"{p.label}:" for p in PULL_PROMPTS}
        text = "\n".join(line for line in prep.pull_notes.splitlines() if line.strip() not in headings)
    out: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-*•·]|\d+[.)])\s*", "", line).strip()
        out += [q for q in re.split(r"(?<=\?)\s+", line) if q.strip()]
    return tuple(dict.fromkeys(out))


def take_facts(result: TakeResult | dict, *, objective: str = "", questions: tuple[str, ...] = ()) -> TakeFacts:
    """The facts of one take's result (``Take.result``; a saved analysis dict is read with
    :meth:`TakeResult.from_dict`), compared with ``objective`` and with the ``questions``
    prepared (:func:`prepared_questions`)."""
    t = result if isinstance(result, TakeResult) else TakeResult.from_dict(result)
    req = t.request
    push = [x.n_words for x in t.sentences if x.tag == "push"]
    pull = [x for x in t.sentences if x.tag == "pull"]
    asks = [x.text.rstrip().endswith("?") or x.behaviour == "involving" for x in pull]
    spec = req.specificity if req else None
    return TakeFacts(
        request_text=req.text if req else None,
        request_missing=tuple(spec.missing) if spec else (),
        pause_after_s=t.pause_after_s,
        still_waiting=None if t.still_waiting is None else bool(t.still_waiting),
        ask_words=req.words_to_request if req else None,
        push_sentences=len(push),
        push_words_mean=sum(push) / len(push) if push else None,
        push_words_max=max(push) if push else None,
        push_share=t.push_share, pull_share=t.pull_share, move_away_share=t.move_away_share,
        switches=t.balance.switches,
        pull_questions=tuple(x.text for x, q in zip(pull, asks) if q),
        pull_other=tuple(x.text for x, q in zip(pull, asks) if not q),
        speaking_wpm=t.speaking_wpm,
        fillers_per_100=t.fillers_per_100, hedges_per_100=t.hedges_per_100,
        tips=tuple(TIP_TITLES.get(f.code, _first_sentence(f.message)) for f in t.feedback),
        objective=compare_objective(objective, req.text if req else None),
        objective_text=objective.strip(), prepared_questions=tuple(questions),
        worked=_worked(t), warnings=tuple(c.message for c in t.warnings),
    )


def _worked(t: TakeResult) -> tuple[str, ...]:
    """The met verdicts of :data:`WORKED_CODES`, in words (the verdict's own explanation)."""
    v = {x.code: x for x in t.verdicts}

    def met(*codes: str) -> bool:
        return all(c in v and v[c].met is True for c in codes)
    out = []
    for code in WORKED_CODES:
        if code == "pace":
            if met("pace_fast", "pace_slow"):
                lo, hi = _band(v)
                out.append(f"A calm pace: {t.speaking_wpm:.0f} words a minute (within {lo}–{hi}).")
        elif code == "balance":
            if met("push_only", "pull_only") and t.push_share and t.pull_share and t.balance.switches:
                out.append("You used both Push and Pull.")
        elif met(code):
            out.append(v[code].explanation)
    return tuple(out)


def _band(v: dict) -> tuple[str, str]:
    """The pace band as the pace verdicts state it ("at least 100 wpm", "at most 160 wpm")."""
    return v["pace_slow"].target.split()[2], v["pace_fast"].target.split()[2]


def _first_sentence(text: str) -> str:
    """Up to the first full stop followed by a space (a tip without a title)."""
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def _and(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return " and ".join(filter(None, (", ".join(items[:-1]), items[-1]))) if items else ""


def _against_objective(c: ObjectiveComparison | None) -> str:
    """One line: the parts of the objective the request said, changed or left out."""
    if c is None:
        return "No objective prepared: write one on the Prepare page to compare it with your request."
    if c.asked is None:
        return "Nothing to compare with your objective: this take has no request."
    by = {v: [p for p in c.parts if p.verdict == v] for v in ("same", "different", "left out")}
    if not any(by.values()):
        return "Your objective names no action, object or time to look for in the request."

    def listed(verdict: str, show) -> list[str]:
        return [_and([f"{_PART_NAMES[p.part]} ({show(p)})" for p in by[verdict]])] if by[verdict] else []
    said = [f"you said {x}" for x in listed("same", lambda p: _quote(p.asked, 60))]
    changed = [f"you changed {x}" for x in listed(
        "different", lambda p: f"{_quote(p.planned, 60)} to {_quote(p.asked, 60)}")]
    left = [f"you left out {x}" for x in listed("left out", lambda p: _quote(p.planned, 60))]
    return "Compared with your objective: " + "; ".join(said + changed + left) + "."


def _quote(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return f"\u201c{text if len(text) <= limit else text[:limit - 1] + '…'}\u201d"


def beside(facts: TakeFacts, *, settings: CoachSettings | None = None) -> dict[str, tuple[str, ...]]:
    """The lines to show beside each practice question (by question id), in plain text.

    Thresholds (wait target, pace band, fillers, hedges, long ask) come from ``settings``,
    default :class:`voicecoach.coaching.coach.CoachSettings`.
    """
    s = settings or CoachSettings()
    f = facts
    stated: list[str] = [f"Your objective: {_quote(f.objective_text, 300)}"] if f.objective_text else []
    if f.request_text is None:
        stated.append("No sentence in this take asked your manager for something.")
    else:
        stated.append(f"Your request: {_quote(f.request_text)}")
        stated.append("It named an action, what you want and when." if not f.request_missing else
                      "It left out " + _and([_PART_NAMES[m] for m in f.request_missing]) + ".")
        if f.pause_after_s is not None:
            waiting = ", and were still waiting when the recording stopped." if f.still_waiting else "."
            stated.append(f"You held {fmt_num(f.pause_after_s, 1)} s of silence after it "
                          f"(aim for {s.wait_target_s:g} s or more){waiting}")
    stated.append(_against_objective(f.objective))

    concise = []
    if f.ask_words is not None:
        concise.append(f"{f.ask_words} words up to the end of your request (over {s.long_ask_words} is long).")
    concise.append("No Push sentence in this take." if not f.push_sentences else
                   f"1 Push sentence, {f.push_words_max} words long." if f.push_sentences == 1 else
                   f"{f.push_sentences} Push sentences: {f.push_words_mean:.0f} words on average, "
                   f"the longest {f.push_words_max}.")

    n, m = len(f.pull_questions), len(f.pull_other)
    questions = [f"{n} question{'s' * (n != 1)} inviting your manager's view (Pull sentences that ask)"
                 + (":" if n else ".")] + [_quote(q) for q in f.pull_questions]
    if m:
        questions += [f"{m} other Pull sentence{'s' * (m != 1)} (listening, sharing your doubts, common ground):"]
        questions += [_quote(q) for q in f.pull_other]
    elif not n:
        questions.append("No Pull sentence at all in this take.")
    questions += _prepared(f.prepared_questions)

    time = []
    if f.push_share is not None:
        time.append("Your speaking time in Push / Pull / Move Away: "
                    f"{fmt_balance(f.push_share, f.pull_share, f.move_away_share)}.")
        gap = f.push_share - f.pull_share
        time.append("Most of it in Push." if gap > 0.1 else "Most of it in Pull." if gap < -0.1
                    else "About even between Push and Pull.")
    moved = [f"{f.switches} change{'s' * (f.switches != 1)} between Push and Pull."]
    if f.push_share and not f.pull_share:
        moved.append("No Pull at all: you stayed in Push.")
    elif f.pull_share and not f.push_share:
        moved.append("No Push at all: you stayed in Pull.")

    worked = list(f.worked)
    return {
        "stated": tuple(stated), "concise": tuple(concise), "questions": tuple(questions),
        "time": tuple(time), "moved": tuple(moved),
        "worked": tuple(worked) or ("None of the measures stood out this time.",),
        "differently": tuple(f.tips) or ("No coaching tips for this take.",),
    }


def _prepared(questions: tuple[str, ...]) -> list[str]:
    """The lines naming the questions prepared on the Prepare page, to set against those asked."""
    if not questions:
        return ["You wrote no questions on the Prepare page: write them there to check them here next time."]
    n = len(questions)
    return [f"The {n} question{'s' * (n != 1)} you prepared:"] + [_quote(q) for q in questions]


def meeting_beside(objective: str, *, questions: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    """The lines to show beside the after-the-meeting questions: the prepared objective (beside
    whether you met it and whether you stated it) and the questions prepared."""
    if not objective.strip():
        planned = ("No objective prepared: the Prepare page keeps one for next time.",)
    else:
        planned = (f"Your objective: {_quote(objective, 300)}",)
    return {"objective_met": planned, "stated": planned, "questions": tuple(_prepared(tuple(questions)))}


def questions_for(kind: str) -> tuple[Question, ...]:
    """The questions of a reflection ``kind``: 'practice' or 'meeting'."""
    if kind not in ("practice", "meeting"):
        raise ValueError(f"kind is {kind!r}; use 'practice' or 'meeting'")
    return PRACTICE_QUESTIONS if kind == "practice" else MEETING_QUESTIONS


def conversation_beside(result) -> dict[str, tuple[str, ...]]:
    """The numbers of a rehearsed conversation (a :class:`voicecoach.rehearsal.conversation.ConversationResult`
    or its saved dict) beside the guide's afterwards questions (:data:`MEETING_QUESTIONS`' ids):
    the outcome, the Push/Pull shares and switches, the wait after the ask, and the checks met and
    missed, as the saved verdicts have them (nothing judged again)."""
    from ..rehearsal.conversation import ConversationResult
    from .conversation_report import OUTCOME_TEXT

    r = result if isinstance(result, ConversationResult) else ConversationResult.from_dict(result)
    s = r.summary
    verdicts = [(t.moment, v) for t in r.turns for v in t.checks if v.met is not None]
    met = [f"{m}: {v.explanation}" for m, v in verdicts if v.met]
    missed = [f"{m}: {v.explanation}" for m, v in verdicts if not v.met]
    ask = [v for m, v in verdicts if m == "ask"]
    wait = ("no request found in your ask" if s.wait_after_ask_s is None else
            f"you waited {s.wait_after_ask_s:.1f} s after your ask"
            + (" (still waiting when the turn ended)" if s.still_waiting else ""))
    return {
        "objective_met": (f"Outcome: {OUTCOME_TEXT.get(r.outcome, r.outcome)}",
                          *((f"Objective: {r.objective}",) if r.objective else ())),
        "stated": (*(f"{'✓' if v.met else '✗'} {v.explanation}" for v in ask), wait),
        "time": (f"Push / Pull / Move Away: {fmt_balance(s.push_share, s.pull_share, s.move_away_share)} of "
                 "your speaking time",),
        "moved": (f"{s.switches} switch{'es' if s.switches != 1 else ''} between Push and Pull",),
        "worked": (f"Checks met: {s.checks_met} of {s.checks_total}", *met),
        "differently": (f"Checks missed: {len(missed)}" if missed else "Checks missed: none", *missed),
    }
