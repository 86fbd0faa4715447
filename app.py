"""voicecoach studio: `make run` (or `streamlit run app.py`). Pages live in studio/; only the
studio imports streamlit, the analysis lives in voicecoach/."""
from __future__ import annotations

import streamlit as st

import voicecoach  # noqa: F401  (switches telemetry off before any dependency is imported)

st.set_page_config(page_title="voicecoach", page_icon="🎙️", layout="wide")
st.navigation([
    st.Page("studio/prepare.py", title="Prepare", icon=":material/edit_note:"),
    st.Page("studio/practise.py", title="Practise", icon=":material/mic:", default=True),
    st.Page("studio/rehearse.py", title="Rehearse", icon=":material/forum:"),
    st.Page("studio/history.py", title="Takes", icon=":material/history:"),
    st.Page("studio/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("studio/reflect.py", title="Reflect", icon=":material/psychology:"),
]).run()
