"""Coaching rules on takes built from words and contours of known shape (no model)."""
import numpy as np
import pytest

from voicecoach.analysis import assess
from voicecoach.coaching.coach import CODES, SEVERITIES, CoachSettings
from voicecoach.speech.prosody import HOP_S, Contours
from voicecoach.types import Region, Word

GOOD = ["I have really enjoyed leading the migration this year.",
        "How do you see my role developing?",
        "Please enrol me on the leadership course before the March intake."]


def make_take(texts, *, wpm=130.0, gap_s=0.6, wait_s=3.0, end_drop_db=0.0, rise_st=0.0, tail_s=None):
    """Words at a steady rate, energy -20 dB in speech, pitch falling 170-100 Hz; the last
    sentence's final word is ``end_drop_db`` quieter and glides up by ``rise_st``. A word written
    "intake@0.34" is heard with probability 0.34 (others 1.0)."""
    words, regions, t = [], [], 0.5
    per = 60.0 / wpm
    for k, text in enumerate(texts):
        start = t
        for w in text.split():  # "intake@0.34": the word heard with that probability
            w, _, prob = w.partition("@")
            words.append(Word(w, round(t, 3), round(t + per * 0.9, 3), float(prob or 1.0)))
            t += per
        regions.append(Region(start, words[-1].end_s))
        gap = gap_s[k] if isinstance(gap_s, (list, tuple)) and k < len(texts) - 1 else gap_s
        t = words[-1].end_s + (gap if k < len(texts) - 1 else wait_s)
    duration = t if tail_s is None else words[-1].end_s + tail_s
    n = int(duration / HOP_S) + 1
    energy = np.full(n, -100.0)
    f0 = np.full(n, np.nan)
    for r in regions:
        sl = slice(int(np.ceil(r.start_s / HOP_S)), int(np.ceil(r.end_s / HOP_S)))
        energy[sl] = -20.0
        f0[sl] = np.linspace(170, 100, sl.stop - sl.start)  # a falling sentence melody
    last = words[-1]
    sl = slice(int(np.ceil(last.start_s / HOP_S)), int(np.ceil(last.end_s / HOP_S)))
    energy[sl] -= end_drop_db
    f0[sl] = 120 * 2 ** (np.linspace(0, rise_st, sl.stop - sl.start) / 12)
    c = Contours(energy_db=energy, f0_hz=f0)
    t = assess(words, regions=regions, contours=c, duration_s=duration)
    return t, t.feedback


def codes(fb):
    return [f.code for f in fb]


def test_a_good_take_gets_no_serious_feedback():
    m, fb = make_take(GOOD)
    assert m.request.sentence_index == 2
    assert m.request.words_to_request == len(" ".join(GOOD).split())  # every word up to its end
    assert m.request.pause_after_s == pytest.approx(3.0, abs=0.05)
    assert not [f for f in fb if f.severity in ("high", "medium")], fb


def test_short_wait_is_tied_to_the_end_of_the_request():
    m, fb = make_take(GOOD + ["Anyway, it is just an idea."], wait_s=0.6)
    m2, fb2 = make_take(GOOD, wait_s=0.6)
    f = next(f for f in fb if f.code == "short_wait")
    assert f.severity == "high" and "within 0.6 s" in f.message
    assert f.start_s == pytest.approx(m.sentences[2].end_s, abs=0.01)
    f2 = next(f for f in fb2 if f.code == "short_wait")
    assert "recording stopped 0.6 s after your request" in f2.message


@pytest.mark.parametrize("drop,flag", [(0, False), (6, False), (12, True)], ids=["0dB", "6dB", "12dB"])
def test_end_drop_threshold(drop, flag):
    m, fb = make_take(GOOD, end_drop_db=drop)
    assert m.sentences[-1].end_drop_db == pytest.approx(drop, abs=0.5)
    assert ("end_drop" in codes(fb)) == flag


def test_uptalk_on_a_request_but_not_on_an_open_question():
    _, fb = make_take(GOOD, rise_st=4.0)
    assert "uptalk" in codes(fb)
    _, fb = make_take(GOOD[:2] + ["What would you need from me?"], rise_st=4.0)
    assert "uptalk" not in codes(fb)


def test_no_uptalk_on_a_fragment_cut_by_a_pause():
    """"ask not —" (a long pause, no full stop, the sentence goes on) may rise; the same words
    closed by a full stop may not (negative control)."""
    fragment = GOOD[:2] + ["Please enrol me on the leadership course before the March intake"]
    _, fb = make_take(fragment, rise_st=4.0)
    assert "uptalk" not in codes(fb)
    _, fb = make_take(fragment[:2] + [fragment[2] + "."], rise_st=4.0)
    assert "uptalk" in codes(fb)


@pytest.mark.parametrize("wpm,code", [(210, "pace_fast"), (75, "pace_slow"), (130, None)])
def test_pace_band(wpm, code):
    m, fb = make_take(GOOD, wpm=wpm)
    assert m.pace.wpm == pytest.approx(wpm * 0.9 * len(" ".join(GOOD).split()) / (len(" ".join(GOOD).split()) * 0.9), rel=0.15)
    got = {"pace_fast", "pace_slow"} & set(codes(fb))
    assert got == ({code} if code else set())


