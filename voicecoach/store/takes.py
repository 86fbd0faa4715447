"""The take store: audio files and the SQLite database in the user's data folder.

Layout: ``home/takes.db`` and ``home/audio/<time>-<random>.<ext>`` (``<id>.<ext>`` for takes saved
before version 3; the row holds the name); folders 0700, files 0600. Audio is written to a temp
file, fsynced, then linked to a new name that no file has (a link never replaces one), inside the
transaction that commits its row: no recording is ever written over another, even when the
database was moved aside or emptied and its ids start again from 1. Recordings in the audio folder
that no row names (the history of a lost database) are listed by :meth:`TakeStore.orphans` and
added back, ``pending``, by :meth:`TakeStore.add_back`. A data folder that cannot be written is
opened read-only (``TakeStore.read_only`` says why): its takes are listed, nothing is saved.
Each operation opens its own connection (WAL, 5 s busy timeout), so several studio sessions or
processes can save at once. Schema version 0 is a database without a ``meta`` table: new, or
holding the unversioned ``takes(id, created_at, audio_path, status, analysis_json)``.
``MIGRATIONS[i]`` takes version ``i`` to ``i + 1``; all pending ones run in one transaction.
"""
from __future__ import annotations

import errno
import functools
import hashlib
import json
import math
import os
import re
import secrets
import sqlite3
import tempfile
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import ClassVar


__all__ = ["TakeStore", "Take", "Preparation", "Reflection", "Conversation", "ConversationTurn", "StoreError", "summary", "save_error", "MIGRATIONS",
           "RECOVERED_NOTE"]

_HOW = "choose another folder with VOICECOACH_HOME"
OPEN_ATTEMPTS = 20  # tries to open a database another process is creating (about 10 s in all)
MIGRATIONS = [
    # 0 -> 1: rebuild the unversioned takes table (or an empty one) with every column and check
    """CREATE TABLE IF NOT EXISTS takes (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,
        audio_path TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', analysis_json TEXT);
    CREATE TABLE takes_v1 (
        id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, label TEXT,
        audio_path TEXT NOT NULL, audio_sha256 TEXT, audio_bytes INTEGER,
        source TEXT CHECK (source IN ('microphone', 'upload', 'cli')), original_name TEXT,
        duration_s REAL, model TEXT, objective TEXT NOT NULL DEFAULT '', scenario TEXT,
        status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')), error TEXT,
        analysis_json TEXT, speaking_wpm REAL, end_drop_db REAL, pause_after_s REAL,
        still_waiting INTEGER, push_share REAL, pull_share REAL, move_away_share REAL,
        fillers_per_100 REAL, hedges_per_100 REAL);
    INSERT INTO takes_v1 (id, created_at, audio_path, status, analysis_json)
        SELECT id, created_at, audio_path,
               CASE WHEN status IN ('pending', 'done', 'failed') THEN status ELSE 'pending' END,
               analysis_json FROM takes;
    DROP TABLE takes;
    ALTER TABLE takes_v1 RENAME TO takes;
    CREATE INDEX takes_sha ON takes (audio_sha256);
    CREATE TABLE preparations (id INTEGER PRIMARY KEY AUTOINCREMENT, updated_at TEXT NOT NULL,
        scenario TEXT, situation TEXT NOT NULL DEFAULT '', objective TEXT NOT NULL DEFAULT '',
        push_notes TEXT NOT NULL DEFAULT '', pull_notes TEXT NOT NULL DEFAULT '');
    CREATE TABLE reflections (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,
        take_id INTEGER REFERENCES takes (id) ON DELETE SET NULL,
        kind TEXT NOT NULL CHECK (kind IN ('practice', 'meeting')), answers_json TEXT NOT NULL);""",
    # 1 -> 2: the answer to each preparation prompt, by prompt id (voicecoach.coaching.scenarios.PROMPTS)
    "ALTER TABLE preparations ADD COLUMN notes_json TEXT NOT NULL DEFAULT '{}';",
    # 2 -> 3: 0 marks a take whose recording itself cannot be analysed (a retry would fail again)
    "ALTER TABLE takes ADD COLUMN analysable INTEGER NOT NULL DEFAULT 1;",
    # 3 -> 4: the sentence the user marked as their request (NULL: the analysis chooses)
    "ALTER TABLE takes ADD COLUMN request_sentence INTEGER;",
    # 4 -> 5: rehearsed conversations (voicecoach.rehearsal.rehearse) and each reply's recording, saved like takes
    """CREATE TABLE conversations (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, label TEXT,
        scenario TEXT NOT NULL, title TEXT NOT NULL, objective TEXT NOT NULL DEFAULT '', script_json TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
        outcome TEXT CHECK (outcome IN ('agreed', 'agreed_with_conditions', 'not_yet')),
        result_json TEXT, checks_met INTEGER, checks_total INTEGER);
    CREATE TABLE conversation_turns (id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL, created_at TEXT NOT NULL, step TEXT NOT NULL, moment TEXT NOT NULL,
        manager_text TEXT NOT NULL, manager_audio_s REAL, audio_path TEXT NOT NULL, audio_sha256 TEXT NOT NULL,
        audio_bytes INTEGER NOT NULL, source TEXT CHECK (source IN ('microphone', 'upload', 'cli')),
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')), error TEXT,
        turn_json TEXT, UNIQUE (conversation_id, idx));""",
]
RECOVERED_NOTE = "found in the audio folder and added back; not analysed yet"  # error text of an added-back take


