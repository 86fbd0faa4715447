"""Verdicts and explanations on takes built from words and contours of known shape (no model)."""
from dataclasses import replace

import pytest

from voicecoach.format import fmt_db

from test_coach import GOOD, make_take
from voicecoach.analysis import STAGES
from voicecoach.coaching.coach import CoachSettings
from voicecoach.coaching.coach import CODES
from voicecoach.display.explain import (
    BEHAVIOUR_TEXT,
    MATCH_TEXT,
    STAGE_TEXT,
    TAG_NAMES,
    TIP_TITLES,
    compare_objective,
    headline,
    play_window,
    tips,
    transcript,
    word_marks,
)
from voicecoach.result import Feedback
from voicecoach.types import Word
from voicecoach.wording.vocabulary import BEHAVIOURS, TAGS
from voicecoach.wording import Marker

S = CoachSettings()


def by_key(t):
    return {h.key: h for h in headline(t)}


def test_every_tag_behaviour_stage_and_tip_has_words():
    assert set(TAG_NAMES) == set(TAGS)
    assert set(TIP_TITLES) == set(CODES) and all(len(t) <= 45 for t in TIP_TITLES.values())
    assert {b for bs in BEHAVIOURS.values() for b in bs} | {None} == set(BEHAVIOUR_TEXT)
    assert set(STAGE_TEXT) == {name for name, _ in STAGES}


@pytest.mark.parametrize("wait_s,status,words", [
    (0.8, "attention", f"short of the {S.wait_target_s:g} s target"),
    (2.8, "good", f"held: at least {S.wait_target_s:g} s"),
], ids=["0.8s-short", "2.8s-held"])
def test_wait_verdict_against_the_target(wait_s, status, words):
    t, _ = make_take(GOOD + ["Thanks."], wait_s=2.0, gap_s=[0.6, 0.6, wait_s])
    h = by_key(t)["wait"]
    assert h.value == f"{wait_s:.1f} s" and h.status == status and h.verdict == words
    assert f"at least {S.wait_target_s:g} s" in h.help


def test_wait_still_waiting_and_no_request():
    t, _ = make_take(GOOD, wait_s=0.6, tail_s=0.6)
    assert by_key(t)["wait"].verdict.startswith("still waiting when you stopped")
    assert by_key(t)["wait"].status == "attention"
    t, _ = make_take(GOOD[:2])
    assert (by_key(t)["wait"].value, by_key(t)["wait"].verdict) == ("–", "no request found")


@pytest.mark.parametrize("wpm,words,status", [(130, "calm", "good"), (200, "fast", "attention"),
                                              (80, "slow", "attention")], ids=["130", "200", "80"])
def test_pace_verdict_uses_the_coach_band(wpm, words, status):
    t, _ = make_take(GOOD, wpm=wpm)
    h = by_key(t)["pace"]
    assert h.verdict.startswith(words) and h.status == status and h.value.endswith(" wpm")
    assert f"{S.pace_min_wpm:.0f}–{S.pace_max_wpm:.0f} wpm" in h.help


@pytest.mark.parametrize("drop,status", [(0, "good"), (12, "attention"), (-3, "good")], ids=["0dB", "12dB", "-3dB"])
def test_end_drop_verdict_and_sign_convention(drop, status):
    t, _ = make_take(GOOD, end_drop_db=drop)
    h = by_key(t)["end_drop"]
    assert h.label == "End drop" and h.status == status and h.value.endswith(" dB") and "-" not in h.value
    assert "+ = quieter, − = louder" in h.help and f"Target: below {S.end_drop_db:g} dB" in h.help
    worst = t.end_drop_sentence  # the value shown is the weakest sentence end's, never a median
    assert h.value == fmt_db(worst.end_drop_db)
    if drop > 0:
        mine = t.request is not None and worst.index == t.request.sentence_index
        assert h.verdict == ("your request fades" if mine
                             else f"1 of 3 fade (≥ {S.end_drop_db:g} dB)")


def test_balance_verdict():
    t, _ = make_take(GOOD)
    h = by_key(t)["balance"]
    assert h.value.count(" / ") == 2 and h.value.split(" · ")[0].count("%") == 3  # "55% / 45% / 0%"
    assert h.status == "good" and h.verdict.startswith("Push and Pull, ")
    t, _ = make_take([GOOD[0], "We shipped it early.", GOOD[2]])
    assert by_key(t)["balance"].verdict == "all Push: add some Pull"


