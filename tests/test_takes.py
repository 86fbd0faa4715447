"""The take store on a real SQLite file in tmp_path: files, rows, migration, crashes, concurrency."""
import errno
import hashlib
import json
import multiprocessing
import sys
import os
import re
import resource
import shutil
import signal
import sqlite3
import stat
import tempfile
from contextlib import closing
from pathlib import Path

import pytest

from voicecoach.store.takes import MIGRATIONS, StoreError, TakeStore, summary

AUDIO = b"RIFF" + bytes(range(256)) * 40  # stands in for a recording: the store never decodes it

ANALYSIS = {  # the keys summary() reads, as Analysis.to_dict() writes them (schema_version 1)
    "schema_version": 1, "duration_s": 6.0, "model": "tiny.en",
    "words": [{"text": w, "start": 0.0, "end": 0.1} for w in "um so I would like to lead the new project".split()],
    "sentences": [{"text": "a", "end_drop_db": 3.0}, {"text": "b", "end_drop_db": None},
                  {"text": "c", "end_drop_db": 12.0}, {"text": "d", "end_drop_db": 5.0}],
    "pace": {"wpm": 140.0, "articulation_wpm": 180.0},
    "request": {"sentence_index": 2, "pause_after_s": 1.25, "still_waiting": True},
    "push_pull": {"push_share": 0.5, "pull_share": 0.25, "move_away_share": 0.25, "switches": 2},
    "fillers": [{"text": "um", "start": 0.0}], "hedges": [{"text": "would like", "start": 0.3},
                                                          {"text": "so", "start": 0.1}],
}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def store(tmp_path):
    return TakeStore(tmp_path / "home")


def test_summary_of_a_hand_written_analysis():
    s = summary(ANALYSIS)
    assert s == {"speaking_wpm": 140.0, "end_drop_db": 12.0, "pause_after_s": 1.25, "still_waiting": 1,
                 "push_share": 0.5, "pull_share": 0.25, "move_away_share": 0.25,
                 "fillers_per_100": 10.0, "hedges_per_100": 20.0}
    assert summary({**ANALYSIS, "pace": {"wpm": 140.0, "speaking_wpm": 150.0}})["speaking_wpm"] == 150.0
    empty = summary({"schema_version": 1, "words": [], "sentences": [], "request": None})
    assert set(empty.values()) == {None}


def test_add_complete_get_list_rename(store):
    take = store.add(AUDIO, source="upload", original_name="ask.wav", objective="a slot at the leadership meeting")
    assert (take.status, take.source, take.original_name) == ("pending", "upload", "ask.wav")
    assert take.audio_bytes == len(AUDIO)
    assert take.audio_sha256 == hashlib.sha256(AUDIO).hexdigest() and take.analysis is None
    assert re.fullmatch(r"audio/\d{8}-\d{6}-[0-9a-f]{8}\.wav", take.audio_path)  # a name no other file has
    assert take.created_at.endswith("+00:00")
    assert store.audio_path(take).read_bytes() == AUDIO
    done = store.complete(take.id, analysis=ANALYSIS, model="tiny.en", duration_s=6.0)
    assert (done.status, done.model, done.duration_s) == ("done", "tiny.en", 6.0)
    assert (done.speaking_wpm, done.still_waiting, done.pause_after_s) == (140.0, 1, 1.25)
    assert done.analysis == ANALYSIS and done.end_drop_db == 12.0 and done.fillers_per_100 == 10.0
    second = store.add(AUDIO + b"x", source="microphone", ext=".WEBM")
    assert second.audio_path.endswith(".webm")
    assert [t.id for t in store.list()] == [second.id, take.id]  # newest first
    assert [t.id for t in store.list(limit=1)] == [second.id]
    assert [t.id for t in store.list(status="done")] == [take.id]
    assert store.rename(take.id, "  Monday's ask ").label == "Monday's ask"
    assert store.get(take.id).label == "Monday's ask"
    failed = store.fail(second.id, "the model could not be loaded")
    assert (failed.status, failed.error) == ("failed", "the model could not be loaded")
    with pytest.raises(StoreError, match="take 999 does not exist"):
        store.get(999)
    with pytest.raises(StoreError, match="take 999 does not exist"):
        store.complete(999, analysis=ANALYSIS, model="tiny.en", duration_s=1.0)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"source": "phone"}, ValueError, "source is 'phone'"),
    ({"source": "upload", "ext": "../../x"}, ValueError, "ext is"),
    ({"source": "upload", "data": b""}, StoreError, "the recording is empty"),
], ids=["bad-source", "bad-ext", "empty"])
def test_add_rejects_bad_input(store, kwargs, error, match):
    data = kwargs.pop("data", AUDIO)
    with pytest.raises(error, match=match):
        store.add(data, **kwargs)
    assert store.list() == [] and list((store.home / "audio").iterdir()) == []