class StoreError(RuntimeError):
    """A failure the user can act on; the message says what happened and what to do."""


@dataclass(frozen=True)
class Take:
    """One recording and its analysis. Summary columns are None until analysed (see ``summary``)."""
    table: ClassVar[str] = "takes"
    id: int
    created_at: str  # ISO 8601, UTC
    label: str | None
    audio_path: str  # relative to the data folder
    audio_sha256: str | None  # None (like audio_bytes, source) only for rows migrated from version 0
    audio_bytes: int | None
    source: str | None  # 'microphone' | 'upload' | 'cli'
    original_name: str | None
    duration_s: float | None
    model: str | None
    objective: str
    scenario: str | None
    status: str  # 'pending' | 'done' | 'failed'
    error: str | None
    analysis_json: str | None
    speaking_wpm: float | None  # words per minute
    end_drop_db: float | None  # dB quieter at sentence ends
    pause_after_s: float | None  # s of silence after the request
    still_waiting: int | None  # 1: the recording ended while still waiting after the request
    push_share: float | None  # 0..1 of the tagged sentences
    pull_share: float | None
    move_away_share: float | None
    fillers_per_100: float | None  # per 100 words
    hedges_per_100: float | None
    analysable: int = 1  # 0: the recording cannot be analysed (too long, too short, silent, no speech)
    request_sentence: int | None = None  # the sentence the user marked as the request (0-based); None: chosen

    @property
    def analysis(self) -> dict | None:
        return json.loads(self.analysis_json) if self.analysis_json else None

    @property
    def result(self):
        """The take's :class:`voicecoach.result.TakeResult` (None until analysed), read once per
        saved version; a schema-1 analysis is migrated as it is read. The pages read this, and its
        take-level numbers rather than the summary columns (kept for queries)."""
        return _result(self.analysis_json) if self.analysis_json else None

    @property
    def recovered(self) -> bool:
        """Added back from a recording found in the audio folder (:meth:`TakeStore.add_back`)."""
        return self.source is None and self.error == RECOVERED_NOTE


@dataclass(frozen=True)
class Preparation:
    """One saved version of the user's preparation (the newest is the current one).

    ``scenario`` is a built-in scenario id (:func:`voicecoach.coaching.scenarios.by_id`) or None for the
    user's own situation; ``push_notes`` / ``pull_notes`` are the Push / Pull answers as one
    readable text; ``notes`` holds each prompt's answer by prompt id.
    """
    table: ClassVar[str] = "preparations"
    id: int
    updated_at: str  # ISO 8601, UTC
    scenario: str | None
    situation: str
    objective: str
    push_notes: str
    pull_notes: str
    notes_json: str = "{}"

    @property
    def notes(self) -> dict[str, str]:
        return json.loads(self.notes_json or "{}")


@dataclass(frozen=True)
class Conversation:
    """One rehearsed conversation (:mod:`voicecoach.rehearsal.rehearse`): the script it follows (as saved
    when it started, so a later version of the script never changes it), its state and result."""
    table: ClassVar[str] = "conversations"
    id: int
    created_at: str  # ISO 8601, UTC
    label: str | None
    scenario: str  # a built-in scenario id or "own"
    title: str
    objective: str
    script_json: str  # voicecoach.rehearsal.rehearse.Script.to_dict()
    status: str  # 'open' (more replies to come, or to resume) | 'done'
    outcome: str | None  # agreed | agreed_with_conditions | not_yet, once done
    result_json: str | None  # voicecoach.rehearsal.conversation.ConversationResult.to_dict(), once done
    checks_met: int | None
    checks_total: int | None

    @property
    def result(self) -> dict | None:
        return json.loads(self.result_json) if self.result_json else None


