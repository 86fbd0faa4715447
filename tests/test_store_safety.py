"""No recording is ever overwritten or lost: a real SQLite file in tmp_path and real speech
(espeak-ng, tests/synth.py). The database moved aside (as the "damaged database" message says) or
emptied, recordings found again and added back, input that can never be analysed refused before
it is stored, a read-only data folder still listed, names with control characters printed
escaped, quick successive takes none left pending."""
import contextlib
import hashlib
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from synth import SR, Silence, Speech, build_take, to_wav_bytes

from voicecoach import cli
from voicecoach.store import takes as takes_module
from voicecoach.speech.audio import AudioError
from voicecoach.practice import analyse_saved, check_analysable, finish_pending
from voicecoach.store.takes import StoreError, TakeStore
from voicecoach.speech.transcribe import ModelError

ASKS = ("Please enrol me on the leadership course before the March intake.",
        "Could you send me the invitation to the data conference by Friday?",
        "I would like a slot at the next leadership meeting to present my idea.",
        "Please put me forward for the stretch role in the new team.")


@pytest.fixture(scope="module")
def wavs() -> list[bytes]:
    """Four different real takes (an ask, then the wait after it)."""
    return [to_wav_bytes(build_take([Speech(text), Silence(1.5)])[0]) for text in ASKS]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recordings(home: Path) -> dict[Path, str]:
    """Every recording in the audio folder and the sha256 of its bytes."""
    return {p: sha(p) for p in sorted((home / "audio").iterdir()) if not p.name.startswith(".")}


def changed(before: dict[Path, str]) -> list[Path]:
    """The recordings of ``before`` that are gone or whose bytes changed."""
    return [p for p, digest in before.items() if not p.is_file() or sha(p) != digest]


def _lose_database(home: Path, how: str) -> None:
    db = home / "takes.db"
    assert not (home / "takes.db-wal").exists()  # every connection closed: nothing only in the WAL
    if how == "moved aside":  # what the "file is damaged" message tells the user to do
        db.rename(home / "takes.db.damaged")
    else:  # emptied (a sync tool, a failed copy)
        db.write_bytes(b"")


def _legacy_names(store: TakeStore) -> None:
    """Name the stored recordings ``audio/<id>.wav``, as voicecoach did before (and as an existing
    user's folder holds them), rows included: a new database's ids 1, 2… meet these names."""
    with sqlite3.connect(store.db) as con:
        for tid, path in con.execute("SELECT id, audio_path FROM takes").fetchall():
            (store.home / path).rename(store.home / "audio" / f"{tid}.wav")
            con.execute("UPDATE takes SET audio_path = ? WHERE id = ?", (f"audio/{tid}.wav", tid))
    con.close()


@pytest.mark.parametrize("how", ["moved aside", "emptied"])
@pytest.mark.parametrize("names", ["new names", "legacy <id>.wav names"])
def test_a_lost_database_never_costs_a_recording(tmp_path, wavs, whisper, how, names):
    """The issue's test: the database moved aside (or emptied), a take added and analysed; every
    earlier recording is byte-identical, and offered back."""
    store = TakeStore(tmp_path)
    old = [store.add(w, source="upload", original_name=f"ask {i}.wav") for i, w in enumerate(wavs[:3])]
    if names != "new names":
        _legacy_names(store)
    assert store.orphans() == []  # every recording has its row
    before = recordings(tmp_path)
    assert len(before) == 3

    _lose_database(tmp_path, how)
    store = TakeStore(tmp_path)
    assert store.list() == []
    new = store.add(wavs[3], source="microphone")
    assert new.id == 1  # the ids start again: exactly where the old store wrote over 1.wav
    analyse_saved(store, new, audio=check_analysable(wavs[3]))

    assert changed(before) == []  # every earlier recording, byte for byte
    assert store.audio_path(new).read_bytes() == wavs[3] and store.audio_path(new) not in before
    assert store.get(new.id).status == "done"

    # found again, and offered back
    assert sorted(store.orphans()) == sorted(before)
    added = store.add_back()
    assert sorted(t.audio_sha256 for t in added) == sorted(hashlib.sha256(w).hexdigest() for w in wavs[:3])
    assert all(t.status == "pending" and t.recovered and t.source is None for t in added)
    assert {store.audio_path(t) for t in added} == set(before)
    assert store.orphans() == [] and len(store.list()) == 4
    assert changed(before) == []
    analyse_saved(store, added[0])  # an added-back take analyses like any other
    assert store.get(added[0].id).status == "done"
    assert store.add_back() == []  # nothing twice


