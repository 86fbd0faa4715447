"""A fast subset of ``scripts/eval_ask.py`` (``make eval``): the ask heard whole and judged right,
in three voices, beside plain faster-whisper on the same audio; and real final words faded by
12 dB from their true onset (``data/final_word_onsets.tsv``). Every check has a negative control.
"""
import sys

import numpy as np
import pytest
from conftest import FIXTURES, ROOT

sys.path.insert(0, str(ROOT))
from scripts import eval_ask as ev  # noqa: E402
from voicecoach import load  # noqa: E402
from voicecoach.analysis import analyse  # noqa: E402
from voicecoach.speech.audio import Audio  # noqa: E402

ENJOYED = "I have grown a lot from leading the onboarding project."
#: name -> the take; built and analysed once per session (``takes``)
TAKES = {
    # the first row of issue 15: the time ("March.") was dropped for its timestamp
    "en-gb, silence": ev.Ask("en-gb, silence", "ask", "en-gb", None, ENJOYED,
                             "Please enrol me on the negotiation course in March.", 2.0, "What do you think?"),
    # the second row: the utterance was cut inside "platform" (its "first of July" espeak-ng en-us says so that
    # plain faster-whisper hears "first time to live": in the eval it is spoken by Piper joe)
    "en-us, room noise": ev.Ask("en-us, room noise", "ask", "en-us", -48.0,
                                "I really liked pairing with the platform team last month.",
                                "Please approve my move to the platform team in July.", 2.5,
                                "How does that fit with your plans for the team?"),
    "joe, silence": ev.Ask("joe, silence", "ask", "joe", None, "Our customers keep asking for better training.",
                           "Please enrol me on the product management course before the March intake.", 3.0,
                           "What do you think?"),
    "follow-up": ev.Ask("follow-up", "follow-up", "en-gb", -45.0, "I have enjoyed leading the billing migration.",
                        "Please enrol me on the leadership course before the March intake.", 3.0,
                        "Could you let me know by Friday?"),
    # negative controls
    "vague": ev.Ask("vague", "ask", "en-gb", None, ENJOYED, "I would like your support with my development.", 2.0,
                    "What do you think?"),
    "short wait": ev.Ask("short wait", "ask", "en-gb", None, ENJOYED,
                         "Please enrol me on the negotiation course in March.", 0.8, "What do you think?"),
    "no request before the follow-up": ev.Ask("no request before the follow-up", "follow-up", "en-gb", -45.0,
                                              "I have enjoyed leading the billing migration.",
                                              "I have thought a lot about my next step.", 3.0,
                                              "Could you let me know by Friday?"),
}
ASKS = ["en-gb, silence", "en-us, room noise", "joe, silence"]


@pytest.fixture(scope="session")
def plain():
    return ev.plain_model()


@pytest.fixture(scope="session")
def takes(whisper, plain, tmp_path_factory):
    """name -> (judgement dict, TakeResult); each take synthesised once (kept as a WAV in a tmp dir)."""
    from voices import to_wav_bytes

    folder = tmp_path_factory.mktemp("asks")
    out = {}
    for name, ask in TAKES.items():
        y, truth = ev.build(ask)
        (folder / f"{name}.wav").write_bytes(to_wav_bytes(y))
        result = ev.run_voicecoach(y)
        out[name] = (ev.judge(ask, truth, result, ev.plain_text(plain, y)), result)
    return out


def _why(r: dict) -> str:
    return (f"said {r['request']!r}; heard {r['heard']!r}; picked {r['picked']!r}; plain {r['plain_heard']!r}; "
            f"wait {r['wait']} of {r['wait_true']} s; tips {r['tips']}; error {r['error']}")


@pytest.mark.parametrize("name", ASKS)
def test_the_request_is_found_and_kept_whole_where_plain_keeps_it(takes, name):
    r, _ = takes[name]
    assert r["plain_whole"], "plain faster-whisper lost it too: " + _why(r)
    assert r["found"] and r["whole"] and r["sentence_whole"], _why(r)


@pytest.mark.parametrize("name", ASKS)
def test_no_vague_or_no_request_tip_on_a_request_heard_whole(takes, name):
    r, _ = takes[name]
    assert not r["false_tip"], _why(r) + f"; tip: {r.get('tip_text')}"


@pytest.mark.parametrize("name", ASKS + ["follow-up"])
def test_the_wait_after_the_request_is_measured_within_0_2_s(takes, name):
    r, _ = takes[name]
    assert r["wait_ok"], _why(r)


