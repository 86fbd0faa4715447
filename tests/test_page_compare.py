"""The Compare page driven by AppTest on a real take store holding real analyses of two synthetic
takes that differ only in the wait after the request (0.8 s and 2.8 s)."""
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from voicecoach.store.takes import TakeStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def recordings(wait_recordings):
    return wait_recordings


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path))
    return TakeStore(tmp_path)


def save(store, wav, analysis):
    take = store.add(wav, source="upload", dedupe=False)
    return store.complete(take.id, analysis=analysis, model=analysis["model"], duration_s=analysis["duration_s"])


def compare_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("studio/compare.py").run()
    assert not at.exception
    return at


def test_fewer_than_two_analysed_takes_is_explained(store, recordings):
    at = compare_page()
    assert "at least two analysed takes; you have 0" in at.info[0].value
    save(store, *recordings[0])
    store.add(b"RIFF not audio", source="upload")  # pending: not counted
    at = compare_page()
    assert "you have 1" in at.info[0].value and not at.get("vega_lite_chart")


def test_shows_trends_the_change_and_the_best_take(store, recordings):
    short = save(store, *recordings[0])
    long_ = save(store, *recordings[1])
    store.rename(long_.id, "<b>calm</b> **take**")
    at = compare_page()
    assert len(at.get("vega_lite_chart")) == 5  # pace, end drop, wait, Push share, fillers
    assert [s.value for s in at.selectbox] == [short.id, long_.id]  # earlier and later, by default
    assert len(at.get("audio")) == 2
    (change,) = [line for m in at.markdown for line in m.value.splitlines() if "wait after the request" in line
                 and "→" in line]
    assert f"{short.pause_after_s:.1f} s → {long_.pause_after_s:.1f} s (+2" in change and change.endswith(", better)")
    assert "trending_up" in change
    assert at.success[0].value.startswith(f"Take {long_.id}: ")
    assert "<b>calm</b> **take**" in [t.value for t in at.text]  # the best take's name, literally
    table = at.dataframe[0].value
    assert list(table["take"]) == [long_.id, short.id]
    assert "wait" not in table["missed"][0] and table["missed"][1].startswith("wait (0.")
    every = at.dataframe[1].value  # every target, in the expander
    assert every["wait"][0].startswith("✓") and every["wait"][1].startswith("✗")
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    push = next(s for s in specs if "Push share" in json.dumps(s["title"]))
    (y,) = [layer["encoding"]["y"] for layer in push["layer"] if "y" in layer.get("encoding", {})
            and layer["mark"]["type"] == "line"]
    assert y["scale"]["domain"] == [0, 100] and y["axis"]["format"] == ",.0f"  # no "100.000000"
    assert all(layer["encoding"]["x"]["field"] == "take_id" for s in specs for layer in s["layer"]
               if "x" in layer.get("encoding", {}))  # the x axis names the takes by number
    assert any("at least 2 s" in m.value for m in at.markdown)  # the score is explained

    at.selectbox[0].set_value(long_.id).run()  # compare the other way round
    at.selectbox[1].set_value(short.id).run()
    assert not at.exception
    assert any("wait after the request" in line and line.endswith(", worse)")
               for m in at.markdown for line in m.value.splitlines())
