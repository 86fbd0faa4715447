"""Prepare: the situation, the influence objective (checked as you write it) and the Push and
Pull preparation, saved on this machine whenever a box changes."""
from __future__ import annotations


import streamlit as st

from studio.render import md_literal
from studio.resources import privacy, take_store
from voicecoach.format import fmt_when
from voicecoach.coaching.scenarios import (
    OBJECTIVE_EXAMPLES,
    PROMPTS,
    PULL_PROMPTS,
    PUSH_PROMPTS,
    SCENARIOS,
    by_id,
    notes_text,
)
from voicecoach.store.takes import StoreError
from voicecoach.wording import check_specificity

ss = st.session_state
_PART = {"action": "a concrete action", "object": "what exactly you ask for", "time": "a time"}


def _fields() -> dict:
    notes = {p.id: ss[f"prep_{p.id}"] for p in PROMPTS}
    return {"scenario": ss["prep_scenario"] or None, "situation": ss["prep_situation"],
            "objective": ss["prep_objective"], "push_notes": notes_text(PUSH_PROMPTS, notes),
            "pull_notes": notes_text(PULL_PROMPTS, notes), "notes": notes}


def _save() -> None:
    try:
        store, new = take_store(), _fields()
        cur = store.current_preparation()
        if cur is None or any(getattr(cur, k) != v for k, v in new.items()):
            store.save_preparation(**new)
        ss["prep_status"] = "saved"
    except StoreError as exc:
        ss["prep_status"] = str(exc)


def _use_example() -> None:
    """Fill an empty objective with the scenario's example; ask before replacing one already written."""
    example = by_id(ss["prep_scenario"]).example_objective
    if ss["prep_objective"].strip() and ss["prep_objective"].strip() != example:
        ss["prep_confirm_replace"] = True
        return
    _replace_objective()


def _replace_objective() -> None:
    ss.pop("prep_confirm_replace", None)
    ss["prep_objective"] = by_id(ss["prep_scenario"]).example_objective
    _save()


def _keep_objective() -> None:
    ss.pop("prep_confirm_replace", None)


st.title("Prepare")
st.caption(privacy("prepare"))
try:
    prep = take_store().current_preparation()
except StoreError as exc:
    st.error(str(exc))
    st.stop()
saved = {"scenario": prep.scenario or "", "situation": prep.situation, "objective": prep.objective,
         **prep.notes} if prep else {}
for key in ("scenario", "situation", "objective", *(p.id for p in PROMPTS)):
    if f"prep_{key}" not in ss:  # a fresh session, or back from another page: the saved version
        ss[f"prep_{key}"] = saved.get(key, "") if key != "scenario" or by_id(saved.get(key)) else ""

st.subheader("Your situation")
st.selectbox("Start from", ["", *(s.id for s in SCENARIOS)], key="prep_scenario", on_change=_save,
             format_func=lambda i: by_id(i).title if i else "My own situation")
if scenario := by_id(ss["prep_scenario"]):
    st.markdown(scenario.situation + "\n\nWhat your manager probably weighs:\n"
                + "\n".join(f"- {p}" for p in scenario.manager_priorities)
                + f"\n\nAn objective that would do: *{scenario.example_objective}*")
    st.button("Use this objective", on_click=_use_example)
    if ss.get("prep_confirm_replace"):
        st.warning(f"Replace your objective “{md_literal(ss['prep_objective'], 120)}” with this example?")
        with st.container(horizontal=True):
            st.button("Replace it", on_click=_replace_objective, type="primary")
            st.button("Keep mine", on_click=_keep_objective)
st.text_area("In your own words: who, which conversation, when", key="prep_situation", on_change=_save)

st.subheader("Your influence objective")
st.text_input("What exactly should your manager say or do as a result?", key="prep_objective", on_change=_save,
              placeholder="My manager agrees to enrol me on the leadership course before the March intake")
st.caption("Concrete objectives name an action, what it is about and a time: "
           + "; ".join(f"“{e}”" for e in OBJECTIVE_EXAMPLES)
           + ". “Support” or “commitment” is not an objective.")
if ss["prep_objective"].strip():
    spec = check_specificity(ss["prep_objective"])
    if spec.is_specific:
        st.success(f"Specific: action “{md_literal(spec.action, 80)}” · object “{md_literal(spec.object, 80)}” "
                   f"· time “{md_literal(spec.time, 80)}”")
    else:
        parts = [_PART[m] for m in spec.missing]
        vague = f"“{md_literal(spec.vague_terms[0], 80)}” is too vague to act on. " if spec.vague_terms else ""
        st.warning(f"Not specific yet: {vague}Add " + " and ".join(
            [", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts) + ".")

st.subheader("Push: what you bring")
for p in PUSH_PROMPTS:
    st.text_area(p.label, key=f"prep_{p.id}", placeholder=p.placeholder, on_change=_save)
st.subheader("Pull: what you want to learn from your manager")
for p in PULL_PROMPTS:
    st.text_area(p.label, key=f"prep_{p.id}", placeholder=p.placeholder, on_change=_save)

st.button("Save", on_click=_save, type="primary")
status = ss.pop("prep_status", None)
if status == "saved":
    st.success("Saved")
elif status:
    st.error(status)
elif prep:
    st.caption(f"Saved on this machine, last changed {fmt_when(prep.updated_at)}.")