def test_after_a_follow_up_question_the_request_is_still_the_first_one(takes):
    r, _ = takes["follow-up"]
    assert r["found"] and r["whole"] and not r["false_tip"], _why(r)


# ---- negative controls: the same checks do fail when they should --------------------------

def test_control_a_truly_vague_ask_gets_the_vague_tip(takes):
    r, _ = takes["vague"]
    assert "vague_request" in r["tips"], _why(r)


def test_control_a_wait_of_0_8_s_is_reported_short(takes):
    r, result = takes["short wait"]
    assert r["found"] and r["wait_ok"], _why(r)  # measured as 0.8 s, not as the 2 s the target asks for
    assert "short_wait" in r["tips"] and abs(r["wait"] - 2.0) > ev.WAIT_TOL_S, _why(r)


def test_control_with_no_request_before_it_the_follow_up_is_the_request(takes):
    r, result = takes["no request before the follow-up"]
    assert result.request is not None and "friday" in result.request.text.lower(), _why(r)
    assert not r["found"], _why(r)


def test_control_the_judge_sees_a_lost_time_and_forgives_a_spelling():
    said = "Please enrol me on the negotiation course in March."
    script = ev.words_of(f"{ENJOYED} {said}")
    span = range(len(ev.words_of(ENJOYED)), len(script))
    heard = ev.words_of(f"{ENJOYED} Please enroll me on the negotiation course in March.")
    assert ev.span_heard(script, span, heard)[0]
    whole, heard = ev.span_heard(script, span, ev.words_of(f"{ENJOYED} Please enroll me on the negotiation course."))
    assert not whole and heard == "please enroll me on the negotiation course"


# ---- real voices: a 12 dB fade of the final word from its true onset ----------------------

ONSETS = ev.read_onsets()
FADED = [r for r in ONSETS if r["final_duration_s"] >= ev.MIN_FINAL_S]


@pytest.fixture(scope="session")
def fades(whisper):
    """clip -> eval_ask.fade_result (original and faded through analyse)."""
    return {r["clip"]: ev.fade_result(r["clip"], r["onset_s"], FIXTURES) for r in FADED}


def test_the_onsets_file_covers_every_transcribed_clip():
    clips = {p.name for p, _ in ev.read_clips(FIXTURES)}
    assert {r["clip"] for r in ONSETS} == clips
    assert len(FADED) >= 8 and all(r["uncertainty_s"] <= 0.1 for r in FADED), FADED


@pytest.mark.parametrize("clip", [r["clip"] for r in FADED], ids=[f"{r['final_word']}" for r in FADED])
def test_a_12_db_fade_of_a_real_final_word_moves_end_drop_by_12_db(fades, clip):
    res = fades[clip]
    assert res["error"] is None, res["error"]
    assert res["ok"], (f"moved {res['moved_db']} dB: {res['before']['end_drop_db']} -> {res['after']['end_drop_db']}; "
                       f"last sentence {res['before']['text']!r}, last word {res['before']['last_word']} "
                       f"(faded: {res['after']['last_word']})")


@pytest.mark.parametrize("clip", ["librispeech_3536-23268-0010.wav", "librispeech_251-118436-0001.wav"])
def test_control_a_final_word_not_faded_moves_less_than_2_db(fades, clip):
    """The same 12 dB cut, but starting after the voice has ended: the final word is untouched."""
    row = next(r for r in ONSETS if r["clip"] == clip)
    after = ev.fade_result(clip, row["voice_end_s"] + 0.05, FIXTURES)
    before = fades[clip]["before"]["end_drop_db"]
    assert after["error"] is None and before is not None
    assert abs(after["after"]["end_drop_db"] - before) < 2.0, (before, after["after"])


def test_jfk_gets_no_uptalk_and_no_end_drop_tip(whisper):
    a = analyse(FIXTURES / "jfk_inaugural_1961.wav")
    fired = {f.code: f.message for f in a.feedback if f.code in ("uptalk", "end_drop")}
    assert not fired, (fired, [(s.text, s.end_pitch_st, s.end_drop_db) for s in a.sentences])


def test_control_jfk_with_country_faded_by_12_db_gets_the_end_drop_tip(whisper):
    row = next(r for r in ONSETS if r["clip"] == "jfk_inaugural_1961.wav")
    a = analyse(Audio(ev.fade_from(load(FIXTURES / "jfk_inaugural_1961.wav").y, row["onset_s"])))
    assert "end_drop" in [f.code for f in a.feedback], [(s.text, s.end_drop_db) for s in a.sentences]
