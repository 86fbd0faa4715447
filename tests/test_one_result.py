"""One verdict per check, one saved result (issue 16, items 1 and 2), on real analyses of espeak-ng
takes through the real model and a real take store:

- a result round-trips through the store (``from_dict(to_dict(t)) == t``), and a schema-1 row
  (the JSON saved before) loads, its verdicts recomputed;
- one check gives the same verdict in the tips, the headline's colour, Compare's score and
  Reflect's "what worked", and all of them follow the saved verdict (none decides again);
- a request whose last word fades by 12 dB shows that fade in the headline, on the Takes page and on
  Compare (trend and side by side agree), not a median of the sentences that hides it;
- the hedge count inside the request is the same in the tip and on Compare; only Push in two
  sentences is not shown green; a clipped take is marked on Takes, Compare, Reflect and the export
  and does not rank as best.
"""
import json
import statistics
from html import escape
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from synth import Silence, Speech, build_take, to_wav_bytes
from voicecoach.analysis import analyse
from voicecoach.speech.audio import load
from voicecoach.coaching.coach import hedges_in_request
from voicecoach.display.compare import best, changes, ranking, score, trend_rows
from voicecoach.display.explain import headline
from voicecoach.display.export import report_html, report_markdown
from voicecoach.format import fmt_db
from voicecoach.display.reflect import beside, take_facts
from voicecoach.result import SCHEMA_VERSION, TakeResult
from voicecoach.store.takes import TakeStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LEAD = "I have really enjoyed leading the data migration this year."
# A fade of 12 dB on its last word that Whisper still hears as that word ("…the March intake" faded
# came out as "…the march. Didn't take.": the fade then sits in a sentence of its own)
ASK = "Please book me on the leadership course for next Monday."
#: keys schema 2 added: removed to make the JSON a schema-1 row (what users' databases hold)
V2_TOP = ("speech", "checks")
V2_SENTENCE = ("index", "first_word", "last_word", "n_words", "specificity")


def wav(parts) -> bytes:
    y, _ = build_take(parts)
    return to_wav_bytes(y)


@pytest.fixture(scope="module")
def recordings(whisper):
    """name -> (wav bytes, fresh TakeResult)."""
    takes = {
        "plain": [Speech(LEAD), Silence(0.6), Speech(ASK), Silence(2.5)],
        "fade": [Speech(LEAD), Silence(0.6), Speech(ASK, final_gain_db=-12.0), Silence(2.5)],
        "short": [Speech(LEAD), Silence(0.6), Speech(ASK), Silence(0.8), Speech("What do you think?"), Silence(0.5)],
        "held": [Speech(LEAD), Silence(0.6), Speech(ASK), Silence(2.8), Speech("What do you think?"), Silence(0.5)],
        "hedged": [Speech("Um, I think I have maybe done well this year."), Silence(0.6),
                   Speech("Could you maybe just possibly enrol me on the leadership course before March?"),
                   Silence(2.5)],
    }
    out = {}
    for name, parts in takes.items():
        data = wav(parts)
        out[name] = (data, analyse(load(data)))
    y, _ = build_take(takes["held"])
    clipped = to_wav_bytes(np.clip(y * 12.0, -1.0, 1.0))  # the same ask, recorded far too loud
    out["clipped"] = (clipped, analyse(load(clipped)))
    return out


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path))
    return tmp_path


def save(store, data, result, *, as_dict=None):
    take = store.add(data, source="upload", original_name="ask.wav", dedupe=False)
    return store.complete(take.id, analysis=as_dict or result.to_dict(), model=result.model,
                          duration_s=result.duration_s)


def schema_1(d: dict) -> dict:
    """``d`` as the analysis was saved before schema 2 (the keys schema 2 added removed)."""
    old = {k: v for k, v in json.loads(json.dumps(d)).items() if k not in V2_TOP}
    old["schema_version"] = 1
    old["sentences"] = [{k: v for k, v in s.items() if k not in V2_SENTENCE} for s in old["sentences"]]
    old["pace"].pop("speaking_time_s")
    for x in old["pauses"]:
        x.pop("at_sentence_end")
    if old["request"]:
        for k in ("start", "end"):
            old["request"].pop(k)
    for k in ("neutral_share", "push_only", "pull_only"):
        old["push_pull"].pop(k)
    for m in old["fillers"] + old["hedges"]:
        m.pop("word_index")
    return old


