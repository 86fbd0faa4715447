"""The Practise page driven by Streamlit's AppTest (real model, real analysis, saved audio)."""
import json
import re
import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from synth import Silence, Speech, build_take, to_wav_bytes
from voicecoach.coach import CoachSettings
from voicecoach.explain import PLAY_LEAD_S
from voicecoach.takes import TakeStore

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
    assert cells[4:8] == ["action", "enrol", "enrol", "✓ same"]
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


def test_bad_recording_is_a_message_not_a_traceback(home):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.audio_input[0].set_value(("ask.wav", b"RIFF....not really a wav", "audio/wav")).run()
    assert not at.exception
    assert "could not be decoded" in at.error[0].value
    (take,) = TakeStore(home).list()  # kept, so nothing is lost
    assert take.status == "failed" and "could not be decoded" in take.error
    at.run()
    assert "could not be decoded" in at.error[0].value and len(TakeStore(home).list()) == 1


def test_objective_specificity(home):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_area[0].input("I want my manager's support").run()
    assert "Not specific yet" in at.warning[0].value
    at.text_area[0].input(OBJECTIVE).run()
    assert "Specific" in at.success[0].value
    assert any("<b>enrol</b>" in b and "<b>before the March intake</b>" in b for b in html(at))


def test_objective_prefilled_from_the_preparation(home):
    TakeStore(home).save_preparation(objective=OBJECTIVE, situation="Annual review <b>next week</b>",
                                     push_notes="I led the migration", pull_notes="What does the team need?")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.text_area[0].value == OBJECTIVE
    assert any("Annual review &lt;b&gt;next week&lt;/b&gt;" in b for b in html(at))
