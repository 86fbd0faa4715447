"""Altair charts for the studio pages, built from plain data (no Streamlit calls here)."""
from __future__ import annotations

import altair as alt
import pandas as pd

from voicecoach.display.timeline import (
    FLOOR_DB,
    LOUDNESS_COLOUR,
    MOMENT_COLOURS,
    MOMENT_NAMES,
    PITCH_COLOUR,
    Timeline,
    wait_short,
)

__all__ = ["loudness_pitch_chart", "MOMENT_NAMES", "WAIT_LABEL_MIN_SHARE"]

#: The wait's length is written inside its band only when the band is at least this share of the
#: chart's width (narrower, the text would run over the next sentence; the legend still says it).
WAIT_LABEL_MIN_SHARE = 0.04


def loudness_pitch_chart(tl: Timeline, *, height_px: int = 320) -> alt.LayerChart:
    """Loudness (dBFS, left axis) and pitch (semitones from the speaker's usual, right axis) over
    the take's time in seconds, with its sentence ends (dashed lines), pauses and the wait after
    the request (shaded spans) marked. The legend names the wait with its length; the length is
    also written inside the wait's band, at its top."""
    names = dict(MOMENT_NAMES)
    for m in tl.moments:
        if m.kind == "wait":
            names["wait"] = f"{MOMENT_NAMES['wait']} ({wait_short(m)})"
    points = pd.DataFrame(tl.rows(), columns=["time_s", "loudness_db", "pitch_st"])
    end_s = float(points["time_s"].max()) if len(points) else 1.0
    moments = pd.DataFrame([{"kind": names[m.kind], "start_s": m.start_s, "end_s": m.end_s,
                             "mid_s": (m.start_s + m.end_s) / 2, "label": m.label, "short": _short(m, end_s),
                             "label_y_px": 16 if m.kind == "wait" else 0}
                            for m in tl.moments],
                           columns=["kind", "start_s", "end_s", "mid_s", "label", "short", "label_y_px"])
    x = alt.X("time_s:Q", title="time (s)", scale=alt.Scale(domain=[0, end_s], nice=False))
    colour = alt.Color("kind:N", title="marked", scale=alt.Scale(domain=[names[k] for k in MOMENT_NAMES],
                                                                 range=[MOMENT_COLOURS[k] for k in MOMENT_NAMES]),
                       legend=alt.Legend(orient="top", title=None, labelLimit=0))
    tooltip = [alt.Tooltip("label:N", title="moment"), alt.Tooltip("start_s:Q", title="from (s)", format=".1f"),
               alt.Tooltip("end_s:Q", title="to (s)", format=".1f")]
    base = alt.Chart(moments)
    spans = base.transform_filter(alt.datum.kind != names["sentence_end"]).mark_rect(opacity=0.25).encode(
        x=alt.X("start_s:Q", scale=alt.Scale(domain=[0, end_s], nice=False)), x2="end_s:Q", color=colour,
        tooltip=tooltip)
    ends = base.transform_filter(alt.datum.kind == names["sentence_end"]).mark_rule(
        strokeDash=[4, 3], strokeWidth=1.5).encode(x="start_s:Q", color=colour, tooltip=tooltip)
    # labels at the top: "end 1" beside its line; the wait's length centred in its band, a line
    # lower, so the end of the request does not cover it
    end_labels = base.transform_filter(
        (alt.datum.short != "") & (alt.datum.kind == names["sentence_end"])).mark_text(
        align="left", baseline="top", dx=3, dy=3, fontSize=11).encode(
        x="start_s:Q", y=alt.Y("label_y_px:Q", scale=None, axis=None), text="short:N", color=colour)
    wait_label = base.transform_filter(
        (alt.datum.short != "") & (alt.datum.kind == names["wait"])).mark_text(
        align="center", baseline="top", dy=3, fontSize=11, fontWeight="bold").encode(
        x="mid_s:Q", y=alt.Y("label_y_px:Q", scale=None, axis=None), text="short:N", color=colour)
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
    return alt.layer(spans, ends, loud, pitch, end_labels, wait_label).resolve_scale(y="independent").properties(
        height=height_px)


def _short(m, end_s: float) -> str:
    """The label drawn on the chart: the wait's length ("0.8 s") when its band is wide enough to
    hold it, sentence ends as "end 1", pauses unlabelled (their length is in the tooltip)."""
    if m.kind == "wait":
        return wait_short(m) if (m.end_s - m.start_s) >= WAIT_LABEL_MIN_SHARE * max(end_s, 1e-9) else ""
    if m.kind == "sentence_end":
        return "end " + m.label.rsplit(" ", 1)[-1]
    return ""
