"""The Reflect page driven by Streamlit's AppTest over a real take store in tmp_path. Its takes
carry the analysis of a synthetic take (known sentences, 2.5 s of silence after the request),
made once by the real pipeline and stored as the Practise page stores it."""
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from synth import Silence, Speech, build_take, to_wav_bytes
from voicecoach.practice import analyse_saved
from voicecoach.display.reflect import MEETING_QUESTIONS, PRACTICE_QUESTIONS
from voicecoach.store.takes import TakeStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")
OBJECTIVE = "My manager agrees to enrol me on the leadership course before the March intake."
HOSTILE = {"script": "<script>alert(1)</script>", "bold": "**bold**", "math": "$x^2$",
           "long": ("<b>x</b> **y** $z$ " * 600)[:10_000]}


@pytest.fixture(scope="module")
def recorded(whisper, tmp_path_factory):
    """(audio bytes, stored analysis dict) of one real analysis."""
    y, _ = build_take([Speech("I have really enjoyed leading the data migration this year."), Silence(0.6),
                       Speech("What matters most to you for the team next year?"), Silence(0.6),
                       Speech("Please enrol me on the leadership course before the March intake."), Silence(2.5)])
    store = TakeStore(tmp_path_factory.mktemp("analysed"))
    take = store.add(to_wav_bytes(y), source="microphone")
    analyse_saved(store, take)
    return to_wav_bytes(y), store.get(take.id).analysis


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def take(home, recorded):
    audio, analysis = recorded
    store = TakeStore(home)
    t = store.add(audio, source="microphone", objective=OBJECTIVE)
    return store.complete(t.id, analysis=analysis, model=analysis["model"], duration_s=analysis["duration_s"])


def open_reflect() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("studio/reflect.py").run()
    assert not at.exception and at.title[0].value == "Reflect"
    return at


def answer(at: AppTest, kind: str, take_id, answers: dict) -> AppTest:
    for qid, text in answers.items():
        at.text_area(key=f"reflect_{kind}_{take_id}_{qid}").input(text)
    return at.button(key=f"FormSubmitter:reflect_{kind}-Save reflection").click().run()


def test_no_takes_yet_says_so_and_stops(home):
    at = open_reflect()
    assert "No analysed takes yet" in at.info[0].value
    assert not at.text_area and not at.selectbox


def test_numbers_beside_the_questions(home, take, recorded):
    TakeStore(home).save_preparation(objective=OBJECTIVE)
    at = open_reflect()
    assert at.selectbox[0].value == take.id
    picked = at.selectbox[0].format_func(take.id)
    assert picked.startswith(f"Take {take.id} · ") and "UTC" not in picked and picked.count(":") == 2  # with seconds
    shown = " ".join(c.value for c in at.info)  # readable boxes beside the questions, not grey captions
    analysis = recorded[1]
    assert "leadership course" in shown.lower()
    assert f"{analysis['request']['pause_after_s']:.1f} s of silence" in shown.replace("\\", "")
    assert f"{analysis['request']['ask_words']} words up to the end" in shown
    assert f"{analysis['push_pull']['switches']} change" in shown
    assert "you said the action" in shown and "you left out" not in shown  # the request matches the objective
    assert [m.value for m in at.markdown if m.value.startswith("**")][:len(PRACTICE_QUESTIONS)] == \
        [f"**{q.prompt}**" for q in PRACTICE_QUESTIONS]


@pytest.mark.parametrize("kind", ["practice", "meeting"])
def test_the_questions_prepared_are_beside_did_you_ask_them(home, take, kind):
    """The guide: look back at the preparation. Beside "Did you ask the questions you meant to
    ask?" are the questions written on the Prepare page (literally), beside "Did you say clearly
    what you wanted?" the objective."""
    TakeStore(home).save_preparation(objective=OBJECTIVE, pull_notes="Your questions:\nWho decides **budgets**?",
                                     notes={"questions": "Who decides **budgets**?\n- What worries you <b>most</b>?"})
    at = open_reflect()
    if kind == "meeting":
        at.radio[0].set_value("meeting").run()
    boxes = [i.value for i in at.info]
    (asked,) = [b for b in boxes if "you prepared" in b]
    assert "The 2 questions you prepared" in asked
    assert "\\*\\*budgets\\*\\*" in asked and "\\<b\\>" in asked  # escaped: shown as written
    asked = asked.replace("\\", "")
    assert "“Who decides **budgets**?”" in asked and "“What worries you <b>most</b>?”" in asked
    if kind == "practice":
        assert "matters most to you" in asked  # the question asked in the take, beside them
    (stated,) = [b for b in boxes if "Your objective" in b and "you prepared" not in b][:1]
    assert OBJECTIVE.replace(".", "\\.") in stated


