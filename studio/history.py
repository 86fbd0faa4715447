"""Takes: every take kept on this machine, newest first."""
from __future__ import annotations

import streamlit as st

from studio.resources import PRIVACY, take_store
from voicecoach.format import fmt_time
from voicecoach.takes import StoreError

st.title("Your takes")
st.caption(PRIVACY)
try:
    takes = take_store().list()
except StoreError as exc:
    st.error(str(exc))
    st.stop()
if not takes:
    st.info("No takes yet: record one on the Practise page.")
    st.stop()
st.dataframe([{"take": t.id, "recorded (UTC)": t.created_at[:16].replace("T", " "),
               "length": fmt_time(t.duration_s) if t.duration_s else "–", "status": t.status,
               "speaking pace (wpm)": None if t.speaking_wpm is None else round(t.speaking_wpm),
               "wait after the request (s)": None if t.pause_after_s is None else round(t.pause_after_s, 1), "objective": t.objective,
               "problem": t.error or ""} for t in takes], hide_index=True)
