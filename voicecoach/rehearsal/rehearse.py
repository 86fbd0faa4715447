"""Rehearse a whole conversation: the manager's branching script and a small state machine.

A script is data (``voicecoach/rehearsal/scripts/<scenario>.toml``, read with :mod:`tomllib`): the
manager's line for each step, the checks that judge the user's reply
(:mod:`voicecoach.coaching.conversation_checks`), and the branches to the next step. The built-in
scenarios are those of :data:`voicecoach.coaching.scenarios.SCENARIOS`; ``"own"`` (the user's own
situation) is templated from the saved preparation.

Script format
-------------
``scenario`` (id), ``start`` (the first step), ``pushback_priority`` (which of the scenario's
manager priorities is the reason for not agreeing yet: ``{priority}`` in the lines), and
``[steps.<id>]`` tables, each with

- ``moment``: opening | feedback | ask | pushback | close (:data:`MOMENTS`);
- ``line``: what the manager says; or a table of lines by the outcome decided so far
  (``agreed``, ``agreed_with_conditions``, ``not_yet``), for the close;
- ``checks``: the codes that judge the reply (:data:`voicecoach.coaching.conversation_checks.CODES`);
- ``next``: the branches, tried in order; the first whose conditions all hold is taken. A branch
  has ``to`` (the next step), ``why`` (shown afterwards), optional ``outcome`` and conditions
  ``if_met`` / ``if_missed`` (checks of this reply met / not met) and ``if_ever_met`` (met in any
  reply so far). The last branch has no condition. A step without ``next`` ends the conversation.

Lines may use ``{priority}``, ``{priority2}``, ``{objective}``, ``{action}``, ``{object}`` (what
is asked for, "what you are asking for" when the objective names no object), ``{time}``,
``{when}`` (", <time>" or "") and ``{title}``.

The engine (:class:`Rehearsal`) never does I/O: the caller analyses each reply as a take
(:func:`voicecoach.analysis.analyse` with ``objective=script.objective``) and passes it to
:meth:`Rehearsal.answer`.
"""
from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, replace
from importlib import resources
from typing import Sequence

from ..coaching import scenarios as _scenarios
from .conversation import OUTCOMES, ConversationResult, Turn, summarise
from ..coaching.conversation_checks import CODES, CheckSettings, judge
from ..result import TakeResult
from ..coaching.verdict import Verdict

__all__ = ["MOMENTS", "OWN", "ScriptError", "Branch", "Step", "Script", "ManagerLine", "TurnResult",
           "Rehearsal", "load_script", "scenario_ids", "parse_script"]

MOMENTS = ("opening", "feedback", "ask", "pushback", "close")
OWN = "own"  # the user's own situation, templated from the preparation
_DEFAULT_OWN_PRIORITIES = ("the team's workload this quarter", "what it would cost, in time and money",
                           "how it would look to the rest of the team")


class ScriptError(ValueError):
    """A script that cannot be rehearsed (unknown scenario, a broken file, no preparation):
    the message says what and what to do."""


@dataclass(frozen=True)
class Branch:
    """One way on from a step: taken when all its conditions hold."""

    to: str | None
    why: str
    outcome: str | None = None
    if_met: tuple[str, ...] = ()
    if_missed: tuple[str, ...] = ()
    if_ever_met: tuple[str, ...] = ()

    def holds(self, verdicts: dict[str, bool | None], ever_met: set[str]) -> bool:
        return (all(verdicts.get(c) is True for c in self.if_met)
                and all(verdicts.get(c) is not True for c in self.if_missed)
                and all(c in ever_met for c in self.if_ever_met))


@dataclass(frozen=True)
class Step:
    """One manager line (or, for the close, one line per outcome) and how the reply is judged."""

    id: str
    moment: str
    lines: tuple[tuple[str, str], ...]  # (outcome or "" for any, text)
    checks: tuple[str, ...]
    next: tuple[Branch, ...] = ()

    def line_for(self, outcome: str | None) -> str:
        d = dict(self.lines)
        return d.get(outcome or "", d.get("", d.get("not_yet", next(iter(d.values())))))