def test_a_practice_reflection_is_saved_listed_and_reopened(home, take):
    at = answer(open_reflect(), "practice", take.id, {"stated": "Yes, and I waited", "differently": "Slow down"})
    assert "Saved" in [s.value for s in at.success]
    (r,) = TakeStore(home).reflections()
    assert (r.kind, r.take_id, r.answers["stated"], r.answers["differently"]) == ("practice", take.id,
                                                                                 "Yes, and I waited", "Slow down")
    assert f"practice take {take.id}" in at.expander[0].label
    assert [t.value for t in at.text] == ["Yes, and I waited", "Slow down"]
    at = answer(at, "practice", take.id, {})  # saving the same answers again adds nothing
    assert len(TakeStore(home).reflections()) == 1
    fresh = open_reflect()
    assert fresh.text_area(key=f"reflect_practice_{take.id}_stated").value == "Yes, and I waited"


def test_an_empty_reflection_is_not_saved(home, take):
    at = answer(open_reflect(), "practice", take.id, {})
    assert "at least one answer" in at.warning[0].value and TakeStore(home).reflections() == []


def test_the_meeting_reflection_needs_no_take(home):
    TakeStore(home).save_preparation(objective=OBJECTIVE)
    at = open_reflect()
    at.radio[0].set_value("meeting").run()
    assert not any("No analysed takes" in i.value for i in at.info)
    assert OBJECTIVE.replace(".", "\\.") in " ".join(i.value for i in at.info)
    assert [f"**{q.prompt}**" for q in MEETING_QUESTIONS] == [m.value for m in at.markdown if m.value.startswith("**")][
        :len(MEETING_QUESTIONS)]
    at = answer(at, "meeting", None, {"objective_met": "Yes: enrolled for March", "relationship": "Stronger",
                                      "impact": "I wanted to sound ready; I did"})
    (r,) = TakeStore(home).reflections()
    assert r.kind == "meeting" and r.take_id is None and r.answers["impact"] == "I wanted to sound ready; I did"
    assert "the real meeting" in at.expander[0].label


def test_preparation_and_reflection_survive_a_restart(home, take):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("studio/prepare.py").run()
    at.text_input(key="prep_objective").input(OBJECTIVE).run()
    at.text_area(key="prep_proposals").input("Run the next onboarding workshop myself").run()
    at.switch_page("studio/reflect.py").run()
    answer(at, "practice", take.id, {"worked": "I held the silence"})
    assert not at.exception

    st.cache_resource.clear()
    st.cache_data.clear()
    fresh = AppTest.from_file(APP, default_timeout=60).run()
    fresh.switch_page("studio/prepare.py").run()
    assert fresh.text_input(key="prep_objective").value == OBJECTIVE
    assert fresh.text_area(key="prep_proposals").value == "Run the next onboarding workshop myself"
    fresh.switch_page("studio/reflect.py").run()
    assert fresh.text_area(key=f"reflect_practice_{take.id}_worked").value == "I held the silence"
    assert "I held the silence" in [t.value for t in fresh.text]
    assert "said the action" in " ".join(i.value for i in fresh.info)  # compared with the saved objective


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("kind", ["practice", "meeting"])
def test_hostile_text_is_saved_and_shown_literally(home, take, kind, text):
    TakeStore(home).save_preparation(objective=text)
    at = open_reflect()
    if kind == "meeting":
        at.radio[0].set_value("meeting").run()
    questions = PRACTICE_QUESTIONS if kind == "practice" else MEETING_QUESTIONS
    at = answer(at, kind, take.id if kind == "practice" else None, {q.id: text for q in questions})
    assert not at.exception and "Saved" in [s.value for s in at.success]
    assert set(TakeStore(home).reflections()[0].answers.values()) == {text}
    assert [t.value for t in at.text] == [text] * len(questions)  # shown as plain text
    for shown in [e.value for k in ("markdown", "caption", "success", "warning", "info", "error")
                  for e in getattr(at, k)]:
        assert "<script>" not in shown and "**bold**" not in shown and "$x^2$" not in shown and "<b>" not in shown
