"""A take's result on the page: the one view that Practise shows after an upload or a recording and
that live mode shows the moment you stop (so the two never differ): cautions, the four headline
numbers, what you planned against what you asked, the transcript, the tips with their moments,
the chart, the sentence table, and the choice of another sentence as the request."""
from __future__ import annotations

import streamlit as st

from studio.charts import loudness_pitch_chart
from studio.render import AUDIO_MIME, VERDICT_COLOURS, comparison_html, md_naming, tip_html, transcript_html
from voicecoach import AudioError, ModelError, config
from voicecoach.display.explain import compare_take, headline, tips, transcript
from voicecoach.display.export import chart_key, take_timeline
from voicecoach.format import fmt_db, fmt_num, fmt_time
from voicecoach.practice import analyse_saved
from voicecoach.result import TakeResult
from voicecoach.store.takes import StoreError, Take, TakeStore

__all__ = ["show_result", "RESULTS", "TIMELINES"]

RESULTS, TIMELINES = "results", "timelines"  # session state: take id -> TakeResult / its chart data


def show_result(store: TakeStore, take: Take, a: TakeResult, *, objective: str, name: str,
                audio: bytes | None, ext: str = ".wav", timeline=None) -> None:
    """Everything the page shows about the analysed take ``take`` (its result ``a``)."""
    for w in a.warnings:
        st.warning(w.message)

    st.subheader("How it landed")
    for col, h in zip(st.columns([1, 1, 1, 1.5]), headline(a)):  # the shares need room
        col.metric(h.label, h.value, delta=h.verdict, delta_color=VERDICT_COLOURS[h.status], delta_arrow="off",
                   help=h.help)

    words_col, tips_col = st.columns([3, 2], gap="large")
    with words_col:
        st.subheader("What you said")
        comparison = compare_take(objective, a)  # the request as heard
        if comparison:
            st.html(comparison_html(comparison))
        else:
            st.caption("Write your objective to compare your request with what you planned.")
        st.html(transcript_html(transcript(a, objective=objective)))
        _choose_request(store, take, a, name=name)
    with tips_col:
        st.subheader("Tips")
        playing = st.session_state.get("playing")
        for i, tip in enumerate(tips(a)):
            st.html(tip_html(tip))
            if st.button("Play this moment", key=f"play-{take.id}-{i}", icon=":material/play_arrow:"):
                st.session_state["playing"] = playing = (take.id, i)
            if playing == (take.id, i) and audio is not None:
                st.audio(audio, format=AUDIO_MIME.get(ext, "audio/wav"), start_time=tip.play_start_s,
                         end_time=tip.play_end_s, autoplay=True)
        if not a.feedback:
            st.success("Nothing to flag in this take. Record it again to make it a habit.")

    st.subheader("Loudness and pitch")
    if timeline is not None:
        st.altair_chart(loudness_pitch_chart(timeline), width="stretch")
        st.caption(chart_key())
    else:
        st.caption("The chart could not be drawn for this take.")

    with st.expander("Sentence by sentence (table)"):
        st.dataframe([{"at": fmt_time(s.start_s), "tag": s.tag.replace("_", " "),
                       "behaviour": (s.behaviour or "").replace("_", " "), "request": s.is_request,
                       "pace (wpm)": None if s.wpm is None else round(s.wpm),
                       "end drop (dB, + = quieter)": None if s.end_drop_db is None else fmt_db(s.end_drop_db),
                       "end pitch (semitones, + = rising)":
                           None if s.end_pitch_st is None else fmt_num(s.end_pitch_st, 1, signed=True),
                       "text": s.text, "why": s.reason} for s in a.sentences], hide_index=True)


def _choose_request(store: TakeStore, take: Take, a: TakeResult, *, name: str) -> None:
    """Let the user say which sentence they meant as their request; the take is measured again
    from it (the wait after it, its specificity, the tips) and the choice is saved with the take."""
    if len(a.sentences) < 2:
        return
    chosen = a.request.sentence_index if a.request else None
    with st.expander("Not the request you meant? Choose another sentence"):
        st.caption("The wait, the request's check and the tips are measured from the sentence you choose, "
                   "and the choice is kept with this take.")
        with st.form(f"request-form-{take.id}", border=False):  # choosing does not rerun (and close) the page
            k = st.selectbox("The sentence you meant as your request", range(len(a.sentences)), index=chosen,
                             format_func=lambda i: f"{i + 1}. {a.sentences[i].text}", key=f"request-{take.id}",
                             placeholder="Choose a sentence")
            again = st.form_submit_button("Measure from this sentence") and k is not None and k != chosen
        reset = store.get(take.id).request_sentence is not None and st.button(
            "Let voicecoach choose the request again", key=f"unmark-{take.id}")
        if again or reset:
            try:
                take = store.mark_request(take.id, None if reset else k)
                with st.spinner("Measuring your take again from that sentence…"):
                    result = analyse_saved(store, take, model=config.model_name(), name=name)
                    st.session_state.setdefault(RESULTS, {})[take.id] = result
                    st.session_state.setdefault(TIMELINES, {})[take.id] = take_timeline(store, store.get(take.id))
                live = st.session_state.get("live_result")
                if live is not None and live[0] == take.id:  # live mode shows its own last result
                    st.session_state["live_result"] = (take.id, result)
            except (AudioError, ModelError, StoreError) as exc:
                st.error(md_naming(str(exc), name), icon=":material/error:")
                return
            st.rerun()
