"""Rehearse: a whole conversation with a manager who answers out loud, judged moment by moment.

Thin: the conversation is voicecoach.rehearsal.conversation_run (store, analysis, engine), the voice is
voicecoach.rehearsal.manager_voice; this page shows them and records each reply."""
from __future__ import annotations

import threading
import time

import streamlit as st

from studio.render import md_literal
from studio.resources import speech_model, take_store
from voicecoach import AudioError, ModelError, config
from voicecoach.rehearsal import conversation_run as run
from voicecoach.rehearsal import manager_voice as mv
from voicecoach.display.conversation_report import OUTCOME_TEXT, end_drop_phrase
from voicecoach.format import fmt_balance
from voicecoach.practice import check_analysable
from voicecoach.rehearsal.rehearse import OWN, Script, ScriptError, scenario_ids
from voicecoach.coaching.scenarios import by_id
from voicecoach.store.takes import StoreError

ss = st.session_state
TAG_TEXT = {"push": "Push", "pull": "Pull", "move_away": "Move Away", "neutral": "neutral"}
MARK = {True: ":green[:material/check_circle: met]", False: ":red[:material/cancel: missed]",
        None: ":gray[:material/help: not judged]"}
MANAGER, YOU = ":material/person:", ":material/mic:"


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
    key = f"rehearse-prerendered-{ss.rh['session'].conversation.id}-{step}"
    if key not in ss:
        ss[key] = True
        threading.Thread(target=mv.prerender, args=(mv.upcoming_lines(script, step),), daemon=True).start()


def _reply(store, data: bytes, stopped_at: float) -> None:
    """Save the reply, analyse and judge it; after the ask, keep the manager silent until the wait
    target has passed since the last word (the silence at the end of the recording counts)."""
    session = ss.rh["session"]
    line = session.rehearsal.current
    audio = check_analysable(data, name="your reply")  # nothing is saved for a reply that cannot be heard
    tr = run.reply(store, session, data, model=config.model_name(), manager_audio_s=ss.rh["audio_s"].get(line.step),
                   source="microphone", audio=audio)
    if line.moment == "ask":
        time.sleep(mv.reply_delay_s(tr.take, wait_target_s=session.rehearsal.settings.wait_target_s,
                                    since_stop_s=time.monotonic() - stopped_at))


def _dialogue(turns) -> None:
    for t in turns:
        st.chat_message("manager", avatar=MANAGER).markdown(md_literal(t.manager))
        tags = ", ".join(TAG_TEXT.get(s.get("tag"), "neutral") for s in t.you.get("sentences") or [])
        with st.chat_message("user", avatar=YOU):
            st.markdown(md_literal(t.you.get("transcript") or "(no words heard)"))
            st.caption(f"{t.moment.capitalize()} · your sentences: {tags or '–'}")


def _report(result) -> None:
    s = result.summary
    st.subheader(f"Outcome: {OUTCOME_TEXT.get(result.outcome, result.outcome)}")
    cols = st.columns(4)
    cols[0].metric("Checks met", f"{s.checks_met} of {s.checks_total}")
    cols[1].metric("Switches Push ↔ Pull", s.switches, help="Did you move between them, or get stuck in one?")
    cols[2].metric("Your talk share", "–" if s.talk_share is None else f"{s.talk_share:.0%}",
                   help="Your speaking time against the manager's")
    cols[3].metric("Wait after your ask", "–" if s.wait_after_ask_s is None else f"{s.wait_after_ask_s:.1f} s")
    st.markdown(f"**Push / Pull / Move Away**: {fmt_balance(s.push_share, s.pull_share, s.move_away_share)} of your "
                "speaking time. **Delivery** over all your turns: pace "
                + ("–" if s.speaking_wpm is None else f"{s.speaking_wpm:.0f} words per minute")
                + ", " + md_literal(end_drop_phrase(s)) + ".")
    for t in result.turns:
        with st.container(border=True):
            st.markdown(f"**{t.moment.capitalize()}** — the manager: “{md_literal(t.manager)}”")
            st.markdown(f"You said: “{md_literal(t.you.get('transcript') or '')}”")
            for v in t.checks:
                st.markdown(f"{MARK[v.met]} `{v.code}` — {md_literal(v.explanation)}")
            if t.branch:
                st.caption(f"Then: {md_literal(t.branch)}")


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
            ss.rh = {"session": run.start(store, sid, preparation=prep), "audio_s": {}}
        except (ScriptError, StoreError) as exc:
            st.error(str(exc))
            st.stop()
        st.rerun()
    unfinished = [c for c in store.conversations(limit=20) if c.status == "open"]
    if unfinished:
        c = st.selectbox("…or resume an unfinished conversation", unfinished,
                         format_func=lambda c: f"{c.title} (started {c.created_at[:16].replace('T', ' ')} UTC)")
        if st.button("Resume"):
            try:
                with st.spinner("Opening the conversation…"):
                    ss.rh = {"session": run.resume(store, c.id, model=config.model_name()), "audio_s": {}}
            except (ScriptError, StoreError, AudioError, ModelError) as exc:
                st.error(f"This conversation cannot be resumed ({exc}); start a new one.")
                st.stop()
            st.rerun()
    st.stop()

rh = ss.rh
r = rh["session"].rehearsal
st.markdown(f"**{md_literal(r.script.title)}** — your objective: {md_literal(r.script.objective)}")
_dialogue(r.turns)

if r.finished:
    st.success("The conversation is over. Here is how each moment went.")
    _report(r.result())
    if st.button("Rehearse again", type="primary"):
        del ss["rh"]
        st.rerun()
    st.stop()

line = r.current
with st.chat_message("manager", avatar=MANAGER):
    st.markdown(md_literal(line.text))
    voice = _voice(line.text)
    if voice is not None:
        rh["audio_s"][line.step] = voice.duration_s
        st.audio(voice.wav_bytes(), format="audio/wav", autoplay=True)
        if voice.fallback:
            st.caption(f"Spoken by espeak-ng: the natural voice is unavailable ({voice.fallback}).")
_prerender(r.script, line.step)

if line.moment == "ask":
    st.info(f"State what you want, then stay silent: the manager answers only once you have held "
            f"{r.settings.wait_target_s:g} s of silence. Stop the recording after the silence.")
if rh.get("error"):
    st.error(rh["error"])
# a new recorder for each reply (and for each new try after a reply that could not be used)
recorded = st.audio_input("Your reply: record it, then stop", sample_rate=16000,
                          key=f"reply-{rh['session'].conversation.id}-{len(r.turns)}-{rh.get('tries', 0)}")
if recorded is not None:
    stopped_at = time.monotonic()
    rh["error"] = None
    try:
        with st.spinner("Listening to your reply…"):
            speech_model(config.model_name())
            _reply(store, recorded.getvalue(), stopped_at)
    except AudioError as exc:
        rh["error"] = f"{str(exc).rstrip('. ')}. Record your reply again."
    except (ModelError, StoreError) as exc:
        rh["error"] = str(exc)
    if rh["error"]:
        rh["tries"] = rh.get("tries", 0) + 1
    st.rerun()
if r.turns:
    with st.expander("The report so far"):
        _report(r.result())
