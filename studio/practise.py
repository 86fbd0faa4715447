"""Practise: state your ask, record it (or upload a recording), see how it landed."""
from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from studio.resources import PRIVACY, speech_model, take_store
from voicecoach import AudioError, ModelError, config
from voicecoach.format import fmt_time
from voicecoach.practice import analyse_saved
from voicecoach.takes import StoreError
from voicecoach.wording import check_specificity

st.title("voicecoach")
st.caption(PRIVACY)

objective = st.text_input("Your influence objective: what should your manager say or do?",
                          placeholder="Enrol me on the leadership course before the March intake")
if objective.strip():
    spec = check_specificity(objective)
    if spec.is_specific:
        st.success(f"Specific: {spec.action} · {spec.object} · {spec.time}")
    else:
        st.warning("Not specific yet: missing " + ", ".join(spec.missing or ["a concrete action"])
                   + ". Name an action, an object and a time.")

recorded = st.audio_input("Record your ask, then stay silent while you wait for the answer", sample_rate=16000)
uploaded = st.file_uploader("…or analyse a recording", type=["wav", "flac", "ogg", "mp3", "webm", "m4a"])

# The most recent input wins: remember which recording each widget last held.
seen = st.session_state.setdefault("seen", {})
for key, widget in (("microphone", recorded), ("upload", uploaded)):
    digest = hashlib.sha256(widget.getvalue()).hexdigest() if widget is not None else None
    if digest != seen.get(key):
        seen[key] = digest
        if digest is not None:
            st.session_state["current"] = key
current = st.session_state.get("current")
source = {"microphone": recorded, "upload": uploaded}.get(current)
if source is None:
    st.info("Record or upload a take to see your pace, pauses, sentence ends and wording.")
    st.stop()

data = source.getvalue()
try:
    store = take_store()
    take = store.add(data, source=current, original_name=source.name, objective=objective,
                     ext=(Path(source.name).suffix or ".wav").lower())  # saved before analysis
except StoreError as exc:
    st.error(str(exc))
    st.stop()
st.caption(f"Showing take {take.id} ({'your recording' if current == 'microphone' else source.name}).")

results = st.session_state.setdefault("results", {})
if take.id not in results:
    try:
        model_name = config.model_name()
        speech_model(model_name)
        with st.spinner("Listening to your take…"):
            results[take.id] = analyse_saved(store, take, model=model_name)
    except (AudioError, ModelError) as exc:
        st.error(f"{exc} (the recording is kept as take {take.id})")
        st.stop()
a = results[take.id]

st.subheader("Transcript")
st.write(a.transcript)
c1, c2, c3 = st.columns(3)
c1.metric("Speaking pace", f"{a.pace.speaking_wpm:.0f} wpm" if a.pace.speaking_wpm else "–")
r = a.request
c2.metric("Silence after the request", "no request" if r is None else f"{r.pause_after_s:.1f} s")
b = a.balance
c3.metric("Push / Pull / Move Away", f"{b.push_share:.0%}/{b.pull_share:.0%}/{b.move_away_share:.0%}",
          help="Share of your speaking time in Push, Pull and Move Away sentences.")

st.subheader("Coaching")
for f in a.feedback:
    box = {"high": st.error, "medium": st.warning, "low": st.info}[f.severity]
    box(f"**{fmt_time(f.start_s) if f.start_s is not None else 'Whole take'}** — {f.message}")
if not a.feedback:
    st.success("Nothing to flag in this take. Record it again to make it a habit.")

st.subheader("Sentences")
st.dataframe([{"at": fmt_time(s.start_s), "tag": s.tag.replace("_", " "),
               "behaviour": (s.behaviour or "").replace("_", " "), "request": s.is_request,
               "wpm": None if s.wpm is None else round(s.wpm), "end drop dB": s.end_drop_db, "end pitch st": s.end_pitch_st, "text": s.text,
               "why": s.reason} for s in a.sentences], hide_index=True)
