"""A stored take as a report to keep or share: one self-contained HTML file (styles and the
loudness/pitch chart inline, no script, nothing fetched from anywhere) or Markdown.

Built from the stored take's result (``Take.result``, a :class:`voicecoach.result.TakeResult`:
its numbers, its warnings, its tips and the verdicts behind "Targets met") and optionally its
:class:`voicecoach.display.timeline.Timeline`. Every text that came from the user or the recording
(label, objective, transcript, tips quoting it) is escaped: it shows literally.
"""
from __future__ import annotations

import math
import re
from html import escape

from ..coaching.coach import CoachSettings
from .compare import score
from .explain import BEHAVIOUR_TEXT, TAG_COLOURS, TAG_NAMES
from ..format import END_DROP_MEANING, END_DROP_NAME, fmt_balance, fmt_db, fmt_num, fmt_time, fmt_when
from ..speech.audio import AudioError, load
from ..store.takes import StoreError, Take, TakeStore
from .timeline import (
    FLOOR_DB,
    LOUDNESS_COLOUR,
    MOMENT_COLOUR_NAMES,
    MOMENT_COLOURS,
    PITCH_COLOUR,
    Timeline,
    timeline,
    wait_short,
)

__all__ = ["report_html", "report_body_html", "report_markdown", "chart_svg", "file_stem", "take_timeline",
           "not_analysed", "chart_key"]

CHART_WIDTH_PX = 900
_LEFT, _RIGHT, _TOP, _GAP, _BOTTOM = 56, 12, 22, 34, 30  # margins and the gap between panels (px)
_LOUD_H, _PITCH_H = 150, 120  # panel heights (px)
PITCH_SPAN_ST = 12.0  # the pitch panel shows at most ± this many semitones


def file_stem(take: Take) -> str:
    """A safe file name (no extension) for ``take``'s report: ``voicecoach-take-3-my-label``."""
    slug = re.sub(r"[^a-z0-9]+", "-", (take.label or "").lower()).strip("-")[:40].strip("-")
    return f"voicecoach-take-{take.id}" + (f"-{slug}" if slug else "")


def take_timeline(store: TakeStore, take: Take) -> Timeline | None:
    """The chart's data for a stored take, from its audio; None when the take has no analysis or
    its audio is gone or cannot be decoded (the report is then made without the chart)."""
    if not take.analysis_json:
        return None
    try:
        audio = load(store.audio_path(take))
    except (AudioError, StoreError):
        return None
    return timeline(audio.y, take.analysis, sr=audio.sr)


def not_analysed(take: Take) -> str:
    """One sentence for a take without a result: that its analysis failed (and why) or did not
    finish, and that its recording is kept for another try."""
    if take.status == "failed":
        why = f"The analysis of this take failed: {take.error.rstrip('. ')}." if take.error else \
            "The analysis of this take failed."
    else:
        why = "The analysis of this take did not finish."
    return why + " Its recording is kept: analyse it again from the Takes page."


def _no_tips(take: Take) -> str:
    """What the Coaching section says when there is no tip: only an analysed take has nothing to flag."""
    return "Nothing to flag in this take." if take.status == "done" else \
        "No coaching: this take has not been analysed."


def _title(take: Take) -> str:
    return f"Take {take.id}" + (f" — {take.label}" if take.label else "")


