"""Saved conversations on the Takes, Compare and Reflect pages, driven by AppTest over a real store.
One conversation of the conference scenario is rehearsed once through ``voicecoach.rehearsal.conversation_run``
from espeak-ng replies (the real model judging them), its ask cut short (so one check is missed),
and each test gets a copy of that data folder. Each page is also opened on an empty folder."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from synth import Silence, Speech, build_take, to_wav_bytes
from voicecoach.rehearsal import conversation_run as run
from voicecoach.display.compare import conversation_rows
from voicecoach.rehearsal.conversation import ConversationResult
from voicecoach.display.reflect import MEETING_QUESTIONS
from voicecoach.store.takes import TakeStore

pytestmark = pytest.mark.slow

APP = str(Path(__file__).resolve().parent.parent / "app.py")
ASK = "Please send me an email invitation to the data engineering conference by Friday."
S, Q = Speech, Silence
#: The reply to each step the manager may take (the ask followed at once by a question: no wait held).
REPLIES = {
    "opening": [S("Thanks for making the time."), Q(0.4), S("What would you like to focus on?"), Q(0.8)],
    "feedback": [S("That is useful to hear."), Q(0.4), S("What did you notice in those meetings?"), Q(0.8)],
    "feedback_press": [S("It sounds like this keeps coming up, and it matters to you."), Q(0.8)],
    "ask": [S(ASK), Q(0.6), S("What do you think?"), Q(0.8)],
    "ask_clarify": [S(ASK), Q(2.6)],
    "pushback": [S("I understand."), Q(0.3), S("If you approve it, I will run a session for the team on what I "
                 "learn."), Q(0.8)],
    "pushback_firm": [S("What would make this work for you?"), Q(0.8)],
    "close": [S("So we have agreed that you will approve it, and I will arrange cover."), Q(0.4),
              S("I will send you the details by Friday."), Q(0.8)],
}


@pytest.fixture(scope="module")
def rehearsed(whisper, tmp_path_factory) -> Path:
    """A data folder holding one finished conversation, rehearsed as the CLI does."""
    home = tmp_path_factory.mktemp("rehearsed")
    store = TakeStore(home)
    s = run.start(store, "conference")
    for _ in range(10):
        if s.rehearsal.finished:
            break
        y, _ = build_take(REPLIES[s.rehearsal.current.step])
        run.reply(store, s, to_wav_bytes(y))
    assert s.rehearsal.finished
    return home


@pytest.fixture
def home(tmp_path, monkeypatch, rehearsed) -> Path:
    shutil.copytree(rehearsed, tmp_path / "home")
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def empty(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "empty"))
    return tmp_path / "empty"


def page(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(f"studio/{name}.py").run()
    assert not at.exception
    return at


def saved(home: Path):
    c = TakeStore(home).conversations()[0]
    return c, ConversationResult.from_dict(c.result)


def test_takes_page_lists_conversations_with_their_report(home):
    c, r = saved(home)
    assert c.outcome == r.outcome and (c.checks_met, c.checks_total) == (r.summary.checks_met, r.summary.checks_total)
    assert c.checks_met < c.checks_total  # the ask was cut short: one check missed
    at = page("history")
    assert "Conversations" in [h.value for h in at.subheader]
    table = at.dataframe[0].value  # no takes: the conversations' table is the only one
    assert list(table["conversation"]) == [c.id] and list(table["scenario"]) == [c.title]
    assert list(table["outcome"]) == [c.outcome]
    assert list(table["checks met"]) == [f"{c.checks_met} of {c.checks_total}"]
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Report (text)" in labels and "Everything saved (JSON)" in labels
    assert not [i for i in at.info if "No conversations yet" in i.value]

    # negative control: an unfinished conversation has no report yet, only its export
    store = TakeStore(home)
    store.delete_conversation(c.id)
    run.start(store, "conference")
    at = page("history")
    assert list(at.dataframe[0].value["outcome"]) == ["not finished"]
    assert list(at.dataframe[0].value["checks met"]) == ["–"]
    assert [b.proto.label for b in at.get("download_button")] == ["Everything saved (JSON)"]


def test_takes_page_without_conversations_says_so(empty):
    at = page("history")
    assert [i.value for i in at.info if "No conversations yet" in i.value]
    assert not at.dataframe and not at.get("download_button")


def test_compare_page_shows_checks_met_per_moment(home):
    c, r = saved(home)
    rows = conversation_rows(TakeStore(home).conversations())
    assert len(rows) == 1
    for moment in ("opening", "feedback", "ask", "pushback", "close"):
        judged = [v for t in r.turns if t.moment == moment for v in t.checks if v.met is not None]
        assert rows[0][moment] == f"{sum(v.met for v in judged)}/{len(judged)}"
    assert rows[0]["ask"] == "1/2"  # specific, but no wait held: read from the saved verdicts
    at = page("compare")
    assert "Conversations: checks met per moment" in [h.value for h in at.subheader]
    table = at.dataframe[0].value
    assert list(table["ask"]) == ["1/2"] and list(table["id"]) == [c.id]
    assert not [i for i in at.info if "No finished conversations" in i.value]

    # a verdict changed in the saved result shows as saved: nothing is judged again
    result = json.loads(c.result_json)
    ask = next(m for m in result["moments"] if m["moment"] == "ask")
    for v in ask["checks"]:
        v["met"] = False
    store = TakeStore(home)
    with store._tx() as con:
        con.execute("UPDATE conversations SET result_json = ? WHERE id = ?", (json.dumps(result), c.id))
    assert page("compare").dataframe[0].value["ask"][0] == "0/2"


def test_compare_page_without_conversations_says_so(empty):
    at = page("compare")
    assert [i.value for i in at.info if "No finished conversations yet" in i.value]
    assert not at.dataframe


def test_reflect_page_puts_the_conversations_numbers_beside_the_questions(home):
    c, r = saved(home)
    at = page("reflect")
    at.radio(key="reflect_kind").set_value("conversation").run()
    assert not at.exception
    prompts = [m.value for m in at.markdown]
    assert all(f"**{q.prompt}**" in prompts for q in MEETING_QUESTIONS)
    shown = "\n".join(i.value for i in at.info).replace("\\", "")  # markdown escapes off
    s = r.summary
    assert f"{s.wait_after_ask_s:.1f} s after your ask" in shown
    assert f"{s.switches} switch" in shown and "Push / Pull / Move Away" in shown
    assert f"Checks met: {s.checks_met} of {s.checks_total}" in shown
    missed = [v for v in r.checks if v.met is False]
    assert missed and "Checks missed: none" not in shown
    assert all(v.explanation in shown for v in missed)
    assert any("not saved yet" in x.value for x in at.caption)  # no form: answers are not saved
    assert not at.text_area


def test_reflect_page_without_conversations_says_so(empty):
    at = page("reflect")
    at.radio(key="reflect_kind").set_value("conversation").run()
    assert not at.exception
    assert [i.value for i in at.info if "No finished conversations yet" in i.value]
    assert not [m for m in at.markdown if m.value == f"**{MEETING_QUESTIONS[0].prompt}**"]
