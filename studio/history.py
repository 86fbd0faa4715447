"""Takes: every take kept on this machine, newest first; replay, name, export, analyse again or
delete one, or delete everything."""
from __future__ import annotations

import streamlit as st

from studio.resources import PRIVACY, speech_model, take_store
from voicecoach import AudioError, ModelError, config
from voicecoach.export import file_stem, report_html, report_markdown, take_timeline
from voicecoach.format import fmt_time
from voicecoach.practice import analyse_saved
from voicecoach.takes import StoreError

STATUS = {"done": "analysed", "pending": "interrupted: retry", "failed": "failed: retry"}
MIME = {".wav": "audio/wav", ".flac": "audio/flac", ".ogg": "audio/ogg", ".mp3": "audio/mpeg", ".webm": "audio/webm",
        ".m4a": "audio/mp4"}
CONFIRM_WORD = "DELETE"


def _short(text: str | None, n: int = 50) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _num(v, digits: int = 0, scale: float = 1.0):
    return None if v is None else round(v * scale, digits)


def _done(message: str) -> None:
    st.session_state["takes_flash"] = message
    st.rerun()


st.title("Your takes")
st.caption(PRIVACY)
try:
    store = take_store()
    takes = store.list()
except StoreError as exc:
    st.error(str(exc))
    st.stop()
if flash := st.session_state.pop("takes_flash", None):
    st.success(flash)

if not takes:
    st.info("No takes yet: record one on the Practise page.")
else:
    st.dataframe([{
        "take": t.id, "recorded (UTC)": t.created_at[:16].replace("T", " "), "name": t.label or "",
        "length": fmt_time(t.duration_s) if t.duration_s else "–", "status": STATUS.get(t.status, t.status),
        "speaking pace (wpm)": _num(t.speaking_wpm), "wait after the request (s)": _num(t.pause_after_s, 1),
        "end drop (dB)": _num(t.end_drop_db, 1), "Push share (%)": _num(t.push_share, 0, 100),
        "fillers per 100 words": _num(t.fillers_per_100, 1), "objective": t.objective,
    } for t in takes], hide_index=True)

    by_id = {t.id: t for t in takes}
    take = by_id[st.selectbox("Take", list(by_id), format_func=lambda i: " · ".join(
        x for x in (f"Take {i}", by_id[i].created_at[:16].replace("T", " "), STATUS.get(by_id[i].status, ""),
                    _short(by_id[i].label)) if x))]

    st.subheader(f"Take {take.id}")
    if take.label:
        st.text(take.label)
    if take.status != "done":
        why = ("did not finish (or is still running in another window)" if take.status == "pending" else "failed")
        st.warning(f"The analysis of this take {why}. Its recording is kept: you can analyse it again.")
        if take.error:
            st.text(take.error)
        if st.button("Retry the analysis", icon=":material/refresh:"):
            try:
                speech_model(config.model_name())
                with st.spinner("Listening to your take…"):
                    analyse_saved(store, take, model=config.model_name())
            except (AudioError, ModelError, StoreError) as exc:
                st.error(f"The analysis failed again: {exc}")
            else:
                _done(f"Take {take.id} is analysed.")
    try:
        path = store.audio_path(take)
        st.audio(path.read_bytes(), format=MIME.get(path.suffix.lower(), "audio/wav"))
    except (StoreError, OSError):
        st.warning("The recording of this take is missing from the data folder.")
    if take.status == "done":
        c1, c2, c3 = st.columns(3)
        c1.metric("Speaking pace", "–" if take.speaking_wpm is None else f"{take.speaking_wpm:.0f} wpm")
        c2.metric("Wait after the request",
                  "no request" if take.pause_after_s is None else f"{take.pause_after_s:.1f} s")
        c3.metric("Length", fmt_time(take.duration_s) if take.duration_s else "–")

    label = st.text_input("Name this take", value=take.label or "", max_chars=200, key=f"label-{take.id}")
    if st.button("Save the name", icon=":material/edit:"):
        try:
            store.rename(take.id, label)
        except StoreError as exc:
            st.error(str(exc))
        else:
            _done(f"Take {take.id} renamed.")

    stem = file_stem(take)
    c1, c2 = st.columns(2)
    c1.download_button("Report (HTML, with the chart)", icon=":material/download:", on_click="ignore",
                       data=lambda t=take: report_html(t, timeline=take_timeline(store, t)).encode(),
                       file_name=f"{stem}.html", mime="text/html")
    c2.download_button("Report (Markdown)", icon=":material/download:", on_click="ignore",
                       data=report_markdown(take).encode(), file_name=f"{stem}.md", mime="text/markdown")

    if st.session_state.get("confirm_delete") != take.id:
        if st.button("Delete this take", icon=":material/delete:"):
            st.session_state["confirm_delete"] = take.id
            st.rerun()
    else:
        st.warning(f"Delete take {take.id} and its recording for good?")
        c1, c2 = st.columns(2)
        if c1.button(f"Yes, delete take {take.id}", type="primary"):
            st.session_state.pop("confirm_delete", None)
            try:
                store.delete(take.id)
            except StoreError as exc:
                st.error(str(exc))
            else:
                _done(f"Take {take.id} deleted.")
        if c2.button("Keep it"):
            st.session_state.pop("confirm_delete", None)
            st.rerun()

with st.expander("Delete all my data"):
    st.write("Removes every take and its recording, your preparation notes and your reflections from "
             "this machine. This cannot be undone.")
    typed = st.text_input(f"Type {CONFIRM_WORD} to confirm", key="confirm_delete_all")
    if st.button("Delete all my data", type="primary", disabled=typed.strip() != CONFIRM_WORD):
        try:
            store.delete_all()
        except StoreError as exc:
            st.error(str(exc))
            st.stop()
        for key in list(st.session_state):  # and the copies this session holds in memory
            del st.session_state[key]
        _done("All your data is deleted.")