def test_no_request_and_vague_request():
    _, fb = make_take(GOOD[:2])
    assert codes(fb)[0] == "no_request"
    _, fb = make_take(GOOD[:2] + ["I would really like your support."])
    f = next(f for f in fb if f.code == "vague_request")
    assert "support" in f.message and "leadership meeting" in f.message


def test_fillers_and_hedges_in_the_request():
    _, fb = make_take(["Um, so, uh, I have, um, enjoyed the project.",
                       "Could you maybe just enrol me on the course by Friday?"])
    assert {"fillers", "hedges"} <= set(codes(fb))
    h = next(f for f in fb if f.code == "hedges")
    assert "inside your request" in h.message


def test_push_only_and_pull_only():
    _, fb = make_take(["I really enjoyed leading the migration.", "That is because it saved us two months.",
                       "Please put me forward for the team lead role by June."])
    assert "push_only" in codes(fb)
    _, fb = make_take(["How do you see the next year?", "What matters most to you?",
                       "So what I'm hearing is that budget is tight."])
    assert "pull_only" in codes(fb)


def test_at_most_max_items_sorted_by_severity():
    _, fb = make_take(["Um, uh, um, I think maybe we could sort of talk.", "I would like your support."],
                      wpm=220, wait_s=0.4, end_drop_db=14, rise_st=5)
    assert len(fb) <= CoachSettings().max_items
    ranks = [(SEVERITIES.index(f.severity), CODES.index(f.code)) for f in fb]
    assert ranks == sorted(ranks)
    assert all(f.message and f.message[0].isupper() for f in fb)


def test_the_wait_after_the_request_does_not_hide_a_fast_pace():
    """Holding the wait is right; it must not make a rushed take read as calm: silences of 2 s or
    counts towards the speaking pace up to 1 s: beyond that it is listening."""
    ask = GOOD + ["What do you think?"]
    held, fb_held = make_take(ask, wpm=190, gap_s=[0.3, 0.3, 4.0], wait_s=1.0)  # 4 s after the request
    shorter, _ = make_take(ask, wpm=190, gap_s=[0.3, 0.3, 2.5], wait_s=1.0)  # 2.5 s after it
    paused, _ = make_take(ask, wpm=190, gap_s=[1.2, 1.2, 2.5], wait_s=1.0)  # calmer between sentences
    assert held.request.pause_after_s == pytest.approx(4.0, abs=0.05)
    assert held.pace.wpm < shorter.pace.wpm - 10  # the plain measure: diluted by the wait
    assert held.pace.speaking_wpm == pytest.approx(shorter.pace.speaking_wpm, rel=0.02)
    assert paused.pace.speaking_wpm < shorter.pace.speaking_wpm - 15  # pauses between sentences count
    assert "pace_fast" in codes(fb_held)
    f = next(f for f in fb_held if f.code == "pace_fast")
    assert "each pause counted up to 1 s" in f.message


def test_pace_tip_without_a_request_does_not_mention_one():
    _, fb = make_take(GOOD[:2], wpm=220)
    f = next(f for f in fb if f.code == "pace_fast")
    assert "request" not in f.message


def test_every_code_has_one_check_in_rank_order():
    from voicecoach.coaching.coach import CHECKS

    assert [c for c, _ in CHECKS] == list(CODES) and len(set(CODES)) == len(CODES)
    assert all(callable(check) for _, check in CHECKS)


# ---- no confident tip on a guess: words heard with low probability ----------------------

@pytest.mark.parametrize("ask, tip", [
    ("Please enrol me on the leadership course in much.@0.2", False),  # "in March" misheard: no tip
    ("Please enrol me on the leadership course in much.", True),  # the same words heard clearly
    ("Please enrol me on the leadership course.", True),  # clearly heard and really vague
    ("Could@0.2 you enrol me on the leadership course?", True),  # a doubt that hides no time
    ("Please enrol@0.3 me on the leadership course before the March intake.", False),  # specific anyway
], ids=["time-misheard", "heard-clearly", "vague", "doubt-on-could", "specific"])
def test_vague_request_never_rests_on_a_misheard_word(ask, tip):
    _, fb = make_take(GOOD[:2] + [ask])
    assert ("vague_request" in codes(fb)) is tip, fb


def test_no_request_tip_only_when_every_word_was_heard_clearly():
    said = ["I have really enjoyed leading the migration this year.", "I would like to grow as a leader."]
    _, fb = make_take(said)
    assert codes(fb)[0] == "no_request"  # negative control: clearly heard, and no request
    m, fb = make_take([said[0], "I would like to grow as a leader and roll@0.25 me@0.3 in march.@0.2"])
    assert m.request is None and "no_request" not in codes(fb)  # "enrol me in March", misheard
    m, fb = make_take([said[0], "I would like to grow as a leader and roll me in march."])
    assert m.request is None and codes(fb)[0] == "no_request"  # the same words heard clearly
