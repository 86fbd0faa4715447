"""What the user prepares before practising: built-in scenarios and the preparation prompts.

A scenario is a common ask with what the manager probably cares about and one concrete
influence objective as an example (each passes :func:`voicecoach.wording.check_specificity`).
The prompts are the Push and Pull preparation of the coaching model; the user's answers are
saved by prompt id (:meth:`voicecoach.store.takes.TakeStore.save_preparation`, ``notes``) and joined
into one readable text per side by :func:`notes_text`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Scenario", "Prompt", "SCENARIOS", "PUSH_PROMPTS", "PULL_PROMPTS", "PROMPTS",
           "OBJECTIVE_EXAMPLES", "by_id", "notes_text"]


@dataclass(frozen=True)
class Scenario:
    """A built-in situation to start from."""

    id: str  # stored in Preparation.scenario and Take.scenario
    title: str
    situation: str  # the situation in two sentences
    manager_priorities: tuple[str, ...]  # what the manager probably weighs
    example_objective: str  # a specific influence objective (action, object, time)


@dataclass(frozen=True)
class Prompt:
    """One preparation question; the answer is saved under ``id``."""

    id: str
    side: str  # "push" | "pull"
    label: str
    placeholder: str


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        id="course", title="A place on a course",
        situation="There is a course you want to take, and its next intake is coming up. You need your "
                  "manager to approve the time away and the cost.",
        manager_priorities=(
            "who covers your work while you are away",
            "the training budget left this year",
            "skills the team is short of and would use straight away",
            "being seen to grow people in the team",
        ),
        example_objective="My manager agrees to enrol me on the facilitation skills course before the April intake.",
    ),
    Scenario(
        id="conference", title="A conference invitation",
        situation="A conference in your field is coming up and you would like to go, or to speak. Places "
                  "are arranged through your manager.",
        manager_priorities=(
            "the travel budget and the days out of the office",
            "what you will bring back and share with the team",
            "how the team is seen outside the organisation",
            "deadlines that fall in the same week",
        ),
        example_objective="My manager sends me an email invitation to the data engineering conference by Friday.",
    ),
    Scenario(
        id="leadership_slot", title="A slot at the next leadership meeting",
        situation="You have an idea that would help beyond your team, and you want to present it to the "
                  "leadership group yourself rather than have it passed on.",
        manager_priorities=(
            "the leadership agenda is short and heavily contested",
            "ideas that save money, time or risk",
            "not surprising their own peers",
            "that you arrive well prepared and brief",
        ),
        example_objective="My manager gives me a ten-minute slot at the next leadership meeting to present "
                          "my onboarding proposal.",
    ),
    Scenario(
        id="stretch_role", title="A stretch role",
        situation="A piece of work a level above your current role is starting, such as leading a "
                  "project or covering for a team lead, and you want it.",
        manager_priorities=(
            "the risk to delivery if it goes wrong",
            "who picks up your current work",
            "growing people who could step up later",
            "fairness to others who might want it",
        ),
        example_objective="My manager puts me forward to lead the billing migration project from the start "
                          "of next quarter.",
    ),
)

PUSH_PROMPTS: tuple[Prompt, ...] = (
    Prompt("proposals", "push", "Your proposals, and the reasons that matter to your manager",
           "What you propose, and why it helps with what your manager cares about most."),
    Prompt("enjoyed", "push", "What you enjoyed lately, and what you did not",
           "Projects, people, stretch work, the way you work: what gave you energy and what drained it."),
    Prompt("next", "push", "What you want next, by when, and the support you need",
           "The next step you want, the date it should happen by, and what you need from your manager."),
)
PULL_PROMPTS: tuple[Prompt, ...] = (
    Prompt("questions", "pull", "Your questions: what you do not know and are curious about",
           "Open questions about your manager's view, their plans and their pressures."),
    Prompt("common_ground", "pull", "Common ground and shared hopes",
           "What you already agree on, how your skills complement theirs, what you both hope for."),
)
PROMPTS: tuple[Prompt, ...] = PUSH_PROMPTS + PULL_PROMPTS

OBJECTIVE_EXAMPLES: tuple[str, ...] = (
    "enrol me on a named course",
    "send me an email invitation to the conference",
    "give me a slot to present my idea at the next leadership meeting",
)

_BY_ID = {s.id: s for s in SCENARIOS}


def by_id(scenario_id: str | None) -> Scenario | None:
    """The built-in scenario with this id; None for None, "" or an unknown id (a scenario
    removed since it was saved reads as the user's own situation)."""
    return _BY_ID.get(scenario_id) if scenario_id else None


def notes_text(prompts: tuple[Prompt, ...], notes: Mapping[str, str]) -> str:
    """The answers to ``prompts`` as one readable text: each non-blank answer under its prompt,
    separated by a blank line ("" when nothing is written)."""
    return "\n\n".join(f"{p.label}:\n{notes[p.id].strip()}" for p in prompts if notes.get(p.id, "").strip())
