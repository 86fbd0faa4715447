"""HTML for the Practise page's text blocks. Everything the user typed or said goes through
``html.escape``, so it shows literally (``<script>``, ``**x**``, ``$x$`` stay as written); the
caller passes the result to ``st.html``. No Streamlit calls here."""
from __future__ import annotations

import re
from html import escape
from typing import Sequence

from voicecoach.display.explain import (
    MATCH_TEXT,
    PART_LABELS,
    TAG_COLOURS,
    ObjectiveComparison,
    SentenceView,
    Tip,
)
from voicecoach.format import fmt_time
from voicecoach.wording.specificity import Specificity

__all__ = ["AUDIO_MIME", "VERDICT_COLOURS", "TAG_COLOURS", "md_literal", "md_naming", "plain", "transcript_html",
           "tip_html", "comparison_html", "specificity_html", "PART_WORDS"]

#: The audio formats the studio accepts, by file suffix, with their MIME type for the player.
AUDIO_MIME = {".wav": "audio/wav", ".flac": "audio/flac", ".ogg": "audio/ogg", ".mp3": "audio/mpeg",
              ".webm": "audio/webm", ".m4a": "audio/mp4"}
#: st.metric delta colours of an explain.Headline status.
VERDICT_COLOURS = {"good": "green", "attention": "orange", "unknown": "gray"}
MARK_COLOURS = {"filler": "rgba(250, 204, 21, 0.45)", "hedge": "rgba(244, 114, 182, 0.40)"}
SEVERITY_COLOURS = {"high": "#d62728", "medium": "#ff7f0e", "low": "#4c78a8"}
_MUTED = "opacity:0.75;font-size:0.9em"
_UNSURE = ";font-style:italic;color:#b45309"  # a verdict we cannot give: the words may be misheard
_CELL = "text-align:left;vertical-align:top;padding:0.2em 0.5em;border-bottom:1px solid rgba(128,128,128,0.25)"


def md_literal(text: str, limit: int | None = None) -> str:
    """The user's words inside a markdown message (``st.success``, ``st.caption``...): white space
    joined, shortened to ``limit`` characters if given, and every ASCII punctuation mark
    backslash-escaped so that markdown, HTML and maths show as written."""
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[:limit - 1] + "…"
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def md_naming(message: str, name: str | None) -> str:
    """``message`` (plain text that names the user's file ``name``) for a markdown element such as
    ``st.error``: the name shows as written (``**x**.wav``, ``<b>.wav``), the rest as it is."""
    if not name or name not in message:
        return message
    return message.replace(name, md_literal(name))


def plain(text: str, *, muted: bool = False) -> str:
    """A paragraph of literal text (line breaks kept)."""
    style = "white-space:pre-wrap;margin:0.2em 0" + (";" + _MUTED if muted else "")
    return f'<p style="{style}">{escape(text)}</p>'


def _word(text: str, mark: str | None) -> str:
    if mark is None:
        return escape(text)
    return (f'<mark title="{mark}" style="background:{MARK_COLOURS[mark]};color:inherit;'
            f'padding:0 2px;border-radius:3px">{escape(text)}</mark>')


def _sentence(v: SentenceView) -> str:
    colour = TAG_COLOURS[v.tag]
    words = " ".join(_word(t.text, t.mark) for t in v.tokens)
    if v.is_main_request:
        words = (f'<span title="your request" style="text-decoration:underline;text-decoration-thickness:2px;'
                 f'text-underline-offset:4px">{words}</span>')
    request = ""
    if v.is_request:
        what = "Your request" if v.is_main_request else "Also a request"
        request = (f'<div style="margin-top:0.2em"><b>{what}</b>: {escape(v.request_verdict or "")}</div>')
    return (
        f'<div class="vc-sentence vc-{v.tag}" style="border-left:4px solid {colour};padding:0.3em 0.8em;'
        f'margin:0.5em 0">'
        f'<div style="{_MUTED}"><span style="color:{colour};font-weight:600">{escape(v.tag_name)}</span>'
        f' · {escape(v.behaviour)} · {fmt_time(v.start_s)}</div>'
        f'<div style="font-size:1.05em;margin:0.15em 0">{words}</div>{request}'
        f'<div style="{_MUTED}">Why: {escape(v.reason)}</div></div>')


