"""The Practise page driven by Streamlit's AppTest (real model, real analysis, saved audio)."""
import json
import re
import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from synth import Silence, Speech, build_take, to_wav_bytes
from voicecoach.coaching.coach import CoachSettings
from voicecoach.display.explain import PLAY_LEAD_S
from voicecoach.store.takes import TakeStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")
OBJECTIVE = "My manager agrees to enrol me on the leadership course before the March intake"
REQUEST = "Please enrol me on the leadership course before the March intake."
TARGET = f"{CoachSettings().wait_target_s:g} s"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path))
    return tmp_path


def record(at, parts):
    y, _ = build_take(parts)
    return at.audio_input[0].set_value(("ask.wav", to_wav_bytes(y), "audio/wav")).run()


def metrics(at):
    return {m.label: m for m in at.metric}


def html(at):
    return [h.proto.body for h in at.get("html")]


def test_empty_page_explains_privacy_and_waits(home):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "stay on this machine" in at.caption[0].value
    assert "Record or upload a take" in at.info[0].value
    assert at.get("audio_input") and at.text_area[0].value == ""  # the recorder is on the first screen


def test_short_wait_take_headline_transcript_chart_and_tips(home, whisper):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.text_area[0].input(OBJECTIVE).run()
    record(at, [Speech("I have really enjoyed leading the data migration this year."), Silence(0.6),
                Speech(REQUEST), Silence(0.8), Speech("Maybe it would help the whole team."), Silence(0.6)])
    assert not at.exception
    (take,) = TakeStore(home).list()
    assert take.status == "done" and take.source == "microphone" and take.objective == OBJECTIVE
    assert at.get("status")[0].label == "Analysed"

    # the headline: four numbers with verdicts and targets
    m = metrics(at)
    assert set(m) == {"Speaking pace", "End drop", "Wait after the request", "Push / Pull / Move Away"}
    wait = m["Wait after the request"]
    assert wait.value == "0.8 s" and wait.delta == f"short of the {TARGET} target"
    assert m["Speaking pace"].value.endswith(" wpm") and m["End drop"].value.endswith(" dB")
    assert "-" not in m["End drop"].value and m["Push / Pull / Move Away"].value.count("% / ") == 2
    assert all(x.proto.help for x in m.values())

    # the transcript: tags, behaviour, the request underlined with its verdict, the hedge highlighted
    body = "".join(html(at))
    assert "vc-push" in body and "stating an expectation" in body and "your request" in body
    assert "<b>Your request</b>: specific: enrol" in body
    assert '<mark title="hedge"' in body and ">Maybe</mark>" in body
    # the request against the objective: a labelled table, part by part
    (table,) = re.findall(r'<table class="vc-compare".*?</table>', body)
    cells = [re.sub("<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", table)]
    assert cells[:4] == ["", "you planned", "you asked", "match"]
    assert cells[4:8] == ["action", "enrol", "enroll", "✓ same"]  # each as written and as heard (Whisper spells "enroll")
    assert cells[12:15] == ["when", "before the March intake", "before the March intake"]

    # the chart of loudness and pitch, with the moments marked
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert "loudness (dBFS" in json.dumps(spec) and "wait after the request" in json.dumps(spec)

    # the tips, most important first; "Play this moment" plays the wait from just before it
    tips = [b for b in html(at) if 'class="vc-tip' in b]
    assert "hold the silence" in tips[0] and "vc-high" in tips[0]
    assert not at.get("audio")
    at.button(key=f"play-{take.id}-0").click().run()
    (audio,) = at.get("audio")
    speech_end = TakeStore(home).get(take.id).analysis["request"]["speech_end"]
    assert audio.proto.start_time == max(0, math.floor(speech_end - PLAY_LEAD_S)) and audio.proto.autoplay

    at.run()  # a re-run of the page neither analyses nor saves the take again
    assert len(TakeStore(home).list()) == 1 and metrics(at)["Wait after the request"].value == "0.8 s"
    assert not at.get("status")

    at.audio_input[0].set_value(None).run()  # a new recording under way: no results of the last one
    assert not at.metric and "Record or upload a take" in at.info[0].value


