"""Rehearse: a whole conversation with a manager who answers out loud, judged moment by moment."""
from __future__ import annotations

import json
import threading
import time

import streamlit as st

from studio.render import md_literal
from studio.resources import speech_model, take_store
from voicecoach import AudioError, ModelError, config
from voicecoach import manager_voice as mv
from voicecoach.analysis import analyse
from voicecoach.conversation import Turn
from voicecoach.practice import check_analysable
from voicecoach.rehearse import OWN, Rehearsal, Script, ScriptError, load_script, scenario_ids
from voicecoach.scenarios import by_id
from voicecoach.takes import StoreError

ss = st.session_state
OUTCOME_TEXT = {"agreed": "Agreed", "agreed_with_conditions": "Agreed, with conditions", "not_yet": "Not yet"}
TAG_TEXT = {"push": "Push", "pull": "Pull", "move_away": "Move Away", "neutral": "neutral"}


def _title(sid: str) -> str:
    return "Your own situation (from Prepare)" if sid == OWN else by_id(sid).title


def _voice(text: str) -> mv.Rendering | None:
    try:
        return mv.render(text)
    except mv.VoiceError as exc:
        st.warning(f"The manager cannot be heard ({exc}); read the line above.")
        return None


def _prerender(script: Script, step: str) -> None:
    """Render, in the background, every line the manager may say next (while the user speaks)."""
    key = ("prerendered", ss.rh["id"], step)
    if key not in ss:
        ss[key] = True
        threading.Thread(target=mv.prerender, args=(mv.upcoming_lines(script, step),), daemon=True).start()


def _start(store, sid: str, prep) -> None:
    script = load_script(sid, preparation=prep)
    conv = store.start_conversation(scenario=script.scenario, title=script.title, objective=script.objective,
                                    script=script.to_dict())
    ss.rh = {"id": conv.id, "script": script, "rehearsal": Rehearsal(script), "audio_s": {}}


def _resume(store, conv) -> None:
    script = Script.from_dict(json.loads(conv.script_json))
    done = [Turn.from_dict(t.turn) for t in store.conversation_turns(conv.id) if t.status == "done" and t.turn]
    ss.rh = {"id": conv.id, "script": script, "rehearsal": Rehearsal(script, turns=done), "audio_s": {}}


def _reply(store, data: bytes, stopped_at: float) -> None:
    """Save the reply, analyse it, judge it; after the ask, keep the manager silent until the wait
    target has passed since the last word (the trailing silence counts)."""
    rh, r = ss.rh, ss.rh["rehearsal"]
    line = r.current
    audio = check_analysable(data, name="your reply")
    turn = store.add_turn(rh["id"], data, step=line.step, moment=line.moment, manager_text=line.text,
                          manager_audio_s=rh["audio_s"].get(line.step), source="microphone")
    try:
        take = analyse(audio, model=config.model_name(), objective=rh["script"].objective)
    except (AudioError, ModelError) as exc:
        store.fail_turn(turn.id, str(exc))
        raise
    tr = r.answer(take, manager_audio_s=rh["audio_s"].get(line.step))
    store.complete_turn(turn.id, turn=tr.turn.to_dict())
    if r.finished:
        store.finish_conversation(rh["id"], result=r.result().to_dict())
    if line.moment == "ask":
        time.sleep(mv.reply_delay_s(take, wait_target_s=r.settings.wait_target_s,
                                    since_stop_s=time.monotonic() - stopped_at))


def _dialogue(turns) -> None:
    for t in turns:
        st.chat_message("manager", avatar=":material/person:").markdown(md_literal(t.manager))
        said = t.you.get("transcript") or "(no words heard)"
        tags = " · ".join(TAG_TEXT.get(s.get("tag"), "") for s in t.you.get("sentences") or [])
        with st.chat_message("user", avatar=":material/mic:"):
            st.markdown(md_literal(said))
            st.caption(f"{t.moment.capitalize()} · {tags}")