def test_delete_and_delete_all(store):
    a = store.add(AUDIO, source="upload")
    b = store.add(AUDIO + b"b", source="upload")
    store.save_preparation(objective="a named course", push_notes="I led the migration")
    store.add_reflection(kind="practice", answers={"went_well": "I waited"}, take_id=b.id)
    store.delete(a.id)
    assert [t.id for t in store.list()] == [b.id] and not (store.home / a.audio_path).exists()
    store.audio_path(b).unlink()  # a missing file is tolerated
    store.delete(b.id)
    assert store.list() == [] and store.reflections()[0].take_id is None  # ON DELETE SET NULL
    c = store.add(AUDIO + b"c", source="cli")
    (store.home / "audio" / "orphan.wav").write_bytes(b"left over")
    store.delete_all()
    assert store.list() == [] and store.reflections() == [] and store.current_preparation() is None
    assert list((store.home / "audio").iterdir()) == []
    assert c.id not in [t.id for t in store.list()]
    assert store.add(AUDIO, source="upload").id > c.id  # ids are never reused


def test_preparation_and_reflections(store):
    assert store.current_preparation() is None
    store.save_preparation(scenario="development", situation="yearly review", objective="a named course")
    p = store.save_preparation(scenario="development", objective="enrol me on the facilitation course",
                               push_notes="proposal", pull_notes="what does the team need next year?")
    assert store.current_preparation() == p and p.objective == "enrol me on the facilitation course"
    with sqlite3.connect(store.db) as con:
        assert con.execute("SELECT COUNT(*) FROM preparations").fetchone()[0] == 2  # history kept
    t = store.add(AUDIO, source="microphone")
    r1 = store.add_reflection(kind="practice", answers={"wait": "yes"}, take_id=t.id)
    r2 = store.add_reflection(kind="meeting", answers={"objective_met": "partly"})
    assert store.reflections() == [r2, r1] and store.reflections(take_id=t.id) == [r1]
    assert r2.answers == {"objective_met": "partly"}
    with pytest.raises(ValueError, match="kind is 'diary'"):
        store.add_reflection(kind="diary", answers={})


def test_permissions_wal_and_schema_version(tmp_path):
    home = tmp_path / "new" / "home"
    store = TakeStore(home)
    take = store.add(AUDIO, source="upload")
    assert mode(home) == 0o700 and mode(home / "audio") == 0o700
    assert mode(store.db) == 0o600 and mode(store.audio_path(take)) == 0o600
    with sqlite3.connect(store.db) as con:  # the -wal and -shm files exist while a connection is open
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert mode(Path(f"{store.db}-wal")) == 0o600 and mode(Path(f"{store.db}-shm")) == 0o600
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(len(MIGRATIONS))
    TakeStore(home)  # reopening changes nothing
    assert [t.id for t in TakeStore(home).list()] == [take.id]


def test_atomic_write_leaves_no_temp_file(store):
    for i in range(5):
        store.add(AUDIO + bytes([i]), source="upload")
    names = sorted(p.name for p in (store.home / "audio").iterdir())
    assert names == sorted(Path(t.audio_path).name for t in store.list()) and len(set(names)) == 5