def test_held_wait_and_hostile_objective_shows_literally(home, whisper):
    hostile = "Enrol me on the <script>alert(1)</script> **course** before $5$ March"
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.text_area[0].input(hostile).run()
    record(at, [Speech(REQUEST), Silence(2.8), Speech("What do you think?"), Silence(0.5)])
    assert not at.exception
    wait = metrics(at)["Wait after the request"]
    assert wait.value == "2.8 s" and wait.delta == f"held: at least {TARGET}"
    bodies = html(at)
    assert not any("<script" in b for b in bodies)
    assert any("&lt;script&gt;" in b and "**course**" in b and "$5$" in b for b in bodies)
    shown = [e.value for e in (*at.markdown, *at.caption, *at.success, *at.warning, *at.error, *at.info)]
    assert not any("alert(1)" in v or "**course**" in v for v in shown)


def errors(at):
    """The page's error messages as shown (markdown escapes of the file name removed)."""
    return [e.value.replace("\\", "") for e in at.error]


def test_bad_recording_is_a_message_not_a_traceback(home):
    """Input that is not audio is refused before it is kept: a visible error in plain words
    naming the recording, and nothing stored."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.audio_input[0].set_value(("ask.wav", b"RIFF....not really a wav", "audio/wav")).run()
    assert not at.exception
    (error,) = errors(at)
    assert error.startswith("Your recording could not be decoded as audio because it is not an audio file")
    assert "Nothing was saved" in error and "Error)" not in error
    assert TakeStore(home).list() == [] and not any((home / "audio").iterdir())
    at.run()
    assert "could not be decoded" in errors(at)[0] and TakeStore(home).list() == []


def test_a_text_file_renamed_wav_is_named_as_the_user_named_it(home):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.file_uploader[0].set_value(("**fake**.wav", b"Please enrol me on the course.\n" * 40, "audio/wav")).run()
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith(r"\*\*fake\*\*\.wav could not be decoded")  # the name shows as written
    assert "1.wav" not in error.value and "InvalidData" not in error.value and "Nothing was saved" in error.value
    assert not at.get("status") and TakeStore(home).list() == []


def test_a_silent_take_is_refused_and_not_stored(home):
    """Audio that can never be analysed (silent) is refused before it is stored, with its reason
    in a visible error naming the user's file, not a stored copy; nothing appears on Takes."""
    y, _ = build_take([Silence(3.0)])
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.file_uploader[0].set_value(("quiet take.wav", to_wav_bytes(y), "audio/wav")).run()
    assert not at.exception
    (error,) = errors(at)
    assert error.startswith("quiet take.wav is silent") and error.endswith("Nothing was saved.")
    assert "1.wav" not in error and not at.get("status")  # refused before any analysis started
    assert TakeStore(home).list() == [] and not any((home / "audio").iterdir())
    at.run()  # a re-run says it again
    assert errors(at) == [error]
    at.switch_page("studio/history.py").run()
    assert not at.exception and "No takes yet" in at.info[0].value


def test_objective_specificity(home):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_area[0].input("I want my manager's support").run()
    assert "Not specific yet" in at.warning[0].value
    at.text_area[0].input(OBJECTIVE).run()
    assert "Specific" in at.success[0].value
    assert any("<b>enrol</b>" in b and "<b>before the March intake</b>" in b for b in html(at))


