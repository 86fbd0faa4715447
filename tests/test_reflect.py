"""The facts beside the afterwards questions, read from real analyses of synthetic takes (known
silences, known sentences) that were saved and analysed through the take store."""
from dataclasses import replace

import pytest

from voicecoach.result import TakeResult

from synth import Silence, Speech, build_take, to_wav_bytes
from voicecoach.coaching.coach import CoachSettings
from voicecoach.practice import analyse_saved
from voicecoach.display.explain import TIP_TITLES, compare_objective
from voicecoach.display.reflect import (
    MEETING_QUESTIONS,
    PRACTICE_QUESTIONS,
    beside,
    meeting_beside,
    prepared_questions,
    questions_for,
    take_facts,
)
from voicecoach.store.takes import Preparation, TakeStore

OBJECTIVE = "My manager agrees to enrol me on the leadership course before the March intake."
WAIT_S = 2.5  # the silence synthesised after the request, to the end of the recording


def _stored_analysis(home, parts) -> dict:
    y, _ = build_take(parts)
    store = TakeStore(home)
    take = store.add(to_wav_bytes(y), source="upload")
    analyse_saved(store, take)
    return store.get(take.id).analysis  # the dict as stored, as the Reflect page reads it


@pytest.fixture(scope="module")
def ask(whisper, tmp_path_factory):
    return _stored_analysis(tmp_path_factory.mktemp("ask"), [
        Speech("I have really enjoyed leading the data migration this year."), Silence(0.6),
        Speech("What matters most to you for the team next year?"), Silence(0.6),
        Speech("Please enrol me on the leadership course before the March intake."), Silence(WAIT_S)])


@pytest.fixture(scope="module")
def no_ask(whisper, tmp_path_factory):
    return _stored_analysis(tmp_path_factory.mktemp("no_ask"), [
        Speech("I have really enjoyed leading the data migration this year."), Silence(0.6),
        Speech("What do you think the team needs next year?"), Silence(0.8)])


def test_facts_of_a_real_take(ask):
    f = take_facts(ask, objective=OBJECTIVE)
    assert "leadership course" in f.request_text.lower() and f.request_missing == ()
    assert f.pause_after_s == pytest.approx(WAIT_S, abs=0.3) and f.still_waiting is True
    assert f.ask_words == ask["request"]["ask_words"] and 20 <= f.ask_words <= 40
    tags = [s["tag"] for s in ask["sentences"]]
    assert f.push_sentences == tags.count("push") >= 2
    assert 5 <= f.push_words_mean <= f.push_words_max <= 14  # words of the spoken push sentences
    assert f.switches == ask["push_pull"]["switches"] >= 1
    assert f.push_share == ask["push_pull"]["push_share"] and f.pull_share > 0
    assert any("matters most" in q.lower() for q in f.pull_questions)
    pulls = [x["text"] for x in ask["sentences"] if x["tag"] == "pull"]
    assert sorted(f.pull_questions + f.pull_other) == sorted(pulls)  # every Pull sentence, counted once
    assert f.tips == tuple(TIP_TITLES[t["code"]] for t in ask["feedback"])
    assert [(p.part, p.verdict) for p in f.objective.parts] == [("action", "same"), ("object", "same"), ("time", "same")]


def test_the_request_is_compared_with_another_objective(ask):
    f = take_facts(ask, objective="My manager sends me an email invitation to the data engineering conference by Friday.")
    assert [p.verdict for p in f.objective.parts] == ["different"] * 3
    stated = " ".join(beside(f)["stated"])
    assert "you changed the action (“sends” to “enroll”), what you ask for" in stated and "you said" not in stated
    assert take_facts(ask).objective is None and take_facts(ask, objective="  ").objective is None


@pytest.mark.parametrize("objective, asked, line", [
    (OBJECTIVE, "Please enroll me on the leadership course.",
     "you said the action (“enroll”) and what you ask for (“the leadership course”); "
     "you left out the time (“before the March intake”)."),
    ("I would like a slot at the next leadership meeting.", "Could you give me ten minutes at the next leadership meeting?",
     "you changed what you ask for (“a slot” to “ten minutes”)"),
    (OBJECTIVE, None, "Nothing to compare with your objective: this take has no request."),
    ("x" * 10_000, "Please enrol me on the course by May.", "Your objective names no action, object or time"),
], ids=["no-time", "changed", "no-request", "nothing-to-look-for"])
def test_the_objective_line(ask, objective, asked, line):
    facts = replace(take_facts(ask), objective=compare_objective(objective, asked))
    assert line in " ".join(beside(facts)["stated"])