def test_negative_control_the_old_naming_would_have_overwritten(tmp_path, wavs, monkeypatch):
    """The check above catches the loss: with the old scheme (the row's id as the name, written
    with os.replace) the same steps write take 1 over the old 1.wav."""
    store = TakeStore(tmp_path)
    for w in wavs[:2]:
        store.add(w, source="upload")
    _legacy_names(store)
    before = recordings(tmp_path)
    _lose_database(tmp_path, "moved aside")

    def old_scheme(tmp, folder, ext):  # the first id of a new database
        final = folder / f"1{ext}"
        os.replace(shutil.copy(tmp, folder / ".copy"), final)
        return final

    monkeypatch.setattr(takes_module, "_link_new", old_scheme)
    TakeStore(tmp_path).add(wavs[3], source="microphone")
    assert changed(before) == [tmp_path / "audio" / "1.wav"]


def test_a_name_already_taken_is_never_written_over(tmp_path, wavs, monkeypatch):
    """Two draws of the same name (a clock and random suffix that repeat): the second take gets
    another name, the first file is untouched."""
    store = TakeStore(tmp_path)
    first = store.add(wavs[0], source="upload")
    taken = store.audio_path(first).name
    draws = iter(["feed0000", taken.rsplit("-", 1)[1].split(".")[0], "beef1111"])
    monkeypatch.setattr(takes_module.secrets, "token_hex", lambda n: next(draws))
    stamp = taken.rsplit("-", 1)[0]
    monkeypatch.setattr(takes_module, "datetime", _FixedClock(stamp))
    a = store.add(wavs[1], source="upload")
    b = store.add(wavs[2], source="upload")
    assert store.audio_path(first).read_bytes() == wavs[0]
    assert Path(b.audio_path).name == f"{stamp}-beef1111.wav" and store.audio_path(b).read_bytes() == wavs[2]
    assert store.audio_path(a).read_bytes() == wavs[1]
    assert not list((tmp_path / "audio").glob(".tmp-*"))


class _FixedClock:
    """``datetime`` whose ``now`` formats as ``stamp`` (the first part of a recording's name)."""

    def __init__(self, stamp: str):
        from datetime import datetime

        self._real, self._fixed = datetime, datetime.strptime(stamp, "%Y%m%d-%H%M%S")

    def now(self, tz=None):
        return self._fixed.replace(tzinfo=tz)

    def __getattr__(self, name):
        return getattr(self._real, name)


