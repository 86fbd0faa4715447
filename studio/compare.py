"""Compare: how your analysed takes moved, two takes side by side, and the best take so far."""
from __future__ import annotations

import altair as alt
import streamlit as st

from studio.resources import privacy, take_store
from voicecoach.coaching.coach import CoachSettings
from voicecoach.display.compare import (
    METRICS,
    POINT_SHORT_NAMES,
    WITHIN,
    best,
    changes,
    conversation_rows,
    done_takes,
    fmt_value,
    point_names,
    ranking,
    target_of,
    trend_rows,
    value_of,
)
from voicecoach.format import END_DROP_MEANING, END_DROP_NAME, fmt_when
from voicecoach.rehearsal.rehearse import MOMENTS
from voicecoach.store.takes import StoreError

ICON = {"better": ":green[:material/trending_up:]", "worse": ":red[:material/trending_down:]",
        "about the same": ":material/trending_flat:", WITHIN: ":green[:material/check_circle:]",
        None: ":material/remove:"}
TARGET = {"speaking_wpm": "shaded: the coach's pace range",
          "end_drop_db": "dashed: a fade the coach flags (+ = quieter)",
          "pause_after_s": "dashed: the wait to hold, at least", "push_share": "aim for Push and Pull both",
          "fillers_per_100": "dashed: the rate the coach flags"}
WARNED = "#b42318"
ROWS = (("speaking_wpm", "end_drop_db", "pause_after_s"), ("push_share", "fillers_per_100"))  # charts per row


def _chart(metric, rows, lo, hi) -> alt.LayerChart:
    title = alt.Title(f"{metric.name[:1].upper()}{metric.name[1:]} ({metric.unit})", subtitle=TARGET[metric.key])
    data = [r for r in rows if r["metric"] == metric.name and r["value"] is not None]
    number = f",.{metric.digits}f"
    scale = alt.Scale(domain=[0, 100]) if metric.unit == "%" else alt.Scale(zero=False, nice=True)
    line = alt.Chart(alt.Data(values=data)).mark_line(point=True).encode(
        x=alt.X("take_id:O", title="take", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=metric.unit, scale=scale,
                axis=alt.Axis(format=number, tickMinStep=10.0 ** -metric.digits)),
        tooltip=[alt.Tooltip("take_id:O", title="take"), alt.Tooltip("label:N", title="name"),
                 alt.Tooltip("recorded:N", title="recorded"),
                 alt.Tooltip("value:Q", title=metric.unit, format=number),
                 alt.Tooltip("warnings:N", title="warnings")])
    # a take with a warning: a red triangle on its point (its number may not hold)
    warned = line.mark_point(shape="triangle-up", size=140, filled=True, color=WARNED).transform_filter(
        "datum.warnings != ''")
    if lo is not None and hi is not None:
        band = alt.Chart(alt.Data(values=[{"lo": lo, "hi": hi}])).mark_rect(color="#2da44e", opacity=0.15)
        return alt.layer(band.encode(y="lo:Q", y2="hi:Q"), line, warned, title=title)
    if lo is not None or hi is not None:
        rule = alt.Chart(alt.Data(values=[{"v": lo if lo is not None else hi}])).mark_rule(
            color="#2da44e", strokeDash=[5, 4], size=2)
        return alt.layer(rule.encode(y="v:Q"), line, warned, title=title)
    return alt.layer(line, warned, title=title)


def _name(take) -> str:
    label = " ".join((take.label or "").split())
    return ("⚠ " if take.result.warnings else "") + f"Take {take.id} · {fmt_when(take.created_at)}" + (
        f" · {label[:40]}{'…' if len(label) > 40 else ''}" if label else "")



def _conversations() -> None:
    """Checks met per moment, conversation by conversation (oldest first), as each was judged."""
    st.subheader("Conversations: checks met per moment")
    try:
        rows = conversation_rows(take_store().conversations())
    except StoreError as exc:
        st.error(str(exc))
        return
    if not rows:
        st.info("No finished conversations yet: rehearse one on the Rehearse page to see its checks here.")
        return
    st.dataframe([r | {"when": fmt_when(r["when"])} for r in rows], hide_index=True,
                 column_order=["id", "when", "title", "outcome", *MOMENTS],
                 column_config={"id": st.column_config.NumberColumn("conversation", width=50),
                                "title": st.column_config.TextColumn("scenario")})
    st.caption("Each moment: checks met / checks judged, from the verdicts saved when you rehearsed (– : no "
               "check judged at that moment).")