def test_dedupe_on_re_add(store):
    first = store.add(AUDIO, source="microphone", objective="a conference invitation")
    assert store.add(AUDIO, source="microphone", objective="a conference invitation") == first  # page re-run
    assert store.find_by_sha256(first.audio_sha256) == first
    assert store.find_by_sha256("0" * 64) is None
    other = store.add(AUDIO, source="microphone", objective="a named course")  # same audio, new objective
    forced = store.add(AUDIO, source="microphone", objective="a conference invitation", dedupe=False)
    assert len({first.id, other.id, forced.id}) == 3
    assert len(store.list()) == 3 and len(list((store.home / "audio").iterdir())) == 3


def test_migrates_a_hand_made_version_0_database(tmp_path):
    home = tmp_path / "home"
    (home / "audio").mkdir(parents=True)
    (home / "audio" / "1.wav").write_bytes(AUDIO)
    with sqlite3.connect(home / "takes.db") as con:  # the unversioned layout: no meta table
        con.execute("CREATE TABLE takes (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,"
                    " audio_path TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', analysis_json TEXT)")
        con.execute("INSERT INTO takes VALUES (1, '2025-01-02T10:00:00+00:00', 'audio/1.wav', 'done', ?)",
                    (json.dumps(ANALYSIS),))
        con.execute("INSERT INTO takes VALUES (2, '2025-01-03T10:00:00+00:00', 'audio/2.wav', 'analysing', NULL)")
    con.close()
    store = TakeStore(home)
    old, odd = store.get(1), store.get(2)
    assert (old.status, old.analysis, old.objective, old.audio_sha256) == ("done", ANALYSIS, "", None)
    assert old.speaking_wpm == 140.0 and old.end_drop_db == 12.0  # filled from the JSON: the weakest end, never the median (5.0)
    assert odd.status == "pending" and [t.id for t in store.pending()] == [2]  # unknown status: retry it
    assert store.audio_path(old).read_bytes() == AUDIO
    assert store.add(AUDIO + b"new", source="upload").id == 3
    with sqlite3.connect(store.db) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(len(MIGRATIONS))
        with pytest.raises(sqlite3.IntegrityError):  # the new CHECK holds on the migrated table
            con.execute("UPDATE takes SET status = 'analysing' WHERE id = 1")
    con.close()


def test_migrates_a_version_1_preparation(tmp_path):
    with closing(sqlite3.connect(tmp_path / "takes.db", isolation_level=None)) as con:
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        con.executescript(MIGRATIONS[0])
        con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        con.execute("INSERT INTO preparations (updated_at, scenario, objective, push_notes)"
                    " VALUES ('2025-01-02T10:00:00+00:00', 'course', 'enrol me on a named course', 'I led it')")
    store = TakeStore(tmp_path)
    old = store.current_preparation()
    assert (old.objective, old.push_notes, old.notes) == ("enrol me on a named course", "I led it", {})
    new = store.save_preparation(objective="x", notes={"proposals": "**a** <b>"})
    assert store.current_preparation() == new and new.notes == {"proposals": "**a** <b>"}
    with pytest.raises(TypeError, match="dict of str to str"):
        store.save_preparation(notes={"proposals": 3})


def test_a_newer_schema_is_refused(tmp_path):
    store = TakeStore(tmp_path)
    with sqlite3.connect(store.db) as con:
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match="newer voicecoach .schema 99.; update voicecoach"):
        TakeStore(tmp_path)


def test_audio_path_refuses_an_escaping_path(store, tmp_path):
    take = store.add(AUDIO, source="upload")
    outside = tmp_path / "x"
    outside.write_bytes(b"not ours")
    for bad in ("../x", str(outside), "audio/../../x", ""):
        with sqlite3.connect(store.db) as con:
            con.execute("UPDATE takes SET audio_path = ? WHERE id = ?", (bad, take.id))
        con.close()
        with pytest.raises(StoreError, match=f"take {take.id} points outside the data folder"):
            store.audio_path(store.get(take.id))
    store.delete(take.id)  # deletes the row, never the file outside
    assert outside.read_bytes() == b"not ours" and store.list() == []