def _report(result) -> None:
    s = result.summary
    st.subheader(f"Outcome: {OUTCOME_TEXT.get(result.outcome, 'unfinished')}")
    cols = st.columns(5)
    cols[0].metric("Checks met", f"{s.checks_met} of {s.checks_total}")
    cols[1].metric("Push / Pull / Move Away",
                   f"{s.push_share:.0%} / {s.pull_share:.0%} / {s.move_away_share:.0%}",
                   help="Share of your speaking time in each behaviour, over the whole conversation")
    cols[2].metric("Switches Push ↔ Pull", s.switches, help="Did you move between them, or get stuck in one?")
    cols[3].metric("Your talk share", "-" if s.talk_share is None else f"{s.talk_share:.0%}")
    cols[4].metric("Wait after your ask", "-" if s.wait_after_ask_s is None else f"{s.wait_after_ask_s:.1f} s")
    st.caption("Delivery over all your turns: pace "
               + ("-" if s.speaking_wpm is None else f"{s.speaking_wpm:.0f} words per minute")
               + ", end drop " + ("-" if s.end_drop_db is None else f"{s.end_drop_db:.1f} dB") + ".")
    for t in result.turns:
        with st.container(border=True):
            st.markdown(f"**{t.moment.capitalize()}** — the manager: “{md_literal(t.manager)}”")
            st.markdown(f"You said: “{md_literal(t.you.get('transcript') or '')}”")
            for v in t.checks:
                mark = ":material/check_circle:" if v.met else (":material/help:" if v.met is None else ":material/cancel:")
                st.markdown(f"{mark} `{v.code}` — {md_literal(v.explanation)}")
            if t.branch:
                st.caption(f"Then: {t.branch}")


st.title("Rehearse the conversation")
st.caption("Talk it through with a manager who answers out loud. Everything stays on this machine: your "
           "voice, the manager's voice and the speech model all run here, and nothing is uploaded.")
try:
    store = take_store()
    prep = store.current_preparation()
except StoreError as exc:
    st.error(str(exc))
    st.stop()

if "rh" not in ss:
    ids = scenario_ids()
    default = ids.index(prep.scenario) if prep and prep.scenario in ids else 0
    sid = st.selectbox("Scenario", ids, index=default, format_func=_title)
    if sid == OWN and not (prep and prep.objective.strip()):
        st.info("Your own situation needs your influence objective: write it on the Prepare page first.")
    if st.button("Start the conversation", type="primary"):
        try:
            _start(store, sid, prep)
        except (ScriptError, StoreError) as exc:
            st.error(str(exc))
            st.stop()
        st.rerun()
    open_convs = [c for c in store.conversations(limit=20) if c.status == "open"]
    if open_convs:
        c = st.selectbox("…or resume an unfinished conversation", open_convs,
                         format_func=lambda c: f"{c.title} (started {c.created_at[:16].replace('T', ' ')} UTC)")
        if st.button("Resume"):
            try:
                _resume(store, c)
            except (ScriptError, StoreError, KeyError, ValueError) as exc:
                st.error(f"This conversation cannot be resumed ({exc}); start a new one.")
                st.stop()
            st.rerun()
    st.stop()

rh = ss.rh
script, r = rh["script"], rh["rehearsal"]
st.markdown(f"**{md_literal(script.title)}** — your objective: {md_literal(script.objective)}")
_dialogue(r.turns)

if r.finished:
    st.success("The conversation is over. Here is how each moment went.")
    _report(r.result())
    if st.button("Rehearse again", type="primary"):
        del ss["rh"]
        st.rerun()
    st.stop()

line = r.current
with st.chat_message("manager", avatar=":material/person:"):
    st.markdown(md_literal(line.text))
    voice = _voice(line.text)
    if voice is not None:
        rh["audio_s"][line.step] = voice.duration_s
        st.audio(voice.wav_bytes(), format="audio/wav", autoplay=True)
        if voice.fallback:
            st.caption(f"Spoken by espeak-ng: the natural voice is unavailable ({voice.fallback}).")
_prerender(script, line.step)

if line.moment == "ask":
    st.info(f"State what you want, then stay silent: the manager answers only once you have held "
            f"{r.settings.wait_target_s:g} s of silence. Stop the recording after the silence.")
recorded = st.audio_input("Your reply: record it, then stop", sample_rate=16000,
                          key=f"reply-{rh['id']}-{len(r.turns)}")
if recorded is not None:
    stopped_at = time.monotonic()
    try:
        with st.spinner("Listening to your reply…"):
            speech_model(config.model_name())
            _reply(store, recorded.getvalue(), stopped_at)
    except AudioError as exc:
        st.error(f"{exc}. Record your reply again.")
        st.stop()
    except (ModelError, StoreError) as exc:
        st.error(str(exc))
        st.stop()
    st.rerun()
if r.turns:
    with st.expander("The report so far"):
        _report(r.result())