def test_cli_mentions_recordings_not_in_the_history_and_adds_them_back(tmp_path, wavs, monkeypatch, capsys):
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path))
    store = TakeStore(tmp_path)
    for w in wavs[:2]:
        store.add(w, source="microphone")
    assert cli.main(["takes"]) == 0
    assert "not in your history" not in capsys.readouterr().out  # negative control: none to offer
    _lose_database(tmp_path, "moved aside")
    assert cli.main(["takes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("No takes yet")
    assert f"2 recordings found in {tmp_path / 'audio'} that are not in your history: " \
           "`voicecoach takes --add-back` adds them back." in out
    assert cli.main(["takes", "--add-back"]) == 0
    assert capsys.readouterr().out.startswith("Added 2 recordings back to your history (takes 1, 2")
    assert cli.main(["takes"]) == 0
    out = capsys.readouterr().out
    assert out.count("pending") == 2 and "not in your history" not in out


# ---- input that can never be analysed ---------------------------------------------------------

def _refused_inputs() -> dict[str, tuple[bytes, str]]:
    y, _ = build_take([Speech(ASKS[0]), Silence(1.0)])
    long = np.tile(y, int(31 * 60 * SR / len(y)) + 1)  # a real 31-minute file (its header says so too)
    tones = (0.2 * np.sin(2 * np.pi * 262 * np.arange(6 * SR) / SR)
             * (np.sin(2 * np.pi * 1.5 * np.arange(6 * SR) / SR) > 0)).astype(np.float32)
    return {
        "31 min": (to_wav_bytes(long), r"is 31 min long; a take can be at most 30 min"),
        "0.2 s": (to_wav_bytes(y[int(0.4 * SR): int(0.6 * SR)]), r"is 0\.20 s long; record at least 1 s"),
        "silent": (to_wav_bytes(np.zeros(3 * SR, np.float32)), r"is silent .*check that the right microphone"),
        "tones, no speech": (to_wav_bytes(tones), r"No speech was heard in .* \(only noise, music or silence\)"),
    }


@pytest.fixture(scope="module")
def refused():
    return _refused_inputs()


@pytest.mark.parametrize("kind", ["31 min", "0.2 s", "silent", "tones, no speech"])
def test_input_that_can_never_be_analysed_is_refused_before_it_is_stored(kind, refused, tmp_path, monkeypatch):
    """Through the studio's upload, with a real store: one clear message, nothing kept."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path))
    data, why = refused[kind]
    with pytest.raises(AudioError, match=why):
        check_analysable(data, name="my take.wav")
    at = AppTest.from_file(str(Path(__file__).parent.parent / "app.py"), default_timeout=120).run()
    at.file_uploader[0].set_value(("my take.wav", data, "audio/wav")).run()
    assert not at.exception
    (error,) = [e.value.replace("\\", "") for e in at.error]  # the name shown as written (markdown-escaped)
    assert error.startswith("my take.wav ") or error.startswith("No speech was heard in my take.wav"), error
    assert re.search(why, error) and error.endswith("Nothing was saved.")
    assert TakeStore(tmp_path).list() == [] and not any((tmp_path / "audio").iterdir())


def test_negative_control_speech_is_stored_and_analysed(wavs, tmp_path, monkeypatch, whisper):
    """The same upload path with a real ask: stored and analysed (so the refusals above are the
    checks', not a page that stores nothing)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path))
    assert check_analysable(wavs[0]).duration_s > 3
    at = AppTest.from_file(str(Path(__file__).parent.parent / "app.py"), default_timeout=180).run()
    at.file_uploader[0].set_value(("my take.wav", wavs[0], "audio/wav")).run()
    assert not at.exception and not at.error
    (take,) = TakeStore(tmp_path).list()
    assert take.status == "done" and TakeStore(tmp_path).audio_path(take).read_bytes() == wavs[0]


def test_a_recording_the_analysis_cannot_use_is_marked_so(tmp_path, whisper):
    """A stored recording whose analysis finds it unusable (a hum, no words) is kept, marked
    failed and not analysable: no retry is offered for it."""
    store = TakeStore(tmp_path)
    y = np.zeros(4 * SR, np.float32)
    y[SR: 2 * SR] = 0.3 * np.sin(2 * np.pi * 150 * np.arange(SR) / SR)  # voice-like hum, no words
    data = to_wav_bytes(y)
    take = store.add(data, source="upload", original_name="hum.wav")
    with pytest.raises(AudioError) as err:
        analyse_saved(store, take)
    t = store.get(take.id)
    assert (t.status, t.analysable, t.error) == ("failed", 0, str(err.value))
    assert store.audio_path(t).read_bytes() == data  # kept
    # negative control: a failure of the model is worth a retry
    other = store.add(to_wav_bytes(build_take([Speech(ASKS[1])])[0]), source="upload")
    with pytest.raises(ModelError):
        analyse_saved(store, other, model=str(tmp_path / "no-such-model"))
    assert (store.get(other.id).status, store.get(other.id).analysable) == ("failed", 1)


# ---- a read-only data folder ------------------------------------------------------------------

@contextlib.contextmanager
def read_only(home: Path):
    """``home`` as a read-only folder: a read-only bind mount as root (where permissions do not
    stop writes; the folder as on a read-only disk), else the folder made read-only by chmod."""
    if os.geteuid() != 0:
        paths = [home, home / "audio", *home.iterdir(), *(home / "audio").iterdir()]
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            os.chmod(p, 0o500 if p.is_dir() else 0o400)
        try:
            yield home
        finally:
            for p, m in modes.items():
                os.chmod(p, m)
        return
    view = home.parent / "read-only-view"
    view.mkdir()
    r = subprocess.run(["mount", "--bind", "-o", "ro", str(home), str(view)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot make a read-only folder as root here: {r.stderr.strip()}")
    try:
        yield view
    finally:
        if subprocess.run(["umount", str(view)]).returncode != 0:  # "target is busy": a child still reads it
            subprocess.run(["umount", "--lazy", str(view)], check=True)
        view.rmdir()


def test_a_read_only_folder_still_lists_its_takes(tmp_path, wavs, capsys, monkeypatch):
    home = tmp_path / "home"
    store = TakeStore(home)
    for i, w in enumerate(wavs[:2]):
        store.add(w, source="upload", original_name=f"ask {i}.wav")
    want = [(t.id, t.audio_sha256) for t in store.list()]
    assert store.read_only is None  # negative control: the writable folder
    with read_only(home) as ro:
        with pytest.raises(OSError):
            (ro / "audio" / "probe").write_bytes(b"")  # really read-only
        seen = TakeStore(ro)
        assert [(t.id, t.audio_sha256) for t in seen.list()] == want
        assert seen.audio_path(seen.list()[0]).read_bytes() == wavs[1]  # still plays
        assert seen.read_only == (f"the data folder {ro} is read-only: your takes are listed, but nothing new can "
                                  "be saved; make it writable or choose another folder with VOICECOACH_HOME")
        with pytest.raises(StoreError, match="cannot save the recording in .*: the folder is read-only"):
            seen.add(wavs[2], source="upload")
        with pytest.raises(StoreError, match="is read-only: your takes are listed"):
            seen.rename(want[0][0], "new name")
        monkeypatch.setenv("VOICECOACH_HOME", str(ro))
        assert cli.main(["takes"]) == 0
        out, err = capsys.readouterr()
        assert "ask 0.wav" in out and "ask 1.wav" in out and "is read-only" in err

        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(Path(__file__).parent.parent / "app.py"), default_timeout=120).run()
        at.switch_page("studio/history.py").run()
        assert not at.exception and not at.error
        assert list(at.dataframe[0].value["take"]) == [w[0] for w in want]
        assert any("is read-only: your takes are listed" in w.value for w in at.warning)
        assert at.get("audio")  # the selected take still plays
        assert [b.disabled for b in at.button if b.label in ("Save the name", "Delete this take")] == [True, True]
    assert [(t.id, t.audio_sha256) for t in TakeStore(home).list()] == want


# ---- names with control characters ------------------------------------------------------------

def test_control_characters_in_a_name_never_reach_the_terminal(tmp_path, wavs):
    store = TakeStore(tmp_path)
    store.add(wavs[0], source="upload", original_name="evil\x1b[2J\x1b]0;pwned\x07\rname\x00.wav")
    store.add(wavs[1], source="upload", original_name="prise n°2 — ünïcødé 🎙.wav")  # negative control
    env = {**os.environ, "VOICECOACH_HOME": str(tmp_path), "PYTHONIOENCODING": "utf-8"}
    r = subprocess.run([sys.executable, "-m", "voicecoach", "takes"], env=env, capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode("utf-8")
    assert not any(c in out for c in "\x1b\x07\r\x00")
    assert "evil\\x1b[2J\\x1b]0;pwned\\x07\\rname\\x00.wav" in out
    assert "prise n°2 — ünïcødé 🎙.wav" in out  # printable text as written
    r = subprocess.run([sys.executable, "-m", "voicecoach", "takes", "--json"], env=env, capture_output=True,
                       timeout=120)
    out = r.stdout.decode("utf-8")
    assert not any(c in out for c in "\x1b\x07\r\x00")
    import json

    names = {t["original_name"] for t in json.loads(out)}
    assert names == {"evil\x1b[2J\x1b]0;pwned\x07\rname\x00.wav", "prise n°2 — ünïcødé 🎙.wav"}  # exact in JSON
    # a file named so on the command line: its error line (and a report's title) escaped too
    (tmp_path / "evil\x1b[2J\x07\r.wav").write_bytes(to_wav_bytes(np.zeros(3 * SR, np.float32)))
    r = subprocess.run([sys.executable, "-m", "voicecoach", "analyse", "evil\x1b[2J\x07\r.wav"], env=env,
                       cwd=tmp_path, capture_output=True, timeout=120)
    err = r.stderr.decode("utf-8")
    assert r.returncode == 2 and err == "voicecoach: evil\\x1b[2J\\x07\\r.wav is silent" + err.split("is silent")[1]
    assert not any(c in err for c in "\x1b\x07\r\x00")


# ---- quick successive takes -------------------------------------------------------------------

class Interrupted(BaseException):
    """Stands in for Streamlit's RerunException: raised at the page's next st call (here the
    progress bar) when the user uploads again while a take is being analysed."""


def test_quick_successive_takes_leave_none_pending(tmp_path, wavs, whisper):
    """The studio's save-then-analyse path, as a page run interrupted by the next upload sees it:
    some runs are stopped while analysing (at the progress bar), some right after saving, before
    the analysis starts; the next run finishes what this session left. No take stays pending."""
    store = TakeStore(tmp_path)
    unanalysed: list[int] = []  # the page's session list
    stopped = []

    def progress_interrupted(stage, done):
        raise Interrupted()

    more = [to_wav_bytes(build_take([Speech(text), Silence(2.5)])[0]) for text in ASKS]
    for i, data in enumerate(wavs + more):  # 8 different takes
        audio = check_analysable(data)
        take = store.add(data, source="upload", original_name=f"take {i}.wav")
        unanalysed.append(take.id)
        if i % 2 == 0:  # interrupted between saving and analysing: the next run's catch-up
            continue
        with pytest.raises(Interrupted):  # interrupted inside the analysis: stored first, then raised
            analyse_saved(store, take, audio=audio, progress=progress_interrupted)
        stopped.append(take.id)
        assert store.get(take.id).status == "done"
    pending = [t.id for t in store.list(status="pending")]
    assert pending and set(pending).isdisjoint(stopped)  # negative control: before the catch-up
    for tid in finish_pending(store, list(unanalysed)):
        unanalysed.remove(tid)
    assert unanalysed == [] and store.list(status="pending") == []
    assert len(store.list(status="done")) == 8
