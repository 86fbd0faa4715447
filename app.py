"""voicecoach studio (minimal: issue 4 builds the full studio). Run with `make run`."""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import streamlit as st

from voicecoach import AudioError, ModelError
from voicecoach.analysis import analyse
from voicecoach.coach import fmt_time
from voicecoach.paths import data_home
from voicecoach.transcribe import load_model
from voicecoach.wording import check_specificity

st.set_page_config(page_title="voicecoach", page_icon="🎙️")
st.title("voicecoach")
st.caption("Rehearse your ask out loud. Your audio and transcripts stay on this machine: "
           "nothing is uploaded, and the speech model runs locally.")


@st.cache_resource(show_spinner="Loading the speech model…")
def _model(name: str | None):
    return load_model(name)


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
uploaded = st.file_uploader("…or analyse a recording", type=["wav", "flac", "ogg", "mp3", "webm"])
source = recorded or uploaded
if source is None:
    st.info("Record or upload a take to see your pace, pauses, sentence ends and wording.")
    st.stop()

data = source.getvalue()
folder = data_home() / "recordings"
folder.mkdir(parents=True, exist_ok=True)
saved = folder / f"take-{time.strftime('%Y%m%d-%H%M%S')}-{hashlib.sha1(data).hexdigest()[:8]}{Path(source.name).suffix or '.wav'}"
if not saved.exists():
    saved.write_bytes(data)  # saved before analysis: nothing recorded is lost

try:
    model_name = os.environ.get("VOICECOACH_MODEL")
    _model(model_name)
    with st.spinner("Listening to your take…"):
        a = analyse(data, model=model_name)
except (AudioError, ModelError) as exc:
    st.error(str(exc))
    st.stop()

d = a.m.delivery
st.subheader("Transcript")
st.write(a.transcript)
c1, c2, c3 = st.columns(3)
c1.metric("Pace", f"{d.wpm:.0f} wpm" if d.wpm else "–")
rp = a.m.request_pause
c2.metric("Silence after the request", f"{rp.pause_after_s:.1f} s" if rp else "no request")
b = a.m.balance
c3.metric("Push / Pull", f"{b.push_share:.0%} / {b.pull_share:.0%}")

st.subheader("Coaching")
for f in a.feedback:
    box = {"high": st.error, "medium": st.warning, "low": st.info}[f.severity]
    box(f"**{fmt_time(f.start_s) if f.start_s is not None else 'Whole take'}** — {f.message}")
if not a.feedback:
    st.success("Nothing to flag in this take. Record it again to make it a habit.")
st.audio(data)

st.subheader("Sentences")
st.dataframe([{"at": fmt_time(s.start_s), "tag": t.tag, "behaviour": t.behaviour or "", "request": t.is_request,
               "wpm": s.wpm, "end drop dB": s.end_drop_db, "end pitch st": s.end_pitch_st, "text": s.text,
               "why": t.reason}
              for s, t in zip(d.sentences, a.m.tags)], hide_index=True)