@dataclass(frozen=True)
class ConversationTurn:
    """One reply of a conversation: its recording (written before it is analysed) and, once
    analysed and judged, the stored turn (:meth:`voicecoach.rehearsal.conversation.Turn.to_dict`)."""
    table: ClassVar[str] = "conversation_turns"
    id: int
    conversation_id: int
    idx: int  # 0-based, in the order spoken
    created_at: str
    step: str  # the script's step this replies to
    moment: str
    manager_text: str  # the manager's line this replies to
    manager_audio_s: float | None  # its rendered length (s), when it was played
    audio_path: str  # relative to the data folder, a name no other file has
    audio_sha256: str
    audio_bytes: int
    source: str | None  # 'microphone' | 'upload' | 'cli'
    status: str  # 'pending' | 'done' | 'failed'
    error: str | None
    turn_json: str | None

    @property
    def turn(self) -> dict | None:
        return json.loads(self.turn_json) if self.turn_json else None


@dataclass(frozen=True)
class Reflection:
    table: ClassVar[str] = "reflections"
    id: int
    created_at: str
    take_id: int | None
    kind: str  # 'practice' | 'meeting'
    answers_json: str

    @property
    def answers(self) -> dict:
        return json.loads(self.answers_json)


def summary(analysis: dict) -> dict:
    """The summary columns of one saved analysis dict (any schema :meth:`TakeResult.from_dict`
    reads): :meth:`voicecoach.result.TakeResult.summary`, where each number is defined once (the
    end drop is the weakest sentence end, the rates are per counted word). All None for an analysis
    that cannot be read (the page then says so), so opening the store never fails on one row."""
    from ..result import SUMMARY_KEYS, TakeResult
    try:
        return TakeResult.from_dict(analysis).summary()
    except (ValueError, KeyError, TypeError, IndexError):
        return dict.fromkeys(SUMMARY_KEYS)


@functools.lru_cache(maxsize=64)
def _result(analysis_json: str):
    from ..result import TakeResult
    return TakeResult.from_dict(json.loads(analysis_json))


