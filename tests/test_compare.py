"""Comparing takes on real analyses: two synthetic takes that differ only in the wait after the
request (0.8 s and 2.8 s), saved and analysed in a real take store."""
import json
from dataclasses import replace

import pytest

from synth import Silence, Speech, build_take, to_wav_bytes
from voicecoach.coaching.coach import CoachSettings
from voicecoach.display.compare import (
    METRICS,
    WITHIN,
    best,
    change,
    changes,
    done_takes,
    point_names,
    ranking,
    score,
    target_of,
    trend_rows,
    POINT_SHORT_NAMES,
)
from voicecoach.result import TakeResult
from voicecoach.practice import analyse_saved
from voicecoach.store.takes import TakeStore

WAITS_S = (0.8, 2.8)


def ask(wait_s: float) -> bytes:
    """The same words with a calm 1 s pause before the request, so that the pace (which counts
    up to 1 s of each pause) sits inside the target whether the wait is 0.8 s or 2.8 s."""
    y, _ = build_take([Speech("I have really enjoyed leading the data migration this year."), Silence(1.0),
                       Speech("Please enrol me on the leadership course before the March intake."), Silence(wait_s),
                       Speech("What do you think?"), Silence(0.5)])
    return to_wav_bytes(y)


@pytest.fixture(scope="module")
def takes(whisper, tmp_path_factory):
    store = TakeStore(tmp_path_factory.mktemp("home"))
    out = []
    for wait in WAITS_S:
        take = store.add(ask(wait), source="upload", original_name=f"wait-{wait}.wav")
        analyse_saved(store, take)
        out.append(store.get(take.id))
    return out  # [short wait, long wait], oldest first


def by_name(cs, name):
    (c,) = [c for c in cs if c.metric.name == name]
    return c


def test_the_longer_wait_is_two_seconds_more_and_better(takes):
    short, long_ = takes
    cs = changes(short, long_)
    wait = by_name(cs, "wait after the request")
    assert wait.delta == pytest.approx(2.0, abs=0.2)
    assert wait.verdict == "better"
    assert wait.text.startswith(f"wait after the request {short.pause_after_s:.1f} s → {long_.pause_after_s:.1f} s (+2")
    assert wait.text.endswith(" s, better)")
    for name in ("speaking pace", "end drop", "fillers"):  # the same speech: nothing else moved
        assert by_name(cs, name).verdict in ("about the same", WITHIN), by_name(cs, name).text
    assert "-" not in by_name(cs, "end drop").text  # a real minus sign, if any
    assert by_name(cs, "Push share").verdict is None  # no better direction
    assert by_name(changes(long_, short), "wait after the request").verdict == "worse"


def test_best_take_is_the_one_with_the_longer_wait(takes):
    short, long_ = takes
    assert best(takes).take_id == long_.id
    assert best(list(reversed(takes))).take_id == long_.id  # not the order they are given in
    s_short, s_long = score(short), score(long_)
    assert s_long.total == s_short.total + 1
    diff = [p.name for p, q in zip(s_short.points, s_long.points) if p.met != q.met]
    assert diff == [point_names()[1]]  # only the wait after the request differs
    assert s_long.points[0].met and s_long.points[0].detail == "specific"  # enrol · course · before March
    assert s_long.points[5].met  # "What do you think?" is Pull, the rest Push
    assert "2.8 s" in s_long.points[1].detail
    assert [x.take_id for x in ranking(takes)] == [long_.id, short.id]


def rejudged(take, settings):
    """``take`` with its verdicts computed again under ``settings`` (as an analysis with them would)."""
    from voicecoach.coaching.coach import coached
    return replace(take, analysis_json=json.dumps(coached(take.result, settings=settings).to_dict()))


def test_points_follow_the_coach_verdicts(takes):
    short, long_ = takes
    lenient = CoachSettings(wait_target_s=0.5)
    assert score(short, lenient).total < score(long_, lenient).total  # the saved verdicts, not the settings
    judged = [rejudged(t, lenient) for t in takes]
    assert score(judged[0]).total == score(judged[1]).total
    assert best(judged).take_id == long_.id  # a tie goes to the more recent take
    assert "at least 0.5 s" in point_names(lenient)[1]
    assert target_of("pause_after_s", lenient) == (0.5, None)
    assert target_of("speaking_wpm") == (CoachSettings().pace_min_wpm, CoachSettings().pace_max_wpm)


def test_trend_rows_follow_the_stored_columns_oldest_first(takes):
    short, long_ = takes
    rows = trend_rows(list(reversed(takes)))
    assert [r["take_id"] for r in rows] == [short.id] * len(METRICS) + [long_.id] * len(METRICS)
    assert [r["n"] for r in rows[:: len(METRICS)]] == [1, 2]
    wait = [r["value"] for r in rows if r["metric"] == "wait after the request"]
    assert wait == [short.pause_after_s, long_.pause_after_s]  # the stored column agrees with the result
    assert wait == [short.result.pause_after_s, long_.result.pause_after_s]
    push = [r for r in rows if r["metric"] == "Push share"]
    assert push[0]["value"] == pytest.approx(100 * short.push_share) and push[0]["unit"] == "%"


def test_only_analysed_takes_are_compared(takes):
    short, long_ = takes
    failed = replace(short, id=99, status="failed", analysis_json=None)
    pending = replace(short, id=100, status="pending", analysis_json=None)
    assert [t.id for t in done_takes([failed, long_, pending, short])] == [short.id, long_.id]
    assert best([failed, pending]) is None


