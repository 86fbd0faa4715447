"""Takes: every take kept on this machine, newest first; replay, name, export, analyse again or
delete one, or delete everything."""
from __future__ import annotations

import json

import streamlit as st

from studio.charts import loudness_pitch_chart
from studio.render import AUDIO_MIME, VERDICT_COLOURS, md_naming
from studio.resources import privacy, speech_model, take_store
from voicecoach import AudioError, ModelError, config
from voicecoach.display.export import file_stem, report_body_html, report_html, report_markdown, take_timeline
from voicecoach.rehearsal.conversation import ConversationResult
from voicecoach.display.conversation_report import render_text
from voicecoach.display.explain import headline
from voicecoach.format import (
    END_DROP_MEANING,
    END_DROP_NAME,
    fmt_balance,
    fmt_db,
    fmt_num,
    fmt_time,
    fmt_when,
)
from voicecoach.practice import analyse_saved, recording_name
from voicecoach.store.takes import StoreError, Take

STATUS = {"done": "analysed", "pending": "interrupted: retry", "failed": "failed: retry"}


def _status(t: Take) -> str:
    """The status column's words for ``t``: whether it can be (re)analysed, and why not."""
    if t.status != "done" and t.id in missing:
        return "recording missing"
    if t.recovered and t.status == "pending":
        return "added back"
    if t.status == "failed" and not t.analysable:
        return "cannot be analysed"
    return STATUS.get(t.status, t.status)
CONFIRM_WORD = "DELETE"
SELECTED = "takes_selected"  # the selected take's id (the selector's key)
SELECT_NEXT = "takes_select_next"  # the take to select on the next run (after renaming or deleting)


def _short(text: str | None, n: int = 50) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"




@st.cache_data(max_entries=8, show_spinner="Drawing loudness and pitch…")
def _timeline(take: Take):
    """The take's chart data (decoding its audio once per version of the take)."""
    return take_timeline(take_store(), take)


#: The table's columns: what each is called and means (objective and fillers are in the detail).
COLUMNS = {
    "take": st.column_config.NumberColumn("take", width=50),
    "recorded": st.column_config.TextColumn("recorded", width=150, help="On this machine's clock"),
    "name": st.column_config.TextColumn("name", width=120),
    "length": st.column_config.TextColumn("length", width=60, help="minutes:seconds"),
    "status": st.column_config.TextColumn("status", width=90),
    "pace": st.column_config.TextColumn("pace (wpm)", width=80, help="Speaking pace, words per minute",
                                        alignment="right"),
    "wait": st.column_config.TextColumn("wait (s)", width=70, help="Silence held after your request, in seconds",
                                        alignment="right"),
    "end drop": st.column_config.TextColumn(f"{END_DROP_NAME.lower()} (dB)", width=90,
                                            help=f"{END_DROP_NAME}: {END_DROP_MEANING} (your weakest sentence end)"),
    "warnings": st.column_config.TextColumn("warnings", width=90,
                                            help="⚠: part of this take's result may not hold (open it to see why)"),
    "push/pull": st.column_config.TextColumn("Push / Pull / Move Away", width=210,
                                             help="Share of your sentence time in each; the rest is neutral"),
}


def _result(t: Take):
    """The take's result (None: not analysed, or its saved analysis cannot be read)."""
    try:
        return t.result
    except (ValueError, KeyError, TypeError):
        return None


def _row(t: Take) -> dict:
    """One row of the table: the take's own numbers, as its result defines them."""
    r = _result(t)
    row = {"take": t.id, "recorded": fmt_when(t.created_at), "name": t.label or "",
           "length": fmt_time(t.duration_s) if t.duration_s else "–", "status": _status(t)}
    if r is None:
        return row | {"pace": "–", "wait": "–", "end drop": "–", "push/pull": "–", "warnings": ""}
    n = len(r.warnings)
    return row | {"pace": fmt_num(r.speaking_wpm), "wait": fmt_num(r.pause_after_s, 1),
                  "end drop": fmt_db(r.end_drop_db),
                  "push/pull": fmt_balance(r.push_share, r.pull_share, r.move_away_share),
                  "warnings": f"⚠ {n}" if n else ""}


def _done(message: str, *, select: int | None = None) -> None:
    st.session_state["takes_flash"] = message
    if select is not None:
        st.session_state[SELECT_NEXT] = select
    st.rerun()


