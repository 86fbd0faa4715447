"""What the pages share: the speech model and the take store, each made once per server."""
from __future__ import annotations

import streamlit as st

from voicecoach import config
from voicecoach.takes import TakeStore
from voicecoach.transcribe import load_model

PRIVACY = ("Rehearse your ask out loud. Your audio and transcripts stay on this machine: nothing is "
           "uploaded, and the speech model runs locally.")


@st.cache_resource(show_spinner="Loading the speech model…")
def speech_model(name: str | None):
    return load_model(name)


@st.cache_resource
def _store(home: str) -> TakeStore:
    return TakeStore(home)


def take_store() -> TakeStore:
    """The take history under ``VOICECOACH_HOME`` (raises ``StoreError`` with a clear message)."""
    return _store(str(config.data_home()))
