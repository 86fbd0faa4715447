"""What the pages share: the speech model and the take store, each made once per server."""
from __future__ import annotations

import streamlit as st

from studio.render import md_literal
from voicecoach import config
from voicecoach.store.takes import TakeStore
from voicecoach.speech.transcribe import load_model

#: One short line under each page's title: what that page keeps, and that it stays on this machine.
PRIVACY = {
    "prepare": "Plan the conversation before you practise it. Your notes are saved only on this machine, each "
               "time you leave a box; the Practise page shows your objective while you record.",
    "practise": "Rehearse your ask out loud. Your audio and transcripts stay on this machine: nothing is "
                "uploaded, and the speech model runs locally.",
    "takes": "Your takes are stored only on this machine, in {folder}.",
    "compare": "Worked out on this machine from your saved takes; nothing is sent anywhere.",
    "reflect": "Look back while it is fresh. Your answers are saved only on this machine.",
}


def privacy(page: str) -> str:
    """The privacy line of ``page`` (a key of :data:`PRIVACY`), as markdown for ``st.caption``."""
    return PRIVACY[page].format(folder=md_literal(str(config.data_home())))


@st.cache_resource(show_spinner="Loading the speech model…")
def speech_model(name: str | None):
    return load_model(name)


@st.cache_resource
def _store(home: str) -> TakeStore:
    return TakeStore(home)


def take_store() -> TakeStore:
    """The take history under ``VOICECOACH_HOME`` (raises ``StoreError`` with a clear message)."""
    return _store(str(config.data_home()))