def _facts(take: Take, t, s: CoachSettings) -> list[tuple[str, str]]:
    """(name, value) pairs of the numbers of the take's result ``t`` (None: not analysed), as plain text."""
    if t is None:
        return [("Recorded", fmt_when(take.created_at)),
                ("Length", fmt_time(take.duration_s) if take.duration_s else "–"), ("Model", take.model or "–")]
    req, b = t.request, t.balance

    def num(v, digits, unit=""):
        return fmt_num(v, digits, unit)

    if req is None:
        wait = "no request found"
    elif req.carried_on:
        wait = "none: you went straight on"
    else:
        wait = num(req.pause_after_s, 1, " s") + (" (still waiting when the recording stopped)"
                                                  if req.still_waiting else "")
    x = t.end_drop_sentence
    which = "your request" if req is not None and x is not None and x.index == req.sentence_index \
        else "your weakest sentence end"
    return [
        ("Recorded", fmt_when(take.created_at)),
        ("Length", fmt_time(take.duration_s or t.duration_s) if take.duration_s or t.duration_s else "–"),
        ("Speaking pace", num(t.speaking_wpm, 0, " wpm")),
        ("Pace over the whole take", num(t.pace.wpm, 0, " wpm")),
        ("Wait after the request", wait),
        (END_DROP_NAME, "–" if t.end_drop_db is None else
         f"{fmt_db(t.end_drop_db)} ({which}: {END_DROP_MEANING}; target below {s.end_drop_db:g} dB)"),
        ("Pitch range", num(t.pitch_range_st, 1, " semitones")),
        ("Push / Pull / Move Away", fmt_balance(b.push_share, b.pull_share, b.move_away_share)),
        ("Switches between Push and Pull", num(b.switches, 0)),
        ("Fillers", f"{len(t.fillers)} ({num(t.fillers_per_100, 1)} per 100 words)"),
        ("Hedges", f"{len(t.hedges)} ({num(t.hedges_per_100, 1)} per 100 words)"),
        ("Model", take.model or t.model or "–"),
    ]


def _sentences(t) -> list[tuple[str, str, str]]:
    """(time, tag and behaviour, text) of each sentence; the request is marked."""
    if t is None:
        return []
    out = []
    for x in t.sentences:
        tag = TAG_NAMES.get(x.tag, x.tag or "")
        if x.behaviour:
            tag += f" ({BEHAVIOUR_TEXT.get(x.behaviour, x.behaviour.replace('_', ' '))})"
        if t.request is not None and t.request.sentence_index == x.index:
            tag += " · your request"
        out.append((fmt_time(x.start_s), tag, x.text))
    return out


def _tips(t) -> list[tuple[str, str]]:
    return [] if t is None else [(fmt_time(f.start_s) if f.start_s is not None else "whole take", f.message)
                                 for f in t.feedback]


def _result(take: Take):
    """The take's result; None when not analysed or when its saved analysis cannot be read."""
    try:
        return take.result
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def _warnings(t) -> list[str]:
    """The take's cautions: why part of its result may not hold (said first, as on Practise)."""
    return [] if t is None else [c.message for c in t.warnings]


# ---- HTML ----------------------------------------------------------------------------------

