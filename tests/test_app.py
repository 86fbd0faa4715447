"""The studio page driven by Streamlit's AppTest (real model, real analysis, saved audio)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from synth import Silence, Speech, build_take, to_wav_bytes
from voicecoach.takes import TakeStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path))
    return tmp_path


def test_empty_page_explains_privacy_and_waits(home):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "stay on this machine" in at.caption[0].value
    assert "Record or upload a take" in at.info[0].value


def test_recorded_take_is_saved_and_analysed(home, whisper):
    y, _ = build_take([Speech("I have really enjoyed leading the data migration this year."), Silence(0.6),
                       Speech("Please enrol me on the leadership course before the March intake."), Silence(0.8)])
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.audio_input[0].set_value(("ask.wav", to_wav_bytes(y), "audio/wav")).run()
    assert not at.exception
    assert any("leadership course" in m.value.lower() for m in at.markdown)
    assert any("0.8 s" in m.value for m in at.metric)
    assert any("hold the silence" in e.value for e in at.error)  # short_wait is high severity
    (take,) = TakeStore(home).list()
    assert take.status == "done" and take.source == "microphone"
    at.run()  # a re-run of the page neither analyses nor saves the take again
    assert len(TakeStore(home).list()) == 1 and any("0.8 s" in m.value for m in at.metric)


def test_bad_recording_is_a_message_not_a_traceback(home):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.audio_input[0].set_value(("ask.wav", b"RIFF....not really a wav", "audio/wav")).run()
    assert not at.exception
    assert "could not be decoded" in at.error[0].value
    (take,) = TakeStore(home).list()  # kept, so nothing is lost
    assert take.status == "failed" and "could not be decoded" in take.error


def test_objective_specificity(home):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input[0].input("I want my manager's support").run()
    assert "Not specific yet" in at.warning[0].value
    at.text_input[0].input("My manager agrees to enrol me on the leadership course before the March intake").run()
    assert "Specific" in at.success[0].value