@pytest.mark.parametrize("name, before, after, verdict", [
    ("speaking_wpm", 190.0, 150.0, "better"),  # into the range
    ("speaking_wpm", 120.0, 150.0, WITHIN),  # inside it both times
    ("speaking_wpm", 200.0, 203.0, "about the same"),  # outside it both times, hardly moved
    ("speaking_wpm", 150.0, 80.0, "worse"),  # out of it, too slow
    ("end_drop_db", 11.0, 4.0, "better"),
    ("end_drop_db", -0.3, 1.7, WITHIN),  # louder ends, then slightly quieter: both far under the threshold
    ("end_drop_db", 8.0, 9.5, "worse"),  # the threshold itself is flagged
    ("end_drop_db", 10.0, 10.5, "about the same"),
    ("pause_after_s", 2.2, 4.0, WITHIN),
    ("fillers_per_100", 0.0, 1.0, WITHIN),
    ("fillers_per_100", 1.0, 6.0, "worse"),
    ("pause_after_s", 2.6, 0.8, "worse"),
    ("push_share", 0.9, 0.5, None),
], ids=["pace-into-range", "pace-in-range", "pace-outside-same", "pace-too-slow", "end-drop-less",
        "end-drop-both-within", "end-drop-onto-threshold", "end-drop-same", "wait-both-held", "fillers-both-few",
        "fillers-more", "wait-shorter", "push-share"])
def test_verdict_table(name, before, after, verdict):
    (m,) = [m for m in METRICS if m.key == name]
    c = change(m, m.scale * before, m.scale * after)
    assert c.verdict == verdict, c.text
    assert c.text.endswith(f", {verdict})" if verdict else ")") and "-" not in c.text


def test_a_number_missing_in_one_take_has_no_verdict(takes):
    a = takes[0].analysis
    a["request"] = None  # a take with no request: no wait after it
    no_request = replace(takes[0], analysis_json=json.dumps(a))
    assert no_request.result.pause_after_s is None
    c = by_name(changes(no_request, takes[1]), "wait after the request")
    assert c.verdict is None and c.delta is None
    assert c.text == f"wait after the request – → {takes[1].pause_after_s:.1f} s (not measured in both)"



def test_score_details_read_right_with_negative_end_drops(takes):
    a = takes[1].analysis
    for k, sentence in enumerate(a["sentences"]):
        sentence["end_drop_db"] = -0.2 - k  # every end louder than its sentence
    point = score(replace(takes[1], analysis_json=json.dumps(a))).points[3]
    assert point.short == "end drop" and point.met and point.detail == "largest end drop −0.2 dB"


@pytest.mark.parametrize("before, after, text", [
    (0.7, 0.7, "Push share 70% → 70% (no change)"),
    (0.7, 0.75, "Push share 70% → 75% (+5 percentage points)"),
    (0.7, 0.6, "Push share 70% → 60% (−10 percentage points)"),
], ids=["same", "up", "down"])
def test_a_share_changes_in_percentage_points_not_in_points(before, after, text):
    """"points" is the best take's score: a change of a share reads "percentage points" or "no change"."""
    (m,) = [m for m in METRICS if m.key == "push_share"]
    assert change(m, 100 * before, 100 * after).text == text


def test_an_unchanged_number_says_no_change(takes):
    c = by_name(changes(takes[0], takes[0]), "wait after the request")
    assert "(no change" in c.text and "+0.0" not in c.text and "0.0 s," not in c.text


def test_a_target_not_judged_is_neither_a_point_nor_a_miss(tmp_path):
    """Only Push in two sentences is 'too few to judge' in the headline; Compare must say the
    same: no point, not counted, '– not judged'. Negative control: with enough sentences the
    same imbalance is a miss."""
    from voicecoach.analysis import assess
    from voicecoach.speech.prosody import Contours
    from voicecoach.store.takes import TakeStore
    from voicecoach.types import Region, Word
    import numpy as np

    def take(texts):
        words, regions, t = [], [], 0.5
        for text in texts:
            start = t
            for w in text.split():
                words.append(Word(w, round(t, 3), round(t + 0.35, 3), 0.95))
                t += 0.4
            regions.append(Region(start, words[-1].end_s))
            t = words[-1].end_s + 0.6
        n = int((t + 3.0) / 0.01)
        energy, f0 = np.full(n, -100.0), np.full(n, np.nan)
        for r in regions:
            sl = slice(int(np.ceil(r.start_s / 0.01)), int(np.ceil(r.end_s / 0.01)))
            energy[sl], f0[sl] = -20.0, np.linspace(170, 100, sl.stop - sl.start)
        result = assess(words, regions=regions, contours=Contours(energy_db=energy, f0_hz=f0), duration_s=t + 3.0)
        store = TakeStore(tmp_path / str(len(texts)))
        tk = store.add(b"RIFF" + bytes(100), source="upload", dedupe=False)
        return store.complete(tk.id, analysis=result.to_dict(), model="x", duration_s=result.duration_s)

    two = score(take(["I have led the migration this year.",
                      "Please enrol me on the leadership course before the March intake."]))
    (balance,) = [p for p in two.points if p.short == POINT_SHORT_NAMES[-1]]
    assert balance.met is None and balance.mark == "–" and "not judged" in balance.detail
    assert two.out_of == len(two.points) - 1 and "(1 not judged)" in two.summary
    four = score(take(["I have led the migration this year.", "The team shipped two weeks early.",
                       "I mentored two new engineers.",
                       "Please enrol me on the leadership course before the March intake."]))
    (balance,) = [p for p in four.points if p.short == POINT_SHORT_NAMES[-1]]
    assert balance.met is False and four.out_of == len(four.points)
