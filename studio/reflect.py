"""Reflect: look back on a practice take (its numbers beside each question) or on the real
meeting, write your answers, and read what you wrote before."""
from __future__ import annotations


import streamlit as st

from studio.render import md_literal
from studio.resources import privacy, take_store
from voicecoach.format import fmt_when
from voicecoach.display.reflect import (
    MEETING_QUESTIONS,
    beside,
    conversation_beside,
    meeting_beside,
    prepared_questions,
    questions_for,
    take_facts,
)
from voicecoach.store.takes import StoreError

ss = st.session_state


def _take_name(take) -> str:
    label = " ".join((take.label or "").split())
    return f"Take {take.id} · {fmt_when(take.created_at)}" + (f" · {label[:40]}" if label else "")


def _show_past(store) -> None:
    st.subheader("What you wrote before")
    past = store.reflections()
    if not past:
        st.caption("Nothing yet: your saved reflections appear here, newest first.")
    for r in past[:20]:
        about = ("the real meeting" if r.kind == "meeting" else
                 f"practice take {r.take_id}" if r.take_id is not None else "a practice take since deleted")
        with st.expander(f"{fmt_when(r.created_at)} · {about}"):
            prompts = {q.id: q.prompt for q in questions_for(r.kind)}
            for key, answer in r.answers.items():
                if isinstance(answer, str) and answer.strip():
                    st.markdown(f"**{md_literal(prompts.get(key, key))}**")
                    st.text(answer)
    if len(past) > 20:
        st.caption(f"and {len(past) - 20} earlier reflections.")


st.title("Reflect")
st.caption(privacy("reflect"))
try:
    store = take_store()
    takes = store.list(status="done")
    prep = store.current_preparation()
except StoreError as exc:
    st.error(str(exc))
    st.stop()
objective = prep.objective if prep else ""
planned_questions = prepared_questions(prep)  # beside the questions asked, as the preparation had them

kind = st.radio("What are you looking back on?", ["practice", "meeting", "conversation"], horizontal=True,
                key="reflect_kind", format_func={"practice": "A practice take", "meeting": "The real meeting",
                                                 "conversation": "A rehearsed conversation"}.get)
if kind == "conversation":  # the guide's afterwards questions, the conversation's saved numbers beside them
    try:
        finished = [c for c in store.conversations() if c.result_json]
    except StoreError as exc:
        st.error(str(exc))
        st.stop()
    if not finished:
        st.info("No finished conversations yet: rehearse one on the Rehearse page, then come back here.")
        _show_past(store)
        st.stop()
    by_conv = {c.id: c for c in finished}
    conv_id = st.selectbox("Conversation", list(by_conv), key="reflect_conversation",
                           format_func=lambda i: f"Conversation {i} · {fmt_when(by_conv[i].created_at)} · "
                                                 f"{by_conv[i].title}")
    try:
        lines = conversation_beside(by_conv[conv_id].result)
    except (ValueError, KeyError, TypeError, IndexError):
        st.warning("The saved result of this conversation cannot be read.")
        _show_past(store)
        st.stop()
    st.caption("Answers about a rehearsed conversation are not saved yet: think them through, or write them "
               "down under “The real meeting” after the real one.")
    for q in MEETING_QUESTIONS:
        st.markdown(f"**{q.prompt}**")
        if lines.get(q.id):
            st.info("\n".join("- " + md_literal(line) for line in lines[q.id]), icon=":material/insights:")
    _show_past(store)
    st.stop()
if kind == "practice":
    if not takes:
        st.info("No analysed takes yet. Record your ask on the Practise page, then come back here to look "
                "at it; after the real conversation, choose “The real meeting”.")
        _show_past(store)
        st.stop()
    by_take = {t.id: t for t in takes}
    take_id = st.selectbox("Take", list(by_take), format_func=lambda i: _take_name(by_take[i]))
    try:
        facts = take_facts(by_take[take_id].result, objective=objective, questions=planned_questions)
    except (ValueError, KeyError, TypeError, IndexError):
        st.warning("The saved analysis of this take cannot be read: analyse it again on the Takes page.")
        _show_past(store)
        st.stop()
    for w in facts.warnings:  # the numbers beside the questions may not hold: say why first
        st.warning(w, icon=":material/warning:")
    lines = beside(facts)
else:
    take_id, lines = None, meeting_beside(objective, questions=planned_questions)

previous = next((r for r in store.reflections(take_id) if r.kind == kind and r.take_id == take_id), None)
prefix = f"reflect_{kind}_{take_id}_"
for q in questions_for(kind):  # reopen a take's reflection where you left it; a meeting starts blank
    ss.setdefault(prefix + q.id, previous.answers.get(q.id, "") if previous and kind == "practice" else "")

with st.form(f"reflect_{kind}"):
    for q in questions_for(kind):
        st.markdown(f"**{q.prompt}**")
        if lines.get(q.id):  # what the take (or the preparation) says, to answer against
            st.info("\n".join(("    - " if line.startswith("“") else "- ") + md_literal(line)  # quotes: nested
                               for line in lines[q.id]), icon=":material/insights:")
        st.text_area(q.prompt, key=prefix + q.id, label_visibility="collapsed")
    submitted = st.form_submit_button("Save reflection", type="primary")
if submitted:
    answers = {q.id: ss[prefix + q.id] for q in questions_for(kind)}
    if not any(a.strip() for a in answers.values()):
        st.warning("Write at least one answer before saving.")
    else:
        try:
            if previous is None or previous.answers != answers:
                store.add_reflection(kind=kind, answers=answers, take_id=take_id)
            st.success("Saved")
        except StoreError as exc:
            st.error(str(exc))
_show_past(store)