class TakeStore:
    """Takes, preparations and reflections under ``home`` (usually ``paths.data_home()``)."""

    def __init__(self, home: Path):
        self.home, self.db = Path(home), Path(home) / "takes.db"
        #: None, or why nothing can be saved here (the folder is read-only): the takes are still listed
        self.read_only: str | None = None
        try:
            if not self.home.is_dir():  # a folder the user chose keeps its mode; ours is 0700
                self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
                os.chmod(self.home, 0o700)
            (self.home / "audio").mkdir(mode=0o700, exist_ok=True)
            os.chmod(self.home / "audio", 0o700)
            os.close(os.open(self.db, os.O_CREAT | os.O_RDWR, 0o600))
            os.chmod(self.db, 0o600)  # SQLite gives the -wal and -shm files the same mode
        except OSError as e:
            if not (_read_only(e) and self.db.is_file()):
                raise StoreError(f"cannot use the data folder {self.home}: {_reason(e)}; {_HOW}") from None
            self.read_only = (f"the data folder {self.home} is read-only: your takes are listed, but nothing new "
                              f"can be saved; make it writable or {_HOW}")
        if self.read_only is None:
            for f in (self.home / "audio").glob(".tmp-*"):  # partial audio of a process killed while writing
                try:
                    if time.time() - f.stat().st_mtime > 3600:
                        f.unlink()
                except OSError:
                    pass  # another process removed it, or it is not ours to remove
        with self._sql("open the take database"):
            if self.read_only is None:
                self._open()
            else:
                self._check_readable()

    def _check_readable(self) -> None:
        """A read-only database must already have this version's schema (it cannot be migrated)."""
        with closing(self._connect()) as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None or int(row[0]) != len(MIGRATIONS):
            raise StoreError(f"cannot open {self.db}: it needs updating to this version of voicecoach, and "
                             f"{self.read_only}")

    def _open(self, attempts: int = OPEN_ATTEMPTS) -> None:
        """WAL mode and migrations. Switching the journal mode can fail at once with "database is
        locked" (SQLite does not always wait for it) while another process opens the same new
        database: retry for a few seconds before giving up."""
        for attempt in range(attempts):
            try:
                with closing(self._connect()) as con:
                    con.execute("PRAGMA journal_mode=WAL")
                    self._migrate(con)
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e).lower() or attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))

    # -- takes -------------------------------------------------------------------------------
    def add(self, data: bytes, *, source: str, original_name: str | None = None, objective: str = "",
            scenario: str | None = None, ext: str = ".wav", dedupe: bool = True) -> Take:
        """Save the audio (temp file, fsync, rename), then a 'pending' take, in one transaction.
        With ``dedupe``, the same bytes with the same objective and scenario return that take."""
        ext = ext.lower()
        if source not in ("microphone", "upload", "cli"):
            raise ValueError(f"source is {source!r}; use 'microphone', 'upload' or 'cli'")
        if not re.fullmatch(r"\.[a-z0-9]{1,8}", ext):
            raise ValueError(f"ext is {ext!r}; give a suffix such as '.wav'")
        if not data:
            raise StoreError("the recording is empty; record or upload it again")
        sha = hashlib.sha256(data).hexdigest()
        if dedupe and (old := self.find_by_sha256(sha, objective=objective, scenario=scenario)):
            return old
        folder, final = self.home / "audio", None
        try:
            tmp = _write_temp(folder, data)
        except OSError as e:
            raise save_error(folder, e) from None
        try:
            with self._sql("save the take"), self._tx() as con:
                if dedupe and (old := self._find(con, sha, objective, scenario)):
                    return old  # another session saved it meanwhile
                try:  # a name no file has (a link never replaces one): an old recording is never overwritten
                    final = _link_new(tmp, folder, ext)
                    _fsync_dir(folder)
                except OSError as e:
                    raise save_error(folder, e) from None
                tid = con.execute(
                    "INSERT INTO takes (created_at, audio_path, audio_sha256, audio_bytes, source,"
                    " original_name, objective, scenario, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                    (_now(), f"audio/{final.name}", sha, len(data), source, original_name, objective,
                     scenario)).lastrowid
        except BaseException:
            if final is not None:  # the row was rolled back: no file without a row (this file is ours)
                final.unlink(missing_ok=True)
            raise
        finally:
            tmp.unlink(missing_ok=True)
        return self.get(tid)

    def orphans(self) -> list[Path]:
        """Recordings in the audio folder that no take names, oldest first: the history of a
        database that was moved aside, emptied or lost. Temp files (``.tmp-*``) are not listed."""
        with self._sql("read the takes"), closing(self._connect()) as con:
            return self._orphans(con)

    def add_back(self) -> list[Take]:
        """Add every recording of :meth:`orphans` back to the history as a ``pending`` take (to be
        analysed), dated by the file's time, named by its file name; nothing is copied or moved.
        Returns the takes added, oldest first."""
        if self.read_only:
            raise StoreError(f"cannot add the recordings back: {self.read_only}")
        ids = []
        with self._sql("add the recordings back"), self._tx() as con:
            for path in self._orphans(con):  # inside the write lock: no other session adds them too
                try:
                    with open(path, "rb") as fh:  # read in blocks: a folder may hold hours of audio
                        digest, info = hashlib.file_digest(fh, "sha256").hexdigest(), os.fstat(fh.fileno())
                except OSError:
                    continue  # removed meanwhile, or unreadable: left where it is
                when = datetime.fromtimestamp(info.st_mtime, timezone.utc).isoformat(timespec="milliseconds")
                ids.append(con.execute(
                    "INSERT INTO takes (created_at, audio_path, audio_sha256, audio_bytes, source, original_name,"
                    " status, error) VALUES (?, ?, ?, ?, NULL, ?, 'pending', ?)",
                    (when, f"audio/{path.name}", digest, info.st_size, path.name, RECOVERED_NOTE)).lastrowid)
        return [self.get(i) for i in ids]

    def find_by_sha256(self, sha: str, *, objective: str | None = None, scenario: str | None = None) -> Take | None:
        """The newest take with these audio bytes (and, if ``objective`` is given, this objective
        and scenario)."""
        with self._sql("read the takes"), closing(self._connect()) as con:
            return self._find(con, sha, objective, scenario)

    def complete(self, take_id: int, *, analysis: dict, model: str, duration_s: float) -> Take:
        """Store the analysis (``Analysis.to_dict()``) and its summary columns; status 'done'."""
        cols = summary(analysis)
        self._update(take_id, "status = 'done', error = NULL, analysis_json = ?, model = ?, duration_s = ?, "
                     + ", ".join(f"{k} = ?" for k in cols),
                     (json.dumps(analysis, default=_plain), model, float(duration_s), *cols.values()))
        return self.get(take_id)

    def fail(self, take_id: int, error: str, *, analysable: bool = True) -> Take:
        """Mark the analysis failed with ``error``; the audio stays (for a retry, unless
        ``analysable`` is False: the recording itself cannot be analysed)."""
        self._update(take_id, "status = 'failed', error = ?, analysable = ?", (str(error)[:2000], int(analysable)))
        return self.get(take_id)

    def mark_request(self, take_id: int, sentence: int | None) -> Take:
        """Remember which sentence (0-based) the user means as the request of the take (None:
        let the analysis choose); the next analysis of the take measures the wait after it."""
        self._update(take_id, "request_sentence = ?", (None if sentence is None else int(sentence),))
        return self.get(take_id)

    def rename(self, take_id: int, label: str) -> Take:
        self._update(take_id, "label = ?", (label.strip() or None,))
        return self.get(take_id)

    def get(self, take_id: int) -> Take:
        for take in self._select(Take, "WHERE id = ?", (take_id,)):
            return take
        raise StoreError(f"take {take_id} does not exist (it may have been deleted); pick one from the list")

    def list(self, limit: int | None = None, status: str | None = None) -> list[Take]:
        """Takes newest first, optionally only those with ``status``."""
        where, args = ("WHERE status = ?", (status,)) if status is not None else ("", ())
        return self._select(Take, f"{where} ORDER BY id DESC LIMIT ?", (*args, -1 if limit is None else limit))

    def pending(self, *, older_than_s: float = 0.0) -> list[Take]:
        """Takes left 'pending' or 'failed' (e.g. by a process killed mid-analysis), newest first.
        ``older_than_s`` skips younger takes, which another session may still be analysing."""
        cutoff = (datetime.now(timezone.utc) - timedelta(seconds=older_than_s)).isoformat(timespec="milliseconds")
        return self._select(Take, "WHERE status != 'done' AND created_at <= ? ORDER BY id DESC", (cutoff,))

    def audio_path(self, take: Take) -> Path:
        """The take's audio file, resolved; refuses a path that leaves the data folder."""
        return self._in_home(take.audio_path, f"take {take.id}", "delete this take")

    def _in_home(self, relative: str, what: str, fix: str) -> Path:
        """``relative`` (a stored audio path) resolved in the data folder; a path that leaves it
        (a database edited by hand) is refused, naming ``what`` and the ``fix``."""
        home = self.home.resolve()
        path = (home / relative).resolve()
        if not relative or Path(relative).is_absolute() or not path.is_relative_to(home):
            raise StoreError(f"{what} points outside the data folder ({relative!r}); "
                             f"the database was edited by hand: {fix}")
        return path

    def delete(self, take_id: int) -> None:
        """Delete the take's row and audio file (a missing file is fine; a file outside the data
        folder is never touched)."""
        try:
            path = self.audio_path(self.get(take_id))
        except StoreError:
            path = None
        with self._sql("delete the take"), self._tx() as con:
            con.execute("DELETE FROM takes WHERE id = ?", (take_id,))
            if path is not None:
                _unlink(path)

    def delete_all(self) -> None:
        """Delete every take, audio file, preparation and reflection ("delete all my data")."""
        with self._sql("delete your data"), self._tx() as con:
            for table in ("reflections", "preparations", "conversation_turns", "conversations", "takes"):
                con.execute(f"DELETE FROM {table}")  # secure_delete overwrites the freed pages
            for f in (self.home / "audio").iterdir():
                if not f.is_dir():
                    _unlink(f)
        with self._sql("delete your data"), closing(self._connect()) as con:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # and no old page stays in the WAL

    # -- rehearsed conversations ----------------------------------------------------------------
    def start_conversation(self, *, scenario: str, title: str, objective: str, script: dict) -> Conversation:
        """A new, open conversation following ``script`` (``Script.to_dict()``)."""
        with self._sql("save the conversation"), self._tx() as con:
            cid = con.execute("INSERT INTO conversations (created_at, scenario, title, objective, script_json)"
                              " VALUES (?, ?, ?, ?, ?)",
                              (_now(), scenario, title, objective, json.dumps(script))).lastrowid
        return self.conversation(cid)

    def add_turn(self, conversation_id: int, data: bytes, *, step: str, moment: str, manager_text: str,
                 manager_audio_s: float | None = None, source: str = "cli", ext: str = ".wav") -> ConversationTurn:
        """Save one reply's recording (temp file, fsync, a new name no file has) and its ``pending``
        row, in one transaction, before it is analysed. Its index is the next in the conversation."""
        ext = ext.lower()
        if source not in ("microphone", "upload", "cli"):
            raise ValueError(f"source is {source!r}; use 'microphone', 'upload' or 'cli'")
        if not re.fullmatch(r"\.[a-z0-9]{1,8}", ext):
            raise ValueError(f"ext is {ext!r}; give a suffix such as '.wav'")
        if not data:
            raise StoreError("the recording is empty; record your reply again")
        self.conversation(conversation_id)  # exists, or a StoreError saying so
        folder, final = self.home / "audio", None
        try:
            tmp = _write_temp(folder, data)
        except OSError as e:
            raise save_error(folder, e) from None
        try:
            with self._sql("save the reply"), self._tx() as con:
                idx = con.execute("SELECT COUNT(*) FROM conversation_turns WHERE conversation_id = ?",
                                  (conversation_id,)).fetchone()[0]
                try:
                    final = _link_new(tmp, folder, ext)
                    _fsync_dir(folder)
                except OSError as e:
                    raise save_error(folder, e) from None
                tid = con.execute(
                    "INSERT INTO conversation_turns (conversation_id, idx, created_at, step, moment, manager_text,"
                    " manager_audio_s, audio_path, audio_sha256, audio_bytes, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (conversation_id, idx, _now(), step, moment, manager_text, manager_audio_s, f"audio/{final.name}",
                     hashlib.sha256(data).hexdigest(), len(data), source)).lastrowid
        except BaseException:
            if final is not None:  # the row was rolled back: no file without a row (this file is ours)
                final.unlink(missing_ok=True)
            raise
        finally:
            tmp.unlink(missing_ok=True)
        return self._select(ConversationTurn, "WHERE id = ?", (tid,))[0]

    def complete_turn(self, turn_id: int, *, turn: dict) -> ConversationTurn:
        """Store the analysed and judged reply (``Turn.to_dict()``); status 'done'."""
        self._update_turn(turn_id, "status = 'done', error = NULL, turn_json = ?", (json.dumps(turn, default=_plain),))
        return self._select(ConversationTurn, "WHERE id = ?", (turn_id,))[0]

    def fail_turn(self, turn_id: int, error: str) -> ConversationTurn:
        """Mark a reply's analysis failed; its recording stays (the conversation can be resumed)."""
        self._update_turn(turn_id, "status = 'failed', error = ?", (str(error)[:2000],))
        return self._select(ConversationTurn, "WHERE id = ?", (turn_id,))[0]

    def finish_conversation(self, conversation_id: int, *, result: dict) -> Conversation:
        """Store the whole result (``ConversationResult.to_dict()``); status 'done'."""
        s = result.get("summary") or {}
        with self._sql("save the conversation"), self._tx() as con:
            if con.execute("UPDATE conversations SET status = 'done', outcome = ?, result_json = ?, checks_met = ?,"
                           " checks_total = ? WHERE id = ?",
                           (result.get("outcome"), json.dumps(result, default=_plain), s.get("checks_met"),
                            s.get("checks_total"), conversation_id)).rowcount == 0:
                raise StoreError(f"conversation {conversation_id} does not exist (it may have been deleted)")
        return self.conversation(conversation_id)

    def conversation(self, conversation_id: int) -> Conversation:
        for c in self._select(Conversation, "WHERE id = ?", (conversation_id,)):
            return c
        raise StoreError(f"conversation {conversation_id} does not exist (it may have been deleted); "
                         "pick one from the list")

    def conversations(self, limit: int | None = None) -> list[Conversation]:
        """Conversations newest first."""
        return self._select(Conversation, "ORDER BY id DESC LIMIT ?", (-1 if limit is None else limit,))

    def conversation_turns(self, conversation_id: int) -> list[ConversationTurn]:
        """The replies of a conversation in the order spoken."""
        return self._select(ConversationTurn, "WHERE conversation_id = ? ORDER BY idx", (conversation_id,))

    def turn_audio_path(self, turn: ConversationTurn) -> Path:
        """A reply's audio file, resolved; refuses a path that leaves the data folder."""
        return self._in_home(turn.audio_path, f"reply {turn.id}", "delete this conversation")

    def delete_conversation(self, conversation_id: int) -> None:
        """Delete a conversation, its replies and their recordings (a file outside the data folder
        is never touched)."""
        paths = []
        for t in self.conversation_turns(conversation_id):
            try:
                paths.append(self.turn_audio_path(t))
            except StoreError:
                pass
        with self._sql("delete the conversation"), self._tx() as con:
            con.execute("DELETE FROM conversation_turns WHERE conversation_id = ?", (conversation_id,))
            con.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            for p in paths:
                _unlink(p)

    def export_conversation(self, conversation_id: int) -> dict:
        """Everything saved about a conversation as one JSON-ready dict: the conversation, its
        result (None until finished) and each reply with its recording's name and sha256."""
        c = self.conversation(conversation_id)
        return {"id": c.id, "created_at": c.created_at, "label": c.label, "scenario": c.scenario, "title": c.title,
                "objective": c.objective, "status": c.status, "outcome": c.outcome, "result": c.result,
                "turns": [{"idx": t.idx, "step": t.step, "moment": t.moment, "manager": t.manager_text,
                           "audio": t.audio_path, "audio_sha256": t.audio_sha256, "status": t.status,
                           "error": t.error, "turn": t.turn} for t in self.conversation_turns(conversation_id)]}

    def _update_turn(self, turn_id: int, sets: str, args: tuple) -> None:
        with self._sql("update the reply"), self._tx() as con:
            if con.execute(f"UPDATE conversation_turns SET {sets} WHERE id = ?", (*args, turn_id)).rowcount == 0:
                raise StoreError(f"reply {turn_id} does not exist (its conversation may have been deleted)")

    # -- preparation and reflections -----------------------------------------------------------
    def save_preparation(self, *, scenario: str | None = None, situation: str = "", objective: str = "",
                         push_notes: str = "", pull_notes: str = "", notes: dict[str, str] | None = None) -> Preparation:
        """Save a new version of the preparation; earlier versions are kept. ``notes``: each
        prompt's answer by prompt id."""
        if notes is not None and not all(isinstance(k, str) and isinstance(v, str) for k, v in notes.items()):
            raise TypeError("notes maps prompt ids to the text written; pass a dict of str to str")
        with self._sql("save the preparation"), self._tx() as con:
            pid = con.execute(
                "INSERT INTO preparations (updated_at, scenario, situation, objective, push_notes, pull_notes,"
                " notes_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_now(), scenario, situation, objective, push_notes, pull_notes, json.dumps(notes or {}))).lastrowid
        return self._select(Preparation, "WHERE id = ?", (pid,))[0]

    def current_preparation(self) -> Preparation | None:
        return next(iter(self._select(Preparation, "ORDER BY id DESC LIMIT 1")), None)

    def add_reflection(self, *, kind: str, answers: dict, take_id: int | None = None) -> Reflection:
        if kind not in ("practice", "meeting"):
            raise ValueError(f"kind is {kind!r}; use 'practice' or 'meeting'")
        with self._sql("save the reflection"), self._tx() as con:
            rid = con.execute("INSERT INTO reflections (created_at, take_id, kind, answers_json) VALUES (?, ?, ?, ?)",
                              (_now(), take_id, kind, json.dumps(answers, default=_plain))).lastrowid
        return self._select(Reflection, "WHERE id = ?", (rid,))[0]

    def reflections(self, take_id: int | None = None) -> list[Reflection]:
        """Reflections newest first; only those about ``take_id`` if given."""
        where, args = ("WHERE take_id = ?", (take_id,)) if take_id is not None else ("", ())
        return self._select(Reflection, f"{where} ORDER BY id DESC", args)

    # -- internals -----------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            return _connect_read_only(self.db)
        con = sqlite3.connect(self.db, timeout=5.0, isolation_level=None)  # we issue BEGIN/COMMIT
        for pragma in ("busy_timeout = 5000", "foreign_keys = ON", "secure_delete = ON"):
            con.execute(f"PRAGMA {pragma}")
        return con

    @contextmanager
    def _tx(self):
        """A connection inside one write transaction, committed on success, else rolled back."""
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise

    @contextmanager
    def _sql(self, what: str):
        """Turn SQLite errors into a StoreError saying what failed and what to do."""
        try:
            yield
        except sqlite3.Error as e:
            text = str(e).lower()
            why = (self.read_only if self.read_only and ("readonly" in text or "read-only" in text)
                   else "another voicecoach window kept it busy; try again in a moment" if "locked" in text
                   else f"the folder is read-only; {_HOW}" if "readonly" in text
                   else f"the disk is full; free some space or {_HOW}" if "full" in text
                   else f"the file is damaged; move it aside (a new one is made) or {_HOW}"
                   if "not a database" in text or "malformed" in text else f"{e}; {_HOW}")
            raise StoreError(f"cannot {what} in {self.db}: {why}") from None

    def _migrate(self, con: sqlite3.Connection) -> None:
        con.execute("BEGIN IMMEDIATE")  # one process migrates; the others wait, then find it done
        try:
            con.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if version > len(MIGRATIONS):
                raise StoreError(f"{self.db} was written by a newer voicecoach (schema {version}); update voicecoach")
            if version < len(MIGRATIONS):
                for statement in (s for script in MIGRATIONS[version:] for s in _statements(script)):
                    con.execute(statement)
                _fill_summaries(con)
                con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(len(MIGRATIONS)),))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _orphans(self, con: sqlite3.Connection) -> list[Path]:
        named = {p for (p,) in con.execute("SELECT audio_path FROM takes UNION SELECT audio_path FROM conversation_turns")}
        try:
            found = [f for f in (self.home / "audio").iterdir()
                     if not f.name.startswith(".") and f.is_file() and not f.is_symlink()]
        except OSError:
            return []
        return sorted((f for f in found if f"audio/{f.name}" not in named), key=lambda f: (_mtime(f), f.name))

    def _select(self, cls, tail: str = "", args: tuple = ()) -> list:
        with self._sql(f"read the {cls.table}"), closing(self._connect()) as con:
            return [cls(*r) for r in con.execute(f"SELECT {_cols(cls)} FROM {cls.table} {tail}", args)]

    def _find(self, con: sqlite3.Connection, sha: str, objective: str | None, scenario: str | None) -> Take | None:
        sql, args = f"SELECT {_cols(Take)} FROM takes WHERE audio_sha256 = ?", (sha,)
        if objective is not None:
            sql, args = sql + " AND objective = ? AND scenario IS ?", (sha, objective, scenario)
        row = con.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return Take(*row) if row else None

    def _update(self, take_id: int, sets: str, args: tuple) -> None:
        with self._sql("update the take"), self._tx() as con:
            if con.execute(f"UPDATE takes SET {sets} WHERE id = ?", (*args, take_id)).rowcount == 0:
                raise StoreError(f"take {take_id} does not exist (it may have been deleted); pick one from the list")


