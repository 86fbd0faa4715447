"""The Prepare page driven by Streamlit's AppTest, saving to a real take store in tmp_path."""
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from voicecoach.coaching.scenarios import PROMPTS, by_id
from voicecoach.store.takes import TakeStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")
HOSTILE = {"script": "<script>alert(1)</script>", "bold": "**bold**", "math": "$x^2$",
           "long": ("<b>x</b> **y** $z$ " * 600)[:10_000]}


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path))
    return tmp_path


def open_prepare() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("studio/prepare.py").run()
    assert not at.exception and at.title[0].value == "Prepare"
    return at


def markdown_shown(at: AppTest) -> list[str]:
    """Everything the page renders as markdown (where user text must arrive escaped)."""
    return [e.value for kind in ("markdown", "caption", "success", "warning", "info", "error")
            for e in getattr(at, kind)]


def _versions(home):
    """The saved versions of the preparation."""
    with closing(sqlite3.connect(home / "takes.db")) as con:
        return con.execute("SELECT id FROM preparations").fetchall()


def test_specificity_is_checked_as_you_write(home):
    at = open_prepare()
    assert not at.warning and not at.success  # nothing written, nothing judged
    at.text_input(key="prep_objective").input("I want my manager's support").run()
    assert "Not specific yet" in at.warning[0].value and "support" in at.warning[0].value
    assert "a time" in at.warning[0].value
    at.text_input(key="prep_objective").input("My manager agrees to enrol me on the leadership course "
                                              "before the March intake").run()
    assert not at.warning
    spec = at.success[0].value
    assert spec.startswith("Specific") and "enrol" in spec and "leadership course" in spec and "March intake" in spec
    assert "enrol me on a named course" in " ".join(c.value for c in at.caption)  # the guide's examples


def test_a_scenario_shows_priorities_and_lends_its_objective(home):
    at = open_prepare()
    assert at.selectbox(key="prep_scenario").options[0] == "My own situation"
    at.selectbox(key="prep_scenario").select("leadership_slot").run()
    shown = " ".join(m.value for m in at.markdown)
    assert "not surprising their own peers" in shown and by_id("leadership_slot").example_objective in shown
    at.button[0].click().run()  # "Use this objective"
    assert at.text_input(key="prep_objective").value == by_id("leadership_slot").example_objective
    assert at.success[0].value.startswith("Specific") and "Saved" in [s.value for s in at.success]
    prep = TakeStore(home).current_preparation()
    assert prep.scenario == "leadership_slot" and prep.objective == by_id("leadership_slot").example_objective


def test_using_the_example_asks_before_replacing_an_objective(home):
    mine = "Enrol me on the negotiation course this spring"
    example = by_id("course").example_objective
    at = open_prepare()
    at.text_input(key="prep_objective").input(mine).run()
    at.selectbox(key="prep_scenario").select("course").run()
    next(b for b in at.button if b.label == "Use this objective").click().run()
    assert at.text_input(key="prep_objective").value == mine  # not overwritten...
    assert "Replace your objective" in at.warning[0].value and "negotiation course" in at.warning[0].value
    next(b for b in at.button if b.label == "Keep mine").click().run()
    assert at.text_input(key="prep_objective").value == mine and not at.warning
    assert TakeStore(home).current_preparation().objective == mine
    next(b for b in at.button if b.label == "Use this objective").click().run()
    next(b for b in at.button if b.label == "Replace it").click().run()  # ...until you say so
    assert at.text_input(key="prep_objective").value == example
    assert TakeStore(home).current_preparation().objective == example


def test_everything_is_saved_and_comes_back(home):
    at = open_prepare()
    at.text_area(key="prep_situation").input("Yearly review with Sam on Thursday").run()
    assert "Saved" in [s.value for s in at.success]
    at.text_input(key="prep_objective").input("Enrol me on the negotiation course this spring").run()
    for p in PROMPTS:
        at.text_area(key=f"prep_{p.id}").input(f"my answer to {p.id}").run()
    prep = TakeStore(home).current_preparation()
    assert (prep.scenario, prep.situation, prep.objective) == (None, "Yearly review with Sam on Thursday",
                                                               "Enrol me on the negotiation course this spring")
    assert prep.notes == {p.id: f"my answer to {p.id}" for p in PROMPTS}
    assert "my answer to proposals" in prep.push_notes and "my answer to questions" not in prep.push_notes
    assert "my answer to common_ground" in prep.pull_notes
    n_versions = len(_versions(home))
    at.run()
    next(b for b in at.button if b.label == "Save").click().run()  # nothing changed: no new version
    assert "Saved" in [s.value for s in at.success] and len(_versions(home)) == n_versions

    at.switch_page("studio/practise.py").run()  # leave the page (its widget state is dropped) and return
    at.switch_page("studio/prepare.py").run()
    assert at.text_input(key="prep_objective").value == "Enrol me on the negotiation course this spring"
    assert at.text_area(key="prep_next").value == "my answer to next"
    assert any("last changed" in c.value and "UTC" not in c.value for c in at.caption)


def test_preparation_survives_a_restart(home):
    at = open_prepare()
    at.selectbox(key="prep_scenario").select("course").run()
    at.text_input(key="prep_objective").input("Enrol me on the facilitation course before April").run()
    at.text_area(key="prep_common_ground").input("We both want the team to run its own workshops").run()
    st.cache_resource.clear()
    st.cache_data.clear()
    fresh = open_prepare()
    assert fresh.selectbox(key="prep_scenario").value == "course"
    assert fresh.text_input(key="prep_objective").value == "Enrol me on the facilitation course before April"
    assert fresh.text_area(key="prep_common_ground").value == "We both want the team to run its own workshops"


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_is_saved_and_shown_literally(home, text):
    at = open_prepare()
    at.text_area(key="prep_situation").input(text).run()
    at.text_input(key="prep_objective").input(text).run()
    for p in PROMPTS:
        at.text_area(key=f"prep_{p.id}").input(text).run()
    assert not at.exception
    prep = TakeStore(home).current_preparation()
    assert prep.situation == prep.objective == text and set(prep.notes.values()) == {text}
    st.cache_resource.clear()
    fresh = open_prepare()
    assert not fresh.exception
    assert fresh.text_input(key="prep_objective").value == text
    assert all(fresh.text_area(key=f"prep_{p.id}").value == text for p in PROMPTS)
    for shown in markdown_shown(fresh):  # no user text reaches markdown unescaped
        assert "<script>" not in shown and "**bold**" not in shown and "$x^2$" not in shown and "<b>" not in shown


def test_a_specific_hostile_objective_is_escaped_in_the_check(home):
    at = open_prepare()
    at.text_input(key="prep_objective").input("Enrol me on the **bold** <script>alert(1)</script> course "
                                              "$x^2$ before March").run()
    spec = at.success[0].value
    assert spec.startswith("Specific") and r"\*\*bold\*\*" in spec and r"\<script\>" in spec and r"\$x\^2\$" in spec
    assert "<script>" not in spec and "**bold**" not in spec and "$x^2$" not in spec