def _chmod_stops_writes(folder: Path) -> bool:
    """Probe: does a 0500 folder refuse a new file here? Not as root (CAP_DAC_OVERRIDE)."""
    os.chmod(folder, 0o500)
    try:
        (folder / "probe").write_bytes(b"")
    except PermissionError:
        return True
    finally:
        os.chmod(folder, 0o700)
    (folder / "probe").unlink()
    return False


def _add_into_read_only_folder(home: Path) -> str:
    store = TakeStore(home)
    os.chmod(home / "audio", 0o500)
    try:
        store.add(AUDIO, source="microphone")
    except StoreError as e:
        return str(e)
    finally:
        os.chmod(home / "audio", 0o700)
    return "no error"


def test_read_only_folder_gives_a_clear_error_and_no_file(tmp_path, request):
    """As a normal user: chmod 0500. As root, where chmod does not stop writes, the same steps run in
    a forked child that has dropped to the 'nobody' user (uid 65534) on a folder it owns."""
    if _chmod_stops_writes(tmp_path):
        home = tmp_path / "home"
        message = _add_into_read_only_folder(home)
    else:
        home = Path(tempfile.mkdtemp(prefix="voicecoach-ro-"))  # /tmp, which nobody can traverse
        os.chown(home, 65534, 65534)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: never returns into pytest
            try:
                os.setgid(65534)
                os.setuid(65534)
                message = _add_into_read_only_folder(home)
            except BaseException as e:  # noqa: BLE001 - reported to the parent
                message = f"child failed: {e!r}"
            os.write(write, message.encode())
            os._exit(0)
        os.close(write)
        os.waitpid(pid, 0)
        message = os.read(read, 4096).decode()
        os.close(read)
        request.addfinalizer(lambda: shutil.rmtree(home))
    assert message == (f"cannot save the recording in {home / 'audio'}: the folder is read-only; "
                       "choose another folder with VOICECOACH_HOME")
    assert list((home / "audio").iterdir()) == []
    assert TakeStore(home).list() == []


def test_a_file_in_the_way_of_the_folder(tmp_path):
    """Works as root too: a data folder (or audio folder) whose parent is a regular file."""
    blocker = tmp_path / "blocker"
    blocker.write_bytes(b"")
    with pytest.raises(StoreError, match=r"cannot use the data folder .*blocker/home: a file is in the way "
                                         r"where a folder should be; choose another folder with VOICECOACH_HOME"):
        TakeStore(blocker / "home")
    store = TakeStore(tmp_path / "home")
    (store.home / "audio").rmdir()
    (store.home / "audio").write_bytes(b"")  # the audio folder became a file after opening
    with pytest.raises(StoreError, match="cannot save the recording in .*: a file is in the way"):
        store.add(AUDIO, source="upload")
    assert store.list() == []


def test_disk_full_mid_write_leaves_no_partial_file(store):
    """A real partial write, root or not: RLIMIT_FSIZE lets 4 KiB through, then write() fails (EFBIG).
    Another session keeps the database open, so SQLite's shared-memory file already has its size."""
    data = AUDIO * 8  # 80 KiB
    other_session = sqlite3.connect(store.db)
    other_session.execute("SELECT COUNT(*) FROM takes").fetchone()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, hard))
    try:
        with pytest.raises(StoreError) as info:
            store.add(data, source="upload")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old_handler)
    assert str(info.value) == (f"cannot save the recording in {store.home / 'audio'}: the file is larger than this "
                               "disk or account allows; free some space or choose another folder with VOICECOACH_HOME")
    assert list((store.home / "audio").iterdir()) == [] and store.list() == []
    assert store.add(data, source="upload").audio_bytes == len(data)  # fine once there is room
    other_session.close()


def _add_many(home: str, who: int, n: int, start) -> None:
    start.wait()
    store = TakeStore(Path(home))
    for i in range(n):
        store.add(AUDIO + f"{who}-{i}".encode(), source="cli", objective=f"process {who}")


@pytest.fixture
def spawn(monkeypatch):
    """A 'spawn' context whose children do not re-run ``__main__``: after an AppTest ran in this
    process, ``__main__`` is the studio's script, and a child would run the page."""
    import types

    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    return multiprocessing.get_context("spawn")