def test_numbers_beside_each_practice_question(ask):
    lines = beside(take_facts(ask, objective=OBJECTIVE))
    assert set(lines) == {q.id for q in PRACTICE_QUESTIONS}
    stated = " ".join(lines["stated"])
    assert "leadership course" in stated.lower() and f"{ask['request']['pause_after_s']:.1f} s" in stated
    assert "still waiting" in stated and "you left out" not in stated
    assert f"{ask['request']['ask_words']} words" in lines["concise"][0]
    assert f"{ask['push_pull']['push_share']:.0%} / " in lines["time"][0]
    assert lines["moved"][0].startswith(f"{ask['push_pull']['switches']} change")
    assert "matters most" in " ".join(lines["questions"]).lower()
    assert any("waited" in w for w in lines["worked"])
    assert lines["differently"] == (tuple(TIP_TITLES[t["code"]] for t in ask["feedback"])
                                    or ("No coaching tips for this take.",))
    stricter = beside(take_facts(ask), settings=CoachSettings(wait_target_s=5.0))
    assert "aim for 5 s" in " ".join(stricter["stated"]) and "No objective prepared" in " ".join(stricter["stated"])
    assert any("waited" in w for w in stricter["worked"])  # what worked is the saved verdict, not decided again
    from voicecoach.coaching.coach import coached
    judged = coached(TakeResult.from_dict(ask), settings=CoachSettings(wait_target_s=5.0))  # judged stricter
    assert not any("waited" in w for w in beside(take_facts(judged))["worked"])


def test_a_take_without_a_request(no_ask):
    f = take_facts(no_ask, objective=OBJECTIVE)
    assert f.request_text is None and f.pause_after_s is None and f.ask_words is None
    assert f.objective.asked is None and "Nothing to compare" in " ".join(beside(f)["stated"])
    lines = beside(f)
    assert "No sentence in this take asked" in lines["stated"][1]  # after the objective
    assert any("no_request" == t["code"] for t in no_ask["feedback"])
    assert TIP_TITLES["no_request"] in lines["differently"]
    assert not any(t["message"] in lines["differently"] for t in no_ask["feedback"])  # titles, not the whole tips


def test_questions_of_each_kind():
    assert questions_for("practice") == PRACTICE_QUESTIONS and questions_for("meeting") == MEETING_QUESTIONS
    assert {"stated", "concise", "time", "moved", "worked", "differently"} <= {q.id for q in PRACTICE_QUESTIONS}
    assert {"objective_met", "relationship", "impact"} <= {q.id for q in MEETING_QUESTIONS}
    with pytest.raises(ValueError, match="kind is 'diary'"):
        questions_for("diary")


def test_meeting_lines_show_the_objective():
    assert OBJECTIVE in meeting_beside(OBJECTIVE)["objective_met"][0]
    assert "No objective prepared" in meeting_beside("")["objective_met"][0]
    assert len(meeting_beside("y" * 10_000)["objective_met"][0]) < 400


@pytest.mark.parametrize("pulls, first, more", [
    ([("What matters most to you?", "involving")], "1 question inviting", None),
    ([("I have a plan to cover my work while I'm away.", "disclosing")], "0 questions inviting",
     "1 other Pull sentence"),
    ([], "0 questions inviting", "No Pull sentence at all"),
], ids=["a-question", "a-pull-statement", "no-pull"])
def test_pull_sentences_are_counted_by_what_they_are(ask, pulls, first, more):
    """A Pull sentence that is not a question (sharing a doubt) is counted as Pull, not as a question."""
    a = dict(ask, sentences=[dict(ask["sentences"][0], tag="push", behaviour="proposing")] + [
        dict(ask["sentences"][0], text=text, tag="pull", behaviour=b) for text, b in pulls])
    lines = beside(take_facts(a))["questions"]
    assert lines[0].startswith(first)
    asked = [line for line in lines if not line.startswith("You wrote no questions")]
    assert (more is None and len(asked) == 1 + len(pulls)) or any(line.startswith(more) for line in lines)
    assert all(f"“{text}”" in lines for text, _ in pulls)


def _prep(questions: str = "", pull_notes: str = "", objective: str = "") -> Preparation:
    import json
    return Preparation(1, "2026-01-01T00:00:00+00:00", None, "", objective, "", pull_notes,
                       json.dumps({"questions": questions} if questions else {}))


def test_prepared_questions_are_read_one_by_one():
    assert prepared_questions(None) == ()
    assert prepared_questions(_prep("1. What matters most to you? What comes next?\n\n- Who decides <b>budgets</b>")) \
        == ("What matters most to you?", "What comes next?", "Who decides <b>budgets</b>")
    old = _prep(pull_notes="Your questions: what you do not know and are curious about:\nWhat worries you?")
    assert prepared_questions(old) == ("What worries you?",)  # an older preparation: the prompt's heading left out


def test_the_questions_prepared_are_beside_those_asked(ask):
    """The guide: look back at the preparation. The questions written on the Prepare page show
    beside the ones the take asked; with none written, the line says where to write them."""
    lines = beside(take_facts(ask, questions=("What does the team need next year?", "Who decides?")))["questions"]
    assert any("matters most" in line for line in lines)  # asked in the take
    assert "The 2 questions you prepared:" in lines and "“What does the team need next year?”" in lines
    assert "“Who decides?”" in lines
    assert any(line.startswith("You wrote no questions on the Prepare page") for line in beside(take_facts(ask))["questions"])


def test_the_objective_is_beside_did_you_state_it(ask):
    stated = beside(take_facts(ask, objective=OBJECTIVE))["stated"]
    assert stated[0] == f"Your objective: “{OBJECTIVE}”"
    assert not any(line.startswith("Your objective") for line in beside(take_facts(ask))["stated"])
    meeting = meeting_beside(OBJECTIVE, questions=("Who decides?",))
    assert OBJECTIVE in meeting["stated"][0] and "“Who decides?”" in meeting["questions"]