# ---- one saved result ------------------------------------------------------------------------

def test_a_result_round_trips_through_the_store(recordings, tmp_path):
    store = TakeStore(tmp_path)
    for name, (data, t) in recordings.items():
        assert t.verdicts and t.to_dict()["schema_version"] == SCHEMA_VERSION == 2
        assert TakeResult.from_dict(t.to_dict()) == t, name
        assert TakeResult.from_dict(json.loads(json.dumps(t.to_dict()))) == t, name  # through JSON text
        assert save(store, data, t).result == t, name  # through SQLite
        assert save(store, data, t).result.summary() == t.summary()
    # negative control: the comparison sees one changed number
    _, t = recordings["fade"]
    d = t.to_dict()
    d["sentences"][1]["end_drop_db"] += 0.1
    assert TakeResult.from_dict(d) != t


def test_an_old_schema_1_row_loads_with_its_verdicts_recomputed(recordings, tmp_path):
    store = TakeStore(tmp_path)
    for name, (data, t) in recordings.items():
        old = save(store, data, t, as_dict=schema_1(t.to_dict()))
        assert json.loads(old.analysis_json)["schema_version"] == 1
        r = old.result
        assert [(v.code, v.met) for v in r.verdicts] == [(v.code, v.met) for v in t.verdicts], name
        assert r.feedback == t.feedback and r.summary() == t.summary(), name
        assert r.sentences == t.sentences and r.hedges == t.hedges and r.request == t.request, name
        assert r.speech == ()  # not saved in schema 1: the one thing that cannot be recomputed
    with pytest.raises(ValueError, match="schema 7"):  # negative control: an unknown schema is refused, clearly
        TakeResult.from_dict({**recordings["plain"][1].to_dict(), "schema_version": 7})


# ---- one verdict per check --------------------------------------------------------------------

def readers(take):
    """What each reader says about the wait: (tip given, headline colour, Compare point met,
    Reflect praises it)."""
    t = take.result
    (wait,) = [h for h in headline(t) if h.key == "wait"]
    return ("short_wait" in [f.code for f in t.feedback], wait.status, score(take).points[1].met,
            t.verdict("short_wait").explanation in beside(take_facts(t))["worked"])


def test_one_check_gives_one_verdict_everywhere(recordings, tmp_path):
    store = TakeStore(tmp_path)
    short, held = (save(store, *recordings[k]) for k in ("short", "held"))
    assert short.result.verdict("short_wait").met is False and held.result.verdict("short_wait").met is True
    assert readers(short) == (True, "attention", False, False)
    assert readers(held) == (False, "good", True, True)  # negative control: the other take, the other way
    assert any("waited" in w for w in beside(take_facts(held.result))["worked"])
    # every reader follows the saved verdict: flip it (the numbers unchanged) and they all flip
    d = short.analysis
    (v,) = [v for v in d["checks"] if v["code"] == "short_wait"]
    v["met"] = True
    d["feedback"] = [f for f in d["feedback"] if f["code"] != "short_wait"]
    flipped = replace(short, analysis_json=json.dumps(d))
    assert flipped.result.pause_after_s == short.result.pause_after_s < 2.0
    assert readers(flipped) == (False, "good", True, True)
    md = report_markdown(flipped)
    assert "✓ a wait after the request" in md and "✗ a wait after the request" in report_markdown(short)


