"""A plain-text report of a rehearsed conversation (what ``voicecoach rehearse`` prints).

Read from a :class:`voicecoach.rehearsal.conversation.ConversationResult` alone (so a saved conversation
prints the same): the dialogue with each of the user's sentences tagged, each moment's checks
beside the manager's line and the reply, the branch taken and why, the outcome, and the whole
conversation's numbers.
"""
from __future__ import annotations

from ..rehearsal.conversation import ConversationResult, Turn
from ..format import fmt_balance, quote

__all__ = ["render_text", "render_turn", "OUTCOME_TEXT", "end_drop_phrase"]

OUTCOME_TEXT = {
    "agreed": "agreed: your manager said yes",
    "agreed_with_conditions": "agreed with conditions: your manager said yes, on their terms",
    "not_yet": "not yet: your manager did not agree this time",
    None: "not finished: the conversation stopped before the close",
}
_TAG = {"push": "Push", "pull": "Pull", "move_away": "Move Away", "neutral": "neutral"}


def _mark(met) -> str:
    return "✓" if met is True else "✗" if met is False else "–"


def render_turn(t: Turn, *, number: int) -> list[str]:
    """One exchange: the manager's line (and why it came), the reply sentence by sentence with its
    tag, and the moment's checks."""
    out = [f"{number}. [{t.moment} · step {t.step}]"]
    if t.manager_why:
        out.append(f"   (why this line: {t.manager_why})")
    out.append(f"   Manager: {t.manager}")
    sentences = t.you.get("sentences") or []
    req = (t.you.get("request") or {}).get("sentence_index")
    if not sentences:
        out.append(f"   You: {t.you.get('transcript', '') or '(nothing heard)'}")
    for i, s in enumerate(sentences):
        tag = _TAG.get(s.get("tag"), s.get("tag")) + (f"/{s['behaviour'].replace('_', ' ')}" if s.get("behaviour") else "")
        lead = "   You:" if i == 0 else "       "
        out.append(f"{lead} {s['text']}  [{tag}]" + ("  ← request" if i == req else ""))
    for v in t.checks:
        value = "" if v.value is None or isinstance(v.value, str) else f" ({v.value:g} {v.unit})".replace(" )", ")")
        out.append(f"   {_mark(v.met)} {v.code}{value}: {v.explanation}")
    return out


def render_text(r: ConversationResult) -> str:
    s = r.summary
    out = [f"voicecoach — rehearsal: {r.title} (analysed on this machine)",
           f"Objective: {r.objective}", ""]
    for i, t in enumerate(r.turns, 1):
        out += render_turn(t, number=i) + [""]
    if r.turns and r.turns[-1].branch:
        out += [f"Next: {r.turns[-1].branch}", ""]
    out.append(f"Outcome: {OUTCOME_TEXT.get(r.outcome, r.outcome)}")
    path = " → ".join(t.step for t in r.turns)
    if path:
        out.append(f"Path: {path}")
    out.append(f"Checks met: {s.checks_met} of {s.checks_total}")
    out.append(f"Push / Pull / Move Away: {fmt_balance(s.push_share, s.pull_share, s.move_away_share)} of your "
               f"speaking time; {s.switches} switch{'es' if s.switches != 1 else ''} between Push and Pull"
               + (" (you stayed in one mode: move between them as your manager responds)" if s.switches == 0 else ""))
    if s.talk_share is not None:
        out.append(f"Your talk share: {s.talk_share:.0%} ({s.user_speaking_s:.0f} s you, "
                   f"{s.manager_speaking_s:.0f} s your manager)")
    waits = [(t.step, t.you["request"]) for t in r.turns if t.moment == "ask" and t.you.get("request")]
    if waits:
        out.append("Wait after your ask: " + "; ".join(
            f"{w['pause_after_s']:.1f} s" + (" (still waiting when the turn ended)" if w.get("still_waiting") else "")
            + ("" if step == "ask" else f" (at {step})") for step, w in waits))
    pace = "–" if s.speaking_wpm is None else f"{s.speaking_wpm:.0f} words/min"
    out.append(f"Delivery over all your turns: pace {pace}; {end_drop_phrase(s)}")
    return "\n".join(out)


def end_drop_phrase(s) -> str:
    """The conversation's sentence ends, as the report and the page say them: the weakest one over
    all your turns (``Summary.end_drop_db``), with its words."""
    if s.end_drop_db is None:
        return "sentence ends –"
    return (f"weakest sentence end {s.end_drop_db:+.1f} dB"
            + (f" ({quote(s.end_drop_text)})" if s.end_drop_text else ""))
