"""Practise: state your ask, record it (or upload a recording), see how it landed."""
from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from studio import live_panel
from studio.render import AUDIO_MIME, PART_WORDS, md_naming, plain, specificity_html
from studio.resources import privacy, speech_model, take_store
from studio.result_view import RESULTS, TIMELINES, show_result
from voicecoach import AudioError, ModelError, config
from voicecoach.display.explain import STAGE_TEXT
from voicecoach.display.export import take_timeline
from voicecoach.format import fmt_when
from voicecoach.practice import analyse_saved, check_analysable, finish_pending
from voicecoach.coaching.scenarios import by_id as scenario_by_id
from voicecoach.store.takes import StoreError
from voicecoach.wording import check_specificity

OBJECTIVE_KEY = "practise_objective"
RECORDER_KEY, UPLOADER_KEY = "practise_recorder", "practise_uploader"
ss = st.session_state


def _save_objective() -> None:
    """Keep the objective edited here in the current preparation (the other fields as they are),
    so it is still there on the Prepare page and next time."""
    text = ss[OBJECTIVE_KEY]
    try:
        store = take_store()
        cur = store.current_preparation()
        if cur is None or cur.objective != text:
            store.save_preparation(
                objective=text, **({} if cur is None else dict(
                    scenario=cur.scenario, situation=cur.situation, push_notes=cur.push_notes,
                    pull_notes=cur.pull_notes, notes=cur.notes)))
        ss["practise_objective_status"] = "saved"
    except StoreError as exc:
        ss["practise_objective_status"] = str(exc)


def _and(items: list[str]) -> str:
    return " and ".join(filter(None, (", ".join(items[:-1]), items[-1]))) if items else ""


def _show_error(message: str, name: str | None) -> None:
    """An error the user can act on, visible on the page, their file's name shown as written."""
    message = message[:1].upper() + message[1:] if message.startswith("your recording") else message
    st.error(md_naming(message, name), icon=":material/error:")

def _catch_up(store, unanalysed: list[int], *, shown: int) -> None:
    """Analyse the takes this session saved whose run was interrupted before their analysis (the
    user uploaded again at once), so that none is left pending; ``shown`` is analysed already."""
    if shown in unanalysed:
        unanalysed.remove(shown)
    if unanalysed:
        with st.spinner(f"Analysing {len(unanalysed)} earlier take{'s' if len(unanalysed) > 1 else ''} of this "
                        "session…"):
            for tid in finish_pending(store, list(unanalysed), model=config.model_name()):
                unanalysed.remove(tid)


st.title("Practise your ask")
st.caption(privacy("practise"))
try:
    store, store_error = take_store(), None
    prep = store.current_preparation()
except StoreError as exc:
    store, store_error, prep = None, exc, None

left, right = st.columns(2, gap="large")
with left:
    st.subheader("What you want")
    if OBJECTIVE_KEY not in ss:  # a fresh session, or back from another page: the saved version
        ss[OBJECTIVE_KEY] = prep.objective if prep else ""
    objective = st.text_area("Your influence objective: what should your manager say or do?", key=OBJECTIVE_KEY,
                             height=80, on_change=_save_objective if store is not None else None,
                             placeholder="Enrol me on the leadership course before the March intake")
    if (saved_status := ss.pop("practise_objective_status", None)) == "saved":
        st.caption(":material/check: Saved in your preparation.")
    elif saved_status:
        st.error(saved_status)
    if objective.strip():
        spec = check_specificity(objective)
        if spec.is_specific:
            st.success("Specific: it names an action, what exactly, and a time.")
        else:
            st.warning("Not specific yet: it needs " + _and([PART_WORDS[m] for m in spec.missing]
                                                            or [PART_WORDS["action"]]) + ".")
        st.html(specificity_html(spec))
    if prep and any((prep.scenario, prep.situation, prep.push_notes, prep.pull_notes)):
        with st.expander("Your preparation"):
            found = scenario_by_id(prep.scenario) if prep.scenario else None
            for name, text in (("Scenario", found.title if found else None),
                               ("What your manager probably weighs",
                                "; ".join(found.manager_priorities) if found else None), ("Situation", prep.situation),
                               ("Push: your proposals and reasons", prep.push_notes),
                               ("Pull: your questions and common ground", prep.pull_notes)):
                if text:
                    st.markdown(f"**{name}**")
                    st.html(plain(str(text)))
with right:
    st.subheader("Say it out loud")
    live_mode = st.toggle("Live mode: see your words and the wait as you speak", key="live_mode",
                          help="The microphone streams to this machine only (no outside server is asked); the "
                               "words appear as they are recognised and, after your request, a counter shows the "
                               "silence you hold. The feedback is ready the moment you stop.")
    # a widget's state is dropped while another page shows: its key missing means the page was just
    # opened (or come back to), not that the user cleared a recording to make a new one
    came_back = RECORDER_KEY not in ss and UPLOADER_KEY not in ss
    if not live_mode:
        recorded = st.audio_input("Record your ask, then stay silent while you wait for the answer", sample_rate=16000,
                                  key=RECORDER_KEY)
        uploaded = st.file_uploader("…or analyse a recording", type=[x.lstrip(".") for x in AUDIO_MIME],
                                    key=UPLOADER_KEY)