def test_hedges_inside_the_request_are_counted_once(recordings, tmp_path):
    store = TakeStore(tmp_path)
    take = save(store, *recordings["hedged"])
    t = take.result
    n = len(hedges_in_request(t))
    assert n >= 2, t.hedges  # "maybe", "just", "possibly" in the request
    (tip,) = [f for f in t.feedback if f.code == "hedges"]
    assert f", {n} inside your request at " in tip.message
    assert f", {n} in the request" in score(take).points[4].detail
    assert not score(take).points[4].met and t.verdict("hedges").met is False
    assert not any("hedges" in w.lower() for w in beside(take_facts(t))["worked"])
    assert any("filler" in f.code for f in t.feedback)  # the "um": no praise for few fillers either
    assert not any("fillers" in w.lower() for w in beside(take_facts(t))["worked"])
    plain = save(store, *recordings["plain"]).result  # negative control: no hedge at all
    assert hedges_in_request(plain) == () and "No hedges." in beside(take_facts(plain))["worked"]


def test_only_push_in_two_sentences_is_not_shown_green(recordings):
    (b,) = [h for h in headline(recordings["plain"][1]) if h.key == "balance"]
    assert b.status == "unknown" and "too few to judge" in b.verdict
    (b,) = [h for h in headline(recordings["held"][1]) if h.key == "balance"]  # with a Pull question
    assert b.status == "good" and b.verdict.startswith("Push and Pull")


# ---- the end drop: the fading request, everywhere ---------------------------------------------

def test_a_fading_request_shows_its_fade_in_the_headline_and_on_compare(recordings, tmp_path):
    store = TakeStore(tmp_path)
    plain, fade = save(store, *recordings["plain"]), save(store, *recordings["fade"])
    t = fade.result
    req = t.sentences[t.request.sentence_index]
    drops = [s.end_drop_db for s in t.sentences if s.end_drop_db is not None]
    assert req.end_drop_db - plain.result.sentences[1].end_drop_db > 6  # the last word really faded
    assert t.end_drop_db == req.end_drop_db > statistics.median(drops) + 2  # the median would hide it
    (h,) = [h for h in headline(t) if h.key == "end_drop"]
    assert h.value == fmt_db(req.end_drop_db)
    assert fade.end_drop_db == req.end_drop_db  # the store's summary column: the same definition
    rows = [r for r in trend_rows([plain, fade]) if r["metric"] == "end drop"]
    assert [r["value"] for r in rows] == [plain.result.end_drop_db, req.end_drop_db]
    (c,) = [c for c in changes(plain, fade) if c.metric.key == "end_drop_db"]
    assert c.after == req.end_drop_db and fmt_db(req.end_drop_db) in c.text
    assert f"largest end drop {fmt_db(req.end_drop_db)}" == score(fade).points[3].detail
    # negative control: the plain take's headline is its own, smaller number
    (hp,) = [h for h in headline(plain.result) if h.key == "end_drop"]
    assert hp.value != h.value