def transcript_html(views: Sequence[SentenceView]) -> str:
    """The transcript, one block per sentence: the tag in its colour and by name, the behaviour,
    the words (request underlined, fillers and hedges highlighted) and why it got its tag."""
    legend = (f'<div style="{_MUTED}">Left bar: <span style="color:{TAG_COLOURS["push"]}">Push</span>, '
              f'<span style="color:{TAG_COLOURS["pull"]}">Pull</span>, '
              f'<span style="color:{TAG_COLOURS["move_away"]}">Move Away</span>, '
              f'<span style="color:{TAG_COLOURS["neutral"]}">neutral</span>. '
              f'Underlined: your request. Highlighted: {_word("fillers", "filler")} and {_word("hedges", "hedge")}.'
              '</div>')
    return legend + "".join(_sentence(v) for v in views)


def tip_html(tip: Tip) -> str:
    colour = SEVERITY_COLOURS[tip.severity]
    return (f'<div class="vc-tip vc-{tip.severity}" style="border-left:4px solid {colour};padding:0.3em 0.8em">'
            f'<div style="{_MUTED}"><span style="color:{colour};font-weight:600">{escape(tip.severity_text)}</span>'
            f' · {escape(tip.at)}</div><div>{escape(tip.message)}</div></div>')


def comparison_html(c: ObjectiveComparison) -> str:
    """The request against the objective: what to change (or that it matched, or that we may
    have misheard it), then a table of the parts (action, what, when) as planned and as asked (the
    words written and heard), and whether they match ("may have misheard" for a part heard with
    low confidence); the two texts in full when no part could be compared."""
    rows = "".join(
        f'<tr><th scope="row" style="{_CELL}">{PART_LABELS[p.part]}</th><td style="{_CELL}">'
        f'{escape(p.planned or "–")}</td><td style="{_CELL}">{escape(p.asked or "–")}</td>'
        f'<td style="{_CELL};white-space:nowrap{_UNSURE if p.verdict == "uncertain" else ""}">'
        f'{MATCH_TEXT[p.verdict]}</td></tr>' for p in c.parts)
    head = "".join(f'<th style="{_CELL}">{h}</th>' for h in ("", "you planned", "you asked", "match"))
    table = (f'<table class="vc-compare" style="width:100%;border-collapse:collapse;margin-top:0.3em">'
             f'<tr>{head}</tr>{rows}</table>') if rows else ""
    texts = "" if any(p.verdict != "neither" for p in c.parts) else plain(c.summary, muted=True)
    return (f'<div class="vc-objective"><p style="margin:0.2em 0"><b>{escape(c.advice)}</b></p>'
            f'{table}{texts}</div>')


#: A part of an ask (voicecoach.wording.specificity.Specificity.missing) as a sentence names it.
PART_WORDS = {"action": "a concrete action", "object": "what exactly you ask for", "time": "a time"}
_PART_SHORT = {"action": "action", "object": "what", "time": "when"}


def specificity_html(spec: Specificity) -> str:
    """The parts of the objective that count (action, what, when) and those found but too vague
    to count ("“Support” is too vague to count as a concrete action"), so the line agrees with
    ``spec.missing``; then any other vague word."""
    items, shown = [], []
    for part in ("action", "object", "time"):
        value = getattr(spec, part)
        if not value:
            continue
        shown.append(value.lower())
        if part in spec.missing:
            items.append(f"“{escape(value)}” is too vague to count as {PART_WORDS[part]}")
        else:
            items.append(f"{_PART_SHORT[part]}: <b>{escape(value)}</b>")
    other = [v for v in spec.vague_terms if not any(v.lower() in s for s in shown)]
    if other:
        items.append("vague: " + ", ".join(f"“{escape(v)}”" for v in other))
    return f'<div style="{_MUTED}">{" · ".join(items) or "no part found yet"}</div>'