def _fill_summaries(con: sqlite3.Connection) -> None:
    """Compute the summary columns of analysed takes that lack them (rows from an older schema)."""
    rows = con.execute("SELECT id, analysis_json FROM takes WHERE analysis_json IS NOT NULL").fetchall()
    for tid, text in rows:
        cols = summary(json.loads(text))
        con.execute(f"UPDATE takes SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?", (*cols.values(), tid))


def _statements(script: str):
    """The SQL statements of ``script`` one by one (``executescript`` would commit first)."""
    buf = ""
    for part in script.split(";"):
        buf += part + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n;"):
                yield buf
            buf = ""


def _write_temp(folder: Path, data: bytes) -> Path:
    """Write ``data`` to a new 0600 temp file in ``folder``, fsynced; nothing is left on failure."""
    fd, name = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(name, 0o600)
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def _link_new(tmp: Path, folder: Path, ext: str) -> Path:
    """Give ``tmp`` a new name in ``folder`` that no file has: ``<UTC time>-<random>.<ext>``,
    by a hard link (which fails rather than replace a file), or, where links are not allowed, by
    copying into a file created exclusively (O_EXCL). Never writes over an existing file."""
    for _ in range(100):
        final = folder / f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{secrets.token_hex(4)}{ext}"
        try:
            os.link(tmp, final)
            return final
        except FileExistsError:
            continue  # taken (by chance, or by another process): draw another name
        except OSError as e:
            if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS):
                raise
        try:  # a file system without hard links (FAT, some network drives)
            fd = os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "wb") as out, open(tmp, "rb") as src:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            final.unlink(missing_ok=True)  # created above by us: not another recording
            raise
        return final
    raise FileExistsError(errno.EEXIST, "no free file name", str(folder))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _read_only(e: OSError) -> bool:
    return e.errno in (errno.EROFS, errno.EACCES, errno.EPERM)