def test_the_takes_and_compare_pages_show_the_fade(recordings, home):
    store = TakeStore(home)
    plain, fade = save(store, *recordings["plain"]), save(store, *recordings["fade"])
    shown = fmt_db(fade.result.end_drop_db)
    assert shown != fmt_db(statistics.median(s.end_drop_db for s in fade.result.sentences))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("studio/history.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["take"]) == [fade.id, plain.id]
    assert table["end drop"][0] == shown and table["end drop"][1] == fmt_db(plain.result.end_drop_db)
    metric = {m.label: m.value for m in at.metric}
    assert metric["End drop"] == shown  # the selected (newest) take's headline, as on Practise
    at.switch_page("studio/compare.py").run()
    assert not at.exception
    side = [m.value for m in at.markdown if "end drop:" in m.value]
    assert any(f"end drop: **{shown}**" in s for s in side)
    (line,) = [x for m in at.markdown for x in m.value.splitlines() if "end drop" in x and "→" in x]
    assert f"→ {shown}" in line
    spec = next(json.loads(c.proto.spec) for c in at.get("vega_lite_chart") if "End drop" in c.proto.spec)
    values = [d["value"] for d in spec["datasets"].values() for d in d if d.get("metric") == "end drop"] \
        if "datasets" in spec else [d["value"] for layer in spec["layer"] for d in layer.get("data", {}).get(
            "values", []) if d.get("metric") == "end drop"]
    assert fade.result.end_drop_db in values and plain.result.end_drop_db in values


# ---- warnings wherever a result is shown ------------------------------------------------------

def test_a_clipped_take_is_marked_everywhere_and_not_ranked_best(recordings, home):
    store = TakeStore(home)
    data, clipped = recordings["clipped"]
    assert "clipping" in [c.code for c in clipped.warnings]
    held = save(store, *recordings["held"])
    loud = save(store, data, clipped)
    assert score(loud).total >= score(held).total - 1
    assert ranking([held, loud])[-1].take_id == loud.id and best([held, loud]).take_id == held.id
    assert best([loud]).take_id == loud.id and not best([loud]).trusted  # alone: best, with its warning
    message = clipped.warnings[0].message
    assert escape(message) in report_html(loud) and "## Warnings" in report_markdown(loud)
    assert "full scale" in report_markdown(loud).split("## Warnings")[1].split("##")[0]
    assert "Warnings" not in report_markdown(held) and escape(message) not in report_html(held)  # negative control
    assert message in take_facts(loud.result).warnings and not take_facts(held.result).warnings

    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("studio/history.py").run()  # the newest (clipped) take is selected
    assert not at.exception
    assert any(w.value == message for w in at.warning)
    assert list(at.dataframe[0].value["warnings"]) == ["⚠ 1", ""]
    at.switch_page("studio/compare.py").run()
    assert not at.exception
    assert at.success[0].value.startswith(f"Take {held.id}: ")
    assert any(w.value == message for w in at.warning)  # beside its numbers, side by side
    ranked = at.dataframe[0].value
    assert list(ranked["take"]) == [held.id, loud.id] and message in ranked["warnings"][1]
    at.switch_page("studio/reflect.py").run()
    assert not at.exception and any(w.value == message for w in at.warning)


# ---- Practise keeps the last result -------------------------------------------------------------

def test_practise_shows_the_last_result_when_you_come_back(recordings, home):
    data, _ = recordings["fade"]
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert "Record or upload a take" in at.info[0].value  # negative control: nothing yet, nothing shown
    at.file_uploader[0].set_value(("fade.wav", data, "audio/wav")).run()
    assert not at.exception
    first = {m.label: (m.value, m.delta) for m in at.metric}
    assert first["End drop"][0] == fmt_db(recordings["fade"][1].end_drop_db)
    at.switch_page("studio/history.py").run()
    at.switch_page("studio/practise.py").run()
    assert not at.exception
    assert {m.label: (m.value, m.delta) for m in at.metric} == first  # the same result, not analysed again
    assert not at.info and any("Your last take, 1: the file fade.wav" in h.proto.body for h in at.get("html"))
    assert len(TakeStore(home).list()) == 1
    TakeStore(home).delete(1)  # deleted meanwhile (on Takes): not shown again
    at.switch_page("studio/practise.py").run()
    assert not at.exception and not at.metric and "Record or upload a take" in at.info[0].value


def test_an_unreadable_saved_analysis_is_said_not_a_traceback(recordings, home):
    store = TakeStore(home)
    good = save(store, *recordings["plain"])
    data, result = recordings["held"]
    bad = save(store, data, result, as_dict={**result.to_dict(), "schema_version": 9})  # from a newer version
    assert bad.status == "done" and bad.end_drop_db is None  # stored: its summary columns left empty
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("studio/history.py").run()  # the newest (unreadable) take is selected
    assert not at.exception
    assert any("cannot be read" in w.value for w in at.warning) and not at.metric
    assert list(at.dataframe[0].value["end drop"]) == ["–", fmt_db(good.result.end_drop_db)]
    at.switch_page("studio/compare.py").run()
    assert not at.exception and "you have 1" in at.info[0].value  # only the readable take is compared
    at.switch_page("studio/reflect.py").run()
    assert not at.exception and any("cannot be read" in w.value for w in at.warning)
