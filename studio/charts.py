"""Altair charts for the studio pages, built from plain data (no Streamlit calls here)."""
from __future__ import annotations

import altair as alt
import pandas as pd

from voicecoach.timeline import FLOOR_DB, Timeline

__all__ = ["loudness_pitch_chart", "MOMENT_NAMES"]

#: Moment kinds (voicecoach.timeline.Moment.kind) as the legend names them, and their colours.
MOMENT_NAMES = {"sentence_end": "sentence end", "pause": "pause", "wait": "wait after the request"}
_MOMENT_COLOURS = {"sentence_end": "#7a7a7a", "pause": "#9ecae1", "wait": "#31a354"}
LOUDNESS_COLOUR, PITCH_COLOUR = "#3b6fb6", "#e6550d"


def loudness_pitch_chart(tl: Timeline, *, height_px: int = 320) -> alt.LayerChart:
    """Loudness (dBFS, left axis) and pitch (semitones from the speaker's usual, right axis) over
    the take's time in seconds, with its sentence ends (dashed lines), pauses and the wait after
    the request (shaded spans) marked and labelled."""
    points = pd.DataFrame(tl.rows(), columns=["time_s", "loudness_db", "pitch_st"])
    moments = pd.DataFrame([{"kind": MOMENT_NAMES[m.kind], "start_s": m.start_s, "end_s": m.end_s,
                             "label": m.label, "short": _short(m), "label_y_px": 16 if m.kind == "wait" else 0}
                            for m in tl.moments],
                           columns=["kind", "start_s", "end_s", "label", "short", "label_y_px"])
    end_s = float(points["time_s"].max()) if len(points) else 1.0
    x = alt.X("time_s:Q", title="time (s)", scale=alt.Scale(domain=[0, end_s], nice=False))
    kinds = [MOMENT_NAMES[k] for k in MOMENT_NAMES]
    colour = alt.Color("kind:N", title="marked", scale=alt.Scale(domain=kinds, range=list(_MOMENT_COLOURS.values())),
                       legend=alt.Legend(orient="top", title=None))
    tooltip = [alt.Tooltip("label:N", title="moment"), alt.Tooltip("start_s:Q", title="from (s)", format=".1f"),
               alt.Tooltip("end_s:Q", title="to (s)", format=".1f")]
    base = alt.Chart(moments)
    spans = base.transform_filter(alt.datum.kind != MOMENT_NAMES["sentence_end"]).mark_rect(opacity=0.25).encode(
        x=alt.X("start_s:Q", scale=alt.Scale(domain=[0, end_s], nice=False)), x2="end_s:Q", color=colour,
        tooltip=tooltip)
    ends = base.transform_filter(alt.datum.kind == MOMENT_NAMES["sentence_end"]).mark_rule(
        strokeDash=[4, 3], strokeWidth=1.5).encode(x="start_s:Q", color=colour, tooltip=tooltip)
    # labels at the top; the wait's a line lower, so the end of the request does not cover it
    labels = base.transform_filter(alt.datum.short != "").mark_text(
        align="left", baseline="top", dx=3, dy=3, fontSize=11).encode(
        x="start_s:Q", y=alt.Y("label_y_px:Q", scale=None, axis=None), text="short:N", color=colour)
    loud = alt.Chart(points).mark_line(color=LOUDNESS_COLOUR, strokeWidth=1.5).encode(
        x=x, y=alt.Y("loudness_db:Q", title="loudness (dBFS)",
                      scale=alt.Scale(domain=[FLOOR_DB, 0]), axis=alt.Axis(titleColor=LOUDNESS_COLOUR)),
        tooltip=[alt.Tooltip("time_s:Q", title="time (s)", format=".2f"),
                 alt.Tooltip("loudness_db:Q", title="loudness (dBFS)")])
    pitch = alt.Chart(points).mark_line(color=PITCH_COLOUR, strokeWidth=2, invalid="break-paths-show-domains").encode(
        x=x, y=alt.Y("pitch_st:Q", title="pitch (semitones)",
                     axis=alt.Axis(titleColor=PITCH_COLOUR, orient="right")),
        tooltip=[alt.Tooltip("time_s:Q", title="time (s)", format=".2f"),
                 alt.Tooltip("pitch_st:Q", title="pitch (semitones)")])
    return alt.layer(spans, ends, loud, pitch, labels).resolve_scale(y="independent").properties(
        height=height_px)


def _short(m) -> str:
    """The label drawn on the chart: the wait in full, sentence ends as "end 1", pauses unlabelled
    (their length is in the tooltip)."""
    if m.kind == "wait":
        return m.label
    if m.kind == "sentence_end":
        return "end " + m.label.rsplit(" ", 1)[-1]
    return ""