st.title("Compare your takes")
st.caption(privacy("compare"))
try:
    done = done_takes(take_store().list())
except StoreError as exc:
    st.error(str(exc))
    st.stop()
if len(done) < 2:
    st.info(f"Comparing needs at least two analysed takes; you have {len(done)}. Record your ask again on "
            "the Practise page, then come back to see what changed.")
    _conversations()
    st.stop()
settings = CoachSettings()

st.subheader("Trends")
rows = trend_rows(done)
by_key = {m.key: m for m in METRICS}
for keys in ROWS:
    for col, key in zip(st.columns(len(keys)), keys):
        with col:
            st.altair_chart(_chart(by_key[key], rows, *target_of(key, settings)), width="stretch")
st.caption(f"{END_DROP_NAME}: {END_DROP_MEANING}, for each take's weakest sentence end (as on Practise and Takes). "
           "A red triangle marks a take with a warning (its number may not hold). Hover a point for the take's "
           "name, time and warnings.")

st.subheader("Two takes side by side")
by_id = {t.id: t for t in done}
ids = list(by_id)
c1, c2 = st.columns(2)
first = by_id[c1.selectbox("Earlier take", ids, index=len(ids) - 2, format_func=lambda i: _name(by_id[i]))]
second = by_id[c2.selectbox("Later take", ids, index=len(ids) - 1, format_func=lambda i: _name(by_id[i]))]
for col, take in ((c1, first), (c2, second)):
    with col:
        try:
            st.audio(take_store().audio_path(take).read_bytes())
        except (StoreError, OSError):
            st.warning("This take's recording is missing.")
        for w in take.result.warnings:  # its numbers may not hold: said beside them
            st.warning(w.message, icon=":material/warning:")
        st.markdown("  \n".join(f"{m.name}: **{fmt_value(m, value_of(m, take))}**" for m in METRICS))
st.markdown("\n".join(f"- {ICON[c.verdict]} {c.text}" for c in changes(first, second, settings)))

st.subheader("Best take so far")
top = best(done, settings)
if top.trusted:
    st.success(f"Take {top.take_id}: {top.summary}.")
else:  # every take has a warning: the best of them, said with its warning
    st.warning(f"Take {top.take_id}: {top.summary}, but every take has a warning, this "
               f"one too: {top.cautions[0]}", icon=":material/warning:")
if by_id[top.take_id].label:
    st.text(by_id[top.take_id].label)
scores = ranking(done, settings)
st.markdown("Each take earns one point for each target it meets: the same verdicts as its coaching tips; "
            "on a tie the more recent take wins. A take with a warning (⚠: clipping, a cut-off file, words we "
            "could not trust) ranks after the others, whatever its points: its numbers may not hold. The targets:\n"
            + "\n".join(f"- {name}" for name in point_names(settings)))
st.dataframe([{"take": s.take_id, "name": by_id[s.take_id].label or "", "points": f"{s.total} of {s.out_of}",
               "missed": " · ".join(f"{p.short} ({p.detail})" for p in s.points if p.met is False) or "none",
               "warnings": " ".join(f"⚠ {c}" for c in s.cautions)}
              for s in scores], hide_index=True, column_order=["take", "name", "points", "missed", "warnings"],
             column_config={"take": st.column_config.NumberColumn("take", width=50),
                            "name": st.column_config.TextColumn("name", width="medium"),
                            "points": st.column_config.TextColumn("points", width=70),
                            "missed": st.column_config.TextColumn("targets missed", width="large"),
                            "warnings": st.column_config.TextColumn("warnings", width="medium")})
with st.expander("Every target, take by take"):
    st.dataframe([{"take": s.take_id, **{p.short: f"{p.mark} {p.detail}" for p in s.points}}
                  for s in scores], hide_index=True, column_order=["take", *POINT_SHORT_NAMES],
                 column_config={"take": st.column_config.NumberColumn("take", width=50),
                                **{short: st.column_config.TextColumn(short, help=name) for short, name
                                   in zip(POINT_SHORT_NAMES, point_names(settings))}})

_conversations()