def test_transcript_tags_behaviour_and_request():
    t, _ = make_take(GOOD)
    views = transcript(t)
    assert [v.tag_name for v in views] == [TAG_NAMES[s.tag] for s in t.sentences]
    req = views[2]
    assert req.is_main_request and req.tag_name == "Push" and req.behaviour == "stating an expectation"
    assert req.request_verdict.startswith("specific: enrol")
    assert " ".join(tok.text for tok in req.tokens) == GOOD[2]
    assert views[1].tag_name == "Pull" and not views[1].is_request


def test_fillers_and_hedges_are_marked_on_their_words_by_time():
    words = [Word(w, 0.5 * k, 0.5 * k + 0.4) for k, w in enumerate("um I think maybe we could".split())]
    marks = word_marks(words, fillers=[Marker("um", 0.0, 0)],
                       hedges=[Marker("i think", 0.5, 1), Marker("maybe", 1.5, 3)])
    assert marks == ("filler", "hedge", "hedge", "hedge", None, None)
    assert word_marks(words, fillers=[Marker("um", 0.2, 0)]) == (None,) * 6  # no word starts there


def test_objective_comparison_part_by_part():
    c = compare_objective("My manager agrees to enrol me on the leadership course before the March intake",
                          "Please enrol me on the leadership course.")
    assert c.summary == ("You planned: “My manager agrees to enrol me on the leadership course before the March "
                         "intake”. You asked: “Please enrol me on the leadership course”.")
    assert [p.verdict for p in c.parts] == ["same", "same", "left out"]
    assert set(MATCH_TEXT) >= {p.verdict for p in c.parts}
    assert c.advice == "You left out a time (before the March intake)."
    same = compare_objective("Enrol me on the leadership course before March",
                             "Please enrol me on the leadership course before March.")
    assert same.advice == "Your request matches what you planned."
    other = compare_objective("Enrol me on the leadership course before March",
                              "Please send me to the data conference before March.")
    assert "You changed" in other.advice
    assert compare_objective("   ", "Please enrol me.") is None
    assert "no request" in compare_objective("Enrol me on the course by May", None).summary


@pytest.mark.parametrize("start,end,window", [
    (None, None, (0, None)), (5.2, 7.0, (4, 8)), (0.3, None, (0, 5)), (10.0, 19.8, (9, None)),
], ids=["whole-take", "span", "start-only", "to-the-end"])
def test_play_window(start, end, window):
    assert play_window(Feedback("x", "low", "m", start, end), duration_s=20.0) == window


def test_tips_keep_the_coach_order_and_their_moment():
    t, fb = make_take(GOOD, wait_s=0.6, end_drop_db=12)
    views = tips(t)
    assert [v.code for v in views] == [f.code for f in fb] and views[0].severity == "high"
    wait = next(v for v in views if v.code == "short_wait")
    assert wait.play_start_s == max(0, int(t.request.speech_end_s - 1.0)) and wait.at != "whole take"
    t2 = replace(t, feedback=(Feedback("monotone", "low", "flat", None, None),))
    assert tips(t2)[0].at == "whole take" and tips(t2)[0].play_start_s == 0


@pytest.mark.parametrize("shares, text", [
    ((0.7, 0.1, 0.0, 0.2), "70% / 10% / 0% · 20% neutral"),
    ((0.55, 0.45, 0.0, 0.0), "55% / 45% / 0%"),
], ids=["with-neutral", "no-neutral"])
def test_balance_shows_the_neutral_share_so_it_adds_up(shares, text):
    t, _ = make_take(GOOD)
    push, pull, move_away, neutral = shares
    t = replace(t, balance=replace(t.balance, push_share=push, pull_share=pull, move_away_share=move_away,
                                   neutral_share=neutral))
    assert by_key(t)["balance"].value == text


# ---- the plan-vs-ask table: only words that were said, and no verdict on a guess ---------

PLAN = "My manager agrees to enrol me on the leadership course before the March intake"


def _request_parts(ask):
    from voicecoach.display.explain import compare_take
    t, _ = make_take(GOOD[:2] + [ask])
    return t, compare_take(PLAN, t)