_BASE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:960px;margin:2em auto;padding:0 1em;
color:#1f2328;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}
"""
#: The report's own styles, scoped to its ``.vc-report`` block so that shown inside a page
#: (the Takes page) they style nothing else.
_CSS = f"""
.vc-report h2{{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}}
.vc-report table{{border-collapse:collapse;width:100%}}
.vc-report td,.vc-report th{{text-align:left;padding:.25em .6em;border-bottom:1px solid #eee;vertical-align:top}}
.vc-report th{{font-weight:600}}.vc-report .facts th{{width:16em}}.vc-report .muted{{opacity:.75}}
.vc-report .met{{color:#1a7f37}}.vc-report .miss{{color:#b42318}}
.vc-report .tag-push{{color:{TAG_COLOURS["push"]}}}.vc-report .tag-pull{{color:{TAG_COLOURS["pull"]}}}
.vc-report .tag-move{{color:{TAG_COLOURS["move_away"]}}}
.vc-report svg{{max-width:100%;height:auto;font-family:inherit}}
.vc-report .pre{{white-space:pre-wrap}}
"""


def report_html(take: Take, *, timeline: Timeline | None = None, settings: CoachSettings | None = None) -> str:
    """The whole report as one HTML document (UTF-8 text), with no script and no external link."""
    e = escape
    return "\n".join([
        f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{e(_title(take))} · voicecoach</title><style>{_BASE_CSS}</style></head><body>",
        f"<h1 style=\"white-space:pre-wrap\">{e(_title(take))}</h1>",
        "<p style=\"opacity:.75\">A voicecoach report, made on your own machine. The audio stays there.</p>",
        report_body_html(take, timeline=timeline, settings=settings), "</body></html>"])


def report_body_html(take: Take, *, timeline: Timeline | None = None, settings: CoachSettings | None = None) -> str:
    """The report's content as one ``<div class="vc-report">`` (its styles scoped to it): the
    objective, the numbers, the chart, the tips, the targets met and the transcript sentence by
    sentence with its tags. :func:`report_html` wraps it in a document; the Takes page shows it
    as it is, so the page and the exported file say the same."""
    t = _result(take)
    s = settings or CoachSettings()
    e = escape
    parts = [f"<div class=\"vc-report\"><style>{_CSS}</style>"]
    if take.objective:
        parts.append(f"<p><strong>Influence objective:</strong> <span class=\"pre\">{e(take.objective)}</span></p>")
    if take.status != "done":
        parts.append(f"<p class=\"miss pre\">{e(not_analysed(take))}</p>")
    if warnings := _warnings(t):
        parts.append("<h2>Warnings</h2>" + "".join(f"<p class=\"miss vc-warning\">⚠ {e(w)}</p>" for w in warnings))
    parts.append("<h2>The numbers</h2><table class=\"facts\">" + "".join(
        f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _facts(take, t, s)) + "</table>")
    if timeline is not None and timeline.times_s:
        parts.append("<h2>Loudness and pitch</h2>" + chart_svg(timeline)
                     + f"<p class=\"muted\">{e(chart_key())}</p>")
    parts.append("<h2>Coaching</h2>")
    tips = _tips(t)
    parts.append("<table>" + "".join(f"<tr><th>{e(t)}</th><td>{e(m)}</td></tr>" for t, m in tips) + "</table>"
                 if tips else f"<p>{e(_no_tips(take))}</p>")
    if t is not None:
        sc = score(take, s)
        parts.append(f"<h2>Targets: {escape(sc.summary)}</h2><table>" + "".join(
            f"<tr><td class=\"{'met' if p.met else 'miss' if p.met is False else 'unjudged'}\">{p.mark}</td>"
            f"<td>{e(p.name)}</td><td>{e(p.detail)}</td></tr>" for p in sc.points) + "</table>")
    parts.append("<h2>What you said</h2>")
    if t is not None and t.transcript:
        parts.append(f"<p class=\"pre\">{e(t.transcript)}</p>")
    rows = _sentences(t)
    if rows:
        parts.append("<table><tr><th>at</th><th>tag</th><th>sentence</th></tr>" + "".join(
            f"<tr><td>{e(t)}</td><td class=\"{_tag_class(tag)}\">{e(tag)}</td><td class=\"pre\">{e(text)}</td></tr>"
            for t, tag, text in rows) + "</table>")
    for key, name in (("fillers", "Fillers"), ("hedges", "Hedges")):
        if t is not None and getattr(t, key):
            parts.append(f"<p><strong>{name}:</strong> " + e(", ".join(
                f"{m.text} ({fmt_time(m.start_s)})" for m in getattr(t, key))) + "</p>")
    parts.append("</div>")
    return "\n".join(parts)


def _tag_class(tag: str) -> str:
    return ("tag-push" if tag.startswith("Push") else "tag-pull" if tag.startswith("Pull")
            else "tag-move" if tag.startswith("Move") else "muted")


def chart_svg(tl: Timeline) -> str:
    """Loudness (top) and pitch (bottom) over the take as one inline ``<svg>``, with pauses,
    the wait after the request and sentence ends marked."""
    duration = max(tl.times_s[-1] if tl.times_s else 0.0, max((m.end_s for m in tl.moments), default=0.0), 0.1)
    w, plot_w = CHART_WIDTH_PX, CHART_WIDTH_PX - _LEFT - _RIGHT
    loud_top, pitch_top = _TOP, _TOP + _LOUD_H + _GAP
    height = pitch_top + _PITCH_H + _BOTTOM
    voiced = [abs(p) for p in tl.pitch_st if p is not None]
    span = min(PITCH_SPAN_ST, max(6.0, math.ceil(max(voiced, default=0.0))))

    def x(t: float) -> float:
        return _LEFT + plot_w * min(max(t, 0.0), duration) / duration

    def y_loud(db: float) -> float:
        return loud_top + _LOUD_H * (min(max(db, FLOOR_DB), 0.0) / FLOOR_DB)

    def y_pitch(st: float) -> float:
        return pitch_top + _PITCH_H * (0.5 - max(-span, min(span, st)) / (2 * span))

    out = [f'<svg viewBox="0 0 {w} {height}" width="{w}" height="{height}" '
           f'role="img" aria-label="Loudness and pitch over the take">',
           "<title>Loudness and pitch over the take</title>"]
    panels = ((loud_top, _LOUD_H), (pitch_top, _PITCH_H))
    for m in tl.moments:  # shaded spans under the lines
        if m.kind in ("pause", "wait") and m.end_s > m.start_s:
            fill = MOMENT_COLOURS[m.kind]
            for top, h in panels:
                out.append(f'<rect x="{x(m.start_s):.1f}" y="{top}" width="{max(x(m.end_s) - x(m.start_s), 1):.1f}" '
                           f'height="{h}" fill="{fill}" fill-opacity="0.35"><title>{escape(m.label)}</title></rect>')
            if m.kind == "wait" and x(m.end_s) - x(m.start_s) >= 36:  # its length, inside the band at the top
                out.append(f'<text x="{(x(m.start_s) + x(m.end_s)) / 2:.1f}" y="{loud_top + 12}" font-size="11" '
                           f'text-anchor="middle" font-weight="bold" fill="{fill}">{escape(wait_short(m))}'
                           f'<title>{escape(m.label)}</title></text>')
    for top, h in panels:
        out.append(f'<rect x="{_LEFT}" y="{top}" width="{plot_w}" height="{h}" fill="none" stroke="#bbb"/>')
    for db in (-60, -40, -20, 0):
        out.append(_hline(y_loud(db), plot_w, f"{db}"))
    for st in (-span / 2, 0.0, span / 2):
        out.append(_hline(y_pitch(st), plot_w, f"{st:+.0f}" if st else "0"))
    out.append(f'<text x="{_LEFT}" y="{loud_top - 6}" font-size="12" fill="#333">loudness (dBFS)</text>')
    out.append(f'<text x="{_LEFT}" y="{pitch_top - 6}" font-size="12" fill="#333">'
               "pitch (semitones from your usual pitch)</text>")
    for m in tl.moments:
        if m.kind == "sentence_end":
            for top, h in panels:
                out.append(f'<line x1="{x(m.end_s):.1f}" x2="{x(m.end_s):.1f}" y1="{top}" y2="{top + h}" '
                           f'stroke="{MOMENT_COLOURS["sentence_end"]}" stroke-dasharray="3,3">'
                           f'<title>{escape(m.label)}</title></line>')
    pts = " ".join(f"{x(t):.1f},{y_loud(v):.1f}" for t, v in zip(tl.times_s, tl.loudness_db))
    out.append(f'<polyline points="{pts}" fill="none" stroke="{LOUDNESS_COLOUR}" stroke-width="1.3"/>')
    for run in _runs(tl.times_s, tl.pitch_st):
        pts = " ".join(f"{x(t):.1f},{y_pitch(v):.1f}" for t, v in run)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{PITCH_COLOUR}" stroke-width="1.6"/>'
                   if len(run) > 1 else f'<circle cx="{x(run[0][0]):.1f}" cy="{y_pitch(run[0][1]):.1f}" r="1.5" '
                                        f'fill="{PITCH_COLOUR}"/>')
    step = next(s for s in (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300) if duration / s <= 12)
    base = pitch_top + _PITCH_H
    for i in range(int(duration // step) + 1):
        t = i * step
        out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{base}" y2="{base + 4}" stroke="#888"/>'
                   f'<text x="{x(t):.1f}" y="{base + 16}" font-size="11" text-anchor="middle" fill="#555">'
                   f"{fmt_time(t) if step >= 1 else f'{t:.1f}'}</text>")
    out.append(f'<text x="{_LEFT + plot_w}" y="{base + 28}" font-size="11" text-anchor="end" fill="#555">'
               "time (m:ss)</text></svg>")
    return "\n".join(out)


def chart_key() -> str:
    """What the chart's colours and marks mean (said the same under the studio's chart)."""
    c = MOMENT_COLOUR_NAMES
    return ("Blue line: loudness in dBFS (0 is the loudest a recording can hold; silence reads low). Orange line: "
            "pitch in semitones from your usual pitch (a rise at the end of a request sounds unsure). "
            f"Shaded {c['pause']}: pauses; shaded {c['wait']}: the wait after your request, its length written "
            "at the top; dashed lines: sentence ends.")


def _hline(y: float, plot_w: float, label: str) -> str:
    return (f'<line x1="{_LEFT}" x2="{_LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#555">{label}</text>')


def _runs(times, values):
    """Consecutive (time, value) points with a value, split where the value is None."""
    run: list = []
    for t, v in zip(times, values):
        if v is None:
            if run:
                yield run
            run = []
        else:
            run.append((t, v))
    if run:
        yield run


# ---- Markdown ------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|$~&])")


def _md(text: str) -> str:
    """``text`` shown literally by a Markdown renderer: special characters backslash-escaped,
    line breaks kept as spaces (a label cannot start a heading or a list)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def report_markdown(take: Take, *, settings: CoachSettings | None = None) -> str:
    """The report as Markdown (no chart): the numbers, the tips, the targets met and the
    transcript with each sentence's tag."""
    t = _result(take)
    out = [f"# {_md(_title(take))}", "", "A voicecoach report, made on your own machine. The audio stays there.", ""]
    if take.objective:
        out += [f"**Influence objective:** {_md(take.objective)}", ""]
    if take.status != "done":
        out += [_md(not_analysed(take)), ""]
    if warnings := _warnings(t):
        out += ["## Warnings", ""] + [f"- ⚠ {_md(w)}" for w in warnings] + [""]
    out += ["## The numbers", "", "| | |", "|---|---|"]
    out += [f"| {_md(k)} | {_md(v)} |" for k, v in _facts(take, t, settings or CoachSettings())]
    out += ["", "## Coaching", ""]
    tips = _tips(t)
    out += [f"- **{_md(t)}** — {_md(m)}" for t, m in tips] if tips else [_md(_no_tips(take))]
    if t is not None:
        sc = score(take, settings)
        out += ["", f"## Targets: {sc.summary}", ""]
        out += [f"- {p.mark} {_md(p.name)}: {_md(p.detail)}" for p in sc.points]
    out += ["", "## What you said", ""]
    if t is not None and t.transcript:
        out += [f"> {_md(t.transcript)}", ""]
    out += [f"- {at} **{_md(tag)}**: {_md(text)}" for at, tag, text in _sentences(t)]
    for key, name in (("fillers", "Fillers"), ("hedges", "Hedges")):
        if t is not None and getattr(t, key):
            out += ["", f"**{name}:** " + _md(", ".join(f"{m.text} ({fmt_time(m.start_s)})" for m in getattr(t, key)))]
    return "\n".join(out) + "\n"
