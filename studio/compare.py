"""Compare: how your analysed takes moved, two takes side by side, and the best take so far."""
from __future__ import annotations

import altair as alt
import streamlit as st

from studio.resources import PRIVACY, take_store
from voicecoach.coach import CoachSettings
from voicecoach.compare import (METRICS, POINT_SHORT_NAMES, best, changes, done_takes, fmt_value, point_names,
                                ranking, target_of, trend_rows, value_of)
from voicecoach.takes import StoreError

ICON = {"better": ":green[:material/trending_up:]", "worse": ":red[:material/trending_down:]",
        "about the same": ":material/trending_flat:", None: ":material/remove:"}
TARGET = {"speaking_wpm": "shaded: the coach's pace range", "end_drop_db": "dashed: a fade the coach flags",
          "pause_after_s": "dashed: the wait to hold, at least", "push_share": "aim for Push and Pull both",
          "fillers_per_100": "dashed: the rate the coach flags"}


def _chart(metric, rows, lo, hi) -> alt.LayerChart:
    title = alt.Title(f"{metric.name} ({metric.unit})", subtitle=TARGET[metric.key])
    data = [r for r in rows if r["metric"] == metric.name and r["value"] is not None]
    line = alt.Chart(alt.Data(values=data)).mark_line(point=True).encode(
        x=alt.X("n:O", title="take (oldest first)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=metric.unit, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("take_id:O", title="take"), alt.Tooltip("label:N", title="name"),
                 alt.Tooltip("recorded:N", title="recorded (UTC)"),
                 alt.Tooltip("value:Q", title=metric.unit, format=f".{metric.digits}f")])
    if lo is not None and hi is not None:
        band = alt.Chart(alt.Data(values=[{"lo": lo, "hi": hi}])).mark_rect(color="#2da44e", opacity=0.15)
        return alt.layer(band.encode(y="lo:Q", y2="hi:Q"), line, title=title)
    if lo is not None or hi is not None:
        rule = alt.Chart(alt.Data(values=[{"v": lo if lo is not None else hi}])).mark_rule(
            color="#2da44e", strokeDash=[5, 4], size=2)
        return alt.layer(rule.encode(y="v:Q"), line, title=title)
    return alt.layer(line, title=title)


def _name(take) -> str:
    label = " ".join((take.label or "").split())
    return f"Take {take.id}" + (f" · {label[:40]}{'…' if len(label) > 40 else ''}" if label else "")


st.title("Compare your takes")
st.caption(PRIVACY)
try:
    done = done_takes(take_store().list())
except StoreError as exc:
    st.error(str(exc))
    st.stop()
if len(done) < 2:
    st.info(f"Comparing needs at least two analysed takes; you have {len(done)}. Record your ask again on "
            "the Practise page, then come back to see what changed.")
    st.stop()
settings = CoachSettings()

st.subheader("Trends")
rows = trend_rows(done)
cols = st.columns(2)
for i, m in enumerate(METRICS):
    with cols[i % 2]:
        st.altair_chart(_chart(m, rows, *target_of(m, settings)), width="stretch")

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
        st.markdown("  \n".join(f"{m.name}: **{fmt_value(m, value_of(m, take))}**" for m in METRICS))
st.markdown("\n".join(f"- {ICON[c.verdict]} {c.text}" for c in changes(first, second, settings)))

st.subheader("Best take so far")
top = best(done, settings)
st.success(f"Take {top.take_id}: {top.total} of {top.out_of} targets met.")
if by_id[top.take_id].label:
    st.text(by_id[top.take_id].label)
st.markdown("Each take earns one point for each target it meets, judged with the same thresholds as "
            "the coaching tips; on a tie the more recent take wins. The targets:\n"
            + "\n".join(f"- {name}" for name in point_names(settings)))
st.dataframe([{"take": s.take_id, "name": by_id[s.take_id].label or "", "points": f"{s.total} of {s.out_of}",
               **{p.short: ("✓ " if p.met else "✗ ") + p.detail for p in s.points}}
              for s in ranking(done, settings)], hide_index=True,
             column_order=["take", "name", "points", *POINT_SHORT_NAMES])