if live_mode:  # the live recorder runs last on the page: it redraws until Stop
    if store is None:
        st.error(str(store_error))
        st.stop()
    live_panel.render(store, objective)
    st.stop()

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
results = st.session_state.setdefault(RESULTS, {})
timelines = st.session_state.setdefault(TIMELINES, {})
# takes this session saved and has not seen analysed to the end: a run interrupted by the next upload
# (Streamlit stops a run at its next st call) leaves them here, and the next run analyses them
unanalysed = st.session_state.setdefault("unanalysed", [])
decoded = None  # the recording decoded by the checks, when it was saved in this run
LAST = "practise_last"  # (take id, source, file name) of the result shown last: shown again on coming back
last = st.session_state.get(LAST)
if store is None:
    st.error(str(store_error))
    st.stop()
if source is None:  # nothing recorded yet, back from another page (the last result), or a new recording under way
    try:
        shown = store.get(last[0]) if came_back and last and last[0] in results else None
    except StoreError:  # deleted meanwhile
        shown = None
    if shown is None:  # cleared to record again, or deleted meanwhile: the last result is not shown any more
        st.session_state.pop(LAST, None)
        st.info("Record or upload a take to see your pace, pauses, sentence ends and wording.")
        st.stop()
    take, current, original = shown, last[1], last[2]
    try:
        path = store.audio_path(take)
        data, ext = path.read_bytes(), path.suffix.lower()
    except (StoreError, OSError):
        data, ext = None, ".wav"
    name = "your recording" if current == "microphone" else " ".join((original or "").split())
    st.html(plain(f"Your last take, {take.id}: "
                  + ("your recording" if current == "microphone" else f"the file {original}")
                  + f", saved {fmt_when(take.created_at)}. Record or upload again for a new one.", muted=True))
else:
    take = None

if take is None:  # a recording in a widget: saved (once) before it is analysed
    data, ext = source.getvalue(), (Path(source.name).suffix or ".wav").lower()
    name = "your recording" if current == "microphone" else " ".join(source.name.split())  # as messages call it
    saved = st.session_state.setdefault("saved_takes", {})  # (input, sha256) -> take id, this session
    decoded = None  # the recording decoded by the checks, when it was saved in this run
    try:
        try:
            take = store.get(saved[(current, seen[current])])
        except (KeyError, StoreError):  # not saved yet (or deleted meanwhile): save it before analysis,
            try:  # unless it can never be analysed (not audio, too long, too short, silent, no speech): refused
                decoded = check_analysable(data, name=name)
            except AudioError as exc:
                _show_error(f"{exc}. Nothing was saved.", name)
                st.stop()
            take = store.add(data, source=current, original_name=source.name, objective=objective, ext=ext,
                             scenario=prep.scenario if prep else None)
            saved[(current, seen[current])] = take.id  # with the objective it was recorded for
            if take.status == "pending" and take.id not in unanalysed:
                unanalysed.append(take.id)
    except StoreError as exc:
        st.error(str(exc))
        st.stop()
    again = current == "upload" and take.original_name and take.original_name != source.name
    st.html(plain(f"This recording is already take {take.id} (the file {take.original_name}, saved "
                  f"{fmt_when(take.created_at)}); showing it." if again else
                  f"Showing take {take.id}: "
                  + ("your recording" if current == "microphone" else f"the file {source.name}")
                  + f", saved {fmt_when(take.created_at)}.", muted=True))

failed = st.session_state.setdefault("failed", {})  # take id -> why its analysis failed
if take.id in failed:
    _show_error(failed[take.id], name)
    st.stop()
if take.id not in results:
    model_name = config.model_name()
    error = None
    with st.status("Listening to your take…", expanded=True) as status:
        bar = st.progress(0.0, text=STAGE_TEXT["decoding"])
        try:
            speech_model(model_name)
            # an interrupted progress bar does not stop the analysis: the take is stored first
            results[take.id] = analyse_saved(store, take, model=model_name, name=name, audio=decoded,
                                             progress=lambda stage, done: bar.progress(done, text=STAGE_TEXT[stage]))
        except (AudioError, ModelError) as exc:
            status.update(label="Could not analyse this take", state="error", expanded=False)
            if isinstance(exc, AudioError):  # this recording cannot be analysed: don't try on every re-run
                error = failed[take.id] = (f"{str(exc).rstrip('. ')}. This recording cannot be analysed; it is "
                                           f"kept as take {take.id} (play or delete it on the Takes page).")
            else:
                error = (f"{str(exc).rstrip('. ')}. The recording is kept as take {take.id}, marked failed: "
                         "analyse it again from the Takes page.")
        else:
            bar.progress(1.0, text="Drawing loudness and pitch")
            try:  # the stored take, now with its analysis; None without its audio
                timelines[take.id] = take_timeline(store, store.get(take.id))
            except StoreError:
                timelines[take.id] = None
            status.update(label="Analysed", state="complete", expanded=False)
    _catch_up(store, unanalysed, shown=take.id)
    if error is not None:  # outside the status box, so it shows without opening it
        _show_error(error, name)
        st.stop()
a = results[take.id]
_catch_up(store, unanalysed, shown=take.id)
st.session_state[LAST] = (take.id, current, None if current == "microphone" else source.name if source else last[2])

show_result(store, take, a, objective=objective.strip() or take.objective, name=name, audio=data, ext=ext,
            timeline=timelines.get(take.id))