def test_a_misheard_time_is_shown_as_misheard_not_as_the_same():
    t, c = _request_parts("Please enrol me on the leadership course before the March end@0.3 tape.@0.34")
    when = c.parts[2]
    assert (when.asked, when.verdict) == ("before the March end tape", "uncertain")
    assert MATCH_TEXT["uncertain"] == "may have misheard"
    assert c.advice.startswith("We may have misheard ‘March end tape’") and "say it again, clearly" in c.advice
    assert [p.verdict for p in c.parts[:2]] == ["same", "same"]  # the parts heard clearly keep their verdict
    request = next(v for v in transcript(t) if v.is_main_request)
    assert request.request_verdict.startswith("We may have misheard ‘March end tape’")
    # negative control: the same ask heard clearly is the same as planned
    t, c = _request_parts("Please enrol me on the leadership course before the March intake.")
    assert [(p.asked, p.verdict) for p in c.parts] == [
        ("enrol", "same"), ("the leadership course", "same"), ("before the March intake", "same")]
    assert c.advice == "Your request matches what you planned." and not c.misheard


@pytest.mark.parametrize("ask, cells", [
    ("I'd appreciate your support.", ("I'd appreciate", "your support", None)),  # was "give": never said
    ("I would like a place on the leadership course before the March intake.",
     ("I would like", "a place on the leadership course", "before the March intake")),
    ("Could you let me know by Friday?", ("let me know", None, "by Friday")),  # was "let" / "know"
    ("Let me know by Friday whether I can go on the course.",
     ("Let me know", "whether I can go on the course", "by Friday")),
    ("Would you let me lead the client pitch in May?", ("let me lead", "the client pitch", "in May")),
    ("Could you get me on the Excel modelling course?", ("get me", "the Excel modelling course", None)),
    ("She enrolled me on the course in June.", ("enrolled", "the course", "in June")),  # not the base form
])
def test_every_asked_cell_is_words_that_were_said(ask, cells):
    c = compare_objective(PLAN, ask)
    assert tuple(p.asked for p in c.parts) == cells
    said = " ".join(ask.split())
    assert all(p.asked is None or p.asked in said for p in c.parts)
    assert all(p.planned is None or p.planned in PLAN for p in c.parts)


def test_without_a_request_a_misheard_take_says_so():
    from voicecoach.display.explain import compare_take
    t, _ = make_take(["I have really enjoyed leading the migration this year.",
                      "I would like to grow as a leader and roll@0.25 me@0.3 in march.@0.2"])
    c = compare_take(PLAN, t)
    assert t.request is None and c.misheard == ("roll me", "march")  # "in" was heard clearly
    assert c.advice.startswith("We may have misheard ‘roll me’ or ‘march’: if that is not what you said")
    t, _ = make_take(["I have really enjoyed leading the migration this year."])  # negative control
    assert compare_take(PLAN, t).advice == "Say the request out loud, then wait."


def test_a_doubtful_word_the_plan_names_is_no_doubt():
    """'march' heard at p 0.2 where the objective says 'March': the plan confirms it (same, no
    'may have misheard'); against an objective that says April it stays a doubt (control)."""
    from voicecoach.display.explain import compare_objective
    from voicecoach.types import Word

    said = "Please enroll me on the leadership course before the march intake."
    words = [Word(x, i, i + 0.5, 0.2 if x == "march" else 0.9) for i, x in enumerate(said.split())]
    same = compare_objective("My manager agrees to enrol me on the leadership course before the March intake",
                             said, words=words)
    assert [p.verdict for p in same.parts] == ["same", "same", "same"] and "misheard" not in same.advice
    april = compare_objective("My manager agrees to enrol me on the leadership course before the April intake",
                              said, words=words)
    assert april.parts[2].verdict == "uncertain" and "may have misheard ‘the march’" in april.advice


def test_a_lone_determiner_is_not_what_is_asked():
    """'Could you let me know my Friday?' (for 'by Friday'): 'my' is not an object; a real
    object after the action is still found (control)."""
    from voicecoach.wording.specificity import check_specificity

    assert check_specificity("Could you let me know my Friday?").object is None
    assert check_specificity("Please send me the invitation by Friday.").object == "the invitation"
