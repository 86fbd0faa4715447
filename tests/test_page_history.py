"""The Takes page driven by AppTest on a real take store (tmp VOICECOACH_HOME) holding real
analyses of synthetic takes: list, rename, delete with confirmation, delete all, retry."""
import hashlib
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from voicecoach.store.takes import TakeStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")
HOSTILE = "**x** <script>alert(1)</script> $x$"


@pytest.fixture(scope="module")
def recordings(wait_recordings):
    return wait_recordings


@pytest.fixture
def store(tmp_path, monkeypatch, recordings):
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path))
    s = TakeStore(tmp_path)
    for wav, analysis in recordings:
        take = s.add(wav, source="upload", original_name="ask.wav")
        s.complete(take.id, analysis=analysis, model=analysis["model"], duration_s=analysis["duration_s"])
    return s


def takes_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("studio/history.py").run()
    assert not at.exception
    return at


def button(at, label):
    (b,) = [b for b in at.button if b.label == label]
    return b


def test_lists_every_take_newest_first_with_replay(store):
    at = takes_page()
    table = at.dataframe[0].value
    assert list(table["take"]) == [2, 1]
    assert list(table["status"]) == ["analysed", "analysed"]
    assert [float(w) for w in table["wait"]] == pytest.approx([2.8, 0.8], abs=0.2)
    assert all("neutral" in x or x.count("%") == 3 for x in table["push/pull"])
    assert "fillers" not in table and "objective" not in table  # the columns that matter; the rest in the detail
    assert all("UTC" not in x and x.count(":") == 2 for x in table["recorded"])  # local time, with seconds
    assert all("-" not in x for x in table["end drop"])  # a real minus sign
    assert at.selectbox[0].value == 2
    assert at.get("audio")  # the selected take's recording, to replay
    assert any(m.value == "2.8 s" for m in at.metric)
    assert {m.label for m in at.metric} == {"Speaking pace", "End drop", "Wait after the request",
                                            "Push / Pull / Move Away"}
    assert str(store.home) in at.caption[0].value.replace("\\", "")  # where the takes are kept


def test_the_selected_take_shows_its_full_feedback(store):
    """The same content as the exported report: the numbers, the chart, the tips and the transcript."""
    at = takes_page()
    (report,) = [h.proto.body for h in at.get("html") if 'class="vc-report"' in h.proto.body]
    assert at.get("vega_lite_chart") and "Coaching" in report and "targets met" in report
    assert "leadership course before the March intake" in report and "your request" in report
    at.selectbox[0].set_value(1).run()
    (report,) = [h.proto.body for h in at.get("html") if 'class="vc-report"' in h.proto.body]
    assert "0.8 s" in report


def test_rename_shows_the_label_literally(store):
    at = takes_page()
    at.text_input(key="label-2").input(HOSTILE).run()
    button(at, "Save the name").click().run()
    assert not at.exception
    assert store.get(2).label == HOSTILE
    assert "renamed" in at.success[0].value
    assert HOSTILE in [t.value for t in at.text]  # shown as text, not markdown or HTML
    assert at.dataframe[0].value["name"][0] == HOSTILE


def test_delete_needs_confirmation(store):
    at = takes_page()
    button(at, "Delete this take").click().run()
    assert len(store.list()) == 2  # nothing deleted yet
    assert "for good" in at.warning[0].value
    button(at, "Keep it").click().run()
    assert len(store.list()) == 2 and not [b for b in at.button if b.label.startswith("Yes, delete")]
    audio = store.audio_path(store.get(2))
    button(at, "Delete this take").click().run()
    button(at, "Yes, delete take 2").click().run()
    assert not at.exception
    assert [t.id for t in store.list()] == [1] and not audio.exists()
    assert "Take 2 deleted" in at.success[0].value
    assert list(at.dataframe[0].value["take"]) == [1]


def test_delete_all_needs_the_typed_word(store):
    store.save_preparation(objective="Enrol me on the leadership course before March")
    at = takes_page()
    assert button(at, "Delete all my data").disabled
    at.text_input(key="confirm_delete_all").input("delete").run()
    assert button(at, "Delete all my data").disabled  # the exact word, in capitals
    at.text_input(key="confirm_delete_all").input("DELETE").run()
    button(at, "Delete all my data").click().run()
    assert not at.exception
    assert store.list() == [] and store.current_preparation() is None
    assert not any((store.home / "audio").iterdir())
    assert "deleted" in at.success[0].value and "No takes yet" in at.info[0].value


def test_retry_analyses_a_failed_take_again(store):
    store.fail(2, "the analysis stopped <b>half way</b>")
    at = takes_page()
    assert at.dataframe[0].value["status"][0] == "failed: retry"
    assert "Its recording is kept" in at.warning[0].value
    assert "the analysis stopped <b>half way</b>" in [t.value for t in at.text]
    button(at, "Retry the analysis").click().run()
    assert not at.exception
    take = store.get(2)
    assert take.status == "done" and take.error is None
    assert take.pause_after_s == pytest.approx(2.8, abs=0.2)
    assert "analysed" in at.success[0].value and not [b for b in at.button if b.label == "Retry the analysis"]


