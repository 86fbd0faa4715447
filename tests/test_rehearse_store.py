"""Rehearsed conversations saved like takes: each reply's recording written before it is analysed
(a reply that cannot be analysed keeps its recording, marked failed), the conversation survives a
restart (a new store on the same folder) and is resumed where it stopped, deleted with its audio,
and exported; schema 5 migrates a schema-4 database; reply recordings are never offered back as
lost takes. Real SQLite, real audio, the real model."""
from __future__ import annotations

import hashlib
import json
import sqlite3

import numpy as np
import pytest

from synth import Silence, Speech, build_take, to_wav_bytes
from voicecoach.rehearsal import conversation_run as run
from voicecoach.speech.audio import AudioError
from voicecoach.store.takes import MIGRATIONS, StoreError, TakeStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def replies():
    def wav(*parts):
        y, _ = build_take(list(parts))
        return to_wav_bytes(y)
    return {
        "opening": wav(Speech("We have half an hour."), Silence(0.4), Speech("What would you like to focus on?"),
                       Silence(0.8)),
        "feedback": wav(Speech("What did you notice in those meetings?"), Silence(0.8)),
        "ask": wav(Speech("Please send me an email invitation to the data engineering conference by Friday."),
                   Silence(2.6)),
        "silent": to_wav_bytes(np.zeros(16_000 * 2, np.float32)),
    }


def test_replies_saved_before_analysis_resumed_after_restart(tmp_path, replies, whisper):
    home = tmp_path / "home"
    store = TakeStore(home)
    s = run.start(store, "conference")
    run.reply(store, s, replies["opening"])
    # a reply that cannot be analysed: kept on disk, marked failed, the conversation still open
    with pytest.raises(AudioError):
        run.reply(store, s, replies["silent"])
    rows = store.conversation_turns(s.conversation.id)
    assert [(r.idx, r.step, r.status) for r in rows] == [(0, "opening", "done"), (1, "feedback", "failed")]
    assert store.turn_audio_path(rows[1]).read_bytes() == replies["silent"]
    assert s.rehearsal.current.step == "feedback"  # not moved on by the failed reply

    # a restart (a new store on the same folder) after a process stopped mid-analysis: the reply
    # was saved, pending, and is analysed when the conversation is resumed
    store2 = TakeStore(home)
    row = store2.add_turn(s.conversation.id, replies["feedback"], step="feedback", moment="feedback",
                          manager_text=s.rehearsal.current.text)
    assert row.status == "pending" and store2.turn_audio_path(row).read_bytes() == replies["feedback"]
    s2 = run.resume(store2, s.conversation.id)  # analyses the pending reply, replays the done one
    assert [r.status for r in store2.conversation_turns(s.conversation.id)] == ["done", "failed", "done"]
    assert s2.rehearsal.current.step == "ask" and len(s2.rehearsal.turns) == 2
    first = s2.rehearsal.turns[0]
    assert first.checks[0].code == "contracting" and first.checks[0].met is True  # from the stored verdicts
    tr = run.reply(store2, s2, replies["ask"])
    assert {v.code: v.met for v in tr.checks} == {"specific_request": True, "wait_held": True}
    assert tr.next_line.step == "pushback" and not s2.rehearsal.finished
    assert store2.conversation(s.conversation.id).status == "open"

    # export: everything saved, each recording named with its sha256
    e = store2.export_conversation(s.conversation.id)
    assert e["scenario"] == "conference" and [(t["step"], t["status"]) for t in e["turns"]] == [
        ("opening", "done"), ("feedback", "failed"), ("feedback", "done"), ("ask", "done")]
    assert "silent" in e["turns"][1]["error"] and e["turns"][1]["turn"] is None
    for t in e["turns"]:
        assert hashlib.sha256((home / t["audio"]).read_bytes()).hexdigest() == t["audio_sha256"]
    assert e["turns"][3]["turn"]["checks"][1]["code"] == "wait_held"
    json.dumps(e)

    # the replies' recordings are not lost takes
    assert store2.orphans() == []
    # delete: rows and recordings go, nothing else
    take = store2.add(replies["opening"], source="cli")
    files = [store2.turn_audio_path(r) for r in store2.conversation_turns(s.conversation.id)]
    assert len(files) == 4 and all(f.exists() for f in files) and len(set(files)) == 4
    store2.delete_conversation(s.conversation.id)
    assert not any(f.exists() for f in files)
    with pytest.raises(StoreError, match="does not exist"):
        store2.conversation(s.conversation.id)
    assert store2.conversation_turns(s.conversation.id) == []
    assert store2.audio_path(take).exists()


def test_finished_conversation_stored(tmp_path, monkeypatch, capsys, replies):
    """A whole conversation through the CLI: stored 'done' with its outcome and result, and the
    stored result reads back equal (ConversationResult.from_dict)."""
    from voicecoach import cli
    from voicecoach.rehearsal.conversation import ConversationResult

    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    paths = []
    for name, parts in [("o", [Speech("We have half an hour."), Silence(0.4), Speech("What would you like to focus on?"), Silence(0.8)]),
                        ("f", [Speech("What did you notice in those meetings?"), Silence(0.8)]),
                        ("a", [Speech("Please send me an email invitation to the data engineering conference by Friday."), Silence(2.6)]),
                        ("p", [Speech("If you approve it, I will share what I learn with the team."), Silence(0.8)]),
                        ("c", [Speech("So we have agreed that you will send the invitation."), Silence(0.4),
                               Speech("I will book the travel by Friday."), Silence(0.8)])]:
        y, _ = build_take(parts)
        (p := tmp_path / f"{name}.wav").write_bytes(to_wav_bytes(y))
        paths += ["--turn", str(p)]
    assert cli.main(["rehearse", "--scenario", "conference", *paths, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    store = TakeStore(tmp_path / "home")
    c = store.conversations()[0]
    assert (c.status, c.outcome, c.checks_met, c.checks_total) == ("done", "agreed", 9, 9)
    assert c.result == printed
    assert ConversationResult.from_dict(c.result).to_dict() == printed
    # resuming a finished conversation gives it back finished; one more reply is refused
    s = run.resume(store, c.id)
    assert s.rehearsal.finished and s.rehearsal.result().to_dict() == printed
    with pytest.raises(StoreError, match="is over"):
        run.reply(store, s, replies["opening"])


def test_schema_5_migration(tmp_path):
    """A schema-4 database (with a take) gains the conversation tables; the take is untouched."""
    home = tmp_path / "home"
    (home / "audio").mkdir(parents=True)
    con = sqlite3.connect(home / "takes.db")
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    for script in MIGRATIONS[:4]:
        con.executescript(script)
    con.execute("INSERT INTO meta VALUES ('schema_version', '4')")
    con.execute("INSERT INTO takes (created_at, audio_path, status) VALUES ('2026-01-01', 'audio/1.wav', 'pending')")
    con.commit()
    con.close()
    assert len(MIGRATIONS) == 5
    store = TakeStore(home)
    assert [t.audio_path for t in store.list()] == ["audio/1.wav"]
    c = store.start_conversation(scenario="course", title="A place on a course", objective="x", script={"steps": []})
    assert store.conversations()[0].id == c.id and c.status == "open"
    with sqlite3.connect(home / "takes.db") as con:
        assert con.execute("SELECT value FROM meta").fetchone()[0] == "5"
        with pytest.raises(sqlite3.IntegrityError):  # the outcome is one of three
            con.execute("UPDATE conversations SET outcome = 'maybe'")