def _connect_read_only(db: Path) -> sqlite3.Connection:
    """A read-only connection: ``mode=ro`` (sees a WAL the last writer left), else, where SQLite
    cannot even create its shared-memory file, ``immutable`` (reads the main file only)."""
    uri = db.resolve().as_uri()
    try:
        con = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=5.0, isolation_level=None)
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return con
    except sqlite3.OperationalError:
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, timeout=5.0, isolation_level=None)


def _fsync_dir(folder: Path) -> None:
    if os.name == "posix":  # make the rename itself durable
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as e:
        raise StoreError(f"cannot delete {path}: {_reason(e)}; delete it by hand") from None


def _reason(e: OSError) -> str:
    return ("the folder is read-only" if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
            else "the disk is full" if e.errno in (errno.ENOSPC, errno.EDQUOT)
            else "the file is larger than this disk or account allows" if e.errno == errno.EFBIG
            else "a file is in the way where a folder should be" if e.errno in (errno.ENOTDIR, errno.EEXIST)
            else (e.strerror or str(e)).lower())


def save_error(folder: Path, e: OSError) -> StoreError:
    """The one-line message for an audio file that could not be saved in ``folder``."""
    full = e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    return StoreError(f"cannot save the recording in {folder}: {_reason(e)}; "
                      + (f"free some space or {_HOW}" if full else _HOW))


def _num(x) -> float | None:
    return float(x) if x is not None and math.isfinite(float(x)) else None


def _plain(o):
    """JSON for numpy scalars and arrays (without importing numpy)."""
    if hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"cannot store a {type(o).__name__} in the analysis JSON")


def _cols(cls) -> str:
    return ", ".join(f.name for f in fields(cls))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