st.title("Your takes")
st.caption(privacy("takes"))
try:
    store = take_store()
    takes = store.list()
except StoreError as exc:
    st.error(str(exc))
    st.stop()
if flash := st.session_state.pop("takes_flash", None):
    st.success(flash)
if store.read_only:
    st.warning(store.read_only[:1].upper() + store.read_only[1:] + ".", icon=":material/lock:")
elif found := store.orphans():  # the history of a database that was moved aside, emptied or lost
    n = len(found)
    with st.container(border=True):
        st.markdown(f"**{n} recording{'s' if n != 1 else ''} found that {'are' if n != 1 else 'is'} not in your "
                    "history** (kept in the audio folder, perhaps from a database that was moved aside or "
                    "replaced). Add them back to play, analyse or delete them here.")
        if st.button(f"Add {'them' if n != 1 else 'it'} back", icon=":material/restore:", key="add_back"):
            try:
                added = store.add_back()
            except StoreError as exc:
                st.error(str(exc))
            else:
                _done(f"{len(added)} recording{'s' if len(added) != 1 else ''} added back, not analysed yet: "
                      "choose one below and analyse it.", select=added[-1].id if added else None)



def _has_audio(take: Take) -> bool:
    try:
        return store.audio_path(take).is_file()
    except (StoreError, OSError):
        return False


missing = {t.id for t in takes if not _has_audio(t)}  # takes whose recording is gone from the folder
if not takes:
    st.info("No takes yet: record one on the Practise page.")
else:
    st.dataframe([_row(t) for t in takes], hide_index=True, column_config=COLUMNS, column_order=list(COLUMNS))

    by_id = {t.id: t for t in takes}
    # the selection is the take's id, kept across re-runs (a rename changes the option's text, a
    # new take adds an option: neither moves it); the newest take when none is selected yet
    if (chosen := st.session_state.pop(SELECT_NEXT, None)) is not None:
        st.session_state[SELECTED] = chosen
    if st.session_state.get(SELECTED) not in by_id:
        st.session_state[SELECTED] = takes[0].id
    take = by_id[st.selectbox("Take", list(by_id), key=SELECTED, format_func=lambda i: " · ".join(
        x for x in (f"Take {i}", fmt_when(by_id[i].created_at), _status(by_id[i]),
                    _short(by_id[i].label)) if x))]

    st.subheader(f"Take {take.id}")
    if take.label:
        st.text(take.label)
    try:
        path = store.audio_path(take)
        audio = path.read_bytes()
    except (StoreError, OSError):
        path = audio = None
    if audio is None:  # one message: nothing can be played or analysed
        st.warning("The recording of this take is missing from the data folder: it cannot be played or analysed"
                   + ("; its report is kept below." if take.status == "done" else "; delete this take."))
    elif take.status == "failed" and not take.analysable:
        st.warning("This recording cannot be analysed: analysing it again would fail the same way. It is kept "
                   "so you can play it; delete it if you do not need it.")
        if take.error:
            st.text(take.error)  # the reason, as stored (it may quote the file's name)
    elif take.status != "done":
        if take.recovered:
            st.info("This recording was found in the data folder and added back to your history; it has not "
                    "been analysed yet.")
        else:
            why = ("did not finish (or is still running in another window)" if take.status == "pending" else "failed")
            st.warning(f"The analysis of this take {why}. Its recording is kept: you can analyse it again.")
            if take.error:
                st.text(take.error)  # the reason, as stored (it may quote the file's name)
        if st.button("Analyse this take" if take.recovered else "Retry the analysis", icon=":material/refresh:",
                     disabled=bool(store.read_only)):
            try:
                speech_model(config.model_name())
                with st.spinner("Listening to your take…"):
                    analyse_saved(store, take, model=config.model_name())
            except (AudioError, ModelError, StoreError) as exc:
                st.error(md_naming(f"The analysis failed again: {exc}", recording_name(take)))
            else:
                _done(f"Take {take.id} is analysed.", select=take.id)
    if audio is not None:
        st.audio(audio, format=AUDIO_MIME.get(path.suffix.lower(), "audio/wav"))
    result = _result(take) if take.status == "done" else None
    if take.status == "done" and result is None:
        st.warning("The saved analysis of this take cannot be read: analyse it again.")
    if result is not None:
        for w in result.warnings:  # as on the Practise page: before the numbers they qualify
            st.warning(w.message, icon=":material/warning:")
        for col, h in zip(st.columns([1, 1, 1, 1.5]), headline(result)):  # the Practise headline, as saved
            col.metric(h.label, h.value, delta=h.verdict, delta_color=VERDICT_COLOURS[h.status], delta_arrow="off",
                       help=h.help)
        with st.expander("Full feedback: the chart, the numbers, the tips and what you said", expanded=True):
            # the exported report's content; its chart drawn as on the Practise page (a page shows no inline SVG)
            if (tl := _timeline(take)) is not None and tl.times_s:
                st.altair_chart(loudness_pitch_chart(tl, height_px=260), width="stretch")
            st.html(report_body_html(take))

    label = st.text_input("Name this take", value=take.label or "", max_chars=200, key=f"label-{take.id}")
    if st.button("Save the name", icon=":material/edit:", disabled=bool(store.read_only)):
        try:
            store.rename(take.id, label)
        except StoreError as exc:
            st.error(str(exc))
        else:
            _done(f"Take {take.id} renamed.", select=take.id)

    stem = file_stem(take)
    st.markdown("**Save this take's report**")
    with st.container(horizontal=True):
        st.download_button("Report (HTML, with the chart)", icon=":material/download:", on_click="ignore",
                           data=lambda t=take: report_html(t, timeline=_timeline(t)).encode(),
                           file_name=f"{stem}.html", mime="text/html")
        st.download_button("Report (Markdown)", icon=":material/download:", on_click="ignore",
                           data=report_markdown(take).encode(), file_name=f"{stem}.md", mime="text/markdown")

    if st.session_state.get("confirm_delete") != take.id:
        if st.button("Delete this take", icon=":material/delete:", disabled=bool(store.read_only)):
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