def test_two_processes_adding_at_once_all_succeed(tmp_path, spawn):
    ctx = spawn
    start = ctx.Event()
    procs = [ctx.Process(target=_add_many, args=(str(tmp_path / "home"), who, 20, start)) for who in (1, 2)]
    for p in procs:
        p.start()
    start.set()  # both open the new store and write at the same moment
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    store = TakeStore(tmp_path / "home")
    takes = store.list()
    assert len(takes) == 40 and len({t.id for t in takes}) == 40
    assert sorted(p.name for p in (store.home / "audio").iterdir()) == sorted(Path(t.audio_path).name for t in takes)
    assert len({t.audio_path for t in takes}) == 40 and store.orphans() == []
    assert all(store.audio_path(t).stat().st_size == t.audio_bytes for t in takes)


def _add_then_hang(home: str, ready) -> None:
    TakeStore(Path(home)).add(AUDIO, source="microphone", objective="a named course")
    ready.set()
    signal.pause()  # "analysing" until killed


def test_a_process_killed_mid_analysis_leaves_a_pending_take(tmp_path, spawn):
    ctx = spawn
    ready = ctx.Event()
    child = ctx.Process(target=_add_then_hang, args=(str(tmp_path / "home"), ready))
    child.start()
    assert ready.wait(60), "the child never saved its take"
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    assert child.exitcode == -signal.SIGKILL
    store = TakeStore(tmp_path / "home")
    (take,) = store.pending()
    assert take.status == "pending" and take.objective == "a named course"
    assert store.audio_path(take).read_bytes() == AUDIO
    assert hashlib.sha256(AUDIO).hexdigest() == take.audio_sha256
    assert store.pending(older_than_s=3600) == []  # too young: another session may be analysing it
    store.complete(take.id, analysis=ANALYSIS, model="tiny.en", duration_s=6.0)  # the retry
    assert store.pending() == []


def test_errno_mapping_is_one_line():
    from voicecoach.store.takes import save_error

    for code in (errno.EROFS, errno.ENOSPC, errno.ENOTDIR, errno.EIO):
        text = str(save_error(Path("/x"), OSError(code, os.strerror(code))))
        assert "\n" not in text and text.startswith("cannot save the recording in /x: ")
        assert text.endswith("choose another folder with VOICECOACH_HOME")


def test_a_version_2_database_keeps_its_takes_and_their_id_named_recordings(tmp_path):
    """Schema 2 -> 3 adds ``analysable`` (1 for every existing take); a take saved as
    ``audio/<id>.wav`` by an older voicecoach is read, played and deleted by its row's path."""
    home = tmp_path / "home"
    (home / "audio").mkdir(parents=True)
    (home / "audio" / "1.wav").write_bytes(AUDIO)
    with closing(sqlite3.connect(home / "takes.db")) as con:
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        for script in MIGRATIONS[:2]:
            con.executescript(script)
        con.execute("INSERT INTO meta VALUES ('schema_version', '2')")
        con.execute("INSERT INTO takes (created_at, audio_path, audio_sha256, source, status, error) VALUES "
                    "('2026-01-01T00:00:00+00:00', 'audio/1.wav', ?, 'upload', 'failed', 'model missing')",
                    (hashlib.sha256(AUDIO).hexdigest(),))
        con.commit()
    store = TakeStore(home)
    (take,) = store.list()
    assert (take.id, take.audio_path, take.analysable, take.status) == (1, "audio/1.wav", 1, "failed")
    assert store.audio_path(take).read_bytes() == AUDIO and store.orphans() == []
    new = store.add(AUDIO + b"new", source="upload")
    assert new.audio_path != "audio/2.wav" and (home / "audio" / "1.wav").read_bytes() == AUDIO
    assert store.fail(new.id, "no words", analysable=False).analysable == 0
    store.delete(take.id)
    assert not (home / "audio" / "1.wav").exists() and store.audio_path(store.get(new.id)).is_file()