def test_a_vague_objective_does_not_show_its_vague_parts_as_found(home):
    """"Support my growth" is missing an action and an object: the parts found are marked as too
    vague to count, not listed as if they were the action and the object."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_area[0].input("Support my growth").run()
    assert at.warning[0].value == ("Not specific yet: it needs a concrete action, what exactly you ask for "
                                   "and a time.")
    (line,) = [b for b in html(at) if "too vague" in b]
    assert "“Support” is too vague to count as a concrete action" in line
    assert "“my growth” is too vague to count as what exactly you ask for" in line
    assert "<b>Support</b>" not in line and "<b>my growth</b>" not in line


def test_the_objective_written_here_is_saved_in_the_preparation(home):
    store = TakeStore(home)
    store.save_preparation(objective="Support me", situation="Annual review", pull_notes="Who decides?",
                           notes={"questions": "Who decides?"})
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_area[0].input(OBJECTIVE).run()
    assert any("Saved" in c.value for c in at.caption)
    prep = store.current_preparation()
    assert prep.objective == OBJECTIVE and prep.situation == "Annual review" and prep.notes["questions"] == "Who decides?"
    at.switch_page("studio/prepare.py").run()
    assert at.text_input(key="prep_objective").value == OBJECTIVE
    at.switch_page("studio/practise.py").run()
    assert at.text_area[0].value == OBJECTIVE


def test_objective_prefilled_from_the_preparation(home):
    TakeStore(home).save_preparation(objective=OBJECTIVE, situation="Annual review <b>next week</b>",
                                     push_notes="I led the migration", pull_notes="What does the team need?")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.text_area[0].value == OBJECTIVE
    assert any("Annual review &lt;b&gt;next week&lt;/b&gt;" in b for b in html(at))


def test_the_user_marks_another_sentence_as_the_request(home, whisper):
    """The follow-up after the wait was not meant as the request, nor is it chosen; the user
    marks it anyway: the wait is measured after it, saved with the take, and kept when the
    page opens again. Negative control: before marking, the wait is the one after the ask."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    record(at, [Speech(REQUEST), Silence(3.0), Speech("Could you let me know by Friday?"), Silence(1.0)])
    assert not at.exception
    assert metrics(at)["Wait after the request"].value == "3.0 s"
    box = next(s for s in at.selectbox if s.label == "The sentence you meant as your request")
    assert box.value == 0 and len(box.options) == 2
    box.set_value(1)  # in a form: applied with its button, the page is not rerun by the choice
    next(b for b in at.button if b.label == "Measure from this sentence").click().run()
    assert not at.exception
    assert metrics(at)["Wait after the request"].value == "1.0 s"
    (take,) = TakeStore(home).list()
    assert take.request_sentence == 1 and take.analysis["request"]["sentence_index"] == 1
    again = AppTest.from_file(APP, default_timeout=120).run()  # a new session on the same folder
    assert TakeStore(home).get(take.id).request_sentence == 1
    next(b for b in at.button if b.label == "Let voicecoach choose the request again").click().run()
    assert metrics(at)["Wait after the request"].value == "3.0 s"
    assert TakeStore(home).get(take.id).request_sentence is None and not again.exception


def _live_feedback(root: str, home: str, take_id: int, objective: str):
    """The live panel's result view on its own (streamlit-webrtc's recorder needs a real
    browser session; tests/test_browser_live.py drives the whole panel)."""
    import sys

    import streamlit as st

    sys.path.insert(0, root)
    from studio import live_panel
    from voicecoach.store.takes import TakeStore

    store = TakeStore(home)
    live_panel._feedback(store, take_id, store.get(take_id).result, objective)


def test_the_live_result_is_the_practise_result_with_its_cautions(home, whisper):
    """Live mode shows its take through the same view as Practise, cautions included: a clipped
    live take says so. Negative control: the same ask recorded at a sane level has no caution."""
    import numpy as np

    from voicecoach.analysis import analyse
    from voicecoach.speech.audio import load

    y, _ = build_take([Speech(REQUEST), Silence(2.5)])
    for gain, clipped in ((12.0, True), (1.0, False)):
        data = to_wav_bytes(np.clip(y * gain, -1.0, 1.0))
        store = TakeStore(home)
        take = store.add(data, source="microphone", objective=OBJECTIVE, dedupe=False)
        result = analyse(load(data))
        store.complete(take.id, analysis=result.to_dict(), model=result.model, duration_s=result.duration_s)
        at = AppTest.from_function(_live_feedback, args=(str(Path(APP).parent), str(home), take.id, OBJECTIVE),
                                   default_timeout=120).run()
        assert not at.exception, at.exception
        assert f"Live take {take.id}, saved in your history" in " ".join(c.value for c in at.caption)
        assert set(metrics(at)) == {"Speaking pace", "End drop", "Wait after the request", "Push / Pull / Move Away"}
        assert any("clipped" in w.value for w in at.warning) == clipped, [w.value for w in at.warning]
        assert any("Your request" in h for h in html(at))  # the transcript, as on Practise