st.subheader("Conversations")
try:
    conversations = store.conversations()
except StoreError as exc:
    st.error(str(exc))
    conversations = []
if not conversations:
    st.info("No conversations yet: rehearse one on the Rehearse page.")
else:
    st.dataframe([{"conversation": c.id, "when": fmt_when(c.created_at), "scenario": c.title,
                   "outcome": c.outcome or ("not finished" if c.status != "done" else "–"),
                   "checks met": "–" if c.checks_total is None else f"{c.checks_met} of {c.checks_total}"}
                  for c in conversations], hide_index=True,
                 column_order=["conversation", "when", "scenario", "outcome", "checks met"])
    by_conv = {c.id: c for c in conversations}
    conv = by_conv[st.selectbox("Conversation", list(by_conv), key="takes_conversation",
                                format_func=lambda i: f"Conversation {i} · {fmt_when(by_conv[i].created_at)} · "
                                                      f"{by_conv[i].title}")]
    with st.container(horizontal=True):
        if conv.result_json:  # the report `voicecoach rehearse` prints, from the saved result
            st.download_button("Report (text)", icon=":material/download:", on_click="ignore",
                               data=render_text(ConversationResult.from_dict(conv.result)).encode(),
                               file_name=f"conversation-{conv.id}.txt", mime="text/plain", key="conv_report")
        st.download_button("Everything saved (JSON)", icon=":material/download:", on_click="ignore",
                           data=json.dumps(store.export_conversation(conv.id), indent=2).encode(),
                           file_name=f"conversation-{conv.id}.json", mime="application/json", key="conv_export")
    if not conv.result_json:
        st.caption("This conversation is not finished: its report comes once it is; resume it on the Rehearse page.")

with st.expander("Delete all my data"):
    st.write("Removes every take and its recording, your preparation notes and your reflections from "
             "this machine. This cannot be undone.")
    typed = st.text_input(f"Type {CONFIRM_WORD} to confirm", key="confirm_delete_all")
    if st.button("Delete all my data", type="primary", disabled=typed.strip() != CONFIRM_WORD or bool(store.read_only)):
        try:
            store.delete_all()
        except StoreError as exc:
            st.error(str(exc))
            st.stop()
        for key in list(st.session_state):  # and the copies this session holds in memory
            del st.session_state[key]
        _done("All your data is deleted.")
