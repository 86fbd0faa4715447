"""The chart's data: loudness and pitch every 50 ms and the take's moments, from a known take."""
import numpy as np
import pytest

from synth import Silence, Speech, build_take
from voicecoach.analysis import analyse
from voicecoach.audio import Audio
from voicecoach.timeline import FLOOR_DB, STEP_S, timeline


@pytest.fixture(scope="module")
def take(whisper):
    y, truth = build_take([Speech("I have enjoyed leading the migration this year."), Silence(1.0),
                           Speech("Please enrol me on the leadership course before the March intake."),
                           Silence(2.5)])
    return y, truth, analyse(Audio(y)).to_dict()


def test_points_cover_the_take_and_silence_reads_low(take):
    y, truth, a = take
    t = timeline(y, a)
    assert abs(t.times_s[-1] - len(y) / 16000) < 2 * STEP_S
    assert len(t.times_s) == len(t.loudness_db) == len(t.pitch_st)
    assert min(t.loudness_db) >= FLOOR_DB
    loud = np.array(t.loudness_db)
    times = np.array(t.times_s)
    in_wait = loud[(times > a["request"]["speech_end"] + 0.3) & (times < len(y) / 16000 - 0.3)]
    in_speech = loud[(times > a["words"][0]["start"]) & (times < a["words"][3]["end"])]
    assert in_wait.max() < in_speech.mean() - 20  # the wait is silence on the chart


def test_pitch_is_relative_to_the_speakers_median(take):
    y, _, a = take
    p = [v for v in timeline(y, a).pitch_st if v is not None]
    assert len(p) > 20 and abs(float(np.median(p))) < 1.0


def test_moments_mark_the_wait_after_the_request(take):
    y, _, a = take
    (wait,) = [m for m in timeline(y, a).moments if m.kind == "wait"]
    assert abs((wait.end_s - wait.start_s) - a["request"]["pause_after_s"]) < 1e-6
    assert "still waiting" in wait.label  # the recording ends in the 2.5 s silence
    assert sum(m.kind == "sentence_end" for m in timeline(y, a).moments) == 2