@dataclass(frozen=True)
class Script:
    """A whole branching conversation, templated and checked (:func:`load_script`)."""

    scenario: str
    title: str
    objective: str
    priorities: tuple[str, ...]
    start: str
    steps: tuple[Step, ...]

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def to_dict(self) -> dict:
        """The script as plain data (saved with a conversation, so resuming it needs no file)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Script":
        steps = tuple(Step(id=s["id"], moment=s["moment"], lines=tuple(tuple(x) for x in s["lines"]),
                           checks=tuple(s["checks"]),
                           next=tuple(Branch(**{k: tuple(v) if isinstance(v, list) else v for k, v in b.items()})
                                      for b in s["next"])) for s in d["steps"])
        return cls(scenario=d["scenario"], title=d["title"], objective=d["objective"],
                   priorities=tuple(d["priorities"]), start=d["start"], steps=steps)

    @property
    def max_turns(self) -> int:
        """The most replies any path through the script takes."""
        def longest(sid: str, seen: frozenset) -> int:
            s = self.step(sid)
            nxt = [b.to for b in s.next if b.to is not None and b.to not in seen]
            return 1 + max((longest(t, seen | {t}) for t in nxt), default=0)
        return longest(self.start, frozenset({self.start}))


@dataclass(frozen=True)
class ManagerLine:
    """What the manager says now: the moment, the script's step id, the text, and why this line
    (the branch that led here; "" for the first line)."""

    moment: str
    step: str
    text: str
    why: str = ""

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class TurnResult:
    """The user's reply to one manager line, judged: the take, the moment's checks, the branch."""

    line: ManagerLine
    take: TakeResult
    checks: tuple[Verdict, ...]
    next_line: ManagerLine | None  # None: the conversation is over
    outcome: str | None  # decided at this turn (or earlier), else None
    manager_audio_s: float | None = None

    @property
    def turn(self) -> Turn:
        """The stored form of this turn (:class:`voicecoach.rehearsal.conversation.Turn`)."""
        return Turn(step=self.line.step, moment=self.line.moment, manager=self.line.text, manager_why=self.line.why,
                    manager_audio_s=self.manager_audio_s, you=self.take.to_dict(), checks=self.checks,
                    next_step=self.next_line.step if self.next_line else None,
                    branch=self.next_line.why if self.next_line else "", outcome=self.outcome)


class Rehearsal:
    """A small pure state machine over a :class:`Script`.

    ``current`` is the manager's line awaiting a reply (None once finished); :meth:`answer`
    judges the reply (a :class:`voicecoach.result.TakeResult`), chooses the branch and moves on;
    :meth:`result` is the conversation so far. ``turns`` (stored :class:`Turn` s) resumes a
    conversation: their verdicts are replayed through the same branches, nothing is re-analysed.
    """

    def __init__(self, script: Script, *, settings: CheckSettings | None = None, turns: Sequence[Turn] = ()):
        self.script, self.settings = script, settings or CheckSettings()
        self._turns: list[Turn] = []
        self._ever_met: set[str] = set()
        self._outcome: str | None = None
        self._current: ManagerLine | None = self._line(script.start, "")
        for t in turns:
            if self._current is None or t.step != self._current.step:
                raise ScriptError(f"saved turn at step {t.step!r} does not follow the script "
                                  f"(expected {self._current.step if self._current else 'the end'!r}); "
                                  "start a new rehearsal")
            self._advance(t.checks)
            self._turns.append(replace(t, next_step=self._current.step if self._current else None,
                                       outcome=self._outcome))

    @property
    def current(self) -> ManagerLine | None:
        return self._current

    @property
    def finished(self) -> bool:
        return self._current is None

    @property
    def turns(self) -> tuple[Turn, ...]:
        return tuple(self._turns)

    def answer(self, take: TakeResult, *, manager_audio_s: float | None = None) -> TurnResult:
        """Judge ``take`` (the reply to :attr:`current`) and move to the next line.
        ``manager_audio_s``: the length of the manager's rendered line, when it was played
        (else the talk share estimates it from its words)."""
        if self._current is None:
            raise ScriptError("the conversation is over; there is no manager line left to reply to")
        line = self._current
        checks = judge(take, self.script.step(line.step).checks, settings=self.settings)
        self._advance(checks)
        tr = TurnResult(line=line, take=take, checks=checks, next_line=self._current, outcome=self._outcome,
                        manager_audio_s=manager_audio_s)
        self._turns.append(tr.turn)
        return tr

    def result(self) -> ConversationResult:
        s = self.script
        return ConversationResult(scenario=s.scenario, title=s.title, objective=s.objective, turns=tuple(self._turns),
                                  outcome=self._outcome if self.finished else None, finished=self.finished,
                                  summary=summarise(self._turns))

    def _advance(self, checks: Sequence[Verdict]) -> None:
        step = self.script.step(self._current.step)
        verdicts = {v.code: v.met for v in checks}
        self._ever_met |= {c for c, met in verdicts.items() if met}
        branch = next((b for b in step.next if b.holds(verdicts, self._ever_met)), None)
        if branch is None or branch.to is None:
            self._current = None
            return
        if branch.outcome:
            self._outcome = branch.outcome
        self._current = self._line(branch.to, branch.why)

    def _line(self, step_id: str, why: str) -> ManagerLine:
        st = self.script.step(step_id)
        return ManagerLine(moment=st.moment, step=st.id, text=st.line_for(self._outcome), why=why)


def scenario_ids() -> tuple[str, ...]:
    """Every id :func:`load_script` accepts: the built-in scenarios, then ``"own"``."""
    return tuple(s.id for s in _scenarios.SCENARIOS) + (OWN,)


def load_script(scenario_id: str, *, preparation=None) -> Script:
    """The script of a built-in scenario, or of the user's own situation (``"own"``).

    ``preparation``: the saved preparation (:class:`voicecoach.store.takes.Preparation`, or anything
    with ``objective``, ``scenario`` and ``situation``), needed for ``"own"``: its objective and
    that objective's parts (:func:`voicecoach.wording.check_specificity`) fill the lines; the
    manager's priorities are those of the scenario it started from, else general ones. A built-in
    scenario uses the preparation's objective when given, else the scenario's example.

    Raises
    ------
    ScriptError
        Unknown id, no preparation for ``"own"``, or a script file that is not valid.
    """
    from ..wording import check_specificity

    prep_objective = (getattr(preparation, "objective", "") or "").strip()
    if scenario_id == OWN:
        if not prep_objective:
            raise ScriptError("rehearsing your own situation needs your influence objective: write it on the Prepare "
                              f"page first, or pick a built-in scenario ({', '.join(scenario_ids()[:-1])})")
        base = _scenarios.by_id(getattr(preparation, "scenario", None))
        priorities = base.manager_priorities if base else _DEFAULT_OWN_PRIORITIES
        title, objective = "Your own situation", prep_objective
    else:
        sc = _scenarios.by_id(scenario_id)
        if sc is None:
            raise ScriptError(f"unknown scenario {scenario_id!r}; choose one of {', '.join(scenario_ids())}")
        title, priorities = sc.title, sc.manager_priorities
        objective = prep_objective if getattr(preparation, "scenario", None) == scenario_id and prep_objective \
            else sc.example_objective
    name = f"{scenario_id}.toml"
    try:
        text = resources.files("voicecoach.rehearsal").joinpath("scripts", name).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as e:
        raise ScriptError(f"the script {name} is missing from voicecoach/rehearsal/scripts ({e}); reinstall voicecoach") from None
    spec = check_specificity(objective)
    thing = spec.object if spec.object and len(spec.object.split()) > 1 else "what you are asking for"
    values = {"objective": objective.rstrip("."), "title": title, "action": spec.action or "agree",
              "object": thing, "time": spec.time or "soon", "when": f", {spec.time}" if spec.time else ""}
    return parse_script(text, name=name, title=title, objective=objective, priorities=tuple(priorities), values=values)


def parse_script(text: str, *, name: str, title: str, objective: str, priorities: tuple[str, ...],
                 values: dict[str, str] | None = None) -> Script:
    """A script from its TOML ``text``, templated and checked (every step reachable by name, every
    check known, every moment known, the last branch of each step unconditional)."""
    try:
        d = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScriptError(f"{name} is not valid TOML ({e}); fix the file") from None
    k = int(d.get("pushback_priority", 0))
    vals = {"priority": priorities[k % len(priorities)] if priorities else "the timing",
            "priority2": priorities[(k + 1) % len(priorities)] if priorities else "the timing", **(values or {})}

    def fill(s: str, where: str) -> str:
        try:
            return s.format_map(vals)
        except (KeyError, IndexError, ValueError) as e:
            raise ScriptError(f"{name}: {where} uses an unknown placeholder ({e}); use one of {sorted(vals)}") from None

    steps = []
    for sid, raw in (d.get("steps") or {}).items():
        moment = raw.get("moment")
        if moment not in MOMENTS:
            raise ScriptError(f"{name}: step {sid!r} has moment {moment!r}; use one of {MOMENTS}")
        line = raw.get("line")
        lines = ((("", line),) if isinstance(line, str) else tuple((o, l) for o, l in (line or {}).items()))
        if not lines or any(o not in ("",) + OUTCOMES for o, _ in lines):
            raise ScriptError(f"{name}: step {sid!r} needs a line (text, or a table by outcome {OUTCOMES})")
        checks = tuple(raw.get("checks", ()))
        bad = [c for c in checks if c not in CODES]
        branches = tuple(Branch(to=b.get("to"), why=fill(b.get("why", ""), f"step {sid!r}"), outcome=b.get("outcome"),
                                if_met=tuple(b.get("if_met", ())), if_missed=tuple(b.get("if_missed", ())),
                                if_ever_met=tuple(b.get("if_ever_met", ()))) for b in raw.get("next", ()))
        bad += [c for b in branches for c in b.if_met + b.if_missed + b.if_ever_met if c not in CODES]
        if bad:
            raise ScriptError(f"{name}: step {sid!r} names unknown checks {bad}; use some of {list(CODES)}")
        if branches and (branches[-1].if_met or branches[-1].if_missed or branches[-1].if_ever_met):
            raise ScriptError(f"{name}: the last branch of step {sid!r} must have no condition (the default)")
        if any(b.outcome is not None and b.outcome not in OUTCOMES for b in branches):
            raise ScriptError(f"{name}: step {sid!r} has an outcome outside {OUTCOMES}")
        steps.append(Step(id=sid, moment=moment, lines=tuple((o, fill(l, f"step {sid!r}")) for o, l in lines),
                          checks=checks, next=branches))
    ids = {s.id for s in steps}
    start = d.get("start")
    missing = sorted({b.to for s in steps for b in s.next if b.to is not None and b.to not in ids}
                     | ({start} - ids))
    if missing:
        raise ScriptError(f"{name}: steps {missing} are named but not defined; add [steps.<id>] for each")
    return Script(scenario=str(d.get("scenario", name.removesuffix(".toml"))), title=title, objective=objective,
                  priorities=priorities, start=start, steps=tuple(steps))
