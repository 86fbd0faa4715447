"""A rehearsed conversation from the user's voice to its stored result: each reply saved, then
analysed, judged and answered. The one place where the store, the analysis and the engine meet,
shared by the CLI and the Rehearse page.

- :func:`start` saves a new conversation with its script (so resuming it needs no file);
- :func:`reply` writes the reply's recording (``pending``) *before* it is analysed, analyses it
  as a take (:func:`voicecoach.analysis.analyse`, with the script's objective so the ask is the
  request meant), lets the :class:`~voicecoach.rehearsal.rehearse.Rehearsal` judge it and choose the
  manager's next line, stores the judged turn, and, at the end, the whole result;
- :func:`resume` rebuilds the rehearsal of a saved conversation: analysed replies are replayed
  from their stored verdicts (nothing re-analysed), a reply saved but never analysed (a process
  stopped mid-analysis) is analysed now, so no recording is lost; a reply that could not be
  analysed stays saved (``failed``, with its error) and the user replies again.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from ..speech.audio import Audio, load
from .conversation import Turn
from .rehearse import Rehearsal, Script, TurnResult, load_script
from ..store.takes import Conversation, StoreError, TakeStore

__all__ = ["Session", "start", "reply", "resume", "analyse_reply"]


@dataclass
class Session:
    """A conversation in progress: its stored row and its rehearsal (the state machine)."""

    conversation: Conversation
    rehearsal: Rehearsal


def start(store: TakeStore, scenario_id: str, *, preparation=None) -> Session:
    """A new conversation of ``scenario_id`` (see :func:`voicecoach.rehearsal.rehearse.load_script`), saved."""
    script = load_script(scenario_id, preparation=preparation)
    c = store.start_conversation(scenario=script.scenario, title=script.title, objective=script.objective,
                                 script=script.to_dict())
    return Session(c, Rehearsal(script))


def analyse_reply(source, *, script: Script, model: str | None = None, settings=None):
    """Analyse one reply as a take (the request meant is the one that says the script's objective)."""
    from ..analysis import analyse

    return analyse(source, model=model, settings=settings, objective=script.objective)


def reply(store: TakeStore, session: Session, data: bytes, *, model: str | None = None,
          manager_audio_s: float | None = None, source: str = "cli", ext: str = ".wav",
          audio: Audio | None = None) -> TurnResult:
    """Save ``data`` as the reply to the manager's current line, then analyse and judge it.

    Raises
    ------
    AudioError, ModelError
        After marking the reply ``failed`` (its recording is kept; :func:`resume` retries it).
    StoreError
        The conversation is over, or the reply could not be saved.
    """
    line = session.rehearsal.current
    if line is None:
        raise StoreError(f"conversation {session.conversation.id} is over: there is no manager line to reply to")
    row = store.add_turn(session.conversation.id, data, step=line.step, moment=line.moment, manager_text=line.text,
                         manager_audio_s=manager_audio_s, source=source, ext=ext)
    return _judge(store, session, row, audio if audio is not None else data, model=model)


def _judge(store: TakeStore, session: Session, row, source, *, model) -> TurnResult:
    try:
        take = analyse_reply(load(source) if isinstance(source, bytes) else source,
                             script=session.rehearsal.script, model=model)
    except Exception as e:
        store.fail_turn(row.id, str(e))
        raise
    tr = session.rehearsal.answer(take, manager_audio_s=row.manager_audio_s)
    store.complete_turn(row.id, turn=tr.turn.to_dict())
    if session.rehearsal.finished:
        session.conversation = store.finish_conversation(session.conversation.id,
                                                         result=session.rehearsal.result().to_dict())
    return tr


def resume(store: TakeStore, conversation_id: int, *, model: str | None = None) -> Session:
    """The saved conversation, ready for its next reply (or finished). Analysed replies are replayed
    from their stored verdicts; replies saved but never analysed (a process stopped mid-analysis)
    are analysed now, in order. A reply whose analysis failed (it could not be heard) stays saved
    with its error and is not part of the conversation: the user replies again."""
    c = store.conversation(conversation_id)
    script = Script.from_dict(json.loads(c.script_json))
    rows = [r for r in store.conversation_turns(conversation_id) if r.status != "failed"]
    done = [r for r in rows if r.status == "done"]
    if rows[:len(done)] != done:
        raise StoreError(f"conversation {conversation_id} has an analysed reply after one that is not; "
                         "delete it and start again")
    session = Session(c, Rehearsal(script, turns=[Turn.from_dict(r.turn) for r in done]))
    for r in rows[len(done):]:
        if session.rehearsal.finished:
            break
        _judge(store, session, r, store.turn_audio_path(r).read_bytes(), model=model)
    if session.rehearsal.finished and session.conversation.status != "done":
        session.conversation = store.finish_conversation(c.id, result=session.rehearsal.result().to_dict())
    return session
