"""The result of a rehearsed conversation: its turns, the outcome and the whole-conversation summary.

:class:`ConversationResult` is what :meth:`voicecoach.rehearsal.rehearse.Rehearsal.result` gives and what the
store keeps; :meth:`ConversationResult.to_dict` is the conversation contract of
``../shared/DESIGN.md`` (``schema_version`` 1; more keys may be added). Each turn keeps the user's
reply as the take contract (``TakeResult.to_dict()``), so a saved conversation reads back with
:meth:`ConversationResult.from_dict` and every number here is computed from those dicts alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..coaching.verdict import Verdict

__all__ = ["SCHEMA_VERSION", "OUTCOMES", "MANAGER_WPM", "Turn", "Summary", "ConversationResult", "summarise",
           "manager_seconds", "user_seconds"]

SCHEMA_VERSION = 1
OUTCOMES = ("agreed", "agreed_with_conditions", "not_yet")
MANAGER_WPM = 160.0  # the manager's words per minute, when the length of the spoken line is not known


@dataclass(frozen=True)
class Turn:
    """One exchange: the manager's line and the user's reply (the take contract), judged."""

    step: str  # the script's step id: opening, feedback, feedback_press, ask, ask_clarify, ...
    moment: str  # opening | feedback | ask | pushback | close
    manager: str  # the manager's line (text)
    manager_why: str  # why the manager said this line ("" for the first)
    manager_audio_s: float | None  # length of the rendered line, when it was played
    you: dict  # the reply, as the take contract (TakeResult.to_dict())
    checks: tuple[Verdict, ...]
    next_step: str | None  # the step that followed (None: the conversation ended)
    branch: str  # why that step followed ("" when the conversation ended)
    outcome: str | None = None  # the outcome decided so far

    def to_dict(self) -> dict:
        return {"step": self.step, "moment": self.moment, "manager": self.manager, "manager_why": self.manager_why,
                "manager_audio_s": self.manager_audio_s, "you": self.you,
                "checks": [{**v.to_dict(), "message": v.explanation} for v in self.checks],
                "next_step": self.next_step, "branch": self.branch, "outcome": self.outcome}

    @classmethod
    def from_dict(cls, d: dict) -> "Turn":
        return cls(step=d["step"], moment=d["moment"], manager=d["manager"], manager_why=d.get("manager_why", ""),
                   manager_audio_s=d.get("manager_audio_s"), you=d["you"],
                   checks=tuple(Verdict.from_dict(v) for v in d.get("checks", ())),
                   next_step=d.get("next_step"), branch=d.get("branch", ""), outcome=d.get("outcome"))


@dataclass(frozen=True)
class Summary:
    """The whole conversation in numbers (shares 0..1 of the user's sentence time)."""

    push_share: float
    pull_share: float
    move_away_share: float
    switches: int  # changes between Push and Pull over all the user's sentences, in order
    talk_share: float | None  # user speaking time / (user + manager), None with no time at all
    user_speaking_s: float  # the user's sentences, end minus start, summed over the turns
    manager_speaking_s: float  # the manager's lines: rendered length, else words at MANAGER_WPM
    checks_met: int
    checks_total: int  # verdicts that could be judged (met is not None)
    wait_after_ask_s: float | None  # silence held after the request in the (last) ask turn
    still_waiting: bool | None  # that turn ended while still waiting
    speaking_wpm: float | None  # over all turns, weighted by words
    end_drop_db: float | None  # the weakest sentence end over all turns (the largest end drop), as a take's:
    # a fading ask is never hidden by the sentences that do not fade
    end_drop_text: str | None = None  # that sentence

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class ConversationResult:
    scenario: str
    title: str
    objective: str
    turns: tuple[Turn, ...]
    outcome: str | None  # one of OUTCOMES once finished, else None
    finished: bool
    summary: Summary = field(default=None)

    def __post_init__(self):
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise ValueError(f"outcome {self.outcome!r} is not one of {OUTCOMES}")
        if self.summary is None:
            object.__setattr__(self, "summary", summarise(self.turns))

    @property
    def checks(self) -> tuple[Verdict, ...]:
        return tuple(v for t in self.turns for v in t.checks)

    def to_dict(self) -> dict:
        """The conversation contract of DESIGN.md (schema_version 1), plus a few extra keys."""
        return {
            "schema_version": SCHEMA_VERSION, "scenario": self.scenario, "title": self.title,
            "objective": self.objective, "finished": self.finished, "outcome": self.outcome,
            "moments": [t.to_dict() for t in self.turns],
            "summary": self.summary.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "ConversationResult":
        turns = tuple(Turn.from_dict(t) for t in d.get("moments", ()))
        return cls(scenario=d["scenario"], title=d.get("title", d["scenario"]), objective=d.get("objective", ""),
                   turns=turns, outcome=d.get("outcome"), finished=bool(d.get("finished", d.get("outcome"))),
                   summary=summarise(turns))


def manager_seconds(turn: Turn) -> float:
    """How long the manager's line took: its rendered audio, else its words at :data:`MANAGER_WPM`."""
    if turn.manager_audio_s is not None:
        return float(turn.manager_audio_s)
    return len(turn.manager.split()) / MANAGER_WPM * 60.0


def user_seconds(you: dict) -> float:
    """The user's speaking time in one reply: its sentences, end minus start (the silences between
    sentences and the wait after the request are not talk)."""
    return float(sum(max(0.0, s["end"] - s["start"]) for s in you.get("sentences") or []))


def summarise(turns) -> Summary:
    """The :class:`Summary` of ``turns`` (computed from their take dicts alone)."""
    sentences = [s for t in turns for s in t.you.get("sentences") or []]
    time = {"push": 0.0, "pull": 0.0, "move_away": 0.0, "neutral": 0.0}
    for s in sentences:
        time[s.get("tag", "neutral")] = time.get(s.get("tag", "neutral"), 0.0) + max(0.0, s["end"] - s["start"])
    total = sum(time.values())
    share = {k: (v / total if total > 0 else 0.0) for k, v in time.items()}
    sides = [s["tag"] for s in sentences if s.get("tag") in ("push", "pull")]
    user_s = sum(user_seconds(t.you) for t in turns)
    manager_s = sum(manager_seconds(t) for t in turns)
    verdicts = [v for t in turns for v in t.checks if v.met is not None]
    ask = [t for t in turns if t.moment == "ask" and (t.you.get("request") or None)]
    req = ask[-1].you["request"] if ask else None
    words = [(len(t.you.get("words") or []), (t.you.get("pace") or {}).get("speaking_wpm")) for t in turns]
    timed = [(n, w) for n, w in words if n and w]
    measured = [s for s in sentences if s.get("end_drop_db") is not None]
    weakest = max(measured, key=lambda s: s["end_drop_db"]) if measured else None  # the first on a tie
    return Summary(
        push_share=round(share["push"], 3), pull_share=round(share["pull"], 3),
        move_away_share=round(share["move_away"], 3), switches=sum(1 for a, b in zip(sides, sides[1:]) if a != b),
        talk_share=round(user_s / (user_s + manager_s), 3) if user_s + manager_s > 0 else None,
        user_speaking_s=round(user_s, 2), manager_speaking_s=round(manager_s, 2),
        checks_met=sum(1 for v in verdicts if v.met), checks_total=len(verdicts),
        wait_after_ask_s=None if req is None else req.get("pause_after_s"),
        still_waiting=None if req is None else bool(req.get("still_waiting")),
        speaking_wpm=round(sum(n for n, _ in timed) / sum(n / w for n, w in timed), 1) if timed else None,
        end_drop_db=None if weakest is None else round(weakest["end_drop_db"], 1),
        end_drop_text=None if weakest is None else weakest.get("text"),
    )
