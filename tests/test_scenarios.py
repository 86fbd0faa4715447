"""Built-in scenarios and preparation prompts, and their round trip through the real take store."""
import pytest

from voicecoach.coaching.scenarios import (
    OBJECTIVE_EXAMPLES,
    PROMPTS,
    PULL_PROMPTS,
    PUSH_PROMPTS,
    SCENARIOS,
    by_id,
    notes_text,
)
from voicecoach.store.takes import TakeStore
from voicecoach.wording import check_specificity


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_every_example_objective_is_specific(scenario):
    spec = check_specificity(scenario.example_objective)
    assert spec.is_specific, (scenario.id, spec.missing)
    assert scenario.title and scenario.situation and len(scenario.manager_priorities) >= 3


def test_the_four_asks_of_the_brief_are_built_in():
    titles = " / ".join(s.title.lower() for s in SCENARIOS)
    for ask in ("course", "conference invitation", "leadership meeting", "stretch role"):
        assert ask in titles
    assert len({s.id for s in SCENARIOS}) == len(SCENARIOS)


@pytest.mark.parametrize("value, expected", [
    ("course", "course"), ("stretch_role", "stretch_role"), (None, None), ("", None), ("gone", None)],
    ids=["course", "stretch", "none", "blank", "unknown"])
def test_by_id(value, expected):
    found = by_id(value)
    assert (found.id if found else None) == expected


def test_the_guide_examples_name_an_action_and_an_object():
    for example in OBJECTIVE_EXAMPLES:
        spec = check_specificity(example)
        assert spec.action and spec.object, example


def test_prompts_cover_push_and_pull():
    assert [p.id for p in PUSH_PROMPTS] == ["proposals", "enjoyed", "next"]
    assert [p.id for p in PULL_PROMPTS] == ["questions", "common_ground"]
    assert {p.side for p in PUSH_PROMPTS} == {"push"} and {p.side for p in PULL_PROMPTS} == {"pull"}
    assert len({p.id for p in PROMPTS}) == len(PROMPTS) == 5


def test_notes_text_keeps_order_skips_blanks_and_keeps_text_as_written():
    notes = {"next": "  the course by March  ", "proposals": "<script>alert(1)</script> **bold**", "enjoyed": " \n"}
    text = notes_text(PUSH_PROMPTS, notes)
    assert text == (f"{PUSH_PROMPTS[0].label}:\n<script>alert(1)</script> **bold**\n\n"
                    f"{PUSH_PROMPTS[2].label}:\nthe course by March")
    assert notes_text(PULL_PROMPTS, notes) == ""


def test_preparation_round_trip_through_the_store(tmp_path):
    store = TakeStore(tmp_path)
    notes = {p.id: f"answer to {p.id}" for p in PROMPTS}
    store.save_preparation(scenario="conference", objective=by_id("conference").example_objective,
                           push_notes=notes_text(PUSH_PROMPTS, notes), pull_notes=notes_text(PULL_PROMPTS, notes),
                           notes=notes)
    prep = TakeStore(tmp_path).current_preparation()  # a new store on the same file
    assert by_id(prep.scenario).title == "A conference invitation"
    assert prep.notes == notes and "answer to common_ground" in prep.pull_notes
    assert check_specificity(prep.objective).is_specific