def test_retry_of_a_broken_recording_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path))
    s = TakeStore(tmp_path)
    s.add(b"RIFF....not really a wav", source="upload")  # left pending, as if the analysis was interrupted
    at = takes_page()
    assert at.dataframe[0].value["status"][0] == "interrupted: retry"
    button(at, "Retry the analysis").click().run()
    assert not at.exception
    assert "could not be decoded" in at.error[0].value
    assert (s.get(1).status, s.get(1).analysable) == ("failed", 0)
    at.run()  # a recording that cannot be decoded is not offered a retry that would fail again
    assert at.dataframe[0].value["status"][0] == "cannot be analysed"
    assert not [b for b in at.button if b.label == "Retry the analysis"]


def test_takes_and_names_survive_a_restart(store):
    at = takes_page()
    at.text_input(key="label-2").input("calm and slow").run()
    button(at, "Save the name").click().run()
    st.cache_resource.clear()  # as if the studio had been stopped and started again
    at = takes_page()
    table = at.dataframe[0].value
    assert list(table["take"]) == [2, 1] and table["name"][0] == "calm and slow"
    assert at.text_input(key="label-2").value == "calm and slow"


def test_renaming_an_older_take_keeps_it_selected(store):
    """After "Save the name" on take 1 the page stays on take 1 (not the newest take), so the
    report downloaded next is take 1's."""
    at = takes_page()
    at.selectbox[0].set_value(1).run()
    at.text_input(key="label-1").input("first try").run()
    button(at, "Save the name").click().run()
    assert not at.exception
    assert "Take 1 renamed" in at.success[0].value and store.get(1).label == "first try"
    assert at.selectbox[0].value == 1 and at.subheader[0].value == "Take 1"
    assert at.text_input(key="label-1").value == "first try"  # the name box (and the downloads) of take 1
    at.run()  # and on the next run
    assert at.selectbox[0].value == 1


def test_a_failed_take_shows_dashes_not_none_and_its_reason(store, tmp_path):
    take = store.add(b"RIFF but not audio", source="upload", original_name="fake.wav")
    store.fail(take.id, "fake.wav could not be decoded as audio because it is not an audio file")
    at = takes_page()
    row = at.dataframe[0].value.iloc[0]
    assert row["take"] == take.id and row["status"] == "failed: retry"
    assert [row[k] for k in ("pace", "wait", "end drop", "push/pull")] == ["–"] * 4
    assert not any(str(v) in ("None", "nan") for v in row)
    assert "failed" in at.warning[0].value
    assert "fake.wav could not be decoded as audio because it is not an audio file" in [t.value for t in at.text]


def test_recordings_not_in_the_history_are_offered_back(store, recordings):
    """The database moved aside (as its "damaged" message says): the page finds the recordings,
    adds them back, and they analyse like any take."""
    at = takes_page()
    assert not [b for b in at.button if b.label.startswith("Add them back")]  # negative control
    assert not any("not in your" in m.value for m in at.markdown)
    (store.home / "takes.db").rename(store.home / "takes.db.damaged")
    st.cache_resource.clear()
    at = takes_page()
    assert "No takes yet" in at.info[0].value
    assert any(m.value.startswith("**2 recordings found that are not in your history**") for m in at.markdown)
    button(at, "Add them back").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("2 recordings added back, not analysed yet")
    table = at.dataframe[0].value
    assert list(table["status"]) == ["added back"] * 2
    assert not any("not in your" in m.value for m in at.markdown)
    assert "found in the data folder and added back" in at.info[0].value and at.get("audio")
    assert not any("Its recording is kept" in w.value for w in at.warning)
    button(at, "Analyse this take").click().run()
    assert not at.exception and "is analysed" in at.success[0].value
    sha = {t.audio_sha256: t for t in store.list()}
    analysed = sha[hashlib.sha256(recordings[1][0]).hexdigest()]  # the newer file comes first
    assert analysed.status == "done" and analysed.pause_after_s == pytest.approx(2.8, abs=0.2)


def test_a_missing_recording_says_so_once(store):
    store.audio_path(store.get(2)).unlink()
    at = takes_page()
    (warning,) = [w.value for w in at.warning]
    assert warning == ("The recording of this take is missing from the data folder: it cannot be played or "
                       "analysed; its report is kept below.")
    assert not at.get("audio") and at.metric  # the report is still there
    take = store.add(b"RIFF gone", source="upload")
    store.fail(take.id, "the analysis was interrupted")
    store.audio_path(take).unlink()
    at = takes_page()
    (warning,) = [w.value for w in at.warning]
    assert warning.endswith("it cannot be played or analysed; delete this take.") and "kept" not in warning
    assert at.dataframe[0].value["status"][0] == "recording missing"
    assert not [b for b in at.button if b.label == "Retry the analysis"]


def test_a_recording_that_cannot_be_analysed_offers_no_retry(store):
    store.fail(2, "No speech was heard in ask.wav", analysable=False)
    at = takes_page()
    assert at.dataframe[0].value["status"][0] == "cannot be analysed"
    assert at.warning[0].value.startswith("This recording cannot be analysed")
    assert "No speech was heard in ask.wav" in [t.value for t in at.text]
    assert at.get("audio") and not [b for b in at.button if b.label == "Retry the analysis"]
    store.fail(2, "the model could not be loaded")  # negative control: worth a retry
    at = takes_page()
    assert at.dataframe[0].value["status"][0] == "failed: retry" and button(at, "Retry the analysis")
